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
  var MAX_FILES = 10; // per message, as the server allows
  // What the desk accepts (it checks the bytes again; this only narrows the picker).
  var ACCEPT = ".pdf,.doc,.docx,.ppt,.pptx,.xls,.xlsx,.txt,.rtf,.jpg,.jpeg,.png,.gif,.bmp,.webp,.tif,.tiff,.heic,.heif";

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
    uploads: [],     // files being attached to the next message: {file, id, xhr, chip}
    inflight: {},    // client_id -> what was sent, put back if the server refuses it
    greeting: "",
    maxFileBytes: 0, // from the site's config; 0 until it is known
    linksRefreshedAt: 0,
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

  // Icons are SVG, not emoji: they look the same whatever fonts the visitor has.
  function icon(size, pathAttrs) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size));
    svg.setAttribute("height", String(size));
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    Object.keys(pathAttrs).forEach(function (key) { path.setAttribute(key, pathAttrs[key]); });
    svg.appendChild(path);
    return svg;
  }

  function clipIcon() {
    return icon(20, {
      fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round",
      d: "M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9",
    });
  }

  function chatIcon() {
    return icon(28, {
      fill: "currentColor",
      d: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
    });
  }

  var CSS = [
    ":host { all: initial; }",
    "* { box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }",
    ".launcher, .panel { --accent: #1f6feb; --on-accent: #fff; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; width: 58px; height: 58px; border-radius: 50%; border: 0; background: var(--accent); color: var(--on-accent); display: flex; align-items: center; justify-content: center; cursor: pointer; box-shadow: 0 6px 20px rgba(15,23,42,.28); z-index: 2147483646; transition: transform .15s ease; }",
    ".launcher:hover { transform: scale(1.05); }",
    ".launcher:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, a:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }",
    ".badge { position: absolute; top: -4px; right: -4px; min-width: 20px; padding: 2px 6px; border-radius: 10px; background: #d1242f; color: #fff; font-size: 12px; }",
    ".panel { position: fixed; right: 20px; bottom: 90px; width: 370px; max-width: calc(100vw - 40px); height: 560px; max-height: calc(100vh - 120px); display: flex; flex-direction: column; background: #fff; color: #1f2328; border-radius: 16px; box-shadow: 0 12px 40px rgba(15,23,42,.28); overflow: hidden; z-index: 2147483647; font-size: 14px; line-height: 1.4; }",
    ".panel[hidden], [hidden] { display: none !important; }",
    ".head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 14px 16px; background: var(--accent); color: var(--on-accent); }",
    ".head h2 { margin: 0; font-size: 16px; font-weight: 600; }",
    ".head p { margin: 2px 0 0; font-size: 12px; opacity: .85; }",
    ".close { background: transparent; border: 0; color: inherit; font-size: 22px; line-height: 1; cursor: pointer; padding: 4px 8px; border-radius: 6px; }",
    ".close:hover { background: rgba(255,255,255,.15); }",
    ".log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 10px; background: #f5f7fa; }",
    ".msg { max-width: 82%; padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; word-wrap: break-word; }",
    ".msg.in { align-self: flex-end; background: var(--accent); color: var(--on-accent); border-bottom-right-radius: 4px; }",
    ".msg.out, .hello { align-self: flex-start; background: #fff; border: 1px solid #e1e6ec; border-bottom-left-radius: 4px; }",
    ".hello { max-width: 82%; padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; word-wrap: break-word; }",
    ".msg.sending { opacity: .6; }",
    ".who { display: block; font-size: 11px; opacity: .75; margin-bottom: 2px; }",
    ".notice { align-self: center; font-size: 12px; color: #57606a; text-align: center; }",
    ".form, .composer { padding: 12px; border-top: 1px solid #e1e6ec; display: flex; flex-direction: column; gap: 8px; background: #fff; }",
    "label { font-size: 12px; color: #57606a; }",
    "input, textarea { width: 100%; padding: 8px 10px; border: 1px solid #c9d1d9; border-radius: 8px; font-size: 14px; color: #1f2328; background: #fff; }",
    "textarea { resize: none; height: 56px; }",
    ".primary { padding: 8px 14px; border: 0; border-radius: 8px; background: var(--accent); color: var(--on-accent); font-size: 14px; font-weight: 600; cursor: pointer; }",
    ".primary:disabled { background: #8c959f; color: #fff; cursor: not-allowed; }",
    ".status { font-size: 12px; color: #57606a; padding: 0 12px 8px; min-height: 1em; background: #fff; }",
    ".status.error { color: #d1242f; }",
    // ---- files ----
    ".row { display: flex; align-items: flex-end; gap: 8px; }",
    ".row textarea { flex: 1; }",
    ".row .primary { flex: none; height: 38px; }",
    ".attach { flex: none; width: 38px; height: 38px; border: 1px solid #c9d1d9; border-radius: 8px; background: #fff; color: #57606a; display: flex; align-items: center; justify-content: center; cursor: pointer; }",
    ".attach:hover { color: var(--accent); border-color: var(--accent); }",
    ".attach:disabled { opacity: .5; cursor: not-allowed; }",
    ".tray { display: flex; flex-wrap: wrap; gap: 6px; }",
    ".chip { position: relative; display: flex; align-items: center; gap: 6px; max-width: 100%; padding: 4px 6px 6px; border: 1px solid #d0d7de; border-radius: 8px; background: #f6f8fa; font-size: 12px; overflow: hidden; }",
    ".chip img { width: 32px; height: 32px; object-fit: cover; border-radius: 4px; }",
    ".chip .name { max-width: 150px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }",
    ".chip .remove { border: 0; background: transparent; color: #57606a; cursor: pointer; font-size: 16px; line-height: 1; padding: 0 2px; }",
    ".progress { position: absolute; left: 0; bottom: 0; height: 3px; width: 0; background: var(--accent); transition: width .1s linear; }",
    ".chip.done .progress { display: none; }",
    ".files { display: flex; flex-direction: column; gap: 6px; margin-top: 4px; }",
    // A full log scrolls; its messages and their pictures never shrink to fit it.
    ".log > *, .files > * { flex-shrink: 0; }",
    ".msg .files:first-child { margin-top: 0; }",
    ".thumb { display: block; padding: 0; border: 0; background: transparent; cursor: zoom-in; border-radius: 10px; overflow: hidden; }",
    ".thumb img { display: block; max-width: 220px; max-height: 180px; border-radius: 10px; }",
    ".file { display: flex; align-items: center; gap: 8px; padding: 8px 10px; border-radius: 10px; background: rgba(0,0,0,.06); color: inherit; text-decoration: none; }",
    ".msg.in .file { background: rgba(255,255,255,.18); }",
    ".file:hover { text-decoration: underline; }",
    ".file .size { opacity: .7; font-size: 12px; white-space: nowrap; }",
    ".drop { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; background: rgba(255,255,255,.92); border: 3px dashed var(--accent); border-radius: 16px; color: #1f2328; font-size: 16px; font-weight: 600; pointer-events: none; }",
    ".viewer { position: absolute; inset: 0; display: flex; flex-direction: column; background: rgba(15,23,42,.94); color: #fff; z-index: 2; }",
    ".viewer .bar { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 10px 12px; }",
    ".viewer .bar a { color: #fff; font-size: 13px; }",
    ".viewer .pic { flex: 1; display: flex; align-items: center; justify-content: center; padding: 8px; min-height: 0; }",
    ".viewer .pic img { max-width: 100%; max-height: 100%; object-fit: contain; }",
    ".typing { font-size: 12px; font-style: italic; color: #57606a; padding: 4px 12px; background: #f6f8fa; }",
    // ---- automatic messages, the line, the offline form ----
    ".msg.out.auto { background: #fff8e6; border-color: #f0d58c; }",
    // ---- the transcript by e-mail, offered once the chat is over ----
    ".transcript { padding: 8px 12px; border-top: 1px solid #d0d7de; background: #f6f8fa; display: flex; flex-direction: column; gap: 6px; font-size: 13px; }",
    ".transcript .linkish { align-self: flex-start; background: none; border: 0; padding: 0; color: var(--accent); text-decoration: underline; cursor: pointer; font: inherit; }",
    ".transcript .row { display: flex; gap: 6px; }",
    ".transcript input { flex: 1; min-width: 0; }",
    ".transcript .said { margin: 0; color: #57606a; }",
    ".transcript .said.error { color: #d1242f; }",
    ".line { display: flex; align-items: center; gap: 10px; padding: 10px 14px; background: #eef4ff; border-top: 1px solid #d6e2f7; color: #1f2328; font-size: 13px; }",
    ".line .place { flex: none; min-width: 34px; height: 34px; padding: 0 6px; border-radius: 17px; background: var(--accent); color: var(--on-accent); display: flex; align-items: center; justify-content: center; font-weight: 700; font-size: 15px; }",
    ".line .wait { display: block; color: #57606a; font-size: 12px; }",
    ".offline { flex: 1; overflow-y: auto; padding: 16px; display: flex; flex-direction: column; gap: 8px; background: #fff; }",
    ".offline h3 { margin: 0; font-size: 15px; }",
    ".offline .why { margin: 0 0 4px; color: #57606a; font-size: 13px; }",
    ".offline textarea { height: 110px; }",
    ".offline [aria-invalid=\"true\"] { border-color: #d1242f; }",
    ".field-error { color: #d1242f; font-size: 12px; margin-top: -4px; }",
    ".thanks { flex: 1; display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 10px; padding: 24px; text-align: center; background: #fff; }",
    ".thanks .tick { width: 48px; height: 48px; border-radius: 50%; background: #1a7f37; color: #fff; display: flex; align-items: center; justify-content: center; font-size: 26px; }",
    ".thanks h3 { margin: 0; font-size: 16px; }",
    ".thanks p { margin: 0; color: #57606a; }",
    // ---- the rating card, after the agent dealt with or ended the chat ----
    ".rate { align-self: stretch; display: flex; flex-direction: column; gap: 8px; padding: 12px; border: 1px solid #e1e6ec; border-radius: 12px; background: #fff; }",
    ".rate h3 { margin: 0; font-size: 14px; }",
    ".rate fieldset { border: 0; margin: 0; padding: 0; display: flex; gap: 6px; }",
    ".rate legend { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }",
    ".star { flex: 1; height: 38px; border: 1px solid #c9d1d9; border-radius: 8px; background: #fff; color: #8c959f; font-size: 20px; line-height: 1; cursor: pointer; }",
    ".star.on { color: #b7791f; border-color: #e3b341; background: #fff8e6; }",
    ".star .n { display: block; font-size: 11px; color: #57606a; }",
    ".rate textarea { height: 48px; }",
    ".rate .problem { margin: 0; color: #d1242f; font-size: 12px; }",
    ".rate .done { margin: 0; color: #1a7f37; font-weight: 600; }",
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
  var fileInput = el("input", { type: "file", multiple: "", accept: ACCEPT, hidden: "", tabindex: "-1", "aria-hidden": "true" });
  // Once the chat is over: the visitor may have its transcript e-mailed to them.
  var transcriptOpen = el("button", { type: "button", class: "linkish", text: "E-mail me the transcript" });
  var transcriptEmail = el("input", { id: "cd-transcript-email", type: "email", autocomplete: "email", maxlength: "254", "aria-label": "E-mail for the transcript", placeholder: "you@example.com" });
  var transcriptSend = el("button", { type: "submit", class: "primary", text: "Send" });
  var transcriptRow = el("div", { class: "row", hidden: "" }, [transcriptEmail, transcriptSend]);
  var transcriptSaid = el("p", { class: "said", role: "status" });
  var transcriptForm = el("form", { class: "transcript", "aria-label": "E-mail me the transcript", novalidate: "", hidden: "" }, [
    transcriptOpen, transcriptRow, transcriptSaid,
  ]);
  var attachButton = el("button", { type: "button", class: "attach", "aria-label": "Attach a file", title: "Attach a file" }, [clipIcon()]);
  var tray = el("div", { class: "tray", "aria-label": "Files to send", hidden: "" });
  var composer = el("form", { class: "composer", "aria-label": "Reply", hidden: "" }, [
    tray, el("div", { class: "row" }, [attachButton, textarea, sendButton]), fileInput, newChatButton,
  ]);
  // The waiting line: the visitor's place and the estimated wait, while no agent has the chat.
  var linePlace = el("span", { class: "place", "aria-hidden": "true" });
  var lineText = el("span", { class: "where" });
  var lineWait = el("span", { class: "wait" });
  var line = el("div", { class: "line", role: "status", "aria-live": "polite", hidden: "" }, [
    linePlace, el("div", {}, [lineText, lineWait]),
  ]);
  // The offline form: shown instead of the chat when the desk is closed or nobody is available.
  function field(id, label, input) {
    var error = el("div", { class: "field-error", id: id + "-error", hidden: "" });
    input.setAttribute("aria-describedby", id + "-error");
    return { input: input, error: error, nodes: [el("label", { for: id, text: label }), input, error] };
  }
  var offName = field("cd-off-name", "Your name", el("input", { id: "cd-off-name", name: "name", type: "text", autocomplete: "name", maxlength: "200" }));
  var offEmail = field("cd-off-email", "Your e-mail", el("input", { id: "cd-off-email", name: "email", type: "email", autocomplete: "email", maxlength: "254" }));
  var offMessage = field("cd-off-message", "Your message", el("textarea", { id: "cd-off-message", name: "message", maxlength: String(MAX_CHARS) }));
  var offFields = { name: offName, email: offEmail, message: offMessage };
  var offTitle = el("h3", { text: "Leave us a message" });
  var offWhy = el("p", { class: "why", text: "" });
  var offSend = el("button", { type: "submit", class: "primary", text: "Send message" });
  var offlineForm = el("form", { class: "offline", "aria-label": "Leave us a message", novalidate: "", hidden: "" },
    [offTitle, offWhy].concat(offName.nodes, offEmail.nodes, offMessage.nodes, [offSend]));
  var thanksTitle = el("h3", { text: "" });
  var thanksText = el("p", { text: "" });
  var anotherButton = el("button", { type: "button", class: "primary", text: "Send another message" });
  var thanks = el("div", { class: "thanks", role: "status", hidden: "" }, [
    el("div", { class: "tick", "aria-hidden": "true", text: "\u2713" }), thanksTitle, thanksText, anotherButton,
  ]);
  var status = el("div", { class: "status", role: "status" });
  var subtitle = el("p", { text: "" });
  var dropHint = el("div", { class: "drop", hidden: "", text: "Drop files to send them" });
  var panel = el("div", {
    id: "chatdesk-panel", class: "panel", role: "dialog", "aria-label": "Chat with us", hidden: "",
  }, [el("div", { class: "head" }, [el("div", {}, [el("h2", { text: "Chat with us" }), subtitle]), closeButton]), log, line, form, composer, transcriptForm, offlineForm, thanks, status, dropHint]);
  var theme = el("style", { text: "" }); // the site's colour, once its config arrives
  root.appendChild(el("style", { text: CSS }));
  root.appendChild(theme);
  root.appendChild(launcher);
  root.appendChild(panel);

  function setStatus(text, isError) {
    status.textContent = text || "";
    status.className = isError ? "status error" : "status";
  }

  function showComposer() {
    form.hidden = true;
    offlineForm.hidden = true;
    thanks.hidden = true;
    log.hidden = false;
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
      if (!offlineForm.hidden) (offFields.name.input.value ? offFields.message.input : offFields.name.input).focus();
      else if (!thanks.hidden) anotherButton.focus();
      else (form.hidden ? (state.ended ? newChatButton : textarea) : nameInput).focus();
      if (!state.token) checkStatus();
      log.scrollTop = log.scrollHeight;
    } else {
      launcher.focus();
    }
  }

  // ---- messages ----
  function addMessage(data) {
    if (state.seen[data.id]) { refreshFiles(data); return; }
    state.seen[data.id] = true;
    if (data.client_id) {
      var mine = log.querySelector('[data-client-id="' + attrSafe(data.client_id) + '"]');
      if (mine) log.removeChild(mine);
      delete state.inflight[data.client_id];
    }
    var automatic = data.kind === "notice";
    var who = data.direction === "in" ? "You" : (automatic ? "Automatic message" : (data.sender_name || "Agent"));
    var bubble = el("div", { class: "msg " + data.direction + (automatic ? " auto" : ""), "data-id": String(data.id) }, [el("span", { class: "who", text: who })]);
    if (data.body) bubble.appendChild(document.createTextNode(data.body));
    if (data.attachments && data.attachments.length) bubble.appendChild(fileList(data.attachments));
    log.appendChild(bubble);
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

  function send(body, uploads) {
    var frame = { type: "message", body: body, client_id: uuid4() };
    uploads = uploads || [];
    if (uploads.length) frame.attachments = uploads.map(function (upload) { return upload.id; });
    state.inflight[frame.client_id] = { body: body, uploads: uploads };
    var names = uploads.map(function (upload) { return "\uD83D\uDCCE " + upload.file.name; }).join("\n");
    log.appendChild(el("div", { class: "msg in sending", "data-client-id": frame.client_id }, [
      el("span", { class: "who", text: "You \u00B7 sending\u2026" }),
      document.createTextNode(body + (body && names ? "\n" : "") + names),
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

  // ---- files: what a message carries, and what the visitor attaches ----
  function refreshFiles(data) {
    // A replay brings fresh links: they replace the ones that may have expired.
    if (!data.attachments || !data.attachments.length) return;
    var bubble = log.querySelector('.msg[data-id="' + attrSafe(data.id) + '"]');
    var old = bubble && bubble.querySelector(".files");
    if (old) bubble.replaceChild(fileList(data.attachments), old);
  }

  function refreshLinks() {
    // Links expire; a new socket replays the chat with fresh ones. Once in a while at
    // most, so a file that is really gone does not make the widget reconnect in a loop.
    var now = Date.now();
    if (now - state.linksRefreshedAt < 30000) return;
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return;
    state.linksRefreshedAt = now;
    var old = state.socket;
    // Detached first: its close is not a drop to recover from, and must not stop the
    // new socket's pings.
    old.onclose = null;
    old.onmessage = null;
    old.close();
    connect();
  }

  function formatSize(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function absolute(url) { return new URL(url, base).href; } // links are the desk's, not the page's

  function fileList(attachments) {
    var list = el("div", { class: "files" });
    attachments.forEach(function (file) {
      if (!file.url) return;
      if (file.thumbnail_url) {
        var picture = el("img", { src: absolute(file.thumbnail_url), alt: file.name });
        // The picture grows the log after it was scrolled down: keep the newest in view.
        picture.addEventListener("load", function () { if (pinned) log.scrollTop = log.scrollHeight; });
        picture.addEventListener("error", refreshLinks);
        var thumb = el("button", { type: "button", class: "thumb", "aria-label": "Show " + file.name }, [picture]);
        thumb.addEventListener("click", function () { openViewer(file); });
        list.appendChild(thumb);
      } else {
        // The desk sends these as downloads; a new tab keeps the chat open if it does not.
        list.appendChild(el("a", {
          class: "file", href: absolute(file.url), target: "_blank", rel: "noopener noreferrer",
          download: file.name,
        }, [clipIcon(), el("span", { text: file.name }), el("span", { class: "size", text: formatSize(file.size || 0) })]));
      }
    });
    return list;
  }

  // Whether the visitor reads the newest messages: pictures that load and a file tray
  // that opens grow the log or shrink its box, and must not push the newest out of view.
  var pinned = true;
  log.addEventListener("scroll", function () {
    pinned = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  });
  if (window.ResizeObserver) {
    new ResizeObserver(function () { if (pinned) log.scrollTop = log.scrollHeight; }).observe(log);
  }

  var viewer = null;
  function openViewer(file) {
    closeViewer();
    var close = el("button", { type: "button", class: "close", "aria-label": "Close picture", text: "\u00D7" });
    var picture = el("img", { src: absolute(file.url), alt: file.name });
    var pic = el("div", { class: "pic" }, [picture]);
    picture.addEventListener("error", function () {
      pic.textContent = "This picture could not be loaded. Close this view and open it again.";
      refreshLinks();
    });
    viewer = el("div", { class: "viewer", role: "dialog", "aria-label": file.name }, [
      el("div", { class: "bar" }, [
        el("a", { href: absolute(file.url), target: "_blank", rel: "noopener noreferrer", text: "Open full size" }),
        close,
      ]),
      pic,
    ]);
    close.addEventListener("click", closeViewer);
    viewer.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { event.stopPropagation(); closeViewer(); }
    });
    panel.appendChild(viewer);
    close.focus();
  }
  function closeViewer() {
    if (viewer && viewer.parentNode) viewer.parentNode.removeChild(viewer);
    viewer = null;
  }

  function addFiles(fileList) {
    if (state.ended || !state.token) return;
    Array.prototype.forEach.call(fileList, function (file) {
      if (state.uploads.length >= MAX_FILES) {
        setStatus("You can send up to " + MAX_FILES + " files in one message.", true);
        return;
      }
      if (state.maxFileBytes && file.size > state.maxFileBytes) {
        setStatus("\u201C" + file.name + "\u201D was not attached: it is larger than the " +
          Math.floor(state.maxFileBytes / (1024 * 1024)) + " MB limit.", true);
        return;
      }
      var entry = { file: file, id: null, xhr: null };
      entry.chip = chipFor(entry);
      state.uploads.push(entry);
      tray.appendChild(entry.chip);
      tray.hidden = false;
      upload(entry);
    });
  }

  function chipFor(entry) {
    var remove = el("button", { type: "button", class: "remove", "aria-label": "Remove " + entry.file.name, text: "\u00D7" });
    entry.bar = el("span", { class: "progress" });
    var children = [];
    if (/^image\/(png|jpeg|gif|webp|bmp)$/.test(entry.file.type) && window.URL && URL.createObjectURL) {
      entry.preview = URL.createObjectURL(entry.file);
      children.push(el("img", { src: entry.preview, alt: "" }));
    }
    children.push(el("span", { class: "name", text: entry.file.name }), remove, entry.bar);
    var chip = el("div", { class: "chip", title: entry.file.name + " (" + formatSize(entry.file.size) + ")" }, children);
    remove.addEventListener("click", function () { dropUpload(entry); textarea.focus(); });
    return chip;
  }

  function upload(entry) {
    var xhr = new XMLHttpRequest();
    entry.xhr = xhr;
    xhr.open("POST", base + "/api/v1/livechat/attachments/");
    xhr.setRequestHeader("X-Visitor-Token", state.token);
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) entry.bar.style.width = Math.round((100 * event.loaded) / event.total) + "%";
    };
    xhr.onload = function () {
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: a proxy's page */ }
      if (xhr.status === 201 && data.id) {
        entry.id = data.id;
        entry.chip.className = "chip done";
        entry.chip.setAttribute("data-file-id", String(data.id));
        return;
      }
      refuseUpload(entry, data.detail || "The file could not be uploaded (error " + xhr.status + ").");
    };
    xhr.onerror = function () {
      refuseUpload(entry, "The file could not be uploaded; check your connection and try again.");
    };
    var body = new FormData();
    body.append("file", entry.file, entry.file.name);
    xhr.send(body);
  }

  function refuseUpload(entry, detail) {
    dropUpload(entry);
    // Only this file is dropped: the typed text and the other files stay.
    setStatus("\u201C" + entry.file.name + "\u201D was not attached. " + detail, true);
  }

  function dropUpload(entry) {
    if (entry.xhr && !entry.id) entry.xhr.abort();
    state.uploads = state.uploads.filter(function (other) { return other !== entry; });
    if (entry.chip.parentNode) entry.chip.parentNode.removeChild(entry.chip);
    if (entry.preview) URL.revokeObjectURL(entry.preview);
    tray.hidden = state.uploads.length === 0;
  }

  function clearTray() {
    state.uploads.forEach(function (entry) { if (entry.preview) URL.revokeObjectURL(entry.preview); });
    while (tray.firstChild) tray.removeChild(tray.firstChild);
    tray.hidden = true;
  }

  function restoreRefused(clientId) {
    // The server refused a message: its text and files come back to the composer.
    var sent = clientId && state.inflight[clientId];
    delete state.inflight[clientId];
    if (!sent) return;
    if (!textarea.value) textarea.value = sent.body;
    // Fresh uploads: the refused ids may be the reason (already sent, expired).
    addFiles(sent.uploads.map(function (upload) { return upload.file; }));
  }

  var dragDepth = 0;
  function carriesFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1 && !composer.hidden && !state.ended;
  }

  // ---- the site's look: colour, greeting, name ----
  var helloNode = null;
  function showGreeting() {
    if (!state.greeting) return;
    if (!helloNode) helloNode = el("div", { class: "hello" });
    helloNode.textContent = state.greeting;
    if (helloNode.parentNode !== log) log.insertBefore(helloNode, log.firstChild);
  }

  function textOn(hex) {
    // Whichever of white or near-black reads better on the site's colour (WCAG contrast).
    function channel(value) {
      var c = value / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
    var n = parseInt(hex.slice(1), 16);
    var lum = 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
    return 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.0655 ? "#ffffff" : "#1f2328";
  }

  function applyConfig(config) {
    if (/^#[0-9a-fA-F]{6}$/.test(config.color || "")) {
      theme.textContent = ".launcher, .panel { --accent: " + config.color + "; --on-accent: " + textOn(config.color) + "; }";
    }
    subtitle.textContent = config.name || "";
    state.greeting = config.greeting || "";
    state.maxFileBytes = config.max_file_bytes || 0;
    showGreeting();
  }

  function loadConfig() {
    fetch(base + "/api/v1/livechat/config/?site_key=" + encodeURIComponent(siteKey), { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (config) { if (config) applyConfig(config); })
      .catch(function () { /* the default look is fine */ });
  }

  // ---- the waiting line ----
  function formatWait(seconds) {
    if (seconds === null || seconds === undefined) return "An agent will be with you as soon as possible.";
    if (seconds < 60) return "Estimated wait: less than a minute";
    var minutes = Math.round(seconds / 60);
    if (minutes < 60) return "Estimated wait: about " + minutes + (minutes === 1 ? " minute" : " minutes");
    var hours = Math.round(minutes / 60);
    return "Estimated wait: about " + hours + (hours === 1 ? " hour" : " hours");
  }

  function showPlace(data) {
    if (!data || data.position === null || data.position === undefined || state.ended) {
      line.hidden = true;
      return;
    }
    linePlace.textContent = String(data.position);
    lineText.textContent = data.position === 1 ? "You are next in line." : "You are number " + data.position + " in line.";
    lineWait.textContent = formatWait(data.estimated_wait_seconds);
    line.setAttribute("data-position", String(data.position));
    line.hidden = false;
  }

  // ---- open or not: the chat, or the offline form ----
  var draftKey = storageKey + ".offline";
  function checkStatus() {
    if (state.token || !thanks.hidden) return Promise.resolve(null);
    return fetch(base + "/api/v1/livechat/status/?site_key=" + encodeURIComponent(siteKey), { credentials: "omit", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (siteStatus) {
        if (!siteStatus || state.token) return siteStatus;
        if (!siteStatus.open) showOffline(siteStatus);
        else if (!offlineForm.hidden && !offlineTouched()) showStart();
        return siteStatus;
      })
      .catch(function () { return null; }); // unreachable: the start form stays
  }

  function offlineTouched() {
    return Object.keys(offFields).some(function (key) { return offFields[key].input.value.trim(); });
  }

  function whenOpen(iso) {
    var at = new Date(iso);
    if (isNaN(at.getTime())) return "";
    // In the visitor's own time zone and language: "on Monday at 09:00".
    var soon = at.getTime() - Date.now() < 6 * 24 * 3600 * 1000;
    var day = at.toLocaleDateString([], soon ? { weekday: "long" } : { weekday: "long", day: "numeric", month: "long" });
    return "on " + day + " at " + at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function showOffline(siteStatus) {
    form.hidden = true;
    composer.hidden = true;
    thanks.hidden = true;
    log.hidden = true;
    offlineForm.hidden = false;
    var reopens = siteStatus.next_open_at ? whenOpen(siteStatus.next_open_at) : "";
    if (!siteStatus.within_hours) {
      offWhy.textContent = "We are closed right now" + (reopens ? " and open again " + reopens + " (your time)" : "") +
        ". Leave us a message and we will answer by e-mail.";
    } else {
      offWhy.textContent = "Nobody is available to chat right now. Leave us a message and we will answer by e-mail.";
    }
    restoreDraft();
  }

  function showStart() {
    offlineForm.hidden = true;
    thanks.hidden = true;
    log.hidden = false;
    form.hidden = false;
  }

  function saveDraft() {
    var draft = {};
    Object.keys(offFields).forEach(function (key) { draft[key] = offFields[key].input.value; });
    try { localStorage.setItem(draftKey, JSON.stringify(draft)); } catch (e) { /* private mode */ }
  }
  function restoreDraft() {
    var draft = null;
    try { draft = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { draft = null; }
    if (!draft) return;
    Object.keys(offFields).forEach(function (key) {
      if (!offFields[key].input.value && typeof draft[key] === "string") offFields[key].input.value = draft[key];
    });
  }
  function clearDraft() {
    try { localStorage.removeItem(draftKey); } catch (e) { /* private mode */ }
  }

  function showFieldErrors(errors) {
    var first = null;
    Object.keys(offFields).forEach(function (key) {
      var entry = offFields[key];
      var message = errors[key];
      entry.error.textContent = message || "";
      entry.error.hidden = !message;
      if (message) entry.input.setAttribute("aria-invalid", "true");
      else entry.input.removeAttribute("aria-invalid");
      if (message && !first) first = entry.input;
    });
    if (first) first.focus();
    return !!first;
  }

  function offlineErrors(values) {
    var errors = {};
    if (!values.name.trim()) errors.name = "Please tell us your name.";
    if (!values.email.trim()) errors.email = "Please give an e-mail address so we can answer you.";
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) errors.email = "This e-mail address does not look right.";
    if (!values.message.trim()) errors.message = "Please write your message.";
    return errors;
  }

  function sendOffline() {
    var values = {
      name: offName.input.value.trim(),
      email: offEmail.input.value.trim(),
      message: offMessage.input.value,
    };
    setStatus("");
    if (showFieldErrors(offlineErrors(values))) return;
    offSend.disabled = true;
    offSend.textContent = "Sending\u2026";
    var payload = {
      site_key: siteKey, name: values.name, email: values.email, message: values.message,
      page_url: location.href, page_title: document.title, referrer: document.referrer,
    };
    postJson("/api/v1/livechat/offline-messages/", payload).then(function (answer) {
      var response = answer.response, data = answer.data;
      if (response.status === 201) { showThanks(values); return; }
      var fieldErrors = {};
      Object.keys(offFields).forEach(function (key) {
        if (Array.isArray(data[key])) fieldErrors[key] = data[key].join(" ");
      });
      if (!showFieldErrors(fieldErrors)) {
        setStatus((data && data.detail) || "Your message could not be sent (error " + response.status + "). Please try again.", true);
      }
    }).catch(function () {
      // Nothing typed is lost: the form keeps it (and so does the draft).
      setStatus("Your message could not be sent; check your connection and try again.", true);
    }).then(function () {
      offSend.disabled = false;
      offSend.textContent = "Send message";
    });
  }

  function showThanks(values) {
    clearDraft();
    Object.keys(offFields).forEach(function (key) { offFields[key].input.value = ""; });
    offlineForm.hidden = true;
    thanksTitle.textContent = "Thank you, " + values.name + "!";
    thanksText.textContent = "We have your message and will answer you at " + values.email + ".";
    thanks.hidden = false;
    anotherButton.focus();
  }

  // ---- session and socket ----
  function startSession(payload) {
    payload.site_key = siteKey;
    // Where the visitor is: sent on every start and resume, so agents see the page they are on now.
    payload.page_url = location.href;
    payload.page_title = document.title;
    payload.referrer = document.referrer;
    return postJson("/api/v1/livechat/sessions/", payload).then(function (answer) {
      var response = answer.response, data = answer.data;
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
  }

  // A JSON POST to the desk, without cookies: the response and its body ({} if none).
  function postJson(path, payload, headers) {
    var sent = { "Content-Type": "application/json" };
    Object.keys(headers || {}).forEach(function (key) { sent[key] = headers[key]; });
    return fetch(base + path, {
      method: "POST",
      headers: sent,
      body: JSON.stringify(payload),
      credentials: "omit",
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { response: response, data: data };
      });
    });
  }

  function connect() {
    clearTimeout(state.retryTimer);
    var socket = new WebSocket(socketBase + "/ws/livechat/?token=" + encodeURIComponent(state.token));
    state.socket = socket;
    socket.addEventListener("message", transcriptOnFrame);
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
      else if (frame.type === "queue.position") showPlace(frame.data);
      else if (frame.type === "csat.request") askRating();
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
    if (sending.length) {
      var last = sending[sending.length - 1];
      restoreRefused(last.getAttribute("data-client-id"));
      log.removeChild(last);
    }
    setStatus(detail || "The message could not be sent.", true);
  }

  // A chat dealt with (the satisfaction question comes then) is over too.
  function transcriptOnFrame(event) {
    var frame;
    try { frame = JSON.parse(event.data); } catch (e) { return; }
    if (frame.type === "csat.request") offerTranscript();
  }

  function offerTranscript() {
    if (!state.token || !log.querySelector(".msg")) return; // nothing said: nothing to send
    transcriptForm.hidden = false;
  }

  function hideTranscript() {
    transcriptForm.hidden = true;
    transcriptRow.hidden = true;
    transcriptOpen.hidden = false;
    transcriptSaid.textContent = "";
  }

  transcriptOpen.addEventListener("click", function () {
    transcriptOpen.hidden = true;
    transcriptRow.hidden = false;
    transcriptEmail.value = transcriptEmail.value || emailInput.value.trim();
    transcriptEmail.focus();
  });

  transcriptForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var email = transcriptEmail.value.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      transcriptSaid.textContent = "Enter a valid e-mail address.";
      transcriptSaid.className = "said error";
      transcriptEmail.setAttribute("aria-invalid", "true");
      transcriptEmail.focus();
      return;
    }
    transcriptEmail.removeAttribute("aria-invalid");
    transcriptSend.disabled = true;
    postJson("/api/v1/livechat/transcript/", { email: email }, { "X-Visitor-Token": state.token }).then(function (answer) {
      var ok = answer.response.ok;
      var detail = answer.data.detail || (answer.data.email && answer.data.email[0]);
      transcriptSaid.textContent = ok ? "Sent to " + email + "." : (detail || "The transcript could not be sent.");
      transcriptSaid.className = ok ? "said" : "said error";
      if (ok) transcriptRow.hidden = true;
    }).catch(function () {
      transcriptSaid.textContent = "The transcript could not be sent; check your connection.";
      transcriptSaid.className = "said error";
    }).then(function () { transcriptSend.disabled = false; });
  });

  function endChat(notice) {
    state.ended = true;
    showPlace(null);
    state.pending = [];
    if (state.socket) state.socket.close();
    addNotice(notice || "This chat has ended.");
    // The rating card asked for just before the end stays the last thing in the log.
    var card = log.querySelector(".rate");
    if (card) log.appendChild(card);
    showComposer();
    setStatus("");
    offerTranscript();
  }

  // ---- the rating card: 1 to 5 stars and an optional comment, asked for once ----
  function askRating() {
    if (log.querySelector(".rate")) return;
    var token = state.token; // the chat's session: a new chat started later has another
    var chosen = 0;
    var stars = [];
    var legend = el("legend", { text: "Your rating, from 1 (poor) to 5 (excellent)" });
    var group = el("fieldset", {}, [legend]);
    [1, 2, 3, 4, 5].forEach(function (value) {
      var star = el("button", { type: "button", class: "star", "aria-pressed": "false", "aria-label": value + (value === 1 ? " star" : " stars"), "data-rating": String(value) }, [
        document.createTextNode("\u2605"), el("span", { class: "n", text: String(value) }),
      ]);
      star.addEventListener("click", function () {
        chosen = value;
        stars.forEach(function (other, index) {
          other.className = index < value ? "star on" : "star";
          other.setAttribute("aria-pressed", String(index + 1 === value));
        });
        submit.disabled = false;
        problem.hidden = true;
      });
      stars.push(star);
      group.appendChild(star);
    });
    var comment = el("textarea", { "aria-label": "Comment (optional)", placeholder: "Anything to add? (optional)", maxlength: "2000" });
    var submit = el("button", { type: "submit", class: "primary", text: "Send rating" });
    submit.disabled = true;
    var problem = el("p", { class: "problem", role: "alert" });
    problem.hidden = true;
    var card = el("form", { class: "rate", "aria-label": "Rate this chat" }, [
      el("h3", { text: "How did we do?" }), group, comment, submit, problem,
    ]);
    card.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!chosen) return;
      submit.disabled = true;
      fetch(base + "/api/v1/livechat/csat/", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Visitor-Token": token || "" },
        body: JSON.stringify({ rating: chosen, comment: comment.value.trim() }),
        credentials: "omit",
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 201) { thank("Thank you for your rating!"); return; }
          if (response.status === 409) { thank(data.detail || "This chat has been rated already."); return; }
          problem.textContent = data.detail || (data.rating && data.rating[0]) || "The rating could not be sent; please try again.";
          problem.hidden = false;
          submit.disabled = false;
        });
      }).catch(function () {
        problem.textContent = "The rating could not be sent; check your connection and try again.";
        problem.hidden = false;
        submit.disabled = false;
      });
    });
    // Answered (or no longer open to answer): the card gives way to one line.
    function thank(text) {
      while (card.firstChild) card.removeChild(card.firstChild);
      card.appendChild(el("p", { class: "done", role: "status", text: text }));
    }
    log.appendChild(card);
    log.scrollTop = log.scrollHeight;
    if (!state.open) {
      state.unread += 1;
      badge.textContent = String(state.unread);
      badge.hidden = false;
    }
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
      hideTranscript();
      state.seen = {};
      while (log.firstChild) log.removeChild(log.firstChild);
      showGreeting();
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
    if (state.ended) return;
    if (state.uploads.some(function (upload) { return !upload.id; })) {
      setStatus("Wait for your files to finish uploading.", false);
      return;
    }
    if (!body && !state.uploads.length) return;
    var uploads = state.uploads;
    clearTray();
    state.uploads = [];
    textarea.value = "";
    send(body, uploads);
  });
  textarea.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter starts a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit ? composer.requestSubmit() : sendButton.click();
    }
  });
  newChatButton.addEventListener("click", startNewChat);
  offlineForm.addEventListener("submit", function (event) { event.preventDefault(); sendOffline(); });
  offlineForm.addEventListener("input", function (event) {
    saveDraft();
    var key = event.target && event.target.name;
    if (offFields[key] && event.target.getAttribute("aria-invalid")) {
      // The visitor is fixing it: the old complaint goes once the field has text.
      if (event.target.value.trim()) {
        event.target.removeAttribute("aria-invalid");
        offFields[key].error.hidden = true;
      }
    }
  });
  anotherButton.addEventListener("click", function () {
    thanks.hidden = true;
    offlineForm.hidden = false;
    offName.input.focus();
  });
  attachButton.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    addFiles(fileInput.files);
    fileInput.value = ""; // the same file again is a new choice
  });
  textarea.addEventListener("paste", function (event) {
    var pasted = event.clipboardData && event.clipboardData.files;
    if (pasted && pasted.length) {
      event.preventDefault(); // a pasted screenshot becomes a file, not text
      addFiles(pasted);
    }
  });
  panel.addEventListener("dragenter", function (event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth += 1;
    dropHint.hidden = false;
  });
  panel.addEventListener("dragover", function (event) {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  panel.addEventListener("dragleave", function () {
    dragDepth = Math.max(0, dragDepth - 1);
    if (!dragDepth) dropHint.hidden = true;
  });
  panel.addEventListener("drop", function (event) {
    dragDepth = 0;
    dropHint.hidden = true;
    if (!carriesFiles(event)) return;
    event.preventDefault();
    addFiles(event.dataTransfer.files);
  });

  function mount() {
    document.body.appendChild(host);
    loadConfig();
    var saved = load();
    if (saved && saved.token) {
      state.token = saved.token;
      state.name = saved.name || "";
      resume();
    } else {
      checkStatus();
    }
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
