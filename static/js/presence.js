// The presence switch (routing offers chats only to available agents) and the
// connection indicator.

import { api } from "./api.js";
import { $ } from "./dom.js";
import { store } from "./store.js";
import { toast } from "./toast.js";

const select = $("#presence");
const CONNECTION_TEXT = { connecting: "Connecting…", online: "Live", offline: "Reconnecting…" };

export function initPresence() {
  $("#reconnect-now").addEventListener("click", () => window.chatdesk?.socket.reconnectNow());
  select.addEventListener("change", async () => {
    const wanted = select.value;
    try {
      const me = await api("/api/v1/agents/me/", { method: "PATCH", body: { status: wanted } });
      showStatus(me.status);
    } catch (error) {
      showStatus(store.me.status);
      toast(error.message, { kind: "error" });
    }
  });
}

export function showStatus(status) {
  store.me.status = status;
  select.value = status;
  select.closest(".presence").dataset.status = status;
}

export function showConnection(state) {
  const box = $("#connection");
  box.dataset.state = state;
  box.querySelector(".connection-text").textContent = CONNECTION_TEXT[state];
  // Hard to miss while it lasts: an agent must not wait for chats that cannot arrive.
  $("#offline-banner").hidden = state !== "offline";
}
