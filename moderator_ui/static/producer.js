// The producer console: the air is the producer's. The question on air (its
// timer, who answers), "next" (it is answered live and the head of the queue
// goes on air), skip, back to the queue, "in writing, then next", the undo of
// the last of these while the server keeps it, the overlay shown or hidden;
// the on-air queue in the server's order, with each question's wait; the
// approved questions sorted by votes, newest or topic; the questions owed in
// writing; the officials' "ready" and "in writing" signals as they come.
//
// State comes only from the server: the staff feed's snapshot and events
// (the queue's order and the overlay's visibility included) and the API's
// answers, applied by the shared reducer (lib/state.js). The buttons are the
// actions each question's actions_by_role allows this producer
// (lib/permissions.js). Text is written with textContent (never as HTML).

import { clock } from "./air.js";
import { liveRegion, staffConnection, t } from "./common.js";
import { bindKeys, helpOverlay } from "./console_keys.js";
import { api, csrfToken, errorMessage } from "./lib/api.js";
import { readJSON, reconcile } from "./lib/dom.js";
import { allowedActions, viewerOf } from "./lib/permissions.js";
import { apply, createState, listQueue, take } from "./lib/state.js";
import { held } from "./pressed.js";
import { approvedRow, deferredRow, onAirControls, queueRow, summary } from "./producer_cards.js";

const root = document.getElementById("producer");
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const username = root.dataset.username;
const csrf = csrfToken();
const dialogueUrl = `/api/v1/dialogues/${encodeURIComponent(slug)}`;
const questionsUrl = `${dialogueUrl}/questions`;
// How long the server keeps an air change for its undo (DOITHOAI_AIR_UNDO),
// and so how long a choice of official offers its own undo.
const undoMs = (Number(root.dataset.airUndo) || 10) * 1000;
// How many officials' signals stay in view, newest first.
const SIGNALS_KEPT = 4;
const ENDED = new Set(["closed", "archived"]);

const viewer = viewerOf(readJSON("viewer-data"));
// What the staff feed said (lib/state.js), with the dialogue this page was rendered with.
const model = createState("staff", readJSON("dialogue-data"));
// What this console is doing, beside the model.
const view = {
  ui: new Map(), // id -> {busy, message, assignUndo, airEditing, airDraft}
  rows: new Map(), // `${list}:${id}` -> {node, stamp}
  synced: false,
  frame: 0,
  airBusy: false,
  shownOnAir: undefined, // the id on air as last drawn ("" for none), what an air press acts on
  overlayBusy: false,
  undo: null, // {id, until (ms), text}: the last air change, while it may be undone
  undoTimer: 0,
  signals: [], // [{key, text}], newest first
  sort: "votes",
  dragId: null,
  focusAfter: null, // {row, key, fallback}: where the keyboard focus goes at the next draw
  onAirStamp: "",
};

const $ = (id) => document.getElementById(id);
const connection = $("connection");
const notice = $("notice");
const { feed, signedOut } = staffConnection(slug, {
  onMessage: receive,
  connection,
  notice,
  lang,
  phase: model.dialogue && model.dialogue.status || null,
});
const onAirBox = $("on-air-question");
const nextButton = $("next");
const airButtons = { next: nextButton, skip: $("skip"), back: $("back"), defer: $("defer-next") };
const overlayToggle = $("overlay-toggle");
const queueList = $("queue-list");
const announce = liveRegion(root);

function uiFor(id) {
  if (!view.ui.has(id)) {
    view.ui.set(id, { busy: false, message: "", assignUndo: null, airEditing: false, airDraft: "" });
  }
  return view.ui.get(id);
}

function showNotice(text) {
  notice.replaceChildren(text);
  notice.hidden = false;
}

function clearNotice() {
  if (!notice.dataset.signedOut) notice.hidden = true;
}

function schedule() {
  if (!view.frame) view.frame = requestAnimationFrame(draw);
}

function onAir() {
  return model.onAir ? model.questions[model.onAir] : null;
}

