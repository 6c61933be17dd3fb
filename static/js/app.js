// The inbox page's entry point: wires the modules together and turns each
// websocket event into updates of the list, the open conversation and notifications.

import { $, $$ } from "./dom.js";
import { initActions } from "./actions.js";
import { initComposer } from "./composer.js";
import { initContactPanel } from "./contact-panel.js";
import { initDialogs } from "./dialogs.js";
import { closeConversation, initConversation, markRead, openConversation, putMessage, revealMessage, setStatus, showConversation, showGone } from "./conversation.js";
import { initLabels } from "./labels.js";
import { initList, loadList, markRead as clearBadge, noteMessage, remove, selectRow, upsert } from "./inbox-list.js";
import { initPresence, showConnection, showStatus } from "./presence.js";
import { initSearch } from "./search.js";
import { initSettings, notify } from "./settings.js";
import { initSideDrawer } from "./side-drawer.js";
import { AgentSocket } from "./socket.js";
import { emit, on, store, titleFor } from "./store.js";
import { initTemplates, showTemplates } from "./templates-panel.js";
import { hideTyping, initTyping, showTyping } from "./typing.js";
import { mentioned } from "./notes.js";
import { countsOnEvent, initCounts, refreshCounts } from "./view-counts.js";
import { initKeyboard } from "./keyboard.js";
import { initSlashTemplates } from "./slash-templates.js";

function open(id) {
  selectRow(id);
  history.replaceState(null, "", `${location.pathname}${location.search}#c${id}`);
  return openConversation(id);
}

// A search hit: an archived chat opens in the archived view, an open one in recents;
// a message hit scrolls to the message once its conversation is shown.
async function openHit({ conversation, archived, message }) {
  const view = archived ? "archived" : "recents";
  if (store.filters.view !== view) {
    $("#view").value = view;
    $("#list-filters").dispatchEvent(new Event("change"));
  }
  await open(conversation);
  if (message && store.openId === conversation) await revealMessage(message);
}

// A conversation changed: the list row and, when it is open, the pane.
function changed(conversation) {
  const isNew = upsert(conversation);
  if (store.openId === conversation.id) showConversation({ ...store.open, ...conversation });
  return isNew;
}

const HANDLERS = {
  "conversation.offered": (c) => {
    changed(c);
    notify({ title: "New chat", body: c.title, conversation: c.id });
  },
  "conversation.updated": (c) => {
    const isNew = changed(c);
    if (isNew && c.owner === store.me.id && c.status === "taken" && !c.archived) {
      notify({ title: "Chat assigned to you", body: c.title, conversation: c.id });
    }
  },
  "conversation.removed": ({ id }) => {
    remove(id);
    if (store.openId === id) showGone("This chat is no longer in your inbox: a colleague took it or it was transferred.");
  },
  "message.created": (m) => {
    const inList = noteMessage(m);
    if (!inList && !store.filters.channel && !store.filters.queue && !store.filters.tab && !store.filters.label && store.filters.view === "recents") loadList();
    if (store.openId === m.conversation) { putMessage(m); if (m.direction === "in") { markRead(); hideTyping(m.conversation); } }
    if (store.openId === m.conversation && m.direction === "in") emit("customer-message", m);
    const row = store.conversations.get(m.conversation);
    const fromOthers = m.direction === "in" || (row?.channel === "internal" && m.sender !== store.me.id);
    // New chats were announced by their offer; this is for the chats one already has.
    if (fromOthers && row && row.status !== "unassigned" && (store.openId !== m.conversation || document.hidden)) {
      notify({ title: titleFor(row), body: m.body || "sent a file", conversation: m.conversation, sound: document.hidden });
    }
  },
  "message.updated": (m) => store.openId === m.conversation && putMessage(m),
  "message.status": (s) => store.openId === s.conversation && setStatus(s),
  "agent.status": ({ agent, status }) => agent === store.me.id && showStatus(status),
  typing: showTyping,
  "mention.created": mentioned,
};

async function resync() {
  refreshCounts();
  await loadList();
  if (store.openId) await openConversation(store.openId);
}

function initSideTabs() {
  const tabs = $$(".side-pane [role=tab]");
  const select = (tab) => {
    tabs.forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    });
    if (tab.id === "tab-templates") showTemplates();
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

function start() {
  initList();
  initConversation();
  initComposer();
  initActions();
  initLabels();
  initContactPanel();
  initTemplates();
  initSettings();
  initPresence();
  initSideTabs();
  initDialogs();
  initSideDrawer();
  initSearch();
  initCounts();
  initKeyboard();
  initSlashTemplates($("#reply"));
  on("open", open);
  on("open-hit", openHit);
  on("changed", changed);
  on("read", clearBadge);
  on("left", (id) => { remove(id); if (store.openId === id) closeConversation(); });
  on("chat-opened", (chat) => { upsert(chat); open(chat.id); }); // an internal chat, or an SMS chat started from a contact
  const socket = new AgentSocket({
    onEvent: (event) => { HANDLERS[event.type]?.(event.data); countsOnEvent(event.type); },
    onState: showConnection,
    onResync: resync,
  });
  initTyping(socket);
  window.chatdesk = { socket, store }; // a handle for the browser tests and for debugging
  socket.start();
  const fromHash = /^#c(\d+)$/.exec(location.hash);
  if (fromHash) open(Number(fromHash[1]));
}

start();
