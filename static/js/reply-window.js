// WhatsApp and Messenger reply windows in the composer: the time left to answer in
// free text, and once it has passed, why the box is shut. On WhatsApp the agent then
// picks an approved template, fills its variables and sees the text the customer will
// read before sending it.

import { api } from "./api.js";
import { $, h, uuid } from "./dom.js";
import { putMessage, showConversation } from "./conversation.js";
import { on, store } from "./store.js";
import { toast } from "./toast.js";

const WINDOWED = new Set(["whatsapp", "messenger"]);
const TICK_MS = 15000;

const line = $("#reply-window");
const picker = $("#template-picker");
const select = $("#template-select");
const fields = $("#template-variables");
const preview = $("#template-preview");
const sendButton = $("#template-send");

let current = null; // the open conversation
let templates = []; // approved templates of its WhatsApp number
let loadedFor = null; // the account whose templates are loaded
let timer = null;
let onChange = () => {};

// `changed(closed, reason)` tells the composer whether free text is allowed.
export function initReplyWindow(changed) {
  onChange = changed;
  on("conversation", show);
  on("customer-message", refresh);
  select.addEventListener("change", renderFields);
  sendButton.addEventListener("click", sendTemplate);
}

// When free text stops being possible for this chat (null: no window applies).
export function closesAt(conversation) {
  if (!conversation || !WINDOWED.has(conversation.channel) || !conversation.reply_window_closes_at) return null;
  return new Date(conversation.reply_window_closes_at);
}

export function windowClosed(conversation) {
  const at = closesAt(conversation);
  return Boolean(at) && Date.now() > at.getTime();
}

export function closedReason(conversation) {
  return conversation?.channel === "whatsapp"
    ? "The 24-hour reply window has closed: WhatsApp accepts only an approved template until the customer writes again."
    : "The reply window has closed: Messenger accepts no reply until the customer writes again.";
}

function left(ms) {
  const minutes = Math.max(1, Math.ceil(ms / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

function show(conversation) {
  current = conversation;
  clearTimeout(timer);
  timer = null;
  const at = closesAt(conversation);
  if (!at || ["dealt_with", "ended"].includes(conversation.status)) {
    line.hidden = true;
    picker.hidden = true;
    onChange(false, "");
    return;
  }
  tick();
}

function tick() {
  const at = closesAt(current);
  if (!at) return;
  const remaining = at.getTime() - Date.now();
  line.hidden = false;
  if (remaining >= 0) {
    line.classList.remove("closed");
    line.textContent = `Reply window: ${left(remaining)} left to answer in free text.`;
    line.title = `Closes at ${at.toLocaleString()}`;
    picker.hidden = true;
    onChange(false, "");
    // Again at the closing moment itself, so the box shuts when the window does.
    clearTimeout(timer);
    timer = setTimeout(tick, Math.min(TICK_MS, remaining + 50));
    return;
  }
  clearTimeout(timer);
  timer = null;
  line.classList.add("closed");
  line.textContent = closedReason(current);
  line.title = `Closed at ${at.toLocaleString()}`;
  onChange(true, closedReason(current));
  // Only whoever may answer the chat gets the templates (a colleague's chat stays theirs).
  const theirs = current.owner && current.owner !== store.me.id && !store.me.supervisor;
  if (current.channel === "whatsapp" && !theirs) showPicker();
  else picker.hidden = true;
}

// A customer's message reopens the window: read the chat again for its new closing time.
async function refresh(message) {
  if (!current || message.conversation !== current.id || !WINDOWED.has(current.channel)) return;
  try {
    const fresh = await api(`/api/v1/conversations/${current.id}/`);
    if (store.openId === fresh.id) showConversation({ ...store.open, ...fresh });
  } catch {
    // The next open of the chat reads it anyway.
  }
}

async function showPicker() {
  picker.hidden = false;
  const account = current.channel_account;
  if (loadedFor !== account) {
    templates = [];
    loadedFor = account;
    let url = `/api/v1/whatsapp-templates/?account=${account}`;
    try {
      while (url) {
        const page = await api(url);
        const rows = Array.isArray(page) ? page : page.results;
        templates.push(...rows.filter((t) => t.status === "APPROVED"));
        url = Array.isArray(page) ? null : page.next;
      }
    } catch (error) {
      loadedFor = null;
      toast(error.message, { kind: "error" });
    }
  }
  if (!templates.length) {
    select.replaceChildren(h("option", { value: "" }, "No approved templates for this number"));
    select.disabled = true;
    sendButton.disabled = true;
    fields.replaceChildren();
    preview.textContent = "";
    return;
  }
  const chosen = select.value;
  select.disabled = false;
  select.replaceChildren(...templates.map((t) => h("option", { value: String(t.id) }, `${t.name} (${t.language})`)));
  if (templates.some((t) => String(t.id) === chosen)) select.value = chosen;
  renderFields();
}

const chosenTemplate = () => templates.find((t) => String(t.id) === select.value);

function renderFields() {
  const template = chosenTemplate();
  fields.replaceChildren(...(template?.variables || []).map((name) => {
    const id = `template-var-${name}`;
    const input = h("input", { id, type: "text", dataset: { variable: name }, maxlength: "1024", autocomplete: "off" });
    input.addEventListener("input", renderPreview);
    return h("div", { class: "template-variable" }, h("label", { for: id }, name.replaceAll("_", " ")), input);
  }));
  renderPreview();
}

function values() {
  return Object.fromEntries([...fields.querySelectorAll("input[data-variable]")].map((input) => [input.dataset.variable, input.value]));
}

// The body as the customer will read it; unfilled placeholders stay visible.
function renderPreview() {
  const template = chosenTemplate();
  if (!template) { preview.textContent = ""; sendButton.disabled = true; return; }
  const given = values();
  const text = template.body.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n) => {
    const name = template.variables[Number(n) - 1];
    return given[name]?.trim() ? given[name] : `[${name || whole}]`;
  });
  preview.textContent = text;
  sendButton.disabled = template.variables.some((name) => !given[name]?.trim());
}

async function sendTemplate() {
  const template = chosenTemplate();
  const conversationId = store.openId;
  if (!template || !conversationId || sendButton.disabled) return;
  sendButton.disabled = true;
  try {
    const saved = await api(`/api/v1/conversations/${conversationId}/messages/`, {
      method: "POST",
      body: { template: { id: template.id, variables: values() }, client_id: uuid() },
    });
    if (store.openId === conversationId) putMessage(saved);
    fields.querySelectorAll("input").forEach((input) => { input.value = ""; });
    renderPreview();
  } catch (error) {
    toast(error.message, { kind: "error" });
    sendButton.disabled = false;
  }
}
