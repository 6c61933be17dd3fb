// The page's shared state and a tiny event bus, so modules never import each other in circles.

const bootstrap = JSON.parse(document.getElementById("bootstrap").textContent);

export const store = {
  me: bootstrap.me,
  settings: bootstrap.settings,
  sounds: bootstrap.sounds,
  languages: bootstrap.languages,
  conversations: new Map(), // id -> row data, for the current view and filters
  filters: { view: "recents", channel: "", queue: "", label: "" },
  openId: null,
  open: null, // the open conversation's data (may be outside the list's filters)
};

const bus = new EventTarget();

export function on(type, handler) {
  bus.addEventListener(type, (event) => handler(event.detail));
}

export function emit(type, detail) {
  bus.dispatchEvent(new CustomEvent(type, { detail }));
}

export const isMine = (conversation) => conversation.owner === store.me.id;

// An internal chat is titled with every participant ("Alice Agent & Bob Agent");
// each agent sees only the colleagues' names, as in any messenger.
export function titleFor(conversation) {
  const title = conversation.title || "";
  if (conversation.channel !== "internal") return title;
  return title.split(" & ").filter((name) => name !== store.me.name).join(" & ") || title;
}
