// Kanal Aduan sandbox page: a small Telegram-like client. Every action goes to the sandbox
// server's JSON API, which plays it on the emulator's control API as the pane's person.
"use strict";

const query = new URLSearchParams(window.location.search);
const LANG = query.get("lang") === "en" ? "en" : "id";
const POLL_MS = 700;
// Only web links in a message become clickable (written without a double slash, so that no
// address appears in the page's files: the offline test looks for them).
const WEB_LINK = new RegExp("^https?:[/][/]");
let T = {};
let STATE = null;
const panes = new Map();
let activeKey = null; // the chat shown on a phone, chosen in the chat list

function fmt(text, values) {
  return String(text).replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body instanceof FormData) {
    options.body = body;
  } else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (failure) {
    throw new Refused("offline");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Refused(typeof data.error === "string" ? data.error : "server");
  return data;
}

// The sandbox refuses with a code; the page says it in its own language (sandbox.error.CODE).
class Refused extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

function explain(error) {
  const code = error instanceof Refused ? error.code : "server";
  if (!(error instanceof Refused)) console.error(error);
  return T[`error.${code}`] || T["error.server"] || code;
}

function status(text, isError) {
  const box = document.getElementById("status");
  box.textContent = text;
  box.classList.toggle("error", Boolean(isError));
}

async function guarded(action) {
  try {
    await action();
    // A refusal said earlier is over once a later action goes through.
    if (document.getElementById("status").classList.contains("error")) status("");
    return true;
  } catch (error) {
    status(fmt(T.error, { error: explain(error) }), true);
    return false;
  }
}

function closeMenu() {
  document.getElementById("topbar").classList.remove("open");
  document.getElementById("more").setAttribute("aria-expanded", "false");
}

async function busy(action) {
  document.getElementById("busy").hidden = false;
  try {
    // Done: on a phone the trainer's menu gives the chats their room back; refused: it stays
    // open for the trainer to correct the entry.
    if (await guarded(action)) closeMenu();
  } finally {
    document.getElementById("busy").hidden = true;
    for (const pane of panes.values()) {
      pane.seen = "";
      pane.replyTo = null;
      pane.hiddenKeyboard = null;
      pane.stick = true; // a scenario or a new day: every chat shows its newest message
      showReplying(pane);
    }
    await Promise.all([refreshState(), pollAll()]);
    for (const pane of panes.values()) toBottom(pane);
  }
}

// --- messages ---------------------------------------------------------------------------------

function messageText(message) {
  return message.text || message.caption || "";
}

function renderEntities(text, entities) {
  // Bold, italic and code as Telegram shows them; offsets count UTF-16 units, like JS strings.
  const fragment = document.createDocumentFragment();
  // A text link (the card's "📍 Lihat peta") opens in a new tab, http(s) only.
  const styles = { bold: "strong", italic: "em", code: "code", pre: "code", underline: "u", text_link: "a" };
  let position = 0;
  const sorted = (entities || []).filter((e) => styles[e.type]).sort((a, b) => a.offset - b.offset);
  for (const entity of sorted) {
    if (entity.offset < position) continue; // nested styles: the outer one is enough here
    fragment.append(text.slice(position, entity.offset));
    const node = el(styles[entity.type], "", text.slice(entity.offset, entity.offset + entity.length));
    if (entity.type === "text_link" && WEB_LINK.test(entity.url || "")) {
      node.href = entity.url;
      node.target = "_blank";
      node.rel = "noopener noreferrer";
    }
    fragment.append(node);
    position = entity.offset + entity.length;
  }
  fragment.append(text.slice(position));
  return fragment;
}

function senderName(message) {
  if (message.from_bot) return T.bot_name;
  const from = message.from || {};
  return [from.first_name, from.last_name].filter(Boolean).join(" ");
}

