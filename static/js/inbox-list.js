// The left column: the conversation list for the chosen view and filters,
// kept current by events (offered / updated / removed / message.created).

import { api } from "./api.js";
import { $, ago, channelIcon, debounce, h } from "./dom.js";
import { emit, store, titleFor } from "./store.js";
import { labelChips } from "./labels.js";

const list = $("#conversation-list");
const empty = $("#list-empty");
const STATUS = { unassigned: "Waiting", taken: "Taken", dealt_with: "Dealt with", ended: "Ended" };

export function initList() {
  const form = $("#list-filters");
  const params = new URLSearchParams(location.search);
  store.filters = {
    view: params.get("view") || "recents", channel: params.get("channel") || "", queue: params.get("queue") || "",
    label: params.get("label") || "",
    tab: ["mine", "unassigned"].includes(params.get("tab")) ? params.get("tab") : "",
    sort: params.get("sort") === "waiting" ? "waiting" : "activity",
  };
  const refilter = () => {
    store.filters = {
      view: $("#view").value, channel: $("#filter-channel").value, queue: $("#filter-queue").value,
      label: $("#filter-label").value, tab: store.filters.tab, sort: $("#sort").value,
    };
    $("#view-tabs").hidden = store.filters.view === "archived";
    const query = new URLSearchParams(Object.entries(store.filters).filter(([, v]) => v && v !== "recents" && v !== "activity"));
    history.replaceState(null, "", `${location.pathname}${query.size ? `?${query}` : ""}${location.hash}`);
    loadList();
  };
  form.addEventListener("change", refilter);
  initViewTabs(refilter);
  form.addEventListener("submit", (event) => { event.preventDefault(); loadList(); });
  list.addEventListener("click", (event) => {
    const row = event.target.closest(".row");
    if (row) emit("open", Number(row.dataset.id));
  });
  list.addEventListener("keydown", moveFocus);
  list.addEventListener("focusin", (event) => { const row = event.target.closest(".row"); if (row) rove(row.dataset.id); });
  rove(null); // the server-rendered rows, before the first load
  setInterval(refreshTimes, 30000);
  paintSla();
  setInterval(paintSla, SLA_REPAINT_MS);
}

const reloadSoon = debounce(() => loadList().catch(() => {}), 1500);

export async function loadList() {
  const query = new URLSearchParams(store.filters);
  const data = await api(`/inbox/rows/?${query}`);
  store.conversations = new Map(data.results.map((row) => [row.id, row]));
  render();
}

// Does a conversation belong in the list as currently filtered?
function fits(conversation) {
  const { view, channel, queue, label } = store.filters;
  // Another agent's chat is out of sight for an agent (docs/api.md: Conversations).
  const theirs = conversation.owner && conversation.owner !== store.me.id && conversation.channel !== "internal";
  if (theirs && !store.me.supervisor) return false;
  if (conversation.archived !== (view === "archived")) return false;
  if (view !== "archived" && !inTab(conversation, store.filters.tab)) return false;
  if (channel && conversation.channel !== channel) return false;
  if (label && !(conversation.labels || []).some((l) => String(l.id) === label)) return false;
  return !queue || String(conversation.queue) === queue;
}

// Merge an event's conversation into the list; returns true when it is new to the list.
export function upsert(conversation) {
  const known = store.conversations.get(conversation.id);
  if (!fits(conversation)) { remove(conversation.id); return false; }
  const merged = { last_message: "", queue_name: "", owner_name: "", ...known, ...conversation };
  // Events carry the owner's id, not the name: fetch the rows again, quietly.
  if (known && known.owner !== conversation.owner) { merged.owner_name = ""; reloadSoon(); }
  // The waiting order needs the server's wait times: read the rows again, quietly.
  if (store.filters.sort === "waiting") reloadSoon();
  // Events leave unread_count to the client (it is per agent).
  merged.unread_count = conversation.unread_count ?? known?.unread_count ?? 0;
  store.conversations.set(conversation.id, merged);
  render();
  return !known;
}

export function remove(id) {
  if (store.conversations.delete(id)) render();
}

