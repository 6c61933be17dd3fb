// "/" in the reply box: a template picker that narrows as one types.
// "/" at the start of the box or after a space opens it; the words typed after
// the slash are matched against each template's shortcut code first, then its
// title, then its body; arrows move, Enter or Tab insert the template rendered
// for this conversation (the same render the templates panel uses), Esc closes.

import { api } from "./api.js";
import { h } from "./dom.js";
import { store } from "./store.js";
import { renderTemplate } from "./templates-panel.js";
import { toast } from "./toast.js";

const SHOWN = 8;
const PAGES = 10; // at 50 a page: far more templates than anyone scrolls through
const STALE_MS = 5 * 60 * 1000;

// How well `query` matches `text` as a subsequence (letters in order, gaps allowed);
// null when it does not. Runs of consecutive letters and letters at the start of a
// word score more, and so does a match that begins early.
export function fuzzyScore(query, text) {
  const q = query.toLowerCase();
  const t = (text || "").toLowerCase();
  if (!q) return 0;
  let score = 0;
  let at = -1;
  let run = 0;
  let first = -1;
  for (const letter of q) {
    const found = t.indexOf(letter, at + 1);
    if (found < 0) return null;
    run = found === at + 1 ? run + 1 : 1;
    const wordStart = found === 0 || /[\s\-_.,/]/.test(t[found - 1]);
    score += 1 + (run > 1 ? 2 * run : 0) + (wordStart ? 3 : 0);
    if (first < 0) first = found;
    at = found;
  }
  return score - Math.min(first, 20) * 0.1 - (at - first + 1 - q.length) * 0.05;
}

// The templates in the order the picker offers them for `query`. A shortcut code
// that matches ranks above any title, an exact code above all; with no query,
// templates with a code first, then the most used (the order the API gives).
export function rankTemplates(query, templates) {
  const q = query.trim().toLowerCase();
  const scored = templates.map((template, index) => {
    const code = template.shortcut || "";
    let score = null;
    if (!q) score = code ? 1 : 0;
    else if (code === q) score = 10000;
    else if (code.startsWith(q)) score = 5000 - code.length;
    else {
      const inCode = code ? fuzzyScore(q, code) : null;
      const inTitle = fuzzyScore(q, template.title);
      const inBody = (template.body || "").toLowerCase().includes(q) ? 1 : null;
      if (inCode != null) score = 2000 + inCode;
      else if (inTitle != null) score = 1000 + inTitle;
      else if (inBody != null) score = inBody;
    }
    return { template, index, score };
  });
  return scored
    .filter((entry) => entry.score != null)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .map((entry) => entry.template);
}

let templates = [];
let loadedAt = 0;
let loading = null;

async function loadTemplates() {
  if (Date.now() - loadedAt < STALE_MS) return templates;
  loading ??= (async () => {
    const all = [];
    let url = "/api/v1/templates/";
    for (let page = 0; url && page < PAGES; page += 1) {
      const data = await api(url);
      all.push(...data.results);
      const next = data.next ? new URL(data.next, location.href) : null;
      url = next ? `${next.pathname}${next.search}` : null;
    }
    templates = all;
    loadedAt = Date.now();
    return all;
  })().finally(() => { loading = null; });
  return loading;
}

// The "/word" being typed just before the caret, or null when there is none.
function slashToken(textarea) {
  const caret = textarea.selectionStart;
  if (caret !== textarea.selectionEnd) return null;
  const match = /(^|\s)\/([^\s/]*)$/.exec(textarea.value.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2].length - 1, end: caret, query: match[2] };
}

export function initSlashTemplates(textarea) {
  const picker = h("div", { class: "slash-picker", id: "slash-picker", hidden: true },
    h("p", { class: "slash-hint muted", id: "slash-hint" }, "Templates · ↑↓ to choose, Enter or Tab to insert, Esc to close"),
    h("ul", { id: "slash-options", role: "listbox", "aria-label": "Templates" }));
  const options = picker.querySelector("ul");
  // Above the reply row, in the composer's flow: it pushes the log up, never covers it.
  const row = textarea.closest(".composer-row") || textarea;
  row.before(picker);
  textarea.setAttribute("aria-controls", "slash-options");
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-expanded", "false");
  let shown = [];
  let active = 0;
  let token = null;
  let dismissedAt = null; // Esc closes the picker for this slash until it is typed again

  const close = () => {
    picker.hidden = true;
    shown = [];
    token = null;
    textarea.setAttribute("aria-expanded", "false");
    textarea.removeAttribute("aria-activedescendant");
  };

  const paint = () => {
    options.replaceChildren(...shown.map((template, index) => h("li", {
      role: "option", id: `slash-option-${index}`, class: "slash-option",
      "aria-selected": String(index === active), dataset: { index },
    },
    h("span", { class: "slash-title" }, template.title),
    template.shortcut ? h("code", { class: "slash-code" }, `/${template.shortcut}`) : null,
    h("span", { class: "slash-body muted" }, template.body))));
    if (!shown.length) options.append(h("li", { class: "muted empty-small" }, "No template matches."));
    if (shown.length) textarea.setAttribute("aria-activedescendant", `slash-option-${active}`);
    else textarea.removeAttribute("aria-activedescendant");
    options.querySelector("[aria-selected=true]")?.scrollIntoView({ block: "nearest" });
  };

  const update = async () => {
    const found = slashToken(textarea);
    if (!found || textarea.disabled || found.start === dismissedAt) { close(); return; }
    dismissedAt = null;
    token = found;
    let all;
    try {
      all = await loadTemplates();
    } catch (error) {
      toast(error.message, { kind: "error" });
      close();
      return;
    }
    const now = slashToken(textarea);
    if (!now || now.start !== found.start || now.query !== found.query) return; // typed on meanwhile
    shown = rankTemplates(found.query, all).slice(0, SHOWN);
    active = 0;
    picker.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    paint();
  };

  const choose = async (index) => {
    const template = shown[index];
    const at = token;
    if (!template || !at) return;
    close();
    let text;
    try {
      text = await renderTemplate(template.id, store.openId);
    } catch (error) {
      toast(error.message, { kind: "error" });
      return;
    }
    // The "/word" is replaced; whatever else the agent wrote stays as it was.
    const value = textarea.value;
    const typed = value.slice(at.start, at.end);
    const start = typed.startsWith("/") ? at.start : value.lastIndexOf("/", at.end);
    textarea.value = value.slice(0, start) + text + value.slice(at.end);
    const caret = start + text.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
  };

  textarea.addEventListener("input", update);
  textarea.addEventListener("click", update);
  textarea.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== textarea) close(); }, 150));
  // Keep the focus in the box while an option is clicked.
  picker.addEventListener("mousedown", (event) => event.preventDefault());
  options.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose(Number(option.dataset.index));
  });
  // Capturing, so it runs before the composer's own keys: Enter inserts rather than sends.
  textarea.addEventListener("keydown", (event) => {
    if (picker.hidden || event.isComposing) return;
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (step && shown.length) {
      active = (active + step + shown.length) % shown.length;
      paint();
    } else if ((event.key === "Enter" && !event.shiftKey) || (event.key === "Tab" && !event.shiftKey)) {
      if (!shown.length) { if (event.key === "Tab") return; close(); }
      else choose(active);
    } else if (event.key === "Escape") {
      dismissedAt = token?.start ?? null;
      close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }, { capture: true });
  return { isOpen: () => !picker.hidden };
}
