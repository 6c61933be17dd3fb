// What the message log shows besides bubbles: event lines (taken, transferred,
// ended...), a failed reply's reason in plain words, and customer files that
// could not be downloaded, each with the action to take.

import { h } from "./dom.js";
import { store } from "./store.js";

const who = (id, name) => (id != null && id === store.me.id ? "You" : name || "Someone");

const EVENT_TEXT = {
  taken: (e) => `${who(e.actor, e.actor_name)} took the chat`,
  transferred: (e) => `${who(e.actor, e.actor_name)} transferred the chat to ${e.queue ? `the queue ${e.queue_name}` : who(e.to, e.to_name)}`,
  reopened: (e) => `${who(e.actor, e.actor_name)} reopened the chat for ${who(e.to, e.to_name)}`,
  ended: (e) => `${who(e.actor, e.actor_name)} ended the chat`,
  blocked: (e) => `${who(e.actor, e.actor_name)} blocked the visitor and ended the chat`,
  out_of_hours: () => "Outside business hours: the automatic message was sent",
  csat_request: () => "The customer was asked to rate the chat",
  csat: (e) => `The customer rated the chat ${e.rating}/5${e.comment ? `: “${e.comment}”` : ""}`,
  reassigned: (e) => (e.reason === "owner_offline"
    ? `${who(e.from, e.from_name)} went offline: the chat went back to the queue`
    : `No reply from ${who(e.from, e.from_name)} in time: the chat went back to the queue`),
};

export const isEventLine = (message) => message.kind === "event" || message.kind === "notice";

// A centred line in the log: nobody typed it, so it is not a bubble.
export function eventLine(message, clockText) {
  const event = message.event || {};
  const text = (EVENT_TEXT[event.type] || (() => message.body || "Chat updated"))(event);
  return h("li", { class: "event-line", role: "note", dataset: { id: message.id || "", event: event.type || "" } },
    h("span", { class: "event-text" }, text),
    message.kind === "notice" && message.body ? h("span", { class: "event-told" }, `Customer was told: “${message.body}”`) : null,
    h("time", { datetime: message.created_at }, clockText));
}

// "Not delivered: Messenger could not be reached. Retry", the provider's words in the tooltip.
export function deliveryFailure(message) {
  const problem = message.delivery_problem || "The provider refused this message.";
  if (message.delivery_error) console.warn(`Reply ${message.id} not delivered: ${message.delivery_error}`);
  return [
    h("span", { class: "failed-reason", title: message.delivery_error || null }, `Not delivered: ${problem}`),
    message.id && message.sender === store.me.id
      ? h("button", { type: "button", class: "ghost small", dataset: { retry: message.id } }, "Retry")
      : null,
  ];
}

// A customer's file that could not be downloaded: said so in place, with a retry.
export function missingFiles(message) {
  const files = message.missing_files || [];
  if (!files.length) return null;
  const retrying = files.every((file) => file.retrying);
  return h("div", { class: "missing-files" },
    files.map((file) => h("p", { class: "missing-file", title: file.error || null },
      h("span", { class: "missing-icon", "aria-hidden": "true" }, "!"),
      retrying ? `Fetching “${file.name}” again…` : `“${file.name}” from the customer could not be downloaded.`)),
    retrying ? null : h("button", { type: "button", class: "ghost small", dataset: { retryDownload: message.id } }, "Retry download"));
}
