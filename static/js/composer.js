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
import { initMentionList } from "./notes.js";

const form = $("#composer");
const textarea = $("#reply");
const pending = $("#pending-files");
const errorLine = $("#composer-error");
let files = []; // {id, name, size, item} uploaded and waiting for Send
let uploading = 0;
// "reply" goes to the customer; "note" is a private note only colleagues read.
let mode = "reply";
let replyShut = false; // why a reply may not be written here (closed, a colleague's)

export function initComposer() {
  initMentionList(textarea, () => mode === "note");
  $("#mode-reply").addEventListener("click", () => setMode("reply"));
  $("#mode-note").addEventListener("click", () => setMode("note"));
  // Alt+N switches between reply and note from anywhere in the page (Ctrl+Shift+N
  // is the browser's own private window and never reaches the page).
  document.addEventListener("keydown", (event) => {
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyN" && store.openId) {
      event.preventDefault();
      if (!form.querySelector(".composer-mode").hidden) setMode(mode === "note" ? "reply" : "note", true);
    }
  });
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
  // WhatsApp and Messenger after the customer's reply window: no free text (a note still goes).
  const windowShut = !ended && !theirs && windowClosed(conversation);
  const id = String(conversation?.id ?? "");
  const switched = id !== form.dataset.conversation;
  replyShut = ended ? "This chat is closed; nothing more can be sent here."
    : theirs ? "A colleague owns this chat; only they can answer. A private note still reaches them."
    : windowShut ? closedReason(conversation) : "";
  // Internal chats are only between agents: nothing to keep private there.
  const notes = Boolean(conversation) && conversation.channel !== "internal";
  form.querySelector(".composer-mode").hidden = !notes;
  if (switched) {
    clearFiles();
    showError("");
    // A chat one may only read (a colleague's, or shown through a mention) opens in note mode.
    mode = notes && theirs && !ended ? "note" : "reply";
  }
  if (!notes) mode = "reply";
  form.dataset.conversation = id;
  applyMode();
}

function setMode(next, focus = false) {
  mode = next;
  applyMode();
  if (focus || document.activeElement?.closest?.(".composer-mode")) textarea.focus();
}

function applyMode() {
  const note = mode === "note";
  form.classList.toggle("note-mode", note);
  $("#mode-reply").setAttribute("aria-pressed", String(!note));
  $("#mode-note").setAttribute("aria-pressed", String(note));
  const shut = !store.open || (note ? false : Boolean(replyShut));
  [textarea, $("#send")].forEach((el) => { el.disabled = shut; });
  $("#attach").disabled = shut || note; // a note is words only
  $("#send").textContent = note ? "Add note" : "Send";
  // Say why the box is shut, so nobody hunts for a missing permission.
  if (note) textarea.placeholder = "Private note: only colleagues see it. @name mentions someone. Alt+N: back to reply";
  else if (replyShut) textarea.placeholder = replyShut;
  else textarea.placeholder = "Write a reply… Enter sends, Shift+Enter adds a line";
}

async function send() {
  const body = textarea.value;
  if (!store.openId || textarea.disabled) return;
  if (mode === "note") return sendNote(body);
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

async function sendNote(body) {
  if (!body.trim()) return;
  const conversationId = store.openId;
  textarea.value = "";
  showError("");
  try {
    const saved = await api(`/api/v1/conversations/${conversationId}/notes/`, { method: "POST", body: { body } });
    if (store.openId === conversationId) putMessage(saved);
  } catch (error) {
    if (!textarea.value) textarea.value = body; // give the words back
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
