// The producer console: the question on air (with its timer and who is
// speaking), "next question", the on-air queue in order (reordered by
// keyboard or by drag and drop) and the approved questions to queue.
//
// State comes only from the server: the staff feed's snapshot and events and
// the API's answers, applied by the shared reducer (lib/state.js), and the
// queue order from GET ?status=queued (events do not carry it). The buttons
// are the actions each question's actions_by_role allows this producer
// (lib/permissions.js). Text is written with textContent (never as HTML).

import { liveRegion, staffConnection, t } from "./common.js";
import { api, csrfToken, errorMessage } from "./lib/api.js";
import { h, length, readJSON, reconcile } from "./lib/dom.js";
import { allowedActions, viewerOf } from "./lib/permissions.js";
import { apply, createState, listQueue, take } from "./lib/state.js";

const root = document.getElementById("producer");
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const answerMax = Number(root.dataset.answerMax) || 10000;
const csrf = csrfToken();
const dialogueUrl = `/api/v1/dialogues/${encodeURIComponent(slug)}`;
const questionsUrl = `${dialogueUrl}/questions`;

// The most questions one API page holds (MAX_LIMIT in server/web/staff.py), and how many pages a
// refresh reads at most: a dialogue has a few hundred approved questions.
const PAGE_LIMIT = 500;
const MAX_PAGES = 20;
// Events after which the queue order must be read again (besides any event
// that moves a question into or out of the queue).
const ORDER_EVENTS = new Set(["question.moved", "question.queued", "question.returned"]);
const SHOWN = new Set(["approved", "queued", "on_air"]);

const viewer = viewerOf(readJSON("viewer-data"));
// What the staff feed said (lib/state.js); the dialogue's officials until an update says otherwise.
const model = createState("staff", { officials: readJSON("officials-data") || [] });
// What this console is doing, beside the model.
const view = {
  ui: new Map(), // id -> {busy, message, answering, draft, official}
  rows: new Map(), // `${list}:${id}` -> {node, stamp}
  synced: false,
  frame: 0,
  nextBusy: false,
  dragId: null,
  focusAfter: null, // {row, key, fallback}: where the keyboard focus goes at the next draw
  onAirStamp: "",
  queueReading: null, // the read of the queue's order under way
  queueAgain: false, // read it once more when that one ends
};

const connection = document.getElementById("connection");
const notice = document.getElementById("notice");
const { feed, signedOut } = staffConnection(slug, { onMessage: receive, connection, notice, lang });
const titleNode = document.getElementById("dialogue-title");
const onAirBox = document.getElementById("on-air-question");
const onAirEmpty = document.getElementById("on-air-empty");
const timerBox = document.getElementById("timer-box");
const timer = document.getElementById("timer");
const nextButton = document.getElementById("next");
const nextPreview = document.getElementById("next-preview");
const queueList = document.getElementById("queue-list");
const queueEmpty = document.getElementById("queue-empty");
const queueCount = document.getElementById("queue-count");
const approvedList = document.getElementById("approved-list");
const approvedEmpty = document.getElementById("approved-empty");
const approvedCount = document.getElementById("approved-count");
const announce = liveRegion(root);

function uiFor(id) {
  if (!view.ui.has(id)) view.ui.set(id, { busy: false, message: "", answering: false, draft: "", official: null });
  return view.ui.get(id);
}

function showNotice(text) {
  notice.replaceChildren(text);
  notice.hidden = false;
}

function clearNotice() {
  if (!notice.dataset.signedOut) notice.hidden = true;
}

function byId(a, b) {
  return Number(a.id) - Number(b.id);
}

// -- state -------------------------------------------------------------------

function schedule() {
  if (!view.frame) view.frame = requestAnimationFrame(draw);
}

/** Take a newer staff question an API call answered with (`force`: a fresh read). */
function upsert(question, force = false) {
  take(model, question, { force });
  schedule();
}

function onAir() {
  return model.onAir ? model.questions[model.onAir] : null;
}

/** Whether this producer may take `action` on `q` now (its actions_by_role). */
function allows(q, action) {
  return allowedActions(q, viewer).has(action);
}

/** Read the queue's order again (at most one read in flight; one more after it if asked meanwhile). */
async function refreshQueue() {
  if (view.queueReading) {
    view.queueAgain = true;
    return view.queueReading;
  }
  view.queueReading = (async () => {
    do {
      view.queueAgain = false;
      const items = await readAll("queued");
      if (items) {
        for (const q of items) take(model, q);
        listQueue(model, items.map((q) => q.id));
        schedule();
      }
    } while (view.queueAgain);
  })();
  try {
    await view.queueReading;
  } finally {
    view.queueReading = null;
  }
  return undefined;
}

