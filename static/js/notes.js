// Private notes: how they look in the log (yellow, a lock, "Private note"), the
// @colleague completion list of the composer's note mode, and the toast of a
// mention. Notes never reach the customer; the server keeps them from every way out.

import { api } from "./api.js";
import { debounce, h } from "./dom.js";
import { notify } from "./settings.js";
import { store } from "./store.js";

const LOCK = "M7 10V7a5 5 0 0 1 10 0v3h1a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1h1zm2 0h6V7a3 3 0 0 0-6 0v3z";

export const lockIcon = () => {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "note-lock");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", LOCK);
  path.setAttribute("fill", "currentColor");
  svg.append(path);
  return svg;
};

// "@name" spans in a note's text, built from text nodes (the body is never markup).
function withMentions(body) {
  const parts = [];
  let last = 0;
  for (const match of body.matchAll(/(^|[^\w@])@([\w.+-]+)/g)) {
    const at = match.index + match[1].length;
    if (at > last) parts.push(body.slice(last, at));
    const name = match[2].replace(/[.+-]+$/, "");
    parts.push(h("span", { class: "mention" }, `@${name}`));
    last = at + 1 + name.length;
  }
  parts.push(body.slice(last));
  return parts;
}

export function noteItem(message, clockText) {
  const sender = message.sender === store.me.id ? "You" : message.sender_name || "A colleague";
  return h("li", { class: "msg note", dataset: { id: message.id || "", clientId: message.client_id || "", sender: message.sender ?? "" }, "aria-label": `Private note from ${sender}` },
    h("div", { class: "msg-meta" },
      lockIcon(),
      h("span", { class: "note-label" }, "Private note"),
      h("span", { class: "msg-sender" }, sender),
      h("time", { datetime: message.created_at }, clockText)),
    h("div", { class: "msg-body" }, ...withMentions(message.body || "")));
}

// A colleague named this agent in a note: a toast, a sound and a desktop
// notification, as the agent's notification settings say.
export function mentioned({ conversation, by_name, title, body }) {
  notify({ title: `${by_name || "A colleague"} mentioned you`, body: `${title}: ${body}`, conversation });
}

// The completion list: typing "@bo" in note mode lists matching colleagues;
// arrows move, Enter or Tab inserts "@username ", Escape closes.
export function initMentionList(textarea, isNoteMode) {
  const list = h("ul", { class: "mention-list", id: "mention-list", role: "listbox", "aria-label": "Mention a colleague", hidden: true });
  // Above the composer's row, so the box keeps its place while the list is open.
  (textarea.closest(".composer-row") || textarea).before(list);
  textarea.setAttribute("aria-controls", "mention-list");
  let options = [];
  let active = 0;
  let token = null; // {start, end, term} of the "@term" being typed

  const close = () => {
    list.hidden = true;
    options = [];
    token = null;
    textarea.setAttribute("aria-expanded", "false");
    textarea.removeAttribute("aria-activedescendant");
  };
  const highlight = () => {
    [...list.children].forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
    if (options.length) textarea.setAttribute("aria-activedescendant", `mention-option-${active}`);
  };
  const choose = (agent) => {
    const text = textarea.value;
    const insert = `@${agent.username} `;
    textarea.value = text.slice(0, token.start) + insert + text.slice(token.end);
    const caret = token.start + insert.length;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.focus();
  };
  const search = debounce(async () => {
    if (!token) return;
    const term = token.term;
    let page;
    try {
      page = await api(`/api/v1/agents/?search=${encodeURIComponent(term)}`);
    } catch {
      return close();
    }
    if (!token || token.term !== term) return; // typing went on meanwhile
    options = page.results.filter((agent) => agent.id !== store.me.id).slice(0, 8);
    if (!options.length) return close();
    active = 0;
    list.replaceChildren(...options.map((agent, i) => h("li", {
      id: `mention-option-${i}`, role: "option", class: "mention-option",
      onmousedown: (event) => { event.preventDefault(); choose(agent); },
    }, h("span", { class: "agent-name" }, [agent.first_name, agent.last_name].filter(Boolean).join(" ") || agent.username),
    h("span", { class: "muted" }, `@${agent.username}`))));
    list.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    highlight();
  }, 120);

  textarea.addEventListener("input", () => {
    if (!isNoteMode()) return close();
    const caret = textarea.selectionStart;
    const before = textarea.value.slice(0, caret);
    const found = /(^|[^\w@])@([\w.+-]*)$/.exec(before);
    if (!found) return close();
    token = { start: caret - found[2].length - 1, end: caret, term: found[2] };
    search();
  });
  textarea.addEventListener("blur", () => setTimeout(close, 100));
  // Runs before the composer's own Enter-sends handler (capture phase).
  textarea.addEventListener("keydown", (event) => {
    if (list.hidden || !options.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
      highlight();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      event.stopImmediatePropagation();
      choose(options[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      close();
    }
  }, true);
  return close;
}