function ended() {
  return ENDED.has((model.dialogue && model.dialogue.status) || root.dataset.status);
}

/** Whether this producer may take `action` on `q` now (its actions_by_role). */
function allows(q, action) {
  return allowedActions(q, viewer).has(action);
}

// -- the feed ----------------------------------------------------------------

function receive(message) {
  const out = apply(model, message);
  if (message.type === "snapshot") {
    for (const id of view.ui.keys()) if (!model.questions[id]) view.ui.delete(id);
    view.synced = true;
  } else {
    for (const change of out.questions) signal(change.before, model.questions[change.id]);
  }
  if (out.dialogue) {
    $("dialogue-title").textContent = model.dialogue.title;
    for (const row of view.rows.values()) row.stamp = "";
    view.onAirStamp = "";
  }
  schedule();
}

/** An official said they are ready to answer a question, or will answer it in writing: say so at once. */
function signal(before, now) {
  if (!before || !now) return;
  const name = now.official ? now.official.name : t("official");
  const history = now.history || [];
  const last = history[history.length - 1];
  let key = null;
  if (!before.ready_at && now.ready_at) key = "signal_ready";
  else if (before.status !== "deferred" && now.status === "deferred" && last && last.action === "defer" && last.actor !== username) {
    key = "signal_writing";
  }
  if (!key) return;
  const text = t(key, { id: now.id, name });
  view.signals = [{ key: `${key}:${now.id}:${now.version}`, text }, ...view.signals].slice(0, SIGNALS_KEPT);
  announce(text);
}

// -- drawing -----------------------------------------------------------------

function byVotes(a, b) {
  return (b.votes || 0) - (a.votes || 0) || Number(a.id) - Number(b.id);
}

const SORTS = {
  votes: byVotes,
  newest: (a, b) => String(b.submitted_at || "").localeCompare(String(a.submitted_at || "")) || Number(b.id) - Number(a.id),
  topic: (a, b) => {
    if (Boolean(a.topic_name) !== Boolean(b.topic_name)) return a.topic_name ? -1 : 1;
    return String(a.topic_name || "").localeCompare(String(b.topic_name || ""), lang) || byVotes(a, b);
  },
};

function inStatus(status) {
  return Object.values(model.questions).filter((q) => q.status === status);
}

/** A due day (YYYY-MM-DD) as dd/mm/yyyy. */
function formatDay(day) {
  const [y, m, d] = String(day).split("-");
  return d ? `${d}/${m}/${y}` : String(day);
}

/** What the card builders need of this console (producer_cards.js). */
function cardContext() {
  return {
    allows,
    ended: ended(),
    officials: (model.dialogue && model.dialogue.officials) || [],
    airTextMin: Number(root.dataset.airTextMin) || 0,
    airTextMax: Number(root.dataset.airTextMax) || 200,
    formatDay,
    on: cardActions,
  };
}

function draw() {
  view.frame = 0;
  // A control replaced or moved under a pressed pointer would lose its click,
  // and so would one that a list or a signal drawn above it pushes down: the
  // page is drawn once the pointer is let go (pressed.js).
  if (held(root, schedule)) return;
  const saved = rememberFocus();
  const ctx = cardContext();
  const isEnded = ctx.ended;
  drawPhase(isEnded);
  drawOnAir(ctx);
  const queued = model.queue;
  drawList(queueList, "queue", queued, ctx);
  const approved = inStatus("approved").sort(SORTS[view.sort] || byVotes);
  drawList($("approved-list"), "approved", approved.map((q) => q.id), ctx);
  const deferred = inStatus("deferred").sort((a, b) => String(b.deferred_at || "").localeCompare(String(a.deferred_at || "")));
  drawList($("deferred-list"), "deferred", deferred.map((q) => q.id), ctx);
  $("queue-empty").hidden = !view.synced || queued.length > 0;
  $("approved-empty").hidden = !view.synced || approved.length > 0;
  $("deferred-empty").hidden = !view.synced || deferred.length > 0;
  $("queue-count").textContent = String(queued.length);
  $("approved-count").textContent = String(approved.length);
  $("deferred-count").textContent = String(deferred.length);
  $("queue-hint").hidden = isEnded;
  drawAirControls(queued);
  drawSignals();
  tick();
  restoreFocus(saved);
}