export function noteMessage(message) {
  const row = store.conversations.get(message.conversation);
  if (!row) return false;
  // An agents' event line or private note is no preview, nor unread, nor moves the row.
  if (message.kind === "event" || message.kind === "note") return true;
  row.last_message = message.body || (message.attachments?.length ? `📎 ${message.attachments[0].name}` : "");
  row.last_message_at = message.created_at;
  if (store.filters.sort === "waiting") reloadSoon();
  const reading = store.openId === row.id && !document.hidden;
  // A colleague's line in an internal chat is "out" (an agent sent it) but unread for this agent.
  const fromOthers = message.direction === "in" || (row.channel === "internal" && message.sender !== store.me.id);
  if (fromOthers && !reading) row.unread_count = (row.unread_count || 0) + 1;
  render();
  return true;
}

export function markRead(id) {
  const row = store.conversations.get(id);
  if (row && row.unread_count) { row.unread_count = 0; render(); }
}

function render() {
  const focusedId = document.activeElement?.closest?.(".row")?.dataset.id;
  const rows = [...store.conversations.values()].sort(store.filters.sort === "waiting" ? longestWaiting : newestActivity);
  list.replaceChildren(...rows.map((row) => h("li", { class: "row-item" }, rowButton(row))));
  paintSla();
  empty.hidden = rows.length > 0;
  rove(focusedId || tabStopId);
  if (focusedId) list.querySelector(`.row[data-id="${focusedId}"]`)?.focus();
}

// The list is one Tab stop (roving tabindex): the row last focused, else the open
// one, else the first; arrows, Home and End move inside it.
let tabStopId = null;

function rove(id) {
  const rows = [...list.querySelectorAll(".row")];
  const stop = rows.find((row) => row.dataset.id === String(id))
    || rows.find((row) => row.getAttribute("aria-current") === "true") || rows[0];
  rows.forEach((row) => { row.tabIndex = row === stop ? 0 : -1; });
  tabStopId = stop?.dataset.id ?? null;
}

function rowButton(row) {
  const selected = row.id === store.openId;
  return h("button", {
    type: "button", class: `row status-${row.status}${row.unread_count ? " unread" : ""}`,
    dataset: { id: row.id, ...slaTimes(row) }, "aria-current": selected ? "true" : null,
  },
  channelIcon(row.channel, titleFor(row)),
  h("span", { class: "row-main" },
    h("span", { class: "row-top" },
      h("span", { class: "row-title" }, titleFor(row)),
      h("time", { class: "row-time", datetime: row.last_message_at || "" }, ago(row.last_message_at))),
    h("span", { class: "row-bottom" },
      h("span", { class: "row-preview" }, row.last_message || ""),
      row.unread_count ? h("span", { class: "badge", "aria-label": `${row.unread_count} unread` }, row.unread_count) : null),
    labelChips(row.labels),
    h("span", { class: "row-meta" }, meta(row))));
}

function meta(row) {
  if (row.channel === "internal") return "Internal chat";
  if (row.status === "unassigned") {
    const waited = ago(row.created_at);
    // Left through the widget's offline form: the visitor waits for an e-mail, not a chat.
    const kind = row.offline ? "Offline message · " : "";
    // Held for a closed queue: it rings for nobody until the opening.
    const held = row.held_until
      ? ` · rings ${new Date(row.held_until).toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" })}`
      : "";
    return `${kind}Waiting ${waited === "now" ? "<1m" : waited}${row.queue_name ? ` · ${row.queue_name}` : ""}${held}`;
  }
  const who = row.owner === store.me.id ? "You" : row.owner_name;
  return [STATUS[row.status], who || row.queue_name].filter(Boolean).join(" · ");
}

function refreshTimes() {
  if (store.conversations.size) render();
}

// Up/Down arrows walk the list, as in every mail client; Home and End jump.
function moveFocus(event) {
  if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(event.key)) return;
  const rows = [...list.querySelectorAll(".row")];
  const index = rows.indexOf(document.activeElement);
  const next = { Home: rows[0], End: rows[rows.length - 1] }[event.key]
    || rows[index + (event.key === "ArrowDown" ? 1 : -1)];
  if (next) { event.preventDefault(); rove(next.dataset.id); next.focus(); }
}

export function selectRow(id) {
  list.querySelectorAll(".row").forEach((row) => {
    if (Number(row.dataset.id) === id) row.setAttribute("aria-current", "true");
    else row.removeAttribute("aria-current");
  });
  rove(id);
}