function quoteOf(message) {
  const quoted = message.reply_to_message;
  if (!quoted) return null;
  let text = messageText(quoted);
  if (!text && quoted.photo) text = "📷";
  if (!text && quoted.voice) text = "🎙️";
  if (!text && (quoted.video || quoted.video_note)) text = "🎬";
  if (!text && quoted.location) text = "📍";
  return el("div", "quote", text);
}

function inlineKeyboard(pane, message) {
  const rows = (message.reply_markup || {}).inline_keyboard;
  if (!rows || !rows.length) return null;
  const box = el("div", "inline-keyboard");
  for (const row of rows) {
    const line = el("div", "row");
    for (const button of row) {
      const press = el("button", "", button.text);
      press.type = "button";
      if (button.callback_data !== undefined) {
        press.addEventListener("click", () => tap(pane, message, button.callback_data, press));
      } else {
        press.disabled = true; // links leave the sandbox; it works offline
        press.title = button.url || "";
      }
      line.append(press);
    }
    box.append(line);
  }
  return box;
}

function tap(pane, message, data, press) {
  // As in Telegram: the button spins until the bot answers (or gives up), then the answer
  // shows over the chat; an old button stays tappable, it is not greyed out. On WhatsApp the
  // tap is the citizen's message (no answer comes).
  return guarded(async () => {
    press.disabled = true;
    press.classList.add("pressing");
    try {
      const pressed = await api("POST", `/api/panes/${pane.info.key}/press`, {
        message_id: message.message_id, data,
      });
      if (pressed.answer && pressed.answer.text) showAnswer(pane, pressed.answer);
    } finally {
      press.disabled = false;
      press.classList.remove("pressing");
    }
    await afterAction(pane);
  });
}

// --- WhatsApp (Wati's pane): reply buttons under the bubble, a list behind its button --------

function waChoice(pane, message, choice, className) {
  const press = el("button", className);
  press.type = "button";
  press.dataset.choice = choice.id;
  press.append(el("span", "title", choice.title));
  if (choice.description) press.append(el("span", "description", choice.description));
  press.addEventListener("click", () => tap(pane, message, choice.id, press));
  return press;
}

function waExtras(pane, message) {
  const box = el("div", "wa-actions");
  for (const choice of message.buttons || []) box.append(waChoice(pane, message, choice, "wa-button"));
  if (message.list) {
    // WhatsApp shows a list message's button; its rows open over the chat, one tap each.
    const open = el("button", "wa-button wa-list-open", `☰ ${message.list.button}`);
    open.type = "button";
    const rows = el("div", "wa-list");
    rows.hidden = true;
    rows.append(el("div", "wa-list-title", message.list.button));
    for (const row of message.list.rows) rows.append(waChoice(pane, message, row, "wa-row"));
    open.addEventListener("click", () => {
      rows.hidden = !rows.hidden;
      open.setAttribute("aria-expanded", String(!rows.hidden));
    });
    box.append(open, rows);
  }
  if (message.location_request) {
    const share = el("button", "wa-button", `📍 ${T.wa_send_location}`);
    share.type = "button";
    share.addEventListener("click", () => guarded(() => shareLocation(pane)));
    box.append(share);
  }
  return box.childElementCount ? box : null;
}

function clipPlayer(pane, kind, url) {
  // A voice note or video in the chat: what it is, and a player that fetches it like a client
  // does (the player shows its length, read from the file itself).
  const box = el("div", `clip ${kind}`);
  const name = T[`clip_${kind}`];
  box.append(el("div", "clip-label", name));
  const player = el(kind === "voice" ? "audio" : "video");
  player.controls = true;
  player.preload = "metadata";
  player.setAttribute("aria-label", name);
  player.addEventListener("loadedmetadata", () => { if (pane.stick) toBottom(pane); });
  player.src = url;
  box.append(player);
  return box;
}

function telegramClip(pane, message) {
  const clip = message.voice || message.video || message.video_note;
  if (!clip || !clip.file_id) return null;
  const kind = message.voice ? "voice" : "video";
  return clipPlayer(pane, kind, `/api/files/${encodeURIComponent(clip.file_id)}`);
}