/** The end of the broadcast: no air controls, and the wrap-up to open. */
function drawPhase(isEnded) {
  const status = (model.dialogue && model.dialogue.status) || root.dataset.status;
  root.dataset.status = status;
  $("air-controls").hidden = isEnded;
  const note = $("phase-note");
  note.hidden = !isEnded;
  note.textContent = isEnded ? t(status === "archived" ? "phase_archived" : "phase_closed") : "";
  const end = $("end-broadcast");
  if (end) {
    end.hidden = status !== "live" && status !== "closed";
    end.textContent = t(status === "closed" ? "wrap_up" : "end_broadcast");
  }
}

function drawAirControls(queued) {
  const current = onAir();
  view.shownOnAir = model.onAir || "";
  const head = model.questions[queued[0]];
  const busy = view.airBusy;
  airButtons.next.disabled = busy || (!current && !head);
  airButtons.skip.disabled = busy || !current || !head;
  airButtons.back.disabled = busy || !current;
  airButtons.defer.disabled = busy || !current;
  for (const node of Object.values(airButtons)) node.toggleAttribute("aria-busy", busy);
  const parts = [];
  if (current) parts.push(t("next_answers", { id: current.id }));
  if (head) parts.push(t("next_preview", { id: head.id, text: clip(head.air_text || head.text, 120) }));
  else if (view.synced) parts.push(t("queue_empty_next"));
  $("next-preview").textContent = parts.join(" ");
  const visible = model.overlay.visible;
  $("overlay-state").dataset.visible = String(visible);
  $("overlay-state").textContent = t(visible ? "overlay_shown" : "overlay_hidden");
  $("overlay-toggle-text").textContent = t(visible ? "overlay_hide" : "overlay_show");
  overlayToggle.disabled = view.overlayBusy;
  const undo = view.undo && view.undo.until > Date.now() ? view.undo : null;
  $("undo-box").hidden = !undo;
  $("undo-text").textContent = undo ? undo.text : "";
  $("undo").disabled = busy;
}

function drawSignals() {
  const list = $("signals");
  list.hidden = view.signals.length === 0;
  const shown = [...list.children].map((node) => node.dataset.key).join("|");
  if (shown === view.signals.map((s) => s.key).join("|")) return;
  list.replaceChildren(
    ...view.signals.map((s) => {
      const node = document.createElement("li");
      node.dataset.key = s.key;
      node.textContent = s.text;
      return node;
    }),
  );
}

