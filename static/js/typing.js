// "Typing…" both ways in a live chat: the visitor's shows under the open chat's
// messages for a few seconds (or until their message lands); the agent's own
// typing is sent at most every few seconds. Nothing here is stored or replayed.

import { $, h } from "./dom.js";
import { on, store } from "./store.js";

const SEND_EVERY_MS = 2000;
const SHOWN_FOR_MS = 5000;

const line = h("p", { class: "typing-line muted", id: "typing-line", "aria-live": "polite", hidden: true });
let hideTimer = null;
let shownFor = null;
let lastSent = 0;

export function initTyping(socket) {
  $("#log-wrap").after(line);
  on("conversation", (conversation) => { if (conversation?.id !== shownFor) hideTyping(); });
  $("#reply").addEventListener("input", (event) => {
    const c = store.open;
    // Writing a private note is nothing the visitor may learn of.
    if ($("#composer").classList.contains("note-mode")) return;
    if (!c || c.channel !== "livechat" || !["unassigned", "taken"].includes(c.status) || !event.target.value.trim()) return;
    const now = Date.now();
    if (now - lastSent < SEND_EVERY_MS) return;
    lastSent = now;
    socket.send({ type: "typing", conversation: c.id });
  });
}

// A `typing` event: {conversation, by: "customer"}.
export function showTyping({ conversation }) {
  if (conversation !== store.openId) return;
  shownFor = conversation;
  line.textContent = `${store.open?.title || "The visitor"} is typing…`;
  line.hidden = false;
  clearTimeout(hideTimer);
  hideTimer = setTimeout(hideTyping, SHOWN_FOR_MS);
}

// The visitor's message arrived (or another chat opened): the line goes.
export function hideTyping(conversationId) {
  if (conversationId != null && conversationId !== shownFor) return;
  clearTimeout(hideTimer);
  line.hidden = true;
  shownFor = null;
}
