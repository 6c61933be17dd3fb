// The live counts of the list's views (Mine, Unassigned, All) and the waiting
// chats in the browser tab's title: "(3) Inbox · Chatdesk". Read from the server
// (one query there) after the events that can change them, a burst of events
// costing one request.

import { api } from "./api.js";
import { $$, debounce } from "./dom.js";
import { store } from "./store.js";

const RELEVANT = new Set(["conversation.offered", "conversation.updated", "conversation.removed"]);
const baseTitle = document.title;

export function initCounts() {
  show(store.counts || JSON.parse(document.getElementById("bootstrap").textContent).counts);
}

function show(counts) {
  if (!counts) return;
  store.counts = counts;
  $$("#view-tabs [data-count]").forEach((badge) => {
    const n = counts[badge.dataset.count] ?? 0;
    badge.textContent = String(n);
    badge.dataset.value = String(n);
  });
  const waiting = counts.unassigned || 0;
  document.title = waiting ? `(${waiting}) ${baseTitle}` : baseTitle;
}

export async function refreshCounts() {
  try {
    show(await api("/api/v1/conversations/counts/"));
  } catch {
    // Kept as they were: the next event or reconnection reads them again.
  }
}

export const refreshCountsSoon = debounce(refreshCounts, 300);

// Called with every socket event; only those that move a chat between views count.
export function countsOnEvent(type) {
  if (RELEVANT.has(type)) refreshCountsSoon();
}