function renderWaMessage(pane, message) {
  const bubble = el("div", `msg wa ${message.from_bot ? "bot" : "out"}`);
  bubble.dataset.messageId = message.message_id;
  if (message.quote) bubble.append(el("div", "quote", message.quote));
  if (message.picture) {
    const image = el("img");
    image.addEventListener("load", () => { if (pane.stick) toBottom(pane); });
    image.src = message.picture;
    image.alt = "📷";
    bubble.append(image);
  }
  if (message.clip) bubble.append(clipPlayer(pane, message.clip.kind, message.clip.url));
  if (message.location) bubble.append(el("div", "location", fmt(T.location_text, message.location)));
  if (message.text) bubble.append(el("div", "text", message.text));
  const meta = el("div", "meta");
  if (message.shown) meta.append(el("span", "time", message.shown.time));
  if (!message.from_bot) meta.append(el("span", "ticks", "✓✓"));
  const reply = el("button", "reply-action", `↩ ${T.reply}`);
  reply.type = "button";
  reply.addEventListener("click", () => {
    pane.replyTo = { id: message.message_id, text: message.text || (message.picture ? "📷" : message.clip ? "🎙️" : "") };
    showReplying(pane);
    pane.input.focus();
  });
  meta.append(reply);
  bubble.append(meta);
  const extras = waExtras(pane, message);
  if (!extras) return bubble;
  const group = el("div", `wa-group ${message.from_bot ? "bot" : "out"}`);
  group.append(bubble, extras);
  return group;
}

function renderMessage(pane, message) {
  if (pane.info.kind === "whatsapp") return renderWaMessage(pane, message);
  const bubble = el("div", `msg ${message.from_bot ? "bot" : "out"}`);
  bubble.dataset.messageId = message.message_id;
  if (pane.info.is_group) bubble.append(el("div", "sender", senderName(message)));
  const quote = quoteOf(message);
  if (quote) bubble.append(quote);
  if (message.photo && message.photo.length) {
    const image = el("img");
    const size = message.photo[message.photo.length - 1];
    // Telegram says the photo's size: its space is kept before it loads, so the chat does not
    // grow under the reader; a reader following the newest message stays there anyway.
    if (size.width && size.height) {
      image.width = size.width;
      image.height = size.height;
    }
    image.addEventListener("load", () => { if (pane.stick) toBottom(pane); });
    image.src = `/api/files/${encodeURIComponent(size.file_id)}`;
    image.alt = "📷";
    bubble.append(image);
  }
  const clip = telegramClip(pane, message);
  if (clip) bubble.append(clip);
  if (message.location) {
    bubble.append(el("div", "location", fmt(T.location_text, message.location)));
  }
  const text = messageText(message);
  if (text) {
    const body = el("div", "text");
    body.append(renderEntities(text, message.entities || message.caption_entities));
    bubble.append(body);
  }
  const keyboard = inlineKeyboard(pane, message);
  if (keyboard) bubble.append(keyboard);
  const meta = el("div", "meta");
  if (message.edited) meta.append(el("span", "", T.edited));
  if (message.shown) meta.append(el("span", "time", message.shown.time));
  const reply = el("button", "reply-action", `↩ ${T.reply}`);
  reply.type = "button";
  const startReply = () => {
    pane.replyTo = { id: message.message_id, text: text || (message.photo ? "📷" : clip ? "🎙️" : "") };
    showReplying(pane);
    pane.input.focus();
  };
  reply.addEventListener("click", startReply);
  // As the officers' guide says of Telegram: a long press on a message (a right click or a
  // double click on a computer) replies to it. Buttons and links keep their own taps.
  const onHold = (event) => {
    if (event.target.closest("a, button")) return;
    event.preventDefault();
    startReply();
  };
  bubble.addEventListener("contextmenu", onHold);
  bubble.addEventListener("dblclick", onHold);
  meta.append(reply);
  bubble.append(meta);
  return bubble;
}

