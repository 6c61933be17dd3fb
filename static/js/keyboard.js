// Keyboard shortcuts of the inbox and the "?" dialog that lists them all.
// Single keys act only when the focus is not in a text field (and no dialog is
// open), so typing a reply or a search never triggers them.

import { $, h } from "./dom.js";
import { runShortcut } from "./actions.js";
import { neighbour } from "./inbox-list.js";
import { focusReply } from "./composer.js";
import { emit } from "./store.js";
import { toast } from "./toast.js";

// Every shortcut of the page, as the help dialog lists them (docs/architecture.md: Keyboard).
export const SHORTCUTS = [
  ["Conversations", [
    [["j"], "Next conversation"],
    [["k"], "Previous conversation"],
    [["↑", "|", "↓"], "Move in the list (when it has the focus); Home and End jump"],
    [["Enter"], "Open the focused conversation"],
    [["t"], "Take the open conversation"],
    [["d"], "Mark the open conversation dealt with"],
    [["r"], "Write a reply (focus the reply box)"],
  ]],
  ["Reply box", [
    [["Enter"], "Send"],
    [["Shift", "Enter"], "New line"],
    [["/"], "Insert a template: type to search, ↑↓ to choose, Enter or Tab to insert, Esc to close"],
    [["Alt", "N"], "Toggle private note"],
  ]],
  ["Everywhere", [
    [["/"], "Search contacts, chats and messages"],
    [["?"], "Show these shortcuts"],
    [["Esc"], "Close a dialog, the search results or the template picker"],
  ]],
];

const typing = (target) => target.closest?.("input, textarea, select, [contenteditable]");

export function initKeyboard() {
  const dialog = $("#keys-dialog");
  $("#keys-list").replaceChildren(...SHORTCUTS.map(([group, keys]) => h("section", { class: "keys-group" },
    h("h3", {}, group),
    h("dl", {}, keys.map(([combo, what]) => [
      // Keys pressed together are joined by "+", alternatives ("|") by "or".
      h("dt", {}, combo.map((key, i) => (key === "|" ? " or " : [i && combo[i - 1] !== "|" ? " + " : "", h("kbd", {}, key)]))),
      h("dd", {}, what),
    ])))));
  $("#open-keys")?.addEventListener("click", () => dialog.showModal());
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) || document.querySelector("dialog[open]")) return;
    const act = KEYS[event.key];
    if (!act) return;
    event.preventDefault();
    act(dialog);
  });
}

function go(step) {
  const id = neighbour(step);
  if (id != null) emit("open", id);
}

function act(action, label) {
  if (!runShortcut(action)) toast(`Nothing to ${label} here.`);
}

const KEYS = {
  "?": (dialog) => dialog.showModal(),
  j: () => go(1),
  k: () => go(-1),
  t: () => act("take", "take"),
  d: () => act("dealt-with", "mark dealt with"),
  r: () => focusReply(),
};
