// The live monitor page (supervisors): subscribes on the agent socket and redraws
// agents, waiting chats and queues from each `monitor.snapshot` / `monitor.updated`.
// Waiting times tick every second in the browser between the server's updates.

import { $, channelIcon, channelLabel, h } from "./dom.js";
import { AgentSocket } from "./socket.js";

const CONNECTION_TEXT = { connecting: "Connecting…", online: "Live", offline: "Reconnecting…" };
const STATUS_TEXT = { available: "Available", away: "Away", offline: "Offline" };

const state = { picture: null, skewMs: 0, agents: new Map(), queues: new Map() };

// "45s", "3m 05s", "1h 02m": precise enough to compare waits at a glance.
export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

// Seconds waited now, read against the server's clock (its `at` corrects the skew).
function waitedNow(row) {
  if (!row.waiting_since) return row.waited_seconds;
  return (Date.now() + state.skewMs - new Date(row.waiting_since).getTime()) / 1000;
}

const agentName = (id) => state.agents.get(id)?.name || `Agent #${id}`;

function agentRow(agent) {
  const full = agent.capacity != null && agent.open_chats >= agent.capacity;
  return h("tr", { dataset: { agent: agent.id, status: agent.status } },
    h("th", { scope: "row" }, agent.name),
    h("td", {}, h("span", { class: `presence-dot status-${agent.status}`, "aria-hidden": "true" }), " ", STATUS_TEXT[agent.status] || agent.status),
    h("td", { class: full ? "load full" : "load" },
      agent.capacity == null ? `${agent.open_chats}` : `${agent.open_chats} / ${agent.capacity}`,
      h("span", { class: "load-bar", "aria-hidden": "true" },
        h("span", { style: `width: ${agent.capacity ? Math.min(100, (100 * agent.open_chats) / agent.capacity) : 0}%` }))));
}

function waitingRow(row) {
  const queue = row.queue == null ? "Direct" : state.queues.get(row.queue)?.name || `Queue #${row.queue}`;
  const ringing = row.held_until
    ? h("span", { class: "muted" }, "Held: queue closed")
    : row.offered_to.length
      ? row.offered_to.map(agentName).join(", ")
      : h("span", { class: "warn-text" }, "Nobody free");
  return h("tr", { dataset: { conversation: row.conversation } },
    h("th", { scope: "row" }, channelIcon(row.channel), " ",
      h("a", { href: `/#c${row.conversation}`, title: `${channelLabel(row.channel)} chat #${row.conversation}` },
        row.name || `${channelLabel(row.channel)} #${row.conversation}`)),
    h("td", {}, queue),
    h("td", { class: "waited", dataset: { since: row.waiting_since || "" } }, duration(waitedNow(row))),
    h("td", { class: "ringing" }, ringing));
}

function queueCard(queue) {
  const busy = queue.waiting > 0;
  return h("li", { class: busy ? "queue-card busy" : "queue-card", dataset: { queue: queue.id } },
    h("span", { class: "queue-name" }, queue.name),
    h("strong", { class: "queue-waiting" }, String(queue.waiting)),
    h("span", { class: "muted queue-longest" }, busy ? `longest ${duration(queue.longest_wait_seconds)}` : "nobody waiting"));
}

function draw(picture) {
  state.picture = picture;
  if (picture.at) state.skewMs = new Date(picture.at).getTime() - Date.now();
  state.agents = new Map(picture.agents.map((agent) => [agent.id, agent]));
  state.queues = new Map(picture.queues.map((queue) => [queue.id, queue]));
  $("#monitor-agents tbody").replaceChildren(...picture.agents.map(agentRow));
  $("#agents-empty").hidden = picture.agents.length > 0;
  $("#monitor-waiting tbody").replaceChildren(...picture.waiting.map(waitingRow));
  $("#waiting-empty").hidden = picture.waiting.length > 0;
  $("#waiting-count").textContent = String(picture.waiting.length);
  $("#monitor-queues").replaceChildren(...picture.queues.map(queueCard));
  $("#monitor-updated").textContent = `Updated ${new Date().toLocaleTimeString()}`;
  $("#monitor").setAttribute("aria-busy", "false");
}

// Between updates only the waiting times move: rewrite those cells, nothing else.
function tick() {
  if (!state.picture) return;
  for (const row of state.picture.waiting) {
    const cell = document.querySelector(`#monitor-waiting tr[data-conversation="${row.conversation}"] .waited`);
    if (cell) cell.textContent = duration(waitedNow(row));
  }
}

function showConnection(kind) {
  const box = $("#connection");
  box.dataset.state = kind;
  box.querySelector(".connection-text").textContent = CONNECTION_TEXT[kind];
}

const socket = new AgentSocket({
  onEvent: (frame) => {
    if (frame.type === "monitor.snapshot" || frame.type === "monitor.updated") draw(frame.data);
    else if (frame.type === "error" && frame.code === "forbidden") {
      $("#monitor-updated").textContent = "The live monitor is for managers and owners.";
    }
  },
  onState: (kind) => {
    showConnection(kind);
    // Every (re)connection is a new socket: subscribe again for a fresh snapshot.
    if (kind === "online") socket.send({ type: "monitor.subscribe" });
  },
  onResync: async () => {},
});
window.chatdesk = { socket };
socket.start();
setInterval(tick, 1000);