// --- a button's answer: a toast over the chat, or an alert with OK ------------------------------

const TOAST_MS = 4000;

function showAnswer(pane, answer) {
  if (answer.show_alert) showAlert(pane, answer.text);
  else showToast(pane, answer.text);
}

function showToast(pane, text) {
  pane.toast.textContent = text;
  pane.toast.hidden = false;
  window.clearTimeout(pane.toastTimer);
  pane.toastTimer = window.setTimeout(() => { pane.toast.hidden = true; }, TOAST_MS);
}

function showAlert(pane, text) {
  pane.toast.hidden = true;
  pane.alertText.textContent = text;
  pane.alert.hidden = false;
  pane.alert.querySelector(".alert-ok").focus();
}

function closeAlert(pane) {
  pane.alert.hidden = true; // no focus to the input: on a phone that would open the keyboard
}

function currentReplyKeyboard(messages) {
  // Telegram keeps the last reply keyboard the bot sent until it sends "remove_keyboard".
  let current = null;
  for (const message of messages) {
    const markup = message.from_bot ? message.sent_markup : null;
    if (!markup) continue;
    if (markup.keyboard) current = { id: message.message_id, rows: markup.keyboard, once: markup.one_time_keyboard };
    else if (markup.remove_keyboard) current = null;
  }
  return current;
}

function renderReplyKeyboard(pane, messages) {
  const box = pane.replyKeyboard;
  box.replaceChildren();
  const keyboard = currentReplyKeyboard(messages);
  box.hidden = !keyboard || pane.hiddenKeyboard === keyboard.id;
  if (box.hidden) return;
  for (const row of keyboard.rows) {
    const line = el("div", "row");
    for (const button of row) {
      const key = el("button", "", button.text);
      key.type = "button";
      key.addEventListener("click", () => guarded(async () => {
        if (keyboard.once) pane.hiddenKeyboard = keyboard.id;
        if (button.request_location) await shareLocation(pane);
        else await sendText(pane, button.text);
      }));
      line.append(key);
    }
    box.append(line);
  }
}

function daySeparator(label) {
  // As Telegram shows it: the day's name above its first message ("Senin, 30 November 2026").
  const line = el("div", "day");
  line.append(el("span", "", label));
  return line;
}

function toBottom(pane) {
  pane.chat.scrollTop = pane.chat.scrollHeight;
  pane.autoTop = pane.chat.scrollTop;
}

function render(pane, messages) {
  const chat = pane.chat;
  chat.replaceChildren();
  if (!messages.length) {
    if (pane.info.is_group) {
      chat.append(el("p", "empty", T.empty));
    } else {
      // WhatsApp has no Start button: the citizen's first message opens the chat.
      const whatsapp = pane.info.kind === "whatsapp";
      const start = el("button", "start", whatsapp ? T.wa_start : T.start);
      start.type = "button";
      const first = whatsapp ? T.wa_first_message : "/start";
      start.addEventListener("click", () => guarded(() => sendText(pane, first)));
      chat.append(start);
    }
  }
  let day = null;
  for (const message of messages) {
    const shownDay = message.shown ? message.shown.day : null;
    if (shownDay && shownDay !== day) chat.append(daySeparator(shownDay));
    day = shownDay || day;
    chat.append(renderMessage(pane, message));
  }
  renderReplyKeyboard(pane, messages);
  if (!pane.rendered) pane.stick = true;
  if (pane.stick) toBottom(pane);
  if (pane.rendered && messages.length > pane.count && pane.info.key !== activeKey) markUnread(pane, true);
  pane.count = messages.length;
  pane.rendered = true;
}

