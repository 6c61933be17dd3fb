// The contact panel: who the customer is, ways to reach them (e-mail, call,
// SMS, or add them as a contact), and their conversations with everyone.

import { api } from "./api.js";
import { $, channelIcon, channelLabel, clock, h, initials } from "./dom.js";
import { addContact } from "./actions.js";
import { emit, on } from "./store.js";
import { toast } from "./toast.js";

const panel = $("#panel-contact");
let shown = ""; // "<conversation>:<contact>" already rendered, to skip refetching on every event

export function initContactPanel() {
  on("conversation", (conversation) => {
    // State in the key: after Dealt with, a transfer or archiving, the history is read again.
    const key = conversation ? [conversation.id, conversation.contact, conversation.status, conversation.owner, conversation.archived].join(":") : "";
    if (key !== shown) { shown = key; render(conversation); }
  });
}

async function render(conversation) {
  if (!conversation) return panel.replaceChildren(h("p", { class: "muted" }, "Open a conversation to see who you are talking to."));
  if (conversation.channel === "internal") {
    return panel.replaceChildren(
      h("div", { class: "contact-card" }, channelIcon("internal", conversation.title), h("h3", {}, conversation.title)),
      h("p", { class: "muted" }, "Internal chat between colleagues."));
  }
  if (!conversation.contact) return panel.replaceChildren(...unknown(conversation));
  const key = shown;
  try {
    const [contact, history] = await Promise.all([
      api(`/api/v1/contacts/${conversation.contact}/`),
      api(`/api/v1/contacts/${conversation.contact}/history/`),
    ]);
    if (key === shown) panel.replaceChildren(...details(contact), ...historyList(history.results, conversation.id));
  } catch (error) {
    panel.replaceChildren(h("p", { class: "error" }, error.message));
  }
}

function unknown(conversation) {
  return [
    h("h3", {}, conversation.title),
    h("p", { class: "muted" }, `${channelLabel(conversation.channel)} · ${conversation.external_address}`),
    h("p", {}, "Not in your contacts yet."),
    h("div", { class: "contact-actions" }, h("button", { type: "button", class: "primary small", onclick: addContact }, "Add contact")),
  ];
}

function details(contact) {
  const actions = contact.actions || {};
  const links = [
    actions.mailto && h("a", { class: "button ghost small", href: `mailto:${actions.mailto}` }, "E-mail"),
    actions.tel && h("a", { class: "button ghost small", href: `tel:${actions.tel}` }, "Call"),
    actions.sms && h("button", { type: "button", class: "ghost small", onclick: () => startSms(contact) }, "SMS"),
  ].filter(Boolean);
  return [
    h("div", { class: "contact-card" }, h("span", { class: "avatar", "aria-hidden": "true" }, initials(contact.name)), h("h3", {}, contact.name)),
    h("dl", { class: "contact-details" },
      contact.email ? [h("dt", {}, "E-mail"), h("dd", {}, contact.email)] : null,
      contact.phone ? [h("dt", {}, "Phone"), h("dd", {}, contact.phone)] : null,
      contact.identities.map((identity) => [h("dt", {}, channelLabel(identity.kind)), h("dd", {}, identity.address)])),
    links.length ? h("div", { class: "contact-actions" }, links) : null,
  ].filter(Boolean);
}

// Opens (or reuses) this agent's SMS chat with the contact, then shows it.
async function startSms(contact) {
  try {
    const chat = await api(`/api/v1/contacts/${contact.id}/sms/`, { method: "POST", body: {} });
    emit("chat-opened", chat);
  } catch (error) {
    toast(error.message, { kind: "error" });
  }
}

const STATUS = { unassigned: "Waiting", taken: "Open", dealt_with: "Dealt with", ended: "Ended" };

function historyList(rows, currentId) {
  return [
    h("h4", { class: "panel-heading" }, "History"),
    h("ol", { class: "history" }, rows.map((row) => h("li", { class: row.id === currentId ? "current" : null },
      channelIcon(row.channel),
      h("div", {},
        h("div", { class: "history-top" }, h("span", {}, STATUS[row.status] || row.status), h("time", { datetime: row.created_at }, clock(row.created_at))),
        h("div", { class: "muted" }, [row.owner_name, row.queue_name].filter(Boolean).join(" · ") || "Not answered"),
        row.last_message ? h("div", { class: "history-preview" }, row.last_message) : null)))),
  ];
}
