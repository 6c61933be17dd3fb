// The centre pane: one conversation's header and message history, with
// delivery ticks, retry of failed replies, thumbnails and the image viewer.

import { api } from "./api.js";
import { $, channelIcon, channelLabel, clock, debounce, fileSize, h } from "./dom.js";
import { toast } from "./toast.js";
import { emit, store, titleFor } from "./store.js";
import { deliveryFailure, eventLine, isEventLine, missingFiles } from "./message-extras.js";
import { noteItem } from "./notes.js";

const log = $("#message-log");
const wrap = $("#log-wrap");
let earlierUrl = null;

const TICKS = {
  sending: ["◷", "Sending"], pending: ["◷", "Pending"], sent: ["✓", "Sent"],
  delivered: ["✓✓", "Delivered"], read: ["✓✓", "Read"], failed: ["!", "Not delivered"],
};

// Whether the reader is at the newest message; images that finish loading
// later grow the log, and must not leave such a reader stranded above the end.
let pinned = true;
const nearEnd = () => wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight < 120;

export function initConversation() {
  wrap.addEventListener("scroll", () => { pinned = nearEnd(); }, { passive: true });
  log.addEventListener("load", () => { if (pinned) wrap.scrollTop = wrap.scrollHeight; }, true);
  $("#load-earlier").addEventListener("click", loadEarlier);
  log.addEventListener("click", onLogClick);
  document.addEventListener("visibilitychange", () => !document.hidden && store.openId && markRead());
}

export async function openConversation(id) {
  store.openId = id;
  let conversation, page;
  try {
    [conversation, page] = await Promise.all([
      api(`/api/v1/conversations/${id}/`),
      api(`/api/v1/conversations/${id}/messages/?page=last`),
    ]);
  } catch (error) {
    if (store.openId === id) closeConversation();
    toast(error.message, { kind: "error" });
    return;
  }
  if (store.openId !== id) return; // the agent opened another one meanwhile
  $("#pane-empty").hidden = true;
  $("#pane-body").hidden = false;
  $("#conv-notice").hidden = true;
  earlierUrl = page.previous;
  $("#load-earlier").hidden = !earlierUrl;
  store.open = conversation; // messageItem reads the channel and title
  log.replaceChildren(...page.results.map(messageItem));
  showConversation(conversation);
  wrap.scrollTop = wrap.scrollHeight;
  pinned = true;
  markRead();
}

export function closeConversation() {
  store.openId = null;
  store.open = null;
  $("#pane-body").hidden = true;
  $("#pane-empty").hidden = false;
  emit("conversation", null);
}

// Re-render the header and tell the other panes (actions, composer, side panels).
export function showConversation(conversation) {
  store.open = conversation;
  const where = conversation.channel === "livechat" ? visitorWhere(conversation.visitor) : conversation.external_address;
  const sub = [channelLabel(conversation.channel), where, statusText(conversation), csatText(conversation.csat)];
  $("#conv-icon").replaceChildren(channelIcon(conversation.channel, titleFor(conversation)));
  $("#conv-title").textContent = titleFor(conversation);
  $("#conv-sub").textContent = sub.filter(Boolean).join(" · ");
  emit("conversation", conversation);
}

// The customer's satisfaction rating, once given: stars and the number, with the comment.
export function csatText(csat) {
  if (!csat) return "";
  const stars = "★".repeat(csat.rating) + "☆".repeat(5 - csat.rating);
  return `Rated ${stars} ${csat.rating}/5${csat.comment ? ` “${csat.comment}”` : ""}`;
}

// A live-chat visitor is shown by the page they are on, never by their internal id.
function visitorWhere(visitor) {
  if (!visitor) return "";
  return visitor.page_title || visitor.page_url || "";
}

function statusText(conversation) {
  if (conversation.archived) return conversation.status === "taken" ? "Archived" : `${label(conversation.status)} · archived`;
  if (conversation.owner === store.me.id) return "Yours";
  return label(conversation.status);
}

const label = (status) => ({ unassigned: "Waiting", taken: "Taken", dealt_with: "Dealt with", ended: "Ended" })[status] || status;

// The open conversation left this agent's view (taken by a colleague, transferred away).
export function showGone(text) {
  const notice = $("#conv-notice");
  notice.textContent = text;
  notice.hidden = false;
  emit("conversation-gone", store.openId);
}

export const markRead = debounce(() => {
  const id = store.openId;
  if (!id || document.hidden) return;
  api(`/api/v1/conversations/${id}/read/`, { method: "POST" })
    .then(() => emit("read", id))
    .catch(() => {}); // a missed read mark only leaves a badge; the next one fixes it
}, 300);