async function poll(pane) {
  const messages = await api("GET", `/api/panes/${pane.info.key}/messages?lang=${LANG}`);
  const seen = JSON.stringify(messages);
  if (seen === pane.seen) return;
  pane.seen = seen;
  render(pane, messages);
}

async function pollAll() {
  await Promise.all([...panes.values()].map((pane) => poll(pane).catch(() => {})));
}

// --- sending ------------------------------------------------------------------------------------

function takeReply(pane) {
  const id = pane.replyTo ? pane.replyTo.id : null;
  pane.replyTo = null;
  showReplying(pane);
  return id;
}

function showReplying(pane) {
  pane.replying.hidden = !pane.replyTo;
  pane.replyingText.textContent = pane.replyTo ? `${T.replying_to}: ${pane.replyTo.text}` : "";
}

async function afterAction(pane) {
  // Whoever writes or taps in a chat sees what follows, as in Telegram.
  pane.stick = true;
  await poll(pane);
  toBottom(pane);
}

async function sendText(pane, text) {
  await api("POST", `/api/panes/${pane.info.key}/text`, { text, reply_to: takeReply(pane) });
  await afterAction(pane);
}

async function shareLocation(pane) {
  await api("POST", `/api/panes/${pane.info.key}/location`, {});
  await afterAction(pane);
}

async function sendPhotoFile(pane, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  form.append("caption", pane.input.value);
  const replyTo = takeReply(pane);
  if (replyTo) form.append("reply_to", String(replyTo));
  pane.input.value = "";
  await api("POST", `/api/panes/${pane.info.key}/photo`, form);
  await afterAction(pane);
}

async function sendVoice(pane) {
  await api("POST", `/api/panes/${pane.info.key}/voice`, { reply_to: takeReply(pane) });
  await afterAction(pane);
}

async function sendSample(pane, name) {
  const caption = pane.input.value;
  pane.input.value = "";
  await api("POST", `/api/panes/${pane.info.key}/photo`, { sample: name, caption, reply_to: takeReply(pane) });
  await afterAction(pane);
}

// --- building the page ----------------------------------------------------------------------------

