// Quick-response templates: search, category tabs, language; a click renders
// the template for this conversation and puts the text in the reply box.

import { api } from "./api.js";
import { $, debounce, h } from "./dom.js";
import { fillReply } from "./composer.js";
import { store } from "./store.js";
import { toast } from "./toast.js";

const list = $("#template-list");
const tabs = $("#template-categories");
const state = { search: "", category: "", language: "" };
let loaded = false;

export function initTemplates() {
  const language = $("#template-language");
  language.append(...store.languages.map((tag) => h("option", { value: tag }, tag)));
  language.addEventListener("change", () => { state.language = language.value; load(); });
  $("#template-search").addEventListener("input", debounce((event) => { state.search = event.target.value.trim(); load(); }, 200));
  tabs.addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) selectCategory(tab.dataset.category);
  });
  list.addEventListener("click", (event) => {
    const item = event.target.closest("[data-template]");
    if (item) insert(Number(item.dataset.template));
  });
}

// Loaded when the panel is first shown: most agents open it rarely.
export async function showTemplates() {
  if (loaded) return;
  loaded = true;
  try {
    const categories = await api("/api/v1/templates/categories/");
    renderTabs(categories);
  } catch (error) {
    toast(error.message, { kind: "error" });
  }
  await load();
}

function renderTabs(categories) {
  const all = [{ name: "", label: "All" }, ...categories.map((c) => ({ name: c.name, label: c.name }))];
  tabs.replaceChildren(...all.map(({ name, label }) => h("button", {
    type: "button", role: "tab", class: "chip", dataset: { category: name },
    "aria-selected": String(name === state.category),
  }, label)));
}

function selectCategory(name) {
  state.category = name;
  tabs.querySelectorAll("[role=tab]").forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.category === name)));
  load();
}

async function load() {
  const query = new URLSearchParams(Object.entries(state).filter(([, v]) => v));
  const wanted = String(query);
  let page;
  try {
    page = await api(`/api/v1/templates/?${query}`);
  } catch (error) {
    toast(error.message, { kind: "error" });
    return;
  }
  if (wanted !== String(new URLSearchParams(Object.entries(state).filter(([, v]) => v)))) return; // stale
  list.replaceChildren(...page.results.map((t) => h("li", {},
    h("button", { type: "button", class: "template", dataset: { template: t.id }, title: "Insert into the reply" },
      h("span", { class: "template-title" }, t.title),
      h("span", { class: "template-tags muted" }, [t.category, t.language].filter(Boolean).join(" · ")),
      h("span", { class: "template-body" }, t.body)))));
  if (!page.results.length) list.append(h("li", { class: "muted empty-small" }, "No templates match."));
}

async function insert(id) {
  if (!store.openId || $("#reply").disabled) {
    toast("Open a conversation you can answer first.");
    return;
  }
  try {
    fillReply(await renderTemplate(id, store.openId));
  } catch (error) {
    toast(error.message, { kind: "error" });
  }
}

// The template's text for this agent and conversation's contact (counts one use);
// the panel and the reply box's "/" picker both insert this.
export async function renderTemplate(id, conversationId) {
  const rendered = await api(`/api/v1/templates/${id}/render/`, { method: "POST", body: { conversation: conversationId } });
  return rendered.text;
}
