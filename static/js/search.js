// The top bar's search box: results as the agent types (debounced; the latest request
// wins), grouped into contacts, conversations and messages, walked with the arrows;
// Enter or a click opens what a hit points at. Matches are marked from the API's
// ranges with text nodes, so a message holding HTML shows as the text it is.

import { api } from "./api.js";
import { $, ago, channelIcon, debounce, h, initials } from "./dom.js";
import { emit } from "./store.js";
import { toast } from "./toast.js";

const box = $("#search-box");
const panel = $("#search-results");
const groups = $("#search-groups");
const status = $("#search-status");
const MIN = 2;

let hits = [];
let active = -1;
let controller = null;

export function initSearch() {
  if (!box) return;
  box.addEventListener("input", () => {
    controller?.abort();
    // What is shown answers the previous text until the new answer arrives: not to be opened.
    groups.setAttribute("aria-busy", "true");
    run();
  });
  box.addEventListener("keydown", onKey);
  box.addEventListener("focus", () => { if (box.value.trim().length >= MIN && hits.length) show(true); });
  // Keep the focus in the box while a hit is clicked, so the keyboard stays where it was.
  panel.addEventListener("mousedown", (event) => event.preventDefault());
  groups.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose(Number(option.dataset.index));
  });
  document.addEventListener("click", (event) => { if (!event.target.closest("#global-search")) show(false); });
  document.addEventListener("keydown", (event) => {
    // "/" jumps to the box, as in most web apps, unless the agent is typing somewhere.
    if (event.key !== "/" || event.target.closest("input, textarea, select, [contenteditable]")) return;
    event.preventDefault();
    box.focus();
  });
}

const run = debounce(async () => {
  const q = box.value.trim();
  if (q.length < MIN) { hits = []; groups.removeAttribute("aria-busy"); show(false); return; }
  controller?.abort();
  const mine = new AbortController();
  controller = mine;
  let data;
  try {
    data = await api(`/api/v1/search/?${new URLSearchParams({ q })}`, { signal: mine.signal });
  } catch (error) {
    if (error.name === "AbortError" || controller !== mine) return;
    render([], error.data?.q?.[0] || error.message);
    return;
  }
  if (controller !== mine) return; // a newer request is on its way: its answer wins
  render(flatten(data), null, q);
}, 180);

function flatten(data) {
  return [
    ...data.contacts.map((hit) => ({ kind: "contact", hit })),
    ...data.conversations.map((hit) => ({ kind: "conversation", hit })),
    ...data.messages.map((hit) => ({ kind: "message", hit })),
  ];
}

const GROUPS = { contact: "Contacts", conversation: "Conversations", message: "Messages" };

function render(found, error = null, q = "") {
  groups.removeAttribute("aria-busy");
  hits = found;
  active = found.length ? 0 : -1;
  status.textContent = error || (found.length ? `${found.length} result${found.length === 1 ? "" : "s"}` : `Nothing found for “${q}”.`);
  status.classList.toggle("error", Boolean(error));
  groups.replaceChildren(...Object.entries(GROUPS).map(([kind, label]) => {
    const items = found.map((item, index) => [item, index]).filter(([item]) => item.kind === kind);
    if (!items.length) return null;
    const id = `search-group-${kind}`;
    return h("div", { role: "group", "aria-labelledby": id, class: "search-group" },
      h("p", { id, class: "search-group-title", role: "presentation" }, label),
      items.map(([item, index]) => option(item, index)));
  }).filter(Boolean));
  show(true);
  highlightActive();
}

// Text with its matched ranges in <mark>. Ranges count code points, as Array.from does.
function marked(text, ranges) {
  const chars = Array.from(text || "");
  const out = [];
  let at = 0;
  for (const [start, end] of ranges || []) {
    if (start > at) out.push(chars.slice(at, start).join(""));
    out.push(h("mark", {}, chars.slice(Math.max(start, at), end).join("")));
    at = Math.max(at, end);
  }
  out.push(chars.slice(at).join(""));
  return out;
}

const archivedTag = (archived) => (archived ? h("span", { class: "search-tag" }, "Archived") : null);

function option({ kind, hit }, index) {
  const attrs = { role: "option", id: `search-hit-${index}`, class: `search-hit search-${kind}`, dataset: { index }, "aria-selected": "false" };
  if (kind === "contact") {
    const byName = hit.match.field === "name";
    return h("div", attrs,
      h("span", { class: "channel-icon search-avatar", "aria-hidden": "true" }, initials(hit.name)),
      h("span", { class: "search-main" },
        h("span", { class: "search-title" }, byName ? marked(hit.match.text, hit.match.highlights) : hit.name),
        h("span", { class: "search-sub" }, byName ? [hit.email, hit.phone].filter(Boolean).join(" · ") : marked(hit.match.text, hit.match.highlights))),
      archivedTag(hit.conversation_archived));
  }
  if (kind === "conversation") {
    return h("div", attrs,
      channelIcon(hit.channel, hit.title),
      h("span", { class: "search-main" },
        h("span", { class: "search-title" }, hit.title),
        h("span", { class: "search-sub" }, marked(hit.match.text, hit.match.highlights))),
      archivedTag(hit.archived));
  }
  return h("div", attrs,
    channelIcon(hit.channel, hit.title),
    h("span", { class: "search-main" },
      h("span", { class: "search-title" }, hit.title, h("time", { class: "search-time", datetime: hit.created_at }, ago(hit.created_at))),
      h("span", { class: "search-sub search-snippet" }, marked(hit.snippet, hit.highlights))),
    archivedTag(hit.archived));
}

function show(open) {
  panel.hidden = !open;
  box.setAttribute("aria-expanded", String(open));
  if (!open) box.removeAttribute("aria-activedescendant");
}

function highlightActive() {
  groups.querySelectorAll("[role=option]").forEach((el) => {
    const on = Number(el.dataset.index) === active;
    el.setAttribute("aria-selected", String(on));
    if (on) el.scrollIntoView({ block: "nearest" });
  });
  if (active >= 0) box.setAttribute("aria-activedescendant", `search-hit-${active}`);
  else box.removeAttribute("aria-activedescendant");
}

function onKey(event) {
  if (event.key === "Escape") {
    event.preventDefault();
    if (!panel.hidden) show(false);
    else { box.value = ""; hits = []; }
    return;
  }
  const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
  if (step && hits.length) {
    event.preventDefault();
    if (panel.hidden) { show(true); return highlightActive(); }
    active = (active + step + hits.length) % hits.length;
    highlightActive();
  } else if (event.key === "Enter" && !panel.hidden && active >= 0) {
    event.preventDefault();
    choose(active);
  }
}

// Open what a hit points at: a conversation, the one a message is in (scrolled to it),
// or a contact's newest chat the agent may see.
function choose(index) {
  const item = hits[index];
  if (!item || groups.getAttribute("aria-busy") === "true") return;
  const { kind, hit } = item;
  let target;
  if (kind === "contact") {
    if (!hit.conversation) {
      toast(`No chat with ${hit.name} that you can open.`);
      return;
    }
    target = { conversation: hit.conversation, archived: hit.conversation_archived };
  } else if (kind === "conversation") {
    target = { conversation: hit.id, archived: hit.archived };
  } else {
    target = { conversation: hit.conversation, archived: hit.archived, message: hit.id };
  }
  show(false);
  emit("open-hit", target);
}
