// Small DOM helpers. Every string that comes from data goes in as a text node
// (never innerHTML), so a message body with HTML in it shows as text.

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// h("button", {class: "x", onclick: fn}, "label", childNode) -> element
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  appendAll(el, children);
  return el;
}

export function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = "http://www.w3.org/2000/svg";
const CHANNEL_LABELS = {
  livechat: "Live chat", whatsapp: "WhatsApp", messenger: "Facebook Messenger", sms: "SMS",
};

// "Jonas Müller" -> "JM"; "Alice Agent & Bob Agent" -> "AB" (one letter per participant).
export function initials(name) {
  const parts = (name || "").includes("&") ? name.split("&") : (name || "").split(/\s+/);
  return parts.map((part) => part.trim()[0]).filter(Boolean).slice(0, 2).join("").toUpperCase();
}

// The channel's icon (symbols defined in web/_icons.html); internal chats get the names' initials instead.
export function channelIcon(channel, title = "") {
  const wrap = h("span", { class: `channel-icon channel-${channel}` });
  const label = CHANNEL_LABELS[channel];
  if (!label) { wrap.setAttribute("aria-hidden", "true"); wrap.textContent = initials(title); return wrap; }
  wrap.title = label;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", `#icon-${channel}`);
  svg.append(use);
  wrap.append(svg, h("span", { class: "visually-hidden" }, label));
  return wrap;
}

export const channelLabel = (channel) => CHANNEL_LABELS[channel] || "Internal";

// "now", "4m", "2h", "3d": short enough for a list row.
export function ago(iso, now = Date.now()) {
  if (!iso) return "";
  const seconds = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "now";
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

export function clock(iso) {
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return sameDay ? time : `${date.toLocaleDateString([], { day: "numeric", month: "short" })} ${time}`;
}

export function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// crypto.randomUUID exists only in secure contexts; a plain-http intranet install still needs ids.
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