/** Every question in `status` from the API, in its order; null on failure. */
async function readAll(status) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query = new URLSearchParams({ status, limit: String(PAGE_LIMIT) });
    if (cursor) query.set("cursor", cursor);
    const result = await api(`${questionsUrl}?${query}`, { lang });
    if (result.status === 401) signedOut();
    if (!result.ok) return null;
    items.push(...result.data.items);
    cursor = result.data.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** Read again everything this console shows: after a 409, the view is made true. */
async function refreshAll() {
  const lists = await Promise.all(["on_air", "approved"].map(readAll));
  const fresh = new Set();
  for (const items of lists) {
    for (const q of items || []) {
      take(model, q);
      fresh.add(q.id);
    }
  }
  await refreshQueue();
  for (const id of model.listed) fresh.add(id);
  const stale = Object.values(model.questions).filter((q) => SHOWN.has(q.status) && !fresh.has(q.id));
  await Promise.all(
    stale.map(async (q) => {
      const result = await api(`${questionsUrl}/${encodeURIComponent(q.id)}`, { lang });
      if (result.ok) upsert(result.data, true);
    }),
  );
  schedule();
}

function receive(message) {
  const out = apply(model, message);
  if (message.type === "snapshot") {
    for (const id of view.ui.keys()) if (!model.questions[id]) view.ui.delete(id);
    view.synced = true;
    refreshQueue();
  }
  if (out.dialogue) {
    titleNode.textContent = model.dialogue.title;
    for (const row of view.rows.values()) row.stamp = "";
    view.onAirStamp = "";
  }
  const queueMoved = out.questions.some(({ id, before }) => {
    const now = model.questions[id];
    return (before && before.status === "queued") !== (now && now.status === "queued");
  });
  if (!out.reset && (ORDER_EVENTS.has(message.type) || queueMoved)) refreshQueue();
  schedule();
}

// -- drawing -----------------------------------------------------------------

