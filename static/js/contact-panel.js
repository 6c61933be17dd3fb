// The contact panel: who the customer is, ways to reach them (e-mail, call,
// SMS, or add them as a contact), and their conversations with everyone.

import { api } from "./api.js";
import { $, channelIcon, channelLabel, clock, h, initials } from "./dom.js";
import { addContact } from "./actions.js";
import { focusReply } from "./composer.js";
import { emit, on } from "./store.js";
import { toast } from "./toast.js";

const panel = $("#panel-contact");
let shown = ""; // "<conversation>:<contact>" already rendered, to skip refetching on every event

export function initContactPanel() {
  on("conversation", (conversation) => {
    // State in the key: after Dealt with, a transfer or archiving, the history is read
    // again; the visitor's page too, so moving to another page redraws the panel.
    const key = conversation ? [conversation.id, conversation.contact, conversation.status, conversation.owner, conversation.archived, conversation.visitor?.page_url || "", conversation.visitor?.email || ""].join(":") : "";
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
    if (key === shown) panel.replaceChildren(...details(contact), ...visitorDetails(conversation.visitor), ...historyList(history.results, conversation.id));
  } catch (error) {
    panel.replaceChildren(h("p", { class: "error" }, error.message));
  }
}

function unknown(conversation) {
  const live = conversation.channel === "livechat";
  // A live-chat visitor's address is an internal id, never shown to agents.
  const address = live ? "" : conversation.external_address;
  return [
    h("h3", {}, conversation.title),
    h("p", { class: "muted" }, [channelLabel(conversation.channel), address].filter(Boolean).join(" · ")),
    ...visitorDetails(conversation.visitor),
    h("p", {}, "Not in your contacts yet."),
    h("div", { class: "contact-actions" },
      actionLinks(unknownActions(conversation), focusReply),
      h("button", { type: "button", class: "primary small", onclick: addContact }, "Add contact")),
  ];
}

// What a sender who is not a contact yet can already be reached by: the e-mail a
// visitor gave, the phone behind a WhatsApp or SMS address (SMS: this very chat).
function unknownActions(conversation) {
  const address = conversation.external_address || "";
  if (conversation.channel === "livechat") return { mailto: conversation.visitor?.email };
  if (conversation.channel === "whatsapp" && /^\d{6,15}$/.test(address)) return { tel: `+${address}` };
  if (conversation.channel === "sms" && /^\+\d{6,15}$/.test(address)) return { tel: address, sms: address };
  return {};
}

function actionLinks(actions, onSms) {
  return [
    actions.mailto && h("a", { class: "button ghost small", href: `mailto:${actions.mailto}` }, "E-mail"),
    actions.tel && h("a", { class: "button ghost small", href: `tel:${actions.tel}` }, "Call"),
    actions.sms && h("button", { type: "button", class: "ghost small", onclick: onSms }, "SMS"),
  ].filter(Boolean);
}

// Who the live-chat visitor said they are, where they are, and what they browse with.
function visitorDetails(visitor) {
  if (!visitor) return [];
  const rows = [
    ["Name", visitor.name],
    ["E-mail", visitor.email],
    ["Page", visitor.page_url && pageLink(visitor)],
    ["Came from", visitor.referrer],
    ["Browser", visitor.user_agent],
  ].filter(([, value]) => value);
  if (!rows.length) return [];
  return [
    h("h4", { class: "panel-heading" }, "Visitor"),
    h("dl", { class: "contact-details visitor-details" }, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])),
  ];
}

function pageLink(visitor) {
  // Only web pages become links: the widget reports what the browser says, and a
  // javascript: URL must never be one click away for an agent.
  const safe = /^https?:\/\//i.test(visitor.page_url);
  const text = visitor.page_title || visitor.page_url;
  return safe ? h("a", { href: visitor.page_url, target: "_blank", rel: "noopener noreferrer", title: visitor.page_url }, text) : text;
}

function details(contact) {
  const links = actionLinks(contact.actions || {}, () => startSms(contact));
  return [
    h("div", { class: "contact-card" }, h("span", { class: "avatar", "aria-hidden": "true" }, initials(contact.name)), h("h3", {}, contact.name)),
    h("dl", { class: "contact-details" },
      contact.email ? [h("dt", {}, "E-mail"), h("dd", {}, contact.email)] : null,
      contact.phone ? [h("dt", {}, "Phone"), h("dd", {}, contact.phone)] : null,
      contact.identities.map((identity) => [h("dt", {}, channelLabel(identity.kind)), h("dd", {}, identity.kind === "livechat" ? "Website visitor" : identity.address)])),
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
        row.last_message ? h("div", { class: "history-preview" }, row.last_message) : null,
        row.csat ? h("div", { class: "history-csat csat-stars", title: row.csat.comment || null }, `Rated ${row.csat.rating}/5${row.csat.comment ? ` · “${row.csat.comment}”` : ""}`) : null)))),
  ];
}