export function messageItem(message) {
  if (isEventLine(message)) return eventLine(message, clock(message.created_at));
  if (message.kind === "note") return noteItem(message, clock(message.created_at));
  const conversation = store.open || {};
  const mine = message.direction === "out" && (conversation.channel !== "internal" || message.sender === store.me.id);
  const sender = message.sender === store.me.id ? "You" : message.sender_name || (message.direction === "in" ? conversation.title : "Agent");
  return h("li", { class: `msg ${mine ? "out" : "in"}`, dataset: { id: message.id || "", clientId: message.client_id || "", sender: message.sender ?? "" } },
    h("div", { class: "msg-meta" },
      h("span", { class: "msg-sender" }, sender),
      h("time", { datetime: message.created_at }, clock(message.created_at))),
    message.body ? h("div", { class: "msg-body" }, message.body) : null,
    attachmentList(message.attachments || []),
    message.direction === "in" ? missingFiles(message) : null,
    message.direction === "out" ? ticks(message) : null);
}

function ticks(message) {
  const status = message.delivery_status || "pending";
  const [glyph, text] = TICKS[status] || TICKS.pending;
  const box = h("div", { class: `ticks ticks-${status}` },
    h("span", { class: "tick", title: text, "aria-label": text, role: "img" }, glyph));
  // Delivered and read share a glyph; a word, not colour alone, tells them apart.
  if (status === "read") box.append(h("span", { class: "tick-word", "aria-hidden": "true" }, "Read"));
  if (status === "failed") box.append(...deliveryFailure(message).filter(Boolean));
  return box;
}

function attachmentList(attachments) {
  if (!attachments.length) return null;
  return h("ul", { class: "attachments" }, attachments.map((file) => h("li", {},
    file.content_type?.startsWith("image/")
      ? h("button", { type: "button", class: "thumb", dataset: { view: file.url, name: file.name }, "aria-label": `View image ${file.name}` },
        h("img", { src: file.thumbnail_url || file.url, alt: file.name, loading: "lazy" }))
      : h("a", { class: "file", href: file.url, download: file.name },
        h("span", { class: "file-name" }, file.name), h("span", { class: "muted" }, fileSize(file.size))))));
}

// Add or replace a message (matched by id, or by client_id for our own optimistic copy).
export function putMessage(message) {
  const existing = (message.id && log.querySelector(`[data-id="${message.id}"]`))
    || (message.client_id && log.querySelector(`[data-client-id="${message.client_id}"]`));
  const item = messageItem(message);
  const atEnd = nearEnd();
  if (existing) existing.replaceWith(item);
  else log.append(item);
  if (!existing && (atEnd || message.sender === store.me.id)) wrap.scrollTop = wrap.scrollHeight;
  return item;
}

export function setStatus({ id, delivery_status, delivery_error, delivery_problem }) {
  const item = log.querySelector(`[data-id="${id}"]`);
  if (!item) return;
  const sender = item.dataset.sender ? Number(item.dataset.sender) : null;
  item.querySelector(".ticks")?.replaceWith(ticks({ id, sender, direction: "out", delivery_status, delivery_error, delivery_problem }));
}

// Bring one message into view (a search hit), loading earlier pages until it is there.
export async function revealMessage(id) {
  const find = () => log.querySelector(`.msg[data-id="${id}"], [data-id="${id}"]`);
  let item = find();
  for (let pages = 0; !item && earlierUrl && pages < 20; pages += 1) {
    await loadEarlier();
    item = find();
  }
  if (!item) return false;
  item.scrollIntoView({ block: "center" });
  pinned = nearEnd();
  item.classList.add("msg-found");
  setTimeout(() => item.classList.remove("msg-found"), 4000);
  return true;
}

async function loadEarlier() {
  if (!earlierUrl) return;
  const before = wrap.scrollHeight;
  const page = await api(earlierUrl).catch((error) => toast(error.message, { kind: "error" }));
  if (!page) return;
  log.prepend(...page.results.map(messageItem));
  earlierUrl = page.previous;
  $("#load-earlier").hidden = !earlierUrl;
  wrap.scrollTop += wrap.scrollHeight - before; // keep the reader where they were
}

async function onLogClick(event) {
  const retry = event.target.closest("[data-retry]");
  const thumb = event.target.closest("[data-view]");
  const download = event.target.closest("[data-retry-download]");
  if (download) {
    download.disabled = true;
    try {
      putMessage(await api(`/api/v1/conversations/${store.openId}/messages/${download.dataset.retryDownload}/retry-download/`, { method: "POST" }));
    } catch (error) {
      download.disabled = false;
      toast(error.message, { kind: "error" });
    }
  } else if (retry) {
    retry.disabled = true;
    try {
      putMessage(await api(`/api/v1/conversations/${store.openId}/messages/${retry.dataset.retry}/retry/`, { method: "POST" }));
    } catch (error) {
      retry.disabled = false;
      toast(error.message, { kind: "error" });
    }
  } else if (thumb) {
    openViewer(thumb.dataset.view, thumb.dataset.name);
  }
}

function openViewer(url, name) {
  $("#viewer-image").src = url;
  $("#viewer-image").alt = name;
  $("#viewer-name").textContent = name;
  $("#viewer-download").href = url;
  $("#viewer-dialog").showModal();
}