function draw() {
  view.frame = 0;
  const saved = rememberFocus();
  drawOnAir();
  const queued = model.queue;
  drawList(queueList, "queue", queued);
  const approved = Object.values(model.questions).filter((q) => q.status === "approved").sort(byId);
  drawList(approvedList, "approved", approved.map((q) => q.id));
  queueEmpty.hidden = !view.synced || queued.length > 0;
  approvedEmpty.hidden = !view.synced || approved.length > 0;
  queueCount.textContent = String(queued.length);
  approvedCount.textContent = String(approved.length);
  const head = model.questions[queued[0]];
  nextButton.disabled = view.nextBusy || !head;
  nextPreview.textContent = head
    ? t("next_preview", { id: head.id, text: clip(head.text, 120) })
    : view.synced
      ? t("queue_empty_next")
      : "";
  restoreFocus(saved);
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

function drawList(container, list, ids) {
  const wanted = new Set(ids.map((id) => `${list}:${id}`));
  for (const key of [...view.rows.keys()]) {
    if (key.startsWith(`${list}:`) && !wanted.has(key)) view.rows.delete(key);
  }
  ids.forEach((id, index) => {
    const key = `${list}:${id}`;
    const q = model.questions[id];
    const state = uiFor(id);
    const stamp = JSON.stringify([q, state.busy, state.message, state.official, index, ids.length]);
    const old = view.rows.get(key);
    if (old && old.stamp === stamp) return;
    const node = list === "queue" ? queueRow(q, state, index, ids.length) : approvedRow(q, state);
    if (old) old.node.replaceWith(node);
    view.rows.set(key, { node, stamp });
  });
  reconcile(container, ids, (id) => view.rows.get(`${list}:${id}`).node);
}

function button(text, focusKey, onclick, { extraClass = "", disabled = false, label = null } = {}) {
  return h("button", {
    type: "button",
    class: `button button-small ${extraClass}`.trim(),
    "data-focus": focusKey,
    "aria-label": label,
    disabled,
    onclick,
    text,
  });
}

function asker(q) {
  return [q.name || t("anonymous"), q.organization, q.locality].filter(Boolean).join(" · ");
}

function summary(q, textId = null) {
  return h(
    "div",
    { class: "pr-summary" },
    h(
      "p",
      { class: "q-head" },
      h("span", { class: "q-id", text: `#${q.id}` }),
      q.topic_name ? h("span", { class: "tag", text: q.topic_name }) : null,
      q.votes ? h("span", { class: "pr-votes", text: `▲ ${q.votes}` }) : null,
    ),
    h("p", { class: "q-text pr-text", id: textId, text: q.text }),
    h("p", { class: "pr-asker", text: asker(q) }),
  );
}

/** The official select (current official, else the topic's suggestion, preselected) and "Assign". */
function officialPicker(q, state) {
  if (!allows(q, "assign")) return null;
  const selectId = `official-${q.id}`;
  const current = q.official ? q.official.id : "";
  const suggested = !q.official && q.suggested_official ? q.suggested_official.id : "";
  const chosen = state.official ?? (current || suggested);
  const select = h(
    "select",
    {
      id: selectId,
      class: "pr-official-select",
      "data-focus": "official",
      disabled: state.busy,
      onchange: (e) => {
        state.official = e.target.value;
      },
    },
    h("option", { value: "", text: t("no_official"), selected: chosen === "" }),
    (model.dialogue.officials || []).map((o) =>
      h("option", {
        value: o.id,
        text: o.id === suggested ? t("suggested", { name: o.name }) : o.name,
        selected: o.id === chosen,
        "data-suggested": o.id === suggested ? "true" : null,
      }),
    ),
  );
  return h(
    "div",
    { class: "pr-official" },
    h("label", { for: selectId, text: t("official") }),
    select,
    button(t("assign"), "assign", () => assign(q.id, select.value), { disabled: state.busy }),
    suggested
      ? h("span", { class: "pr-suggested", text: t("suggested_note", { name: q.suggested_official.name }) })
      : null,
  );
}

function queueRow(q, state, index, total) {
  const id = q.id;
  const node = h("li", {
    class: `pr-row pr-queued${state.busy ? " is-busy" : ""}`,
    tabindex: "0",
    draggable: "true",
    "data-id": id,
    "data-row": `queue:${id}`,
    "data-focus": "row",
    "aria-label": `${index + 1}/${total} · ${t("question_no", { id })}`,
    "aria-describedby": `queue-text-${id}`,
    onkeydown: (e) => rowKey(e, id),
    ondragstart: (e) => dragStart(e, id, node),
    ondragend: () => dragEnd(),
  });
  node.append(
    h("span", { class: "pr-position", "aria-hidden": "true", text: String(index + 1) }),
    h(
      "div",
      { class: "pr-body" },
      summary(q, `queue-text-${id}`),
      officialPicker(q, state),
      state.message ? h("p", { class: "q-message", text: state.message }) : null,
      h(
        "div",
        { class: "q-actions" },
        allows(q, "move")
          ? button("↑", "up", () => move(id, index - 1), {
              disabled: state.busy || index === 0,
              label: `${t("move_up")} · ${t("question_no", { id })}`,
            })
          : null,
        allows(q, "move")
          ? button("↓", "down", () => move(id, index + 1), {
              disabled: state.busy || index === total - 1,
              label: `${t("move_down")} · ${t("question_no", { id })}`,
            })
          : null,
        allows(q, "dequeue")
          ? button(t("dequeue"), "dequeue", () => act(id, "dequeue", {}, { row: `approved:${id}`, key: "queue" }), {
              disabled: state.busy,
            })
          : null,
        state.busy ? h("span", { class: "working", text: t("working") }) : null,
      ),
    ),
  );
  return node;
}

function approvedRow(q, state) {
  const id = q.id;
  const node = h("li", {
    class: `pr-row pr-approved-row${state.busy ? " is-busy" : ""}`,
    tabindex: "-1",
    draggable: "true",
    "data-id": id,
    "data-row": `approved:${id}`,
    "data-focus": "row",
    ondragstart: (e) => dragStart(e, id, node),
    ondragend: () => dragEnd(),
  });
  node.append(
    h(
      "div",
      { class: "pr-body" },
      summary(q),
      officialPicker(q, state),
      state.message ? h("p", { class: "q-message", text: state.message }) : null,
      h(
        "div",
        { class: "q-actions" },
        allows(q, "queue") ? button(t("queue"), "queue", () => queue(id), { extraClass: "button-primary", disabled: state.busy }) : null,
        allows(q, "queue") ? button(t("queue_head"), "queue_head", () => queue(id, 0), { disabled: state.busy }) : null,
        state.busy ? h("span", { class: "working", text: t("working") }) : null,
      ),
    ),
  );
  return node;
}

function drawOnAir() {
  const q = onAir();
  const state = q ? uiFor(q.id) : null;
  const stamp = q ? JSON.stringify([q, state.busy, state.message, state.answering, model.dialogue.officials]) : "";
  onAirEmpty.hidden = Boolean(q);
  onAirBox.hidden = !q;
  timerBox.hidden = !q;
  tick();
  if (stamp === view.onAirStamp) return;
  view.onAirStamp = stamp;
  if (!q) {
    onAirBox.replaceChildren();
    delete onAirBox.dataset.id;
    return;
  }
  const official = q.official;
  const speaking = official
    ? h(
        "p",
        { class: "pr-speaking" },
        t(official.title ? "speaking" : "speaking_untitled", { name: official.name, title: official.title }),
      )
    : h("p", { class: "pr-speaking pr-speaking-none", text: t("nobody_speaking") });
  onAirBox.dataset.id = q.id;
  const message = state.message ? h("p", { class: "q-message", text: state.message }) : "";
  onAirBox.replaceChildren(summary(q), speaking, message, state.answering ? answerForm(q, state) : onAirActions(q, state));
}

function onAirActions(q, state) {
  const id = q.id;
  return h(
    "div",
    { class: "q-actions", "data-row": `on_air:${id}` },
    allows(q, "answer") ? button(t("answered"), "answer", () => openAnswer(id), { extraClass: "button-primary", disabled: state.busy }) : null,
    allows(q, "back") ? button(t("back"), "back", () => act(id, "back", {}, { fallback: nextButton }), { disabled: state.busy }) : null,
    allows(q, "defer") ? button(t("defer"), "defer", () => act(id, "defer", {}, { fallback: nextButton }), { disabled: state.busy }) : null,
    state.busy ? h("span", { class: "working", text: t("working") }) : null,
  );
}

function answerForm(q, state) {
  const id = q.id;
  const areaId = `answer-${id}`;
  const count = h("p", { class: "char-count", id: `${areaId}-count` });
  const showCount = () => (count.textContent = t("chars", { n: length(state.draft), max: answerMax }));
  showCount();
  const publish = () => answer(id);
  const area = h("textarea", {
    id: areaId,
    rows: "4",
    maxlength: String(answerMax),
    "data-focus": "answer-text",
    "aria-describedby": count.id,
    disabled: state.busy,
    oninput: (e) => {
      state.draft = e.target.value;
      showCount();
    },
    onkeydown: (e) => {
      if (e.key === "Escape") closeAnswer(id);
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) publish();
    },
  });
  area.value = state.draft;
  return h(
    "div",
    { class: "editor", "data-row": `on_air:${id}` },
    h("label", { for: areaId, text: t("answer_label") }),
    area,
    count,
    h(
      "div",
      { class: "q-actions" },
      button(t("publish_answer"), "publish", publish, { extraClass: "button-primary", disabled: state.busy }),
      button(t("cancel"), "cancel", () => closeAnswer(id), { disabled: state.busy }),
      state.busy ? h("span", { class: "working", text: t("working") }) : null,
    ),
  );
}