function buildPane(info) {
  const node = document.getElementById("pane-template").content.firstElementChild.cloneNode(true);
  node.dataset.pane = info.key;
  node.dataset.kind = info.kind;
  node.querySelector("h2").textContent = info.title;
  node.querySelector(".avatar").textContent = info.title.slice(0, 1);
  node.querySelector(".pane-kind").textContent = T[`kind.${info.kind}`];
  const actingAs = fmt(T.acting_as, { name: info.user.name });
  node.querySelector(".acting-as").textContent = info.is_group ? `${actingAs} · ${T.admin}` : actingAs;
  if (info.is_group) {
    // The officer's private chat with the bot, where /dasbor's console link arrives.
    const privateChat = el("a", "private-chat", T.private_chat);
    privateChat.href = `/pribadi/${info.key}?lang=${LANG}`;
    privateChat.target = "_blank";
    privateChat.title = T.private_chat_hint;
    node.querySelector(".pane-kind").append(" · ", privateChat);
  }
  const pane = {
    info,
    node,
    chat: node.querySelector(".chat"),
    input: node.querySelector(".input"),
    replying: node.querySelector(".replying"),
    replyingText: node.querySelector(".replying-text"),
    replyKeyboard: node.querySelector(".reply-keyboard"),
    toast: node.querySelector(".toast"),
    toastTimer: 0,
    alert: node.querySelector(".alert"),
    alertText: node.querySelector(".alert-text"),
    replyTo: null,
    hiddenKeyboard: null,
    seen: "",
    rendered: false,
    stick: true, // follow the newest message; false while the reader has scrolled back
    autoTop: 0, // where the page itself last scrolled the chat
    count: 0,
  };
  pane.chat.addEventListener("scroll", () => {
    // Only a person's scroll decides; the page's own scroll (or content growing under it)
    // leaves the chat following the newest message.
    if (Math.abs(pane.chat.scrollTop - pane.autoTop) <= 1) return;
    pane.stick = pane.chat.scrollHeight - pane.chat.scrollTop - pane.chat.clientHeight < 60;
  });
  pane.input.placeholder = T.placeholder;
  const ok = node.querySelector(".alert-ok");
  ok.textContent = T.ok;
  ok.addEventListener("click", () => closeAlert(pane));
  pane.alert.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeAlert(pane);
  });
  label(node.querySelector(".send"), T.send);
  label(node.querySelector(".cancel-reply"), T.cancel);
  const form = node.querySelector(".composer");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = pane.input.value.trim();
    if (!text) return;
    pane.input.value = "";
    guarded(() => sendText(pane, text));
  });
  pane.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  node.querySelector(".cancel-reply").addEventListener("click", () => {
    pane.replyTo = null;
    showReplying(pane);
  });
  const file = node.querySelector(".file");
  const attach = node.querySelector(".attach");
  label(attach, T.photo);
  attach.addEventListener("click", () => file.click());
  file.addEventListener("change", () => {
    const chosen = file.files[0];
    file.value = "";
    if (chosen) guarded(() => sendPhotoFile(pane, chosen));
  });
  const location = node.querySelector(".share-location");
  label(location, T.location);
  location.addEventListener("click", () => guarded(() => shareLocation(pane)));
  const samples = node.querySelector(".samples");
  const toggle = node.querySelector(".samples-toggle");
  label(toggle, T.samples);
  toggle.addEventListener("click", () => {
    samples.hidden = !samples.hidden;
    toggle.setAttribute("aria-expanded", String(!samples.hidden));
  });
  for (const sample of STATE.samples) {
    const pick = el("button", "sample");
    pick.type = "button";
    pick.dataset.sample = sample.name;
    const image = el("img");
    image.src = sample.url;
    image.alt = sample.label;
    pick.append(image, sample.label);
    pick.addEventListener("click", () => {
      samples.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      guarded(() => sendSample(pane, sample.name));
    });
    samples.append(pick);
  }
  // The sample voice note: what a citizen records with the microphone button, as evidence or
  // a follow-up (or an officer, replying to a card, for the reporter).
  const voice = el("button", "sample voice-sample");
  voice.type = "button";
  voice.append(el("span", "voice-icon", "🎙️"), T.voice_sample);
  voice.addEventListener("click", () => {
    samples.hidden = true;
    toggle.setAttribute("aria-expanded", "false");
    guarded(() => sendVoice(pane));
  });
  samples.append(voice);
  return pane;
}

function label(node, text) {
  // What a person hovers over and what a screen reader says, in the page's language.
  node.title = text;
  node.setAttribute("aria-label", text);
}

// --- the chat list (shown on phones) -------------------------------------------------------------

function buildTab(pane) {
  const tab = el("button");
  tab.type = "button";
  tab.setAttribute("role", "tab");
  tab.dataset.pane = pane.info.key;
  tab.style.setProperty("--tab-color", `var(--${pane.info.kind})`);
  tab.append(el("span", "dot"), el("span", "label", pane.info.short), el("span", "unread-mark"));
  tab.title = pane.info.title;
  tab.addEventListener("click", () => showPane(pane.info.key));
  pane.tab = tab;
  return tab;
}

function markUnread(pane, unread) {
  pane.tab.classList.toggle("unread", unread);
  pane.tab.title = unread ? `${pane.info.title} · ${T.unread}` : pane.info.title;
}

function showPane(key) {
  activeKey = key;
  for (const pane of panes.values()) {
    const active = pane.info.key === key;
    pane.node.classList.toggle("active", active);
    pane.tab.setAttribute("aria-selected", String(active));
    if (active) {
      markUnread(pane, false);
      if (pane.stick) toBottom(pane); // a chat that was hidden had no height to scroll in
    }
  }
}

