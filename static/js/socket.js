// The agent websocket: reconnects by itself with backoff, and after a drop asks
// GET /api/v1/events/?after=<last id> for what it missed. Events are
// de-duplicated by id, because a replayed event may also arrive live.

import { api } from "./api.js";

const PING_EVERY_MS = 25000;
const PONG_WITHIN_MS = 10000;
const MAX_BACKOFF_MS = 30000;
const SEEN_KEPT = 1000;

export class AgentSocket {
  constructor({ onEvent, onState, onResync }) {
    this.onEvent = onEvent; // (event) -> void, once per event id, in id order
    this.onState = onState; // ("connecting" | "online" | "offline") -> void
    this.onResync = onResync; // () -> Promise: reload everything (first connect, or 410)
    this.lastId = null;
    this.seen = new Set();
    this.attempt = 0;
    this.buffer = null; // live events held back while catching up
  }

  start() {
    this.connect();
    window.addEventListener("online", () => this.reconnectNow());
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.onState(this.attempt ? "offline" : "connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/agent/`);
    this.ws = ws;
    ws.onmessage = (message) => this.receive(JSON.parse(message.data));
    ws.onclose = (event) => this.closed(ws, event);
  }

  // A frame to the server (typing); dropped while offline, as it would be stale.
  send(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  // For tests and the "online" event: skip the remaining backoff.
  reconnectNow() {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.attempt = 0;
    this.connect();
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    if (event.code === 4401) { location.assign("/login/?next=/"); return; }
    this.onState("offline");
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  receive(frame) {
    if (frame.type === "session.ready") return this.ready(frame.data || {});
    if (frame.type === "pong") { clearTimeout(this.pongTimer); return; }
    if (this.buffer) { this.buffer.push(frame); return; }
    this.deliver(frame);
  }

  async ready(data) {
    this.attempt = 0;
    this.heartbeat();
    this.buffer = [];
    try {
      if (this.lastId == null) {
        await this.onResync();
        // Read before the list loaded: a later catch-up from here misses nothing.
        if (this.lastId == null && data.last_event_id != null) this.lastId = data.last_event_id;
      } else await this.catchUp();
    } catch (error) {
      console.warn("catch-up failed; reloading the list", error);
      await this.onResync().catch(() => {});
    }
    const held = this.buffer.sort((a, b) => (a.id || 0) - (b.id || 0));
    this.buffer = null;
    held.forEach((frame) => this.deliver(frame));
    this.onState("online");
  }

  async catchUp() {
    let more = true;
    while (more) {
      let page;
      try {
        page = await api(`/api/v1/events/?after=${this.lastId}`);
      } catch (error) {
        if (error.status !== 410) throw error;
        return this.onResync(); // the server no longer keeps what we missed
      }
      page.results.forEach((event) => this.deliver(event));
      more = page.has_more && page.results.length > 0;
    }
  }

  deliver(event) {
    if (event.id != null) {
      if (this.seen.has(event.id)) return;
      this.seen.add(event.id);
      if (this.seen.size > SEEN_KEPT) this.seen.delete(this.seen.values().next().value);
      this.lastId = Math.max(this.lastId ?? 0, event.id);
    }
    try { this.onEvent(event); } catch (error) { console.error("event handler failed", event, error); }
  }

  // A half-open TCP connection never fires onclose; a missing pong tells us instead.
  heartbeat() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (this.ws.readyState !== WebSocket.OPEN) return;
      this.ws.send(JSON.stringify({ type: "ping" }));
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => this.ws.close(), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }
}
