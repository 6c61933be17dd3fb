// Notification settings (toaster, desktop notifications, sound) and the
// notifier that honours them live, without a reload.

import { api } from "./api.js";
import { $, h } from "./dom.js";
import { playSound, unlockAudio } from "./sounds.js";
import { emit, store } from "./store.js";
import { toast } from "./toast.js";

const FIELDS = ["show_toaster", "web_notifications", "play_sound"];

export function initSettings() {
  const form = $("#settings-form");
  const select = $("#set-sound-choice");
  select.append(...store.sounds.map((s) => h("option", { value: s.value }, s.label)));
  $("#open-settings").addEventListener("click", () => { fill(); $("#settings-dialog").showModal(); });
  form.addEventListener("change", save);
  $("#sound-preview").addEventListener("click", () => playSound(select.value));
  unlockAudio();
  offerPermission();
}

function fill() {
  const form = $("#settings-form");
  FIELDS.forEach((name) => { form.elements[name].checked = store.settings[name]; });
  form.elements.sound.value = store.settings.sound;
  form.elements.sound.disabled = !store.settings.play_sound;
  $("#settings-status").textContent = "";
}

// One save at a time, in the order the agent made the changes: two PATCHes in flight
// may be applied out of order, and the older one must not undo the newer.
let saving = Promise.resolve();

function save(event) {
  const form = $("#settings-form");
  const name = event.target.name;
  if (!(name in store.settings)) return saving;
  // Only the field that changed: a save never writes back another field's old value.
  const field = form.elements[name];
  const changes = { [name]: name === "sound" ? field.value : field.checked };
  if (name === "play_sound") form.elements.sound.disabled = !changes.play_sound;
  saving = saving.then(() => send(changes));
  return saving;
}

async function send(changes) {
  // Turning desktop notifications on is the polite moment to ask the browser.
  if (changes.web_notifications) await askPermission();
  try {
    store.settings = await api("/api/v1/me/settings/", { method: "PATCH", body: changes });
    $("#settings-status").textContent = "Saved.";
  } catch (error) {
    $("#settings-status").textContent = error.message;
  }
  offerPermission();
}

async function askPermission() {
  if (!("Notification" in window) || Notification.permission !== "default") return;
  await Notification.requestPermission();
}

// A quiet prompt in the list instead of a permission pop-up on page load.
function offerPermission() {
  const prompt = $("#notify-prompt");
  const wanted = store.settings.web_notifications && "Notification" in window && Notification.permission === "default";
  prompt.hidden = !wanted || sessionStorage.getItem("notify-later") === "1";
  prompt.onclick = async (event) => {
    const choice = event.target.dataset.notify;
    if (choice === "allow") await askPermission();
    if (choice === "later") sessionStorage.setItem("notify-later", "1");
    if (choice) prompt.hidden = true;
  };
}

// notify({title, body, sound}) -> a toast, a desktop notification when hidden, a sound.
export function notify({ title, body, conversation, sound = true }) {
  const s = store.settings;
  if (s.show_toaster) {
    toast(`${title}: ${body}`, { action: conversation ? { label: "Open", run: () => emit("open", conversation) } : null });
  }
  if (s.web_notifications && document.hidden && "Notification" in window && Notification.permission === "granted") {
    const note = new Notification(title, { body, tag: `chatdesk-${conversation || "x"}` });
    note.onclick = () => { window.focus(); if (conversation) emit("open", conversation); note.close(); };
  }
  if (s.play_sound && sound) playSound(s.sound);
}
