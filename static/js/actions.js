// What an agent can do to the open conversation, shown only when it applies:
// Take, Transfer, Dealt with, Archive / Unarchive / Delete, End and Block
// (live chat), the unknown-contact banner, and internal chat with a colleague.

import { api } from "./api.js";
import { $, h } from "./dom.js";
import { agentName, confirmDialog, formDialog, pickAgent } from "./dialogs.js";
import { emit, on, store } from "./store.js";
import { toast } from "./toast.js";
import { focusReply } from "./composer.js";

const toolbar = $("#conv-actions");
const banner = $("#contact-banner");
const path = (action) => `/api/v1/conversations/${store.openId}/${action}/`;

export function initActions() {
  on("conversation", render);
  on("conversation-gone", () => { toolbar.replaceChildren(); banner.hidden = true; });
  banner.addEventListener("click", onBanner);
  $("#new-internal").addEventListener("click", startInternal);
  toolbar.addEventListener("keydown", rovingFocus);
}

function available(c) {
  const mine = c.owner === store.me.id;
  const mayManage = mine || store.me.supervisor || c.channel === "internal";
  const open = ["unassigned", "taken"].includes(c.status);
  const live = c.channel === "livechat";
  const reopenable = c.archived && c.status !== "ended" && !c.blocked;
  // A live chat nobody has taken can be ended or blocked by whoever it is offered to,
  // so spam stops without claiming it.
  const mayStop = mayManage || (live && !c.owner);
  return [
    ["take", "Take", !c.owner && open && c.channel !== "internal", "primary"],
    // A closed chat from the archive can be handed on too: the receiver gets it reopened.
    ["transfer", "Transfer", (open || reopenable) && c.channel !== "internal" && (mine || store.me.supervisor)],
    ["dealt-with", "Dealt with", open && c.channel !== "internal" && (mine || store.me.supervisor)],
    ["end", "End chat", live && open && mayStop],
    ["block", "Block", live && !c.blocked && mayStop, "danger"],
    ["archive", "Archive", !c.archived && mayManage],
    ["unarchive", "Unarchive", c.archived && mayManage],
    ["delete", "Delete", c.archived && !open && mayManage, "danger"],
    ["transcript", "Download transcript", true],
  ].filter(([, , show]) => show);
}

function render(conversation) {
  banner.hidden = !(conversation?.contact_prompt_open && !conversation.contact_known);
  if (!conversation) { toolbar.replaceChildren(); return; }
  // A live-chat visitor's address is an internal id: agents read the chat's title instead.
  $("#banner-address").textContent = (conversation.channel !== "livechat" && conversation.external_address) || conversation.title;
  toolbar.replaceChildren(...available(conversation).map(([action, label, , kind], index) =>
    h("button", { type: "button", class: `${kind || "ghost"} small`, tabindex: index ? "-1" : "0", onclick: () => run(action) }, label)));
}

const HANDLERS = {
  take: () => post("take"),
  transfer: transfer,
  "dealt-with": () => post("dealt-with", "Marked as dealt with; it is in Archived now."),
  end: async () => (await confirmDialog("End this live chat? The visitor is told the chat is over.", "End chat")) && leaveIfUntaken(() => post("end", "Chat ended.")),
  block,
  archive: () => post("archive", "Archived."),
  unarchive: () => post("unarchive", "Back in Recents."),
  delete: remove,
  transcript: downloadTranscript,
};