function clip(text, max) {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join("").trimEnd()}…` : text;
}

/** Where the keyboard focus is now: {row, key, node}, or the focus asked for after an action. */
function rememberFocus() {
  if (view.focusAfter) {
    const wanted = view.focusAfter;
    view.focusAfter = null;
    return wanted;
  }
  return focusOf(document.activeElement);
}

function focusOf(active) {
  const row = active && active.closest ? active.closest("[data-row]") : null;
  if (!row) return null;
  return { row: row.dataset.row, key: active.dataset.focus || "row", node: active };
}

/** Put the focus back where it was (redraws replace and move rows), else on the fallback. */
function restoreFocus(saved) {
  if (!saved) return;
  if (saved.node && saved.node.isConnected && document.activeElement === saved.node) return;
  const container = saved.row ? document.querySelector(`[data-row="${saved.row}"]`) : null;
  let target = null;
  if (container) {
    target = container.dataset.focus === saved.key ? container : container.querySelector(`[data-focus="${saved.key}"]`);
    if (!target || target.disabled) target = container.dataset.focus ? container : null;
  }
  target = target || saved.fallback || null;
  if (target && document.activeElement !== target) target.focus();
}

const BUILDERS = {
  queue: (q, ui, ctx, index, total) => queueRow(q, ui, ctx, index, total),
  approved: (q, ui, ctx) => approvedRow(q, ui, ctx),
  deferred: (q, ui, ctx) => deferredRow(q, ui, ctx),
};

function cardStamp(q, ui, ctx, index, total) {
  return JSON.stringify([q, ui.busy, ui.message, ui.assignUndo, ui.airEditing, index, total, ctx.ended, ctx.officials]);
}

function drawList(container, list, ids, ctx) {
  const wanted = new Set(ids.map((id) => `${list}:${id}`));
  for (const key of [...view.rows.keys()]) {
    if (key.startsWith(`${list}:`) && !wanted.has(key)) view.rows.delete(key);
  }
  ids.forEach((id, index) => {
    const key = `${list}:${id}`;
    const q = model.questions[id];
    const ui = uiFor(id);
    const stamp = cardStamp(q, ui, ctx, list === "queue" ? index : 0, list === "queue" ? ids.length : 0);
    const old = view.rows.get(key);
    if (old && old.stamp === stamp) return;
    const node = BUILDERS[list](q, ui, ctx, index, ids.length);
    if (old) old.node.replaceWith(node);
    view.rows.set(key, { node, stamp });
  });
  reconcile(container, ids, (id) => view.rows.get(`${list}:${id}`).node);
}

function drawOnAir(ctx) {
  const q = onAir();
  const ui = q ? uiFor(q.id) : null;
  $("on-air-empty").hidden = Boolean(q);
  onAirBox.hidden = !q;
  $("timer-box").hidden = !q;
  const stamp = q ? cardStamp(q, ui, ctx, 0, 0) : "";
  if (stamp === view.onAirStamp) return;
  view.onAirStamp = stamp;
  if (!q) {
    onAirBox.replaceChildren();
    delete onAirBox.dataset.id;
    return;
  }
  const official = q.official;
  const speaking = document.createElement("p");
  speaking.className = official ? "pr-speaking" : "pr-speaking pr-speaking-none";
  speaking.textContent = official
    ? t(official.title ? "speaking" : "speaking_untitled", { name: official.name, title: official.title })
    : t("nobody_speaking");
  onAirBox.dataset.id = q.id;
  onAirBox.replaceChildren(summary(q), speaking, onAirControls(q, ui, ctx));
}

/** The on-air timer and the queue's waits, every second. */
function tick() {
  const q = onAir();
  const now = Date.now();
  const timer = $("timer");
  const text = q ? clock(q.on_air_at, now) : "00:00";
  if (timer.textContent !== text) timer.textContent = text;
  const seconds = q && q.on_air_at ? Math.max(0, Math.floor((now - Date.parse(q.on_air_at)) / 1000)) : 0;
  timer.setAttribute("datetime", `PT${Math.floor(seconds / 60)}M${seconds % 60}S`);
  for (const node of queueList.querySelectorAll(".pr-wait[data-since]")) {
    const wait = t("waiting", { time: clock(node.dataset.since, now) });
    if (node.textContent !== wait) node.textContent = wait;
  }
  if (view.undo && view.undo.until <= now) {
    view.undo = null;
    schedule();
  }
}

// -- keyboard and drag and drop ----------------------------------------------

function rowKey(e, id) {
  if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
  if (e.target.tagName === "SELECT" || e.target.tagName === "INPUT" || ended()) return;
  e.preventDefault();
  const index = model.queue.indexOf(id);
  move(id, e.key === "ArrowUp" ? index - 1 : index + 1);
}

function dragStart(e, id, node) {
  if (ended()) return;
  view.dragId = id;
  e.dataTransfer.effectAllowed = "move";
  e.dataTransfer.setData("text/plain", id);
  node.classList.add("is-dragging");
  queueList.classList.add("is-drop-target");
}

function dragEnd() {
  view.dragId = null;
  clearDropMarks();
  queueList.classList.remove("is-drop-target");
  for (const node of document.querySelectorAll(".is-dragging")) node.classList.remove("is-dragging");
}

function clearDropMarks() {
  for (const node of queueList.querySelectorAll(".drop-before, .drop-after")) {
    node.classList.remove("drop-before", "drop-after");
  }
}

/** Where a drop at `e` lands: {target id or null, after: bool}. */
function dropPoint(e) {
  const row = e.target.closest ? e.target.closest("li[data-id]") : null;
  if (!row || !queueList.contains(row)) return { target: null, after: true };
  const box = row.getBoundingClientRect();
  return { target: row.dataset.id, after: e.clientY >= box.top + box.height / 2, row };
}

queueList.addEventListener("dragover", (e) => {
  if (!view.dragId) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = "move";
  const point = dropPoint(e);
  clearDropMarks();
  if (point.row && point.target !== view.dragId) point.row.classList.add(point.after ? "drop-after" : "drop-before");
});

queueList.addEventListener("dragleave", (e) => {
  if (!queueList.contains(e.relatedTarget)) clearDropMarks();
});

queueList.addEventListener("drop", (e) => {
  if (!view.dragId) return;
  e.preventDefault();
  const id = view.dragId;
  const point = dropPoint(e);
  dragEnd();
  if (point.target === id) return;
  const others = model.queue.filter((other) => other !== id);
  let position = others.length;
  if (point.target !== null) position = others.indexOf(point.target) + (point.after ? 1 : 0);
  const q = model.questions[id];
  if (q && q.status === "approved") queue(id, position);
  else move(id, position);
});

const help = helpOverlay($("help"));
$("help-open").addEventListener("click", () => help.show());
// Air keys act only while the broadcast runs (their buttons are there).
const whileLive = (action) => () => (ended() ? false : action());
bindKeys({
  n: whileLive(() => airButtons.next.disabled || nextQuestion("answered")),
  s: whileLive(() => airButtons.skip.disabled || changeAir("skip")),
  b: whileLive(() => airButtons.back.disabled || changeAir("back")),
  w: whileLive(() => airButtons.defer.disabled || nextQuestion("defer")),
  o: whileLive(() => toggleOverlay()),
  u: whileLive(() => ($("undo-box").hidden ? false : undoAir())),
  "?": () => help.show(),
});

// -- actions on questions ------------------------------------------------------

/** A failed call: in words beside the question (or on top). The feed brings what changed meanwhile. */
function failed(result, id) {
  if (result.status === 401) {
    signedOut();
    return;
  }
  const text = result.status === 0 ? t("network") : errorMessage(result, t("failed"));
  if (id && model.questions[id]) uiFor(id).message = text;
  else showNotice(text);
  announce(text);
  schedule();
}

async function post(url, body) {
  return api(url, { method: "POST", body, csrf, lang });
}

/** Take `action` on question `id` with the version this console has. The
 * focus then goes to `focus` ({row, key} or {fallback}) if it succeeded, else
 * back where it was (the buttons are disabled, so lose it, while it runs). */
async function act(id, action, extra = {}, focus = null) {
  const q = model.questions[id];
  const ui = uiFor(id);
  if (!q || ui.busy) return null;
  const before = focusOf(document.activeElement);
  ui.busy = true;
  ui.message = "";
  clearNotice();
  schedule();
  const url = `${questionsUrl}/${encodeURIComponent(id)}/actions/${action}`;
  const result = await post(url, { version: q.version, ...extra });
  ui.busy = false;
  if (result.ok) take(model, result.data);
  else failed(result, id);
  const after = result.ok && focus ? focus : before;
  if (after) view.focusAfter = { ...after, node: null, fallback: after.fallback || nextButton };
  schedule();
  return result;
}

async function move(id, position) {
  // A move asked while this question's last move is on its way waits for it
  // and goes with the version it left (Alt+Down twice moves it two places);
  // any other action on its way still bars it (its buttons are disabled).
  const ui = uiFor(id);
  const prior = ui.moving;
  const order = [...model.queue];
  const from = order.indexOf(id);
  if (from < 0 || (ui.busy && !prior) || position < 0 || position >= order.length || position === from) return;
  order.splice(from, 1);
  order.splice(position, 0, id);
  listQueue(model, order); // shown at once; queue.changed brings the server's order
  schedule();
  const now = focusOf(document.activeElement);
  let key = now && now.row === `queue:${id}` ? now.key : "row";
  if (key === "up" && position === 0) key = "down";
  if (key === "down" && position === order.length - 1) key = "up";
  const go = () => act(id, "move", { position }, { row: `queue:${id}`, key });
  const run = prior ? prior.then(go, go) : go();
  ui.moving = run;
  const result = await run;
  if (ui.moving === run) ui.moving = null;
  if (result && result.ok) announce(t("moved", { id, n: position + 1, total: order.length }));
}

async function queue(id, position = null) {
  const extra = position === null ? {} : { position };
  const result = await act(id, "queue", extra, { row: `queue:${id}`, key: "row" });
  if (result && result.ok) announce(t("queued_msg", { id, n: (position ?? model.queue.indexOf(id)) + 1 }));
}

async function assign(id, officialId) {
  const q = model.questions[id];
  if (!q) return;
  const previous = q.official ? q.official.id : null;
  if ((officialId || null) === previous) return;
  const result = await act(id, "assign", { official_id: officialId || null });
  if (!(result && result.ok)) return;
  const ui = uiFor(id);
  clearTimeout(ui.assignTimer);
  ui.assignUndo = { previous };
  ui.assignTimer = setTimeout(() => {
    ui.assignUndo = null;
    schedule();
  }, undoMs);
  const official = result.data.official;
  announce(official ? t("assigned", { name: official.name }) : t("unassigned"));
  view.focusAfter = { row: focusRow(id), key: "official", node: null, fallback: nextButton };
  schedule();
}

async function undoAssign(id) {
  const ui = uiFor(id);
  const undo = ui.assignUndo;
  if (!undo) return;
  clearTimeout(ui.assignTimer);
  ui.assignUndo = null;
  await act(id, "assign", { official_id: undo.previous }, { row: focusRow(id), key: "official" });
}

/** The row a question's card is in now (its list follows its state). */
function focusRow(id) {
  const q = model.questions[id];
  if (!q) return null;
  if (q.status === "on_air") return `on_air:${id}`;
  return `${q.status === "queued" ? "queue" : q.status}:${id}`;
}

function openAirText(id) {
  const ui = uiFor(id);
  const q = model.questions[id];
  ui.airEditing = true;
  ui.airDraft = (q && q.air_text) || "";
  ui.message = "";
  view.focusAfter = { row: focusRow(id), key: "air-text" };
  schedule();
}

function closeAirText(id) {
  const ui = uiFor(id);
  ui.airEditing = false;
  view.focusAfter = { row: focusRow(id), key: "air-text-open" };
  schedule();
}

async function saveAirText(id, text) {
  const result = await act(id, "air_text", { text }, { row: focusRow(id), key: "air-text-open" });
  if (result && result.ok) uiFor(id).airEditing = false;
  schedule();
}

const cardActions = {
  queue,
  move,
  dequeue: (id) => act(id, "dequeue", {}, { row: `approved:${id}`, key: "queue" }),
  assign,
  undoAssign,
  openAirText,
  closeAirText,
  saveAirText,
  rowKey,
  dragStart,
  dragEnd,
};

// -- the air -----------------------------------------------------------------

/** What an air change did, in words, for its undo. */
function described(op, before, onAirNow) {
  const parts = [];
  if (before) {
    const key = { answered: "change_answered", defer: "change_deferred", skip: "change_skipped", back: "change_back" }[op];
    parts.push(t(key, { id: before.id }));
  }
  parts.push(onAirNow ? t("change_next", { id: onAirNow.id }) : t("nothing_on_air"));
  return parts.join(" ");
}

/** Send an air change (`url`, `body`); `op` names it for its undo's words. */
async function sendAir(url, body, op) {
  if (view.airBusy) return;
  const focused = document.activeElement;
  const before = onAir();
  view.airBusy = true;
  clearNotice();
  schedule();
  const result = await post(url, body);
  view.airBusy = false;
  if (result.ok) {
    const now = result.data.on_air;
    if (now) take(model, now);
    // The producer's own move is known to them before it is drawn.
    view.shownOnAir = now && now.status === "on_air" ? now.id : "";
    const change = result.data.change;
    if (change) offerUndo(change, described(op, before, now));
    else view.undo = null;
    announce(op === "undo" ? t("undone") : described(op, before, now));
  } else {
    failed(result, null);
  }
  schedule();
  // The buttons were disabled while it ran, which took the focus from them.
  if (focused && focused.isConnected && Object.values(airButtons).includes(focused)) {
    requestAnimationFrame(() => (focused.disabled ? nextButton : focused).focus());
  }
}

/** What the producer saw on air: the page's last drawing, not the feed's
 * newest word (a press holds the drawing back; another producer's "next"
 * that came meanwhile must make this one a conflict, not a second move). */
function current() {
  return view.shownOnAir ?? (model.onAir || "");
}

function nextQuestion(then) {
  return sendAir(`${dialogueUrl}/next`, { then, current: current() }, then);
}

function changeAir(op) {
  return sendAir(`${dialogueUrl}/air/${op}`, { current: current() }, op);
}

function undoAir() {
  if (!view.undo) return undefined;
  return sendAir(`${dialogueUrl}/air/undo`, { change: view.undo.id }, "undo");
}

/** Offer the undo of `change` until it lapses (by the server's time, at most the window from now). */
function offerUndo(change, text) {
  const until = Math.min(Date.parse(change.until) || 0, Date.now() + undoMs);
  view.undo = { id: change.id, until, text };
  clearTimeout(view.undoTimer);
  view.undoTimer = setTimeout(schedule, Math.max(0, until - Date.now()) + 50);
}

async function toggleOverlay() {
  if (view.overlayBusy) return;
  const visible = !model.overlay.visible;
  view.overlayBusy = true;
  schedule();
  const result = await post(`${dialogueUrl}/overlay`, { visible });
  view.overlayBusy = false;
  if (result.ok) {
    apply(model, { type: "overlay.changed", data: { visible: result.data.visible } });
    announce(t(result.data.visible ? "overlay_shown" : "overlay_hidden"));
  } else {
    failed(result, null);
  }
  schedule();
}

airButtons.next.addEventListener("click", () => nextQuestion("answered"));
airButtons.defer.addEventListener("click", () => nextQuestion("defer"));
airButtons.skip.addEventListener("click", () => changeAir("skip"));
airButtons.back.addEventListener("click", () => changeAir("back"));
$("undo").addEventListener("click", undoAir);
overlayToggle.addEventListener("click", toggleOverlay);
$("approved-sort").addEventListener("change", (e) => {
  view.sort = e.target.value;
  schedule();
});

// -- the overlay's and the presenter screen's addresses ---------------------------

async function loadOverlay() {
  const input = $("overlay-url");
  const copy = $("overlay-copy");
  const open = $("overlay-open");
  const status = $("overlay-status");
  const result = await api(`${dialogueUrl}/screen`, { lang });
  if (!result.ok) {
    status.textContent = errorMessage(result, t("overlay_failed"));
    return;
  }
  input.value = result.data.url;
  open.href = result.data.url;
  open.hidden = false;
  const presenter = new URL($("presenter-link").href);
  presenter.searchParams.set("token", result.data.token);
  $("presenter-screen").href = presenter.href;
  $("presenter-screen").hidden = false;
  copy.disabled = false;
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      status.textContent = t("copied");
    } catch {
      input.focus();
      input.select();
      status.textContent = document.execCommand("copy") ? t("copied") : t("copy_failed");
    }
  });
}

setInterval(tick, 1000);
loadOverlay();
draw();
feed.start();
