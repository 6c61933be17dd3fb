/*
 * Chatdesk live-chat widget. Embed with one tag:
 *   <script src="https://desk.example.com/livechat/widget.js" data-site-key="KEY" async></script>
 *
 * No dependencies, no build step. Everything renders inside a Shadow DOM so the host
 * page's CSS cannot reach it (nor ours the page). Text from people is only ever set
 * with textContent, so a message that contains HTML shows as text.
 */
(function () {
  "use strict";

  var script =
    document.currentScript ||
    document.querySelector('script[data-site-key][src*="/livechat/widget.js"]');
  if (!script || window.__chatdeskLiveChat) return;
  window.__chatdeskLiveChat = true;

  var siteKey = script.getAttribute("data-site-key") || "";
  var base = new URL(script.src, location.href).origin; // the desk serves the widget, API and socket
  var socketBase = base.replace(/^http/, "ws");
  var storageKey = "chatdesk.livechat." + siteKey;
  var MAX_CHARS = 4000;
  var PING_MS = 25000;

  var state = {
    token: null,
    name: "",
    socket: null,
    ended: false,
    retries: 0,
    seen: {},        // message id -> true: replays and re-sends show once
    pending: [],     // frames written while the socket was down, sent on reconnect
    unread: 0,
    open: false,
    pingTimer: null,
    retryTimer: null,
  };

  // ---- storage: the session token per site key, so a reload resumes the chat ----
  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { return null; }
  }
  function save() {
    try { localStorage.setItem(storageKey, JSON.stringify({ token: state.token, name: state.name })); } catch (e) { /* private mode: no resume */ }
  }

  // ---- DOM helpers: elements and text nodes only, never HTML strings ----
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function chatIcon() {
    // An SVG, not an emoji: it looks the same whatever fonts the visitor has.
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%; border: 0; background: #1f6feb; color: #fff; display: flex; align-items: center; justify-content: center; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); z-index: 2147483646; }",
    ".launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }",
    ".badge { position: absolute; top: -4px; right: -4px; min-width: 20px; padding: 2px 6px; border-radius: 10px; background: #d1242f; color: #fff; font-size: 12px; }",
    ".panel { position: fixed; right: 20px; bottom: 88px; width: 340px; max-width: calc(100vw - 40px); height: 480px; max-height: calc(100vh - 120px); display: flex; flex-direction: column; background: #fff; color: #1f2328; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.3); overflow: hidden; z-index: 2147483647; font-size: 14px; }",
    ".panel[hidden], [hidden] { display: none !important; }",
    ".head { display: flex; align-items: center; justify-content: space-between; padding: 12px 14px; background: #1f6feb; color: #fff; }",
    ".head h2 { margin: 0; font-size: 16px; font-weight: 600; }",
    ".close { background: transparent; border: 0; color: #fff; font-size: 20px; cursor: pointer; }",
    ".log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f6f8fa; }",
    ".msg { max-width: 80%; padding: 8px 10px; border-radius: 10px; white-space: pre-wrap; word-wrap: break-word; }",
    ".msg.in { align-self: flex-end; background: #1f6feb; color: #fff; }",
    ".msg.out { align-self: flex-start; background: #fff; border: 1px solid #d0d7de; }",
    ".msg.sending { opacity: .6; }",
    ".who { display: block; font-size: 11px; opacity: .8; margin-bottom: 2px; }",
    ".notice { align-self: center; font-size: 12px; color: #57606a; text-align: center; }",
    ".form, .composer { padding: 12px; border-top: 1px solid #d0d7de; display: flex; flex-direction: column; gap: 8px; }",
    "label { font-size: 12px; color: #57606a; }",
    "input, textarea { width: 100%; padding: 8px; border: 1px solid #8c959f; border-radius: 6px; font-size: 14px; color: #1f2328; background: #fff; }",
    "textarea { resize: none; height: 60px; }",
    ".primary { padding: 8px 12px; border: 0; border-radius: 6px; background: #1f6feb; color: #fff; font-size: 14px; cursor: pointer; }",
    ".primary:disabled { background: #8c959f; cursor: not-allowed; }",
    ".status { font-size: 12px; color: #57606a; padding: 0 12px 8px; min-height: 1em; }",
    ".status.error { color: #d1242f; }",
  ].join("\n");

  // ---- the widget's elements ----
  var host = el("div", { id: "chatdesk-livechat" });
  var root = host.attachShadow({ mode: "open" });
  var badge = el("span", { class: "badge", hidden: "" });
  var launcher = el("button", {
    type: "button", class: "launcher", "aria-label": "Open chat", "aria-expanded": "false",
    "aria-controls": "chatdesk-panel",
  }, [chatIcon(), badge]);
  var closeButton = el("button", { type: "button", class: "close", "aria-label": "Close chat", text: "\u00D7" });
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Messages" });
  var nameInput = el("input", { id: "cd-name", type: "text", autocomplete: "name", maxlength: "200" });
  var emailInput = el("input", { id: "cd-email", type: "email", autocomplete: "email", maxlength: "254" });
  var startButton = el("button", { type: "submit", class: "primary", text: "Start chat" });
  var form = el("form", { class: "form", "aria-label": "Before we start" }, [
    el("label", { for: "cd-name", text: "Your name (optional)" }), nameInput,
    el("label", { for: "cd-email", text: "E-mail (optional)" }), emailInput,
    startButton,
  ]);
  var textarea = el("textarea", {
    id: "cd-text", maxlength: String(MAX_CHARS), "aria-label": "Write a message",
    placeholder: "Write a message\u2026",
  });
  var sendButton = el("button", { type: "submit", class: "primary", text: "Send" });
  var newChatButton = el("button", { type: "button", class: "primary", text: "Start a new chat", hidden: "" });
  var composer = el("form", { class: "composer", "aria-label": "Reply", hidden: "" }, [textarea, sendButton, newChatButton]);
  var status = el("div", { class: "status", role: "status" });
  var panel = el("div", {
    id: "chatdesk-panel", class: "panel", role: "dialog", "aria-label": "Chat with us", hidden: "",
  }, [el("div", { class: "head" }, [el("h2", { text: "Chat with us" }), closeButton]), log, form, composer, status]);
  root.appendChild(el("style", { text: CSS }));
  root.appendChild(launcher);
  root.appendChild(panel);

  function setStatus(text, isError) {
    status.textContent = text || "";
    status.className = isError ? "status error" : "status";
  }

  function showComposer() {
    form.hidden = true;
    composer.hidden = false;
    textarea.disabled = state.ended;
    sendButton.disabled = state.ended;
    sendButton.hidden = state.ended;
    newChatButton.hidden = !state.ended;
  }

  function setOpen(open) {
    state.open = open;
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.setAttribute("aria-label", open ? "Hide chat" : "Open chat");
    if (open) {
      state.unread = 0;
      badge.hidden = true;
      (form.hidden ? (state.ended ? newChatButton : textarea) : nameInput).focus();
      log.scrollTop = log.scrollHeight;
    } else {
      launcher.focus();
    }
  }

  // ---- messages ----
  function addMessage(data) {
    if (state.seen[data.id]) return;
    state.seen[data.id] = true;
    if (data.client_id) {
      var mine = log.querySelector('[data-client-id="' + attrSafe(data.client_id) + '"]');
      if (mine) log.removeChild(mine);
    }
    var who = data.direction === "in" ? "You" : (data.sender_name || "Agent");
    var body = data.body || "";
    (data.attachments || []).forEach(function (file) { body += (body ? "\n" : "") + "[file: " + file.name + "]"; });
    log.appendChild(el("div", { class: "msg " + data.direction }, [el("span", { class: "who", text: who }), document.createTextNode(body)]));
    if (data.direction === "out" && typeof typing !== "undefined") typing.hide();
    log.scrollTop = log.scrollHeight;
    if (!state.open && data.direction === "out") {
      state.unread += 1;
      badge.textContent = String(state.unread);
      badge.hidden = false;
    }
  }
  function attrSafe(value) { return String(value).replace(/[^a-zA-Z0-9-]/g, ""); }

  function addNotice(text) {
    log.appendChild(el("div", { class: "notice", text: text }));
    log.scrollTop = log.scrollHeight;
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function send(body) {
    var frame = { type: "message", body: body, client_id: uuid4() };
    log.appendChild(el("div", { class: "msg in sending", "data-client-id": frame.client_id }, [
      el("span", { class: "who", text: "You \u00B7 sending\u2026" }), document.createTextNode(body),
    ]));
    log.scrollTop = log.scrollHeight;
    // The client_id makes a re-send after a dropped socket idempotent on the server.
    if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify(frame));
    else state.pending.push(frame);
  }

  // ---- typing, both ways: never stored; the server throttles too ----
  var typing = (function () {
    var line = el("div", { class: "typing", "aria-live": "polite", hidden: "", text: "Agent is typing\u2026" });
    var hideTimer = null;
    var lastSent = 0;
    log.parentNode.insertBefore(line, log.nextSibling);
    function hide() { clearTimeout(hideTimer); line.hidden = true; }
    return {
      hide: hide,
      show: function () {
        line.hidden = false;
        clearTimeout(hideTimer);
        hideTimer = setTimeout(hide, 5000);
      },
      sent: function () {
        var now = Date.now();
        if (now - lastSent < 2000 || !state.socket || state.socket.readyState !== WebSocket.OPEN) return;
        lastSent = now;
        state.socket.send(JSON.stringify({ type: "typing" }));
      },
    };
  })();
  textarea.addEventListener("input", function () { if (textarea.value.trim() && !state.ended) typing.sent(); });
  root.querySelector("style").textContent += "\n.typing { font-size: 12px; font-style: italic; color: #57606a; padding: 4px 12px; background: #f6f8fa; }";

  // ---- session and socket ----
  function startSession(payload) {
    payload.site_key = siteKey;
    // Where the visitor is: sent on every start and resume, so agents see the page they are on now.
    payload.page_url = location.href;
    payload.page_title = document.title;
    payload.referrer = document.referrer;
    return fetch(base + "/api/v1/livechat/sessions/", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
      credentials: "omit",
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.detail || "The chat is not available right now.");
          error.status = response.status;
          throw error;
        }
        state.token = data.session_token;
        state.name = data.name || state.name;
        save();
        return data;
      });
    });
  }

  function connect() {
    clearTimeout(state.retryTimer);
    var socket = new WebSocket(socketBase + "/ws/livechat/?token=" + encodeURIComponent(state.token));
    state.socket = socket;
    socket.onopen = function () {
      state.retries = 0;
      setStatus("");
      var queued = state.pending;
      state.pending = [];
      queued.forEach(function (frame) { socket.send(JSON.stringify(frame)); });
      clearInterval(state.pingTimer);
      state.pingTimer = setInterval(function () {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "ping" }));
      }, PING_MS);
    };
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (frame.type === "message") addMessage(frame.data);
      else if (frame.type === "chat.ended") endChat(frame.data && frame.data.body);
      else if (frame.type === "error") onError(frame.data && frame.data.detail);
      else if (frame.type === "typing") typing.show();
    };
    socket.onclose = function (event) {
      clearInterval(state.pingTimer);
      if (state.socket !== socket || state.ended) return;
      if (event.code === 4401 || event.code === 4403) {
        // The session ended or was refused while we were away: ask to start anew.
        endChat("This chat has ended.");
        return;
      }
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    // Exponential backoff with jitter, capped at 30 s, so a desk restart is not stampeded.
    var delay = Math.min(30000, 1000 * Math.pow(2, state.retries)) * (0.5 + Math.random() / 2);
    state.retries += 1;
    setStatus("Connection lost \u2014 reconnecting\u2026");
    state.retryTimer = setTimeout(connect, delay);
  }

  function onError(detail) {
    var sending = log.querySelectorAll(".msg.sending");
    if (sending.length) log.removeChild(sending[sending.length - 1]);
    setStatus(detail || "The message could not be sent.", true);
  }

  function endChat(notice) {
    state.ended = true;
    state.pending = [];
    if (state.socket) state.socket.close();
    addNotice(notice || "This chat has ended.");
    showComposer();
    setStatus("");
  }

  function refuse(error) {
    setStatus(error.message, true);
    startButton.disabled = error.status === 403;
  }

  function resume() {
    startSession({ session_token: state.token }).then(function (data) {
      showComposer();
      connect();
      return data;
    }).catch(function (error) {
      if (!error.status || error.status === 429) {
        // Offline or rate-limited: keep the token and try again shortly.
        setStatus("Connection lost \u2014 reconnecting\u2026");
        state.retryTimer = setTimeout(resume, 10000);
        return;
      }
      state.token = null;
      save();
      if (error.status === 404) { host.remove(); return; } // no such site: show nothing
      refuse(error);
    });
  }

  function startNewChat() {
    // The old token lets the server keep this visitor's identity for the new chat.
    startSession({ session_token: state.token, name: state.name }).then(function () {
      state.ended = false;
      state.seen = {};
      while (log.firstChild) log.removeChild(log.firstChild);
      showComposer();
      textarea.focus();
      connect();
    }).catch(refuse);
  }

  // ---- events ----
  launcher.addEventListener("click", function () { setOpen(!state.open); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") setOpen(false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    startButton.disabled = true;
    startSession({ name: nameInput.value.trim(), email: emailInput.value.trim() }).then(function () {
      showComposer();
      textarea.focus();
      connect();
    }).catch(refuse).then(function () { if (!form.hidden) startButton.disabled = false; });
  });
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = textarea.value.trim();
    if (!body || state.ended) return;
    textarea.value = "";
    send(body);
  });
  textarea.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit ? composer.requestSubmit() : sendButton.click();
    }
  });
  newChatButton.addEventListener("click", startNewChat);

  function mount() {
    document.body.appendChild(host);
    var saved = load();
    if (saved && saved.token) {
      state.token = saved.token;
      state.name = saved.name || "";
      resume();
    }
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