// The server names the file (Content-Disposition); a plain link keeps the session cookie.
function downloadTranscript() {
  const link = h("a", { href: path("transcript"), download: "", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
}

async function run(action) {
  try {
    await HANDLERS[action]();
  } catch (error) {
    toast(error.message, { kind: "error" });
  }
}

// Every action answers with the conversation; events update the list too.
async function post(action, done, body) {
  const conversation = await api(path(action), { method: "POST", body });
  if (conversation && conversation.id === store.openId) emit("changed", conversation);
  if (done) toast(done);
  return conversation;
}

async function transfer() {
  const target = await pickAgent("Transfer to a colleague", { transfer: true });
  if (!target) return;
  const { agent, queue, note } = target;
  const id = store.openId;
  const reopening = store.open?.archived;
  const body = agent ? { agent: agent.id } : { queue: queue.id };
  if (note.trim()) body.note = note;
  const conversation = await api(path("transfer"), { method: "POST", body });
  if (conversation && conversation.id === store.openId) emit("changed", conversation);
  if (queue) toast(`Sent back to ${queue.name}; it is offered to its members now.`);
  else toast(reopening ? `Reopened for ${agentName(agent)}; it is in their inbox now.` : `Transferred to ${agentName(agent)}.`);
  if (!store.me.supervisor) emit("left", id); // it is theirs now, out of this agent's sight
}

async function block() {
  const values = await formDialog($("#block-dialog"), $("#block-form"));
  if (!values) return;
  const minutes = values.minutes ? Number(values.minutes) : null;
  await leaveIfUntaken(() => post("block", "Visitor blocked.", { reason: values.reason, minutes }));
}

// Ending or blocking a chat nobody had taken ends its offers: it leaves the view of
// an agent it was only offered to, so close it here rather than call it "gone".
async function leaveIfUntaken(stop) {
  const id = store.openId;
  const untaken = !store.open?.owner;
  await stop();
  if (untaken && !store.me.supervisor) emit("left", id);
}

async function remove() {
  if (!(await confirmDialog("Delete this chat and its files for good?", "Delete"))) return;
  await api(`/api/v1/conversations/${store.openId}/`, { method: "DELETE" });
  emit("left", store.openId);
  toast("Chat deleted.");
}

async function onBanner(event) {
  const choice = event.target.closest("[data-banner]")?.dataset.banner;
  if (choice === "reply") { banner.hidden = true; focusReply(); }
  if (choice === "ignore") await run("ignore-contact");
  if (choice === "add") await addContact();
}

HANDLERS["ignore-contact"] = () => post("ignore");

export async function addContact() {
  const form = $("#contact-form");
  const c = store.open || {};
  const phoneLike = ["whatsapp", "sms"].includes(c.channel) ? c.external_address : "";
  const visitor = c.visitor || {};
  const named = c.title !== c.external_address && !(c.channel === "livechat" && !visitor.name);
  const values = await formDialog($("#contact-dialog"), form, { name: visitor.name || (named ? c.title : ""), email: visitor.email || "", phone: phoneLike });
  if (!values) return;
  try {
    await post("add-contact", `${values.name} added to contacts.`, values);
  } catch (error) {
    toast(error.message, { kind: "error" });
  }
}

async function startInternal() {
  const agent = await pickAgent("Chat with a colleague");
  if (!agent) return;
  try {
    const chat = await api("/api/v1/conversations/internal/", { method: "POST", body: { agent: agent.id } });
    emit("chat-opened", chat);
  } catch (error) {
    toast(error.message, { kind: "error" });
  }
}

// One tab stop for the toolbar; arrows move within it (WAI-ARIA toolbar pattern).
function rovingFocus(event) {
  if (!["ArrowLeft", "ArrowRight"].includes(event.key)) return;
  const buttons = [...toolbar.querySelectorAll("button")];
  const index = buttons.indexOf(document.activeElement);
  const next = buttons[(index + (event.key === "ArrowRight" ? 1 : -1) + buttons.length) % buttons.length];
  buttons.forEach((b) => b.setAttribute("tabindex", b === next ? "0" : "-1"));
  next?.focus();
}

// A keyboard shortcut's way in: the action runs only where its button would show.
export function runShortcut(action) {
  if (!store.open || store.open.id !== store.openId) return false;
  if (!available(store.open).some(([name]) => name === action)) return false;
  run(action);
  return true;
}