// Service-level colouring: a row turns "near" once less than the queue's warning share
// (a fifth) of its target is left before the nearest due time, and "breached" once a
// due time passed unmet. The times ride on the row as data attributes (the server's
// first paint sets the same ones), so a timer repaints them without a reload.
const SLA_REPAINT_MS = 5000;
const SLA_FALLBACK_WARN_MS = 5 * 60 * 1000; // a target the list does not know

function slaTimes(row) {
  const sla = row.sla || {};
  const targets = row.sla_targets || {};
  const share = targets.warn_share ?? 0.2;
  const clocks = [[sla.first_response_due_at, targets.first_response], [sla.resolution_due_at, targets.resolution]]
    .filter(([due]) => due)
    .map(([due, target]) => {
      const at = new Date(due).getTime();
      return [at, target ? at - target * 1000 * share : at - SLA_FALLBACK_WARN_MS];
    });
  if (!clocks.length) return { slaDue: "", slaWarn: "", slaBreached: sla.breached ? "1" : "" };
  const due = Math.min(...clocks.map(([at]) => at));
  const warn = Math.min(...clocks.map(([, at]) => at));
  return { slaDue: new Date(due).toISOString(), slaWarn: new Date(warn).toISOString(), slaBreached: sla.breached ? "1" : "" };
}

function slaStateOf(button, now) {
  const { slaDue, slaWarn, slaBreached } = button.dataset;
  if (slaBreached || (slaDue && now >= new Date(slaDue).getTime())) return "breached";
  if (slaWarn && now >= new Date(slaWarn).getTime()) return "near";
  return "";
}

export function paintSla(now = Date.now()) {
  list.querySelectorAll(".row").forEach((button) => {
    const state = slaStateOf(button, now);
    button.classList.toggle("sla-near", state === "near");
    button.classList.toggle("sla-breached", state === "breached");
    let flag = button.querySelector(".sla-flag");
    if (!state) { flag?.remove(); return; }
    if (!flag) {
      flag = h("span", { class: "sla-flag" });
      button.querySelector(".row-meta")?.append(flag);
    }
    const left = Math.max(0, Math.ceil((new Date(button.dataset.slaDue).getTime() - now) / 60000));
    // Words as well as colour: the state must not be told by colour alone.
    flag.textContent = state === "breached" ? "Overdue" : `Due in ${left}m`;
  });
}
// The orders of the list (docs/api.md: Views and order). Activity: newest first.
const newestActivity = (a, b) =>
  new Date(b.last_message_at || b.created_at) - new Date(a.last_message_at || a.created_at) || b.id - a.id;

// Waiting: a customer waiting for a reply first, longest wait first. The rows carry the
// server's rank and start of the wait; a row not read back yet goes by its creation.
function longestWaiting(a, b) {
  const rank = (row) => row.waiting_rank ?? 1;
  const since = (row) => new Date(row.waiting_since || row.created_at).getTime();
  return rank(a) - rank(b) || since(a) - since(b) || a.id - b.id;
}

// Mine: one's own open chats and internal chats; Unassigned: customer chats nobody took yet.
export function inTab(conversation, tab) {
  const open = ["unassigned", "taken"].includes(conversation.status);
  if (tab === "mine") return open && (conversation.channel === "internal" || conversation.owner === store.me.id);
  if (tab === "unassigned") return conversation.channel !== "internal" && !conversation.owner && conversation.status === "unassigned";
  return true;
}

function initViewTabs(refilter) {
  const tabs = [...document.querySelectorAll("#view-tabs [role=tab]")];
  const select = (tab) => {
    tabs.forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
    });
    store.filters.tab = tab.dataset.tab;
    refilter();
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      select(next);
      next.focus();
    });
  });
}

// The next (step 1) or previous (step -1) conversation of the list after the open one.
export function neighbour(step) {
  const rows = [...list.querySelectorAll(".row")];
  if (!rows.length) return null;
  const index = rows.findIndex((row) => Number(row.dataset.id) === store.openId);
  const next = index < 0 ? rows[step > 0 ? 0 : rows.length - 1] : rows[index + step];
  return next ? Number(next.dataset.id) : null;
}
