// Labels on chats: coloured chips on the list's rows and in the conversation header,
// and the picker that sets the open chat's labels (PUT /api/v1/conversations/{id}/labels/).
// Other agents' lists follow through the conversation.updated event the change sends.

import { api } from "./api.js";
import { $, h } from "./dom.js";
import { emit, on, store } from "./store.js";
import { toast } from "./toast.js";

const bootstrap = JSON.parse(document.getElementById("bootstrap").textContent);
store.labels = bootstrap.labels || [];

// The chip's text colour follows its background, so every label stays readable.
function textOn(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 ? "#1f2328" : "#ffffff";
}

export function labelChips(labels) {
  if (!labels || !labels.length) return null;
  return h("span", { class: "label-chips", "aria-label": `Labels: ${labels.map((l) => l.name).join(", ")}` },
    labels.map((label) => h("span", {
      class: "label-chip", dataset: { labelId: label.id },
      style: `--label-color: ${label.color}; --label-text: ${textOn(label.color)}`,
    }, label.name)));
}

let headerChips = null;
let dialog = null;

export function initLabels() {
  headerChips = h("div", { class: "conv-labels", id: "conv-labels" });
  $("#conv-title").parentElement.append(headerChips);
  on("conversation", renderHeader);
  on("conversation-gone", () => { headerChips.replaceChildren(); });
  // Server-rendered rows colour their chips like the script's.
  document.querySelectorAll(".label-chip").forEach((chip) => {
    const color = chip.style.getPropertyValue("--label-color").trim();
    if (/^#[0-9a-f]{6}$/i.test(color)) chip.style.setProperty("--label-text", textOn(color));
  });
}

function renderHeader(conversation) {
  if (!conversation) { headerChips.replaceChildren(); return; }
  headerChips.replaceChildren(...[labelChips(conversation.labels)].filter(Boolean));
  // After the actions module drew its buttons for this conversation.
  queueMicrotask(() => addPickerButton(conversation));
}

function addPickerButton(conversation) {
  const toolbar = $("#conv-actions");
  if (!toolbar || store.openId !== conversation.id || toolbar.querySelector("[data-labels]")) return;
  toolbar.append(h("button", {
    type: "button", class: "ghost small", tabindex: "-1", dataset: { labels: "" },
    "aria-haspopup": "dialog", onclick: () => pickLabels(conversation.id),
  }, "Labels"));
}

async function freshLabels() {
  try {
    const page = await api("/api/v1/labels/");
    store.labels = page.results || page;
  } catch { /* the labels the page came with will do */ }
  return store.labels;
}

function buildDialog() {
  dialog = h("dialog", { class: "dialog", id: "labels-dialog", "aria-labelledby": "labels-dialog-title" },
    h("form", { method: "dialog", class: "dialog-body" },
      h("h2", { id: "labels-dialog-title" }, "Labels of this chat"),
      h("fieldset", { class: "label-options", id: "label-options" }, h("legend", { class: "visually-hidden" }, "Labels")),
      h("p", { class: "muted", id: "labels-empty", hidden: true }, "No labels yet: a manager creates them in admin or through the API."),
      h("div", { class: "dialog-actions" },
        h("button", { value: "cancel", class: "ghost", formnovalidate: true }, "Cancel"),
        h("button", { value: "ok", class: "primary", id: "labels-save" }, "Save"))));
  document.body.append(dialog);
}

async function pickLabels(conversationId) {
  if (!dialog) buildDialog();
  const labels = await freshLabels();
  const current = new Set((store.open?.labels || []).map((l) => l.id));
  const options = $("#label-options");
  options.replaceChildren(options.querySelector("legend"), ...labels.map((label) => h("label", { class: "label-option" },
    h("input", { type: "checkbox", name: "label", value: label.id, checked: current.has(label.id) }),
    labelChips([label]))));
  $("#labels-empty").hidden = labels.length > 0;
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "ok") return;
    const ids = [...options.querySelectorAll("input:checked")].map((input) => Number(input.value));
    try {
      const conversation = await api(`/api/v1/conversations/${conversationId}/labels/`, { method: "PUT", body: { labels: ids } });
      if (conversation) emit("changed", conversation);
      toast("Labels saved.");
    } catch (error) {
      toast(error.message, { kind: "error" });
    }
  }, { once: true });
}
