// Dialog helpers on native <dialog>: focus is trapped and Escape cancels for free.

import { api } from "./api.js";
import { $, debounce, h } from "./dom.js";
import { store } from "./store.js";

// confirmDialog("Delete this chat?", "Delete") -> Promise<boolean>
export function confirmDialog(text, okLabel = "OK") {
  const dialog = $("#confirm-dialog");
  $("#confirm-text").textContent = text;
  $("#confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}

// Resolve with the form's values when submitted with the "ok" button, or null when cancelled.
export function formDialog(dialog, form, defaults = {}) {
  form.reset();
  Object.entries(defaults).forEach(([name, value]) => { if (form.elements[name]) form.elements[name].value = value; });
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => {
    resolve(dialog.returnValue === "ok" ? Object.fromEntries(new FormData(form)) : null);
  }, { once: true }));
}

const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";

// A modal <dialog> makes the page inert, but Tab past its last control still
// leaves for the browser's own UI; keep the keyboard inside the open dialog.
export function initDialogs() {
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const dialog = [...document.querySelectorAll("dialog[open]")].pop();
    if (!dialog) return;
    const stops = [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled && el.getClientRects().length);
    if (!stops.length) return;
    const first = stops[0];
    const last = stops[stops.length - 1];
    const inside = dialog.contains(document.activeElement);
    if (!inside || (event.shiftKey && document.activeElement === first)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
}

const STATUS_TEXT = { available: "Available", away: "Away", offline: "Offline" };

// The colleague picker (transfer, internal chat): searches name or extension as you type.
// `transfer`: only who can be handed a chat, available first and offline last (marked).
export function pickAgent(title, { transfer = false } = {}) {
  const dialog = $("#agent-dialog");
  const input = $("#agent-search");
  const results = $("#agent-results");
  $("#agent-dialog-title").textContent = title;
  input.value = "";
  results.replaceChildren();
  let chosen = null;
  const search = debounce(() => searchAgents(input.value.trim(), (agent) => { chosen = agent; dialog.close("picked"); }, transfer), 150);
  const extra = $("#transfer-extra");
  extra.hidden = !transfer;
  let queueChosen = null;
  if (transfer) {
    $("#transfer-note").value = "";
    loadQueues();
    $("#transfer-queue-go").onclick = () => {
      const select = $("#transfer-queue");
      if (!select.value) { select.focus(); return; }
      queueChosen = { id: Number(select.value), name: select.selectedOptions[0].textContent };
      dialog.close("picked");
    };
  }
  input.oninput = search;
  // Enter picks the first match instead of submitting (and closing) the dialog.
  input.onkeydown = (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    results.querySelector("button")?.click();
  };
  search();
  dialog.returnValue = "";
  dialog.showModal();
  input.focus();
  return new Promise((resolve) => dialog.addEventListener("close", () => {
    // A transfer says where to (a colleague or a queue) and the hand-over note.
    if (!transfer) return resolve(chosen);
    const note = $("#transfer-note").value;
    resolve(chosen || queueChosen ? { agent: chosen, queue: queueChosen, note } : null);
  }, { once: true }));
}

async function loadQueues() {
  const select = $("#transfer-queue");
  try {
    const page = await api("/api/v1/queues/");
    select.replaceChildren(h("option", { value: "" }, "Choose a queue…"),
      ...page.results.map((queue) => h("option", { value: queue.id }, queue.name)));
  } catch (error) {
    $("#agent-status").textContent = error.message;
  }
}

async function searchAgents(term, pick, transfer = false) {
  const status = $("#agent-status");
  const results = $("#agent-results");
  let page;
  try {
    page = await api(`/api/v1/agents/?search=${encodeURIComponent(term)}${transfer ? "&transfer=1" : ""}`);
  } catch (error) {
    status.textContent = error.message;
    return;
  }
  if ($("#agent-search").value.trim() !== term) return; // a newer search is on its way
  const agents = page.results.filter((agent) => agent.id !== store.me.id);
  results.replaceChildren(...agents.map((agent) => h("li", {},
    h("button", { type: "button", class: `agent-option agent-${agent.status}`, onclick: () => pick(agent) },
      h("span", { class: `presence-dot status-${agent.status}`, "aria-hidden": "true" }),
      h("span", { class: "agent-name" }, [agent.first_name, agent.last_name].filter(Boolean).join(" ") || agent.username),
      agent.extension ? h("span", { class: "muted" }, `ext ${agent.extension}`) : null,
      h("span", { class: "muted agent-status" }, STATUS_TEXT[agent.status] || agent.status)))));
  status.textContent = agents.length ? `${agents.length} found` : "Nobody matches.";
}

export const agentName = (agent) => [agent.first_name, agent.last_name].filter(Boolean).join(" ") || agent.username;
