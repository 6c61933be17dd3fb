// Below 1100 px the contact/templates pane leaves the grid; this toggle shows
// it as a drawer over the conversation (aria-expanded tells screen readers).
// Escape or the × closes it, focus returns to the toggle, and it gets out of
// the way by itself once the agent is back in the reply box.

import { $ } from "./dom.js";

const NARROW = window.matchMedia("(max-width: 1100px)");

export function initSideDrawer() {
  const toggle = $("#side-toggle");
  const pane = $("#side-pane");
  const isOpen = () => pane.hasAttribute("data-open");

  const setOpen = (open, { restoreFocus = false } = {}) => {
    pane.toggleAttribute("data-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (open) pane.querySelector("[role=tab][aria-selected=true]")?.focus();
    else if (restoreFocus && toggle.offsetParent) toggle.focus();
  };

  toggle.addEventListener("click", () => setOpen(!isOpen(), { restoreFocus: true }));
  $("#side-close").addEventListener("click", () => setOpen(false, { restoreFocus: true }));
  pane.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen() && NARROW.matches) {
      event.stopPropagation();
      setOpen(false, { restoreFocus: true });
    }
  });
  // A template filled the reply box (or the agent clicked back into it): the drawer would cover it.
  $("#reply").addEventListener("focus", () => { if (isOpen() && NARROW.matches) setOpen(false); });
  // Wide again: the pane is back in the grid, so no drawer state must linger.
  NARROW.addEventListener("change", () => { if (!NARROW.matches) setOpen(false); });
}
