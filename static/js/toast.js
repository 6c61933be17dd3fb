// In-page toasts: short, polite (aria-live), with an optional action button.

import { $, h } from "./dom.js";

const box = $("#toasts");

export function toast(text, { kind = "info", action = null, timeout = 6000 } = {}) {
  const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : null },
    h("span", { class: "toast-text" }, text));
  if (action) {
    item.append(h("button", { type: "button", class: "link", onclick: () => { action.run(); item.remove(); } }, action.label));
  }
  item.append(h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss", onclick: () => item.remove() }, "×"));
  box.append(item);
  if (timeout) setTimeout(() => item.remove(), timeout);
  return item;
}
