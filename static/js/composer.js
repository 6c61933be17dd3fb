// The reply box: Enter sends, Shift+Enter adds a line; files by button or by
// dropping them on the conversation, uploaded with progress before sending.
// Each send carries a client_id, so retrying after a network failure never
// sends the reply twice.

import { api, upload } from "./api.js";
import { $, fileSize, h, uuid } from "./dom.js";
import { putMessage } from "./conversation.js";
import { closedReason, initReplyWindow, windowClosed } from "./reply-window.js";
import { on, store } from "./store.js";
import { toast } from "./toast.js";

const form = $("#composer");
const textarea = $("#reply");
const pending = $("#pending-files");
const errorLine = $("#composer-error");
let files = []; // {id, name, size, item} uploaded and waiting for Send
let uploading = 0;

export function initComposer() {
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); send(); });
  $("#attach").addEventListener("click", () => $("#file-input").click());
  $("#file-input").addEventListener("change", (event) => { addFiles(event.target.files); event.target.value = ""; });
  initDrop();
  on("conversation", (conversation) => setEnabled(conversation));
  on("conversation-gone", () => setEnabled(null));
  // WhatsApp and Messenger: free text only while the customer's reply window is open.
  initReplyWindow(() => setEnabled(store.open));
}

export function fillReply(text) {
  textarea.value = text;
  textarea.focus();
  textarea.setSelectionRange(text.length, text.length);
}

export const focusReply = () => textarea.focus();

function setEnabled(conversation) {
  const ended = !conversation || ["dealt_with", "ended"].includes(conversation.status);
  const theirs = conversation?.owner && conversation.owner !== store.me.id && !store.me.supervisor;
  const windowShut = !ended && !theirs && windowClosed(conversation);
  [textarea, $("#send"), $("#attach")].forEach((el) => { el.disabled = Boolean(ended || theirs || windowShut); });
  // Say why the box is shut, so nobody hunts for a missing permission.
  if (ended) textarea.placeholder = "This chat is closed; nothing more can be sent here.";
  else if (theirs) textarea.placeholder = "A colleague owns this chat; only they can answer.";
  else if (windowShut) textarea.placeholder = closedReason(conversation);
  else textarea.placeholder = "Write a reply… Enter sends, Shift+Enter adds a line";
  const id = String(conversation?.id ?? "");
  if (id !== form.dataset.conversation) { clearFiles(); showError(""); }
  form.dataset.conversation = id;
}

async function send() {
  const body = textarea.value;
  if (!store.openId || textarea.disabled) return;
  if (uploading) return showError("Wait for the upload to finish.");
  if (!body.trim() && !files.length) return;
  const draft = { body, attachments: files.map((f) => f.id), client_id: uuid() };
  const attachments = files.map(({ item, ...saved }) => saved);
  textarea.value = "";
  clearFiles();
  showError("");
  await post(store.openId, draft, attachments);
}

// Post a draft; a network failure leaves it in the log with "Not sent · Retry", same client_id.
async function post(conversationId, draft, attachments) {
  const optimistic = { ...draft, attachments, direction: "out", sender: store.me.id, created_at: new Date().toISOString(), delivery_status: "sending" };
  putMessage(optimistic);
  try {
    const saved = await api(`/api/v1/conversations/${conversationId}/messages/`, { method: "POST", body: draft });
    if (store.openId === conversationId) putMessage(saved);
  } catch (error) {
    const item = document.querySelector(`[data-client-id="${draft.client_id}"]`);
    if (error.status === 0 || error.status >= 500) {
      item?.querySelector(".ticks")?.replaceChildren(
        h("span", { class: "failed-reason" }, "Not sent."),
        h("button", { type: "button", class: "ghost small", onclick: () => post(conversationId, draft, attachments) }, "Retry"));
      return;
    }
    item?.remove();
    if (!textarea.value) textarea.value = draft.body; // give the words back
    toast(error.message, { kind: "error" });
  }
}

function showError(text) {
  errorLine.textContent = text;
  errorLine.hidden = !text;
}

function clearFiles() {
  files = [];
  pending.replaceChildren();
}

function addFiles(list) {
  if (textarea.disabled) return;
  showError("");
  [...list].forEach(uploadOne);
}

async function uploadOne(file) {
  const bar = h("progress", { max: "1", value: "0", "aria-label": `Uploading ${file.name}` });
  const item = h("li", { class: "pending-file" }, h("span", { class: "file-name" }, file.name), h("span", { class: "muted" }, fileSize(file.size)), bar);
  pending.append(item);
  uploading += 1;
  try {
    const saved = await upload(file, (fraction) => { bar.value = fraction; });
    const entry = { ...saved, item };
    files.push(entry);
    bar.replaceWith(h("button", { type: "button", class: "toast-close", "aria-label": `Remove ${file.name}`, onclick: () => { files = files.filter((f) => f !== entry); item.remove(); } }, "×"));
  } catch (error) {
    item.remove();
    showError(error.message);
  } finally {
    uploading -= 1;
  }
}

// Drag and drop anywhere on the conversation pane; the overlay says it will attach.
function initDrop() {
  const pane = $("#pane-body");
  const overlay = $("#drop-overlay");
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  pane.addEventListener("dragenter", (event) => { if (hasFiles(event)) { depth += 1; overlay.hidden = textarea.disabled; } });
  pane.addEventListener("dragleave", () => { depth = Math.max(0, depth - 1); if (!depth) overlay.hidden = true; });
  pane.addEventListener("dragover", (event) => { if (hasFiles(event)) event.preventDefault(); });
  pane.addEventListener("drop", (event) => {
    event.preventDefault();
    depth = 0;
    overlay.hidden = true;
    addFiles(event.dataTransfer.files);
  });
}