function applyTexts() {
  document.documentElement.lang = LANG;
  document.title = T.title;
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = T[node.dataset.text];
  for (const node of document.querySelectorAll("[data-aria]")) label(node, T[node.dataset.aria]);
  const language = document.getElementById("language");
  language.textContent = T.other_language;
  language.href = LANG === "en" ? "?lang=id" : "?lang=en";
  const select = document.getElementById("scenario");
  select.replaceChildren(...STATE.scenarios.map((s) => {
    const option = el("option", "", s.label);
    option.value = s.key;
    return option;
  }));
  updateAdvanceLabel();
}

function updateAdvanceLabel() {
  const days = document.getElementById("advance-days").value.trim() || "1";
  document.getElementById("advance-many").textContent = fmt(T.advance_many, { days });
}

function summary(rounds) {
  const totals = {};
  for (const round of rounds) {
    for (const [key, value] of Object.entries(round)) {
      if (typeof value === "number") totals[key] = (totals[key] || 0) + value;
    }
  }
  const parts = Object.entries(totals).map(([key, count]) =>
    fmt(T[`count.${key}`] || `{count} ${key}`, { count }));
  return parts.length ? parts.join(", ") : T.nothing_sent;
}

async function advance(days) {
  await busy(async () => {
    const result = await api("POST", "/api/clock/advance", { days, lang: LANG });
    const last = result.rounds[result.rounds.length - 1];
    document.getElementById("clock").textContent = result.clock;
    status(fmt(T.advanced, { date: last ? last.date : result.clock, summary: summary(result.rounds) }));
  });
}

async function refreshState() {
  STATE = await api("GET", `/api/state?lang=${LANG}`);
  document.getElementById("clock").textContent = STATE.clock;
}

function wireControls() {
  const more = document.getElementById("more");
  more.addEventListener("click", () => {
    const open = document.getElementById("topbar").classList.toggle("open");
    more.setAttribute("aria-expanded", String(open));
  });
  document.getElementById("advance-one").addEventListener("click", () => advance(1));
  document.getElementById("advance-days").addEventListener("input", updateAdvanceLabel);
  // The number as typed: the sandbox refuses 0, 99 or "abc" in words the trainer reads.
  document.getElementById("advance-many").addEventListener("click", () =>
    advance(document.getElementById("advance-days").value));
  document.getElementById("reset").addEventListener("click", () => {
    if (!window.confirm(T.reset_confirm)) return;
    busy(async () => {
      await api("POST", "/api/reset");
      status(T.reset_done);
    });
  });
  document.getElementById("load-scenario").addEventListener("click", () => {
    const select = document.getElementById("scenario");
    if (!window.confirm(T.scenario_confirm)) return;
    const label = select.options[select.selectedIndex].textContent;
    busy(async () => {
      await api("POST", `/api/scenarios/${select.value}`);
      status(fmt(T.scenario_done, { scenario: label }));
    });
  });
}

async function main() {
  await refreshState();
  T = STATE.texts;
  // The chats speak the page's language: switching the page switches every chat's bot.
  if (STATE.chat_language !== LANG) await api("POST", "/api/language", { lang: LANG });
  applyTexts();
  const container = document.getElementById("panes");
  const tabs = document.getElementById("tabs");
  for (const info of STATE.panes) {
    const pane = buildPane(info);
    panes.set(info.key, pane);
    container.append(pane.node);
    tabs.append(buildTab(pane));
  }
  showPane(STATE.panes[0].key);
  wireControls();
  // Turning a phone or resizing a window changes every chat's height: keep the newest in view.
  window.addEventListener("resize", () => {
    for (const pane of panes.values()) if (pane.stick) toBottom(pane);
  });
  await pollAll();
  document.body.dataset.ready = "true";
  window.setInterval(pollAll, POLL_MS);
  window.setInterval(() => refreshState().catch(() => {}), 15000);
}

main().catch((error) => status(T.error ? fmt(T.error, { error: explain(error) }) : String(error), true));