/** The on-air timer: mm:ss since the question went on air, every second. */
function tick() {
  const q = onAir();
  if (!q || !q.on_air_at) {
    timer.textContent = "00:00";
    timer.setAttribute("datetime", "PT0S");
    return;
  }
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(q.on_air_at)) / 1000));
  const mm = String(Math.floor(seconds / 60)).padStart(2, "0");
  const ss = String(seconds % 60).padStart(2, "0");
  const text = `${mm}:${ss}`;
  if (timer.textContent !== text) timer.textContent = text;
  timer.setAttribute("datetime", `PT${Math.floor(seconds / 60)}M${seconds % 60}S`);
}

// -- keyboard and drag and drop ----------------------------------------------

function rowKey(e, id) {
  if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
  if (e.target.tagName === "SELECT") return;
  e.preventDefault();
  const index = model.queue.indexOf(id);
  move(id, e.key === "ArrowUp" ? index - 1 : index + 1);
}

function dragStart(e, id, node) {
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

// Inputs that are not typed into: N still means "next question" there.
const KEY_INPUTS = new Set(["radio", "checkbox", "button", "submit", "reset"]);

/** Whether a key pressed in `node` is typing (so N must not start the next question). */
function typesText(node) {
  if (!node || !node.closest) return false;
  if (node.closest("textarea, select, [contenteditable]")) return true;
  return node.tagName === "INPUT" && !KEY_INPUTS.has(node.type);
}

document.addEventListener("keydown", (e) => {
  if (e.key !== "n" && e.key !== "N") return;
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
  if (typesText(e.target)) return;
  e.preventDefault();
  next();
});

// -- actions -----------------------------------------------------------------


/** A failed call: in words beside the question (or on top), then a fresh view after a 409. */
async function failed(result, id) {
  let text;
  if (result.status === 401) {
    signedOut();
    return;
  }
  if (result.status === 0) text = t("network");
  else text = errorMessage(result, result.status === 409 ? t("conflict_refreshed") : t("failed"));
  if (id && Boolean(model.questions[id])) uiFor(id).message = text;
  else showNotice(text);
  announce(text);
  if (result.status === 409) await refreshAll();
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
  const state = uiFor(id);
  if (!q || state.busy) return null;
  const before = focusOf(document.activeElement);
  state.busy = true;
  state.message = "";
  clearNotice();
  schedule();
  const url = `${questionsUrl}/${encodeURIComponent(id)}/actions/${action}`;
  const result = await post(url, { version: q.version, ...extra });
  state.busy = false;
  if (result.ok) upsert(result.data);
  else await failed(result, id);
  const after = result.ok && focus ? focus : before;
  if (after) view.focusAfter = { ...after, node: null, fallback: after.fallback || nextButton };
  schedule();
  return result;
}

async function move(id, position) {
  const order = [...model.queue];
  const from = order.indexOf(id);
  if (from < 0 || uiFor(id).busy || position < 0 || position >= order.length || position === from) return;
  order.splice(from, 1);
  order.splice(position, 0, id);
  listQueue(model, order); // shown at once; the server's order is read again below
  const now = focusOf(document.activeElement);
  let key = now && now.row === `queue:${id}` ? now.key : "row";
  if (key === "up" && position === 0) key = "down";
  if (key === "down" && position === order.length - 1) key = "up";
  const result = await act(id, "move", { position }, { row: `queue:${id}`, key });
  if (result && result.ok) announce(t("moved", { id, n: position + 1, total: order.length }));
  await refreshQueue();
}

async function queue(id, position = null) {
  const extra = position === null ? {} : { position };
  const result = await act(id, "queue", extra, { row: `queue:${id}`, key: "row" });
  if (result && result.ok) {
    await refreshQueue();
    announce(t("queued_msg", { id, n: model.queue.indexOf(id) + 1 }));
  }
}

async function assign(id, value) {
  const result = await act(id, "assign", { official_id: value || null });
  if (result && result.ok) uiFor(id).official = null;
}

function openAnswer(id) {
  const state = uiFor(id);
  state.answering = true;
  state.message = "";
  view.focusAfter = { row: `on_air:${id}`, key: "answer-text" };
  view.onAirStamp = "";
  schedule();
}

function closeAnswer(id) {
  const state = uiFor(id);
  state.answering = false;
  view.focusAfter = { row: `on_air:${id}`, key: "answer" };
  view.onAirStamp = "";
  schedule();
}

async function answer(id) {
  const state = uiFor(id);
  if (!state.draft.trim()) {
    state.message = t("answer_empty");
    announce(state.message);
    view.focusAfter = { row: `on_air:${id}`, key: "answer-text" };
    view.onAirStamp = "";
    schedule();
    return;
  }
  const result = await act(id, "answer", { text: state.draft }, { fallback: nextButton });
  if (result && result.ok) {
    state.answering = false;
    state.draft = "";
  }
}

async function next() {
  if (view.nextBusy || nextButton.disabled) return;
  const choice = document.querySelector('input[name="then"]:checked');
  const current = onAir();
  const hadFocus = document.activeElement === nextButton;
  view.nextBusy = true;
  nextButton.disabled = true;
  nextButton.setAttribute("aria-busy", "true");
  clearNotice();
  const result = await post(`${dialogueUrl}/next`, {
    then: choice ? choice.value : "back",
    current: current ? current.id : "",
  });
  view.nextBusy = false;
  nextButton.removeAttribute("aria-busy");
  if (hadFocus) view.focusAfter = { fallback: nextButton };
  if (result.ok) {
    upsert(result.data);
    announce(t("now_on_air", { id: result.data.id }));
    await refreshQueue();
  } else {
    await failed(result, null);
  }
  schedule();
}

nextButton.addEventListener("click", next);

// -- the overlay's address -----------------------------------------------------

async function loadOverlay() {
  const input = document.getElementById("overlay-url");
  const copy = document.getElementById("overlay-copy");
  const open = document.getElementById("overlay-open");
  const status = document.getElementById("overlay-status");
  const result = await api(`${dialogueUrl}/screen`, { lang });
  if (!result.ok) {
    status.textContent = errorMessage(result, t("overlay_failed"));
    return;
  }
  input.value = result.data.url;
  open.href = result.data.url;
  open.hidden = false;
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

// -- connection --------------------------------------------------------------


setInterval(tick, 1000);
loadOverlay();

feed.start();
