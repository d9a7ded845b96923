// The official's console: what one official has to do, live from the staff
// feed. During the broadcast: their questions on air, in the queue and
// published, each with "ready to answer #N" (the producer sees it at once)
// and "I will answer #N in writing"; the air itself is the producer's, so
// nothing here changes it. Always: the written answers they owe (overdue
// first, then by due date) and the summaries of their answers given live.
// After the broadcast, only what they owe. A secretary's page shows the
// summaries to write for every official.
//
// State comes only from the server (the feed's snapshot and events, the API's
// answers), applied by the shared reducer (lib/state.js); the buttons are the
// actions each question's actions_by_role allows this viewer
// (lib/permissions.js). Each card keeps its text boxes across redraws, so what
// an official, an aide or a secretary is typing (an IME composition included)
// is never lost to a live update. Text is written with textContent (never as
// HTML).

import { askedBy, confirmWith, label, liveRegion, staffConnection, t } from "./common.js";
import { api, csrfToken, errorMessage } from "./lib/api.js";
import { h, length, readJSON, reconcile } from "./lib/dom.js";
import { allowedActions, viewerOf } from "./lib/permissions.js";
import { apply, createState, listQueue, older, take } from "./lib/state.js";
import { formatDay, formatTime, timeElement, today } from "./lib/time.js";
import { held } from "./pressed.js";

const root = document.getElementById("official");
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const mine = root.dataset.official;
const everyones = root.dataset.secretary === "true";
const answerMax = Number(root.dataset.answerMax) || 10000;
const noteMax = Number(root.dataset.noteMax) || 2000;
const csrf = csrfToken();
const questionsUrl = `/api/v1/dialogues/${encodeURIComponent(slug)}/questions`;

// The page's lists, in page order; those of the broadcast go after it ends.
const SECTIONS = ["on_air", "queued", "approved", "owed", "summaries", "answered"];
const DURING = new Set(["on_air", "queued", "approved", "answered"]);
const CLOSED_PHASES = new Set(["closed", "archived"]);

const viewer = viewerOf(readJSON("viewer-data"));
// What the staff feed said (lib/state.js): every question of the dialogue.
const model = createState("staff");
// What this page is doing, beside the model.
const view = {
  cards: new Map(), // id -> card (see makeCard)
  phase: root.dataset.phase,
  synced: false,
  frame: 0,
};

const lists = Object.fromEntries(
  SECTIONS.filter((key) => document.getElementById(`${key}-list`)).map((key) => [
    key,
    {
      node: document.getElementById(`${key}-list`),
      empty: document.getElementById(`${key}-empty`),
      section: document.getElementById(`sec-${key}`),
      counts: [...document.querySelectorAll(`[data-count="${key}"]`)],
    },
  ]),
);
const connection = document.getElementById("connection");
const notice = document.getElementById("notice");
const statusLine = document.getElementById("status-line");
const announce = liveRegion(root);

function schedule() {
  if (!view.frame) view.frame = requestAnimationFrame(draw);
}

function closed() {
  return CLOSED_PHASES.has(view.phase);
}

// -- what goes where -----------------------------------------------------------

function isMine(q) {
  return Boolean(mine) && Boolean(q.official) && q.official.id === mine;
}

/** Answered live, and nobody has written its summary yet. */
function needsSummary(q) {
  return q.status === "answered" && Boolean(q.answer) && q.answer.kind === "live" && !q.answer.text;
}

/** The list `q` belongs in on this page, or null. */
function listOf(q) {
  if (isMine(q) && q.status === "deferred") return "owed";
  if (needsSummary(q) && (everyones || isMine(q)) && allowedActions(q, viewer).has("summarize")) return "summaries";
  if (closed() || !isMine(q)) return null;
  return ["on_air", "queued", "approved", "answered"].includes(q.status) ? q.status : null;
}

function overdue(q, now) {
  return q.status === "deferred" && Boolean(q.due_at) && q.due_at < now;
}

/**
 * The answered questions this page lists (summaries to write, my answers):
 * the staff snapshot leaves finished questions out (docs/api.md), so after
 * each snapshot they are read from the history, every page of it, into the
 * state (a page never overrides what the feed said; a newer snapshot stops it).
 */
async function loadFinished() {
  const epoch = model.epoch;
  let before = null;
  do {
    const query = new URLSearchParams({ limit: "500" });
    if (before) query.set("before", before);
    const result = await api(`/api/v1/dialogues/${encodeURIComponent(slug)}/history?${query}`, { lang });
    if (!result.ok || epoch !== model.epoch) return;
    older(model, result.data.items, { epoch, nextBefore: null });
    before = result.data.next_before;
    schedule();
  } while (before);
}

function receive(message) {
  const out = apply(model, message);
  if (message.type === "snapshot") {
    view.synced = true;
    loadFinished();
    if (message.data && Array.isArray(message.data.queue)) listQueue(model, message.data.queue);
  } else if (message.type === "queue.changed" && message.data && Array.isArray(message.data.ids)) {
    listQueue(model, message.data.ids);
  }
  if (out.dialogue) showDialogue(model.dialogue);
  schedule();
}

function showDialogue(dialogue) {
  document.getElementById("dialogue-title").textContent = dialogue.title;
  const badge = document.getElementById("dialogue-status");
  badge.className = `badge dialogue-${dialogue.status}`;
  badge.textContent = label("dialogue_statuses", dialogue.status);
  if (dialogue.status === view.phase) return;
  view.phase = dialogue.status;
  root.dataset.phase = view.phase;
  const note = document.getElementById("closed-note");
  if (mine) note.hidden = !closed();
  const airNote = document.getElementById("air-note");
  if (airNote) airNote.hidden = closed();
  schedule();
}

// -- drawing -----------------------------------------------------------------

function order(key, items) {
  const byId = (a, b) => Number(a.id) - Number(b.id);
  if (key === "queued") {
    const at = (q) => {
      const i = model.queue.indexOf(q.id);
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    return items.sort((a, b) => at(a) - at(b) || byId(a, b));
  }
  if (key === "owed") {
    // The earliest due first (so the overdue lead), then those not yet dated.
    const due = (q) => q.due_at || "9999-12-31";
    return items.sort((a, b) => due(a).localeCompare(due(b)) || (a.deferred_at || "").localeCompare(b.deferred_at || "") || byId(a, b));
  }
  const answeredAt = (q) => (q.answer && q.answer.answered_at) || "";
  if (key === "summaries") return items.sort((a, b) => answeredAt(a).localeCompare(answeredAt(b)) || byId(a, b));
  if (key === "answered") return items.sort((a, b) => answeredAt(b).localeCompare(answeredAt(a)) || byId(b, a));
  return items.sort(byId);
}

function draw() {
  view.frame = 0;
  // A card's buttons drawn again, or the card moved to another list, under a
  // pressed pointer would lose its click: drawn once it is let go (pressed.js).
  if (held(root, schedule)) return;
  const now = today();
  const placed = new Map(Object.keys(lists).map((key) => [key, []]));
  for (const q of Object.values(model.questions)) {
    const key = listOf(q);
    if (key && placed.has(key)) placed.get(key).push(q);
  }
  const showing = new Set([...placed.values()].flat().map((q) => q.id));
  for (const [id, card] of view.cards) {
    if (!showing.has(id)) {
      card.node.remove();
      view.cards.delete(id);
    }
  }
  const active = document.activeElement;
  for (const [key, items] of placed) {
    for (const q of items) {
      if (!view.cards.has(q.id)) view.cards.set(q.id, makeCard(q.id));
      update(view.cards.get(q.id), q, now);
    }
    const list = lists[key];
    reconcile(list.node, order(key, items).map((q) => q.id), (id) => view.cards.get(id).node);
    list.empty.hidden = !view.synced || items.length > 0;
    list.section.hidden = DURING.has(key) && closed();
    for (const node of list.counts) node.textContent = String(items.length);
  }
  // Moving a card to another list takes the focus from what was in it: give it back.
  if (active && active !== document.body && active.isConnected && document.activeElement !== active) active.focus();
}

/** A text box with its character count (kept up to date as it is typed in). */
function countedBox(id, rows, max) {
  const count = h("p", { class: "char-count", id: `${id}-count` });
  const area = h("textarea", { id, rows, maxlength: String(max), "aria-describedby": count.id });
  const showCount = () => {
    count.textContent = t("chars", { n: length(area.value), max });
    count.classList.toggle("over", length(area.value) > max);
  };
  area.addEventListener("input", showCount);
  showCount();
  return { area, count, showCount };
}

/**
 * A card: an <li> with parts that are redrawn when their data changes (the
 * question's details, its notes, its buttons) and text boxes that are made
 * once and kept (the written answer or the summary, the new note).
 */
function makeCard(id) {
  const state = { busy: false, message: "", confirming: false };
  const info = h("div", { class: "oq-info" });
  const notesList = h("ul", { class: "notes-list" });
  const noteId = `note-${id}`;
  const { area: noteArea, count: noteCount, showCount: showNoteCount } = countedBox(noteId, "2", noteMax);
  const noteButton = h("button", { type: "button", class: "button", text: t("add_note"), onclick: () => addNote(id) });
  const noteBox = h(
    "details",
    { class: "note-form" },
    h("summary", { text: t("write_note") }),
    h("div", { class: "field" }, h("label", { for: noteId, text: t("new_note") }), noteArea, noteCount, h("div", { class: "q-actions" }, noteButton)),
  );
  // Named by its heading and its question's number: each card's notes are a region of their own.
  const notes = h("section", { class: "notes", "aria-label": `${t("notes")} · ${t("question_no", { id })}` }, h("h3", { text: t("notes") }), notesList, noteBox);

  const answerId = `answer-${id}`;
  const answerLabel = h("label", { for: answerId });
  const { area: answerArea, count: answerCount, showCount: showAnswerCount } = countedBox(answerId, "6", answerMax);
  const publishButton = h("button", { type: "button", class: "button button-primary", onclick: () => publish(id) });
  const answerBox = h("div", { class: "answer-box field" }, answerLabel, answerArea, answerCount, h("div", { class: "q-actions" }, publishButton));

  const message = h("p", { class: "q-message" });
  const bar = h("div", { class: "q-actions oq-actions" });
  const article = h("article", { class: "question-card", "aria-label": t("question_no", { id }) }, info, message, answerBox, bar, notes);
  const node = h("li", { class: "oq", id: `oq-${id}`, tabindex: "-1", "data-id": id }, article);
  return { id, node, state, info, notesList, noteBox, noteArea, noteButton, showNoteCount, answerBox, answerLabel, answerArea, publishButton, showAnswerCount, message, bar, mode: null, stamps: {} };
}

function changed(card, part, value) {
  const stamp = JSON.stringify(value);
  if (card.stamps[part] === stamp) return false;
  card.stamps[part] = stamp;
  return true;
}

/** Redraw `part` of a card, giving the focus back to the control that had it. */
function redrawPart(container, build) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focus : null;
  container.replaceChildren(...build());
  if (key) {
    const target = container.querySelector(`[data-focus="${key}"]`);
    if (target && !target.disabled) target.focus();
    else container.closest("li").focus();
  }
}

/** What the card's text box is for: "answer" (written), "summarize", or null. */
function boxMode(q, allowed) {
  if (q.status === "deferred" && allowed.has("answer")) return "answer";
  if (needsSummary(q) && allowed.has("summarize")) return "summarize";
  return null;
}

function update(card, q, now) {
  const { state } = card;
  const position = q.status === "queued" && !closed() ? model.queue.indexOf(q.id) + 1 : 0;
  const late = overdue(q, now);
  card.node.dataset.status = q.status;
  card.node.classList.toggle("is-overdue", late);
  if (changed(card, "info", [q.text, q.name, q.organization, q.locality, q.topic_name, q.status, q.asked_by, q.answer, q.on_air_at, q.deferred_at, q.due_at, q.submitted_at, q.official, position, late])) {
    card.info.replaceChildren(...info(q, position, late));
  }
  if (changed(card, "notes", q.notes)) card.notesList.replaceChildren(...notesItems(q.notes || []));
  const allowed = allowedActions(q, viewer);
  card.mode = boxMode(q, allowed);
  card.answerBox.hidden = !card.mode;
  card.noteBox.hidden = !allowed.has("note");
  card.answerLabel.textContent = t(card.mode === "summarize" ? "summary_label" : "answer_written");
  card.publishButton.textContent = t(card.mode === "summarize" ? "publish_summary" : "publish");
  card.publishButton.disabled = state.busy;
  card.noteButton.disabled = state.busy;
  card.message.textContent = state.message;
  card.message.hidden = !state.message;
  if (!allowed.has("defer")) state.confirming = false;
  if (changed(card, "bar", [q.status, q.version, q.ready_at, [...allowed], state.busy, state.confirming, view.phase])) {
    redrawPart(card.bar, () => buttons(q, state, allowed));
  }
}

function info(q, position, late) {
  const parts = [
    h(
      "p",
      { class: "q-head" },
      h("span", { class: "q-id", text: `#${q.id}` }),
      h("span", { class: `badge status-${q.status}`, text: label("statuses", q.status) }),
      q.topic_name ? h("span", { class: "tag", text: q.topic_name }) : null,
      position ? h("span", { class: "queue-position", text: t("queue_position", { n: position }) }) : null,
    ),
    h("p", { class: "q-text", text: q.text }),
    h(
      "p",
      { class: "pq-meta" },
      h("span", { class: "pq-name", text: q.name || t("anonymous") }),
      q.organization ? h("span", { text: q.organization }) : null,
      q.locality ? h("span", { text: q.locality }) : null,
      timeElement(q.submitted_at, lang),
      q.asked_by > 1 ? h("span", { class: "asked-by", text: askedBy(q.asked_by) }) : null,
    ),
  ];
  if (everyones && q.official && !isMine(q)) {
    parts.push(h("p", { class: "oq-official", text: t("official_of", { name: q.official.name }) }));
  }
  if (q.status === "on_air") {
    parts.push(h("p", { class: "oq-since" }, `${t("on_air_since")} `, timeElement(q.on_air_at, lang)));
    parts.push(h("p", { class: "hint oq-air", text: t("on_air_hint") }));
  }
  if (q.status === "deferred") parts.push(dueLine(q, late));
  if (q.answer) {
    const when = h("p", { class: "answer-by" }, h("span", { class: "answer-kind", text: label("answer_kinds", q.answer.kind) }), q.answer.official ? h("span", { class: "answer-official", text: q.answer.official.name }) : null, timeElement(q.answer.answered_at, lang));
    const text = q.answer.text ? h("p", { class: "answer-text", text: q.answer.text }) : null;
    parts.push(h("div", { class: "answer" }, when, text));
  }
  return parts;
}

/** When the written answer is due (marked when overdue), or since when it is owed. */
function dueLine(q, late) {
  if (q.due_at) {
    const text = t(late ? "overdue" : "due", { date: formatDay(q.due_at, lang) });
    return h("p", { class: `oq-due${late ? " oq-overdue" : ""}` }, late ? h("span", { class: "badge badge-overdue", "aria-hidden": "true", text: "!" }) : null, h("span", { class: "oq-due-text", text }));
  }
  return h("p", { class: "oq-since oq-owed" }, `${t("owed_since")} `, timeElement(q.deferred_at, lang), h("span", { class: "hint oq-no-due", text: ` ${t("no_due")}` }));
}

function notesItems(notes) {
  if (!notes.length) return [h("li", { class: "empty", text: t("no_notes") })];
  return notes.map((note) =>
    h("li", { class: "note" }, h("p", { class: "note-text", text: note.text }), h("p", { class: "note-by" }, h("span", { class: "note-actor", text: note.actor }), " · ", timeElement(note.at, lang))),
  );
}

function button(text, key, onclick, extra, disabled, more = {}) {
  return h("button", { type: "button", class: `button ${extra}`.trim(), "data-focus": key, disabled, onclick, text, ...more });
}

function buttons(q, state, allowed) {
  const id = q.id;
  const busy = state.busy;
  const out = [];
  if (closed()) return out;
  if (state.confirming) {
    out.push(
      h("p", { class: "oq-confirm", text: t("defer_confirm", { id }) }),
      button(t("defer_yes"), "defer-yes", () => act(id, "defer"), "button-primary", busy),
      button(t("cancel"), "defer-cancel", () => confirmDefer(id, false), "", busy),
    );
    return out;
  }
  if (allowed.has("ready")) {
    const ready = Boolean(q.ready_at);
    out.push(button(t("ready", { id }), "ready", () => act(id, "ready", { ready: !ready }), ready ? "button-primary" : "", busy, { "aria-pressed": ready ? "true" : "false" }));
  }
  if (allowed.has("defer")) out.push(button(t("defer", { id }), "defer", () => confirmDefer(id, true), "", busy));
  if (busy) out.push(h("span", { class: "working", text: t("working") }));
  if (q.ready_at && allowed.has("ready")) out.push(h("p", { class: "hint oq-ready", text: t("ready_since", { time: formatTime(q.ready_at, lang) }) }));
  return out;
}

// -- actions -----------------------------------------------------------------

/** Say `text` in the page's status line (a live region: screen readers say it too). */
function tell(text) {
  statusLine.textContent = text;
}

/** Say `text` about question `id`: on its card and in the status line. */
function say(id, text) {
  const card = view.cards.get(id);
  if (card) card.state.message = text;
  tell(text);
  schedule();
}

function confirmDefer(id, on) {
  const card = view.cards.get(id);
  if (!card) return;
  card.state.confirming = on;
  draw();
}

async function send(id, action, body) {
  const card = view.cards.get(id);
  if (!card || card.state.busy) return null;
  card.state.busy = true;
  card.state.message = "";
  draw();
  const url = `${questionsUrl}/${encodeURIComponent(id)}/actions/${action}`;
  const result = await api(url, { method: "POST", body, csrf, lang });
  card.state.busy = false;
  card.state.confirming = false;
  if (result.ok) {
    take(model, result.data);
  } else if (result.status === 409) {
    const fresh = await api(`${questionsUrl}/${encodeURIComponent(id)}`, { lang });
    const status = fresh.ok ? fresh.data.status : model.questions[id]?.status;
    if (fresh.ok) take(model, fresh.data, { force: true });
    say(id, t("conflict", { status: label("statuses", status) }));
  } else if (result.status === 401) {
    signedOut();
  } else {
    say(id, result.status === 0 ? t("network") : errorMessage(result, t("failed")));
  }
  draw();
  return result.ok ? result.data : null;
}

/** Keep the keyboard on the card if it is still shown, else on the status line. */
function refocus(id) {
  const card = view.cards.get(id);
  if (card && card.node.isConnected) card.node.focus();
  else statusLine.focus();
}

const DONE = { defer: "deferred_done", answer: "published", summarize: "summary_published" };

async function act(id, action, extra = {}) {
  const question = model.questions[id];
  if (!question) return;
  const done = await send(id, action, { version: question.version, ...extra });
  if (!done) return;
  const key = action === "ready" ? (done.ready_at ? "ready_done" : "unready_done") : DONE[action];
  tell(t(key, { id }));
  const card = view.cards.get(id);
  const again = action === "ready" && card && card.bar.querySelector('[data-focus="ready"]');
  if (again) again.focus();
  else refocus(id);
}

/** Send the text of one of a card's boxes as `action`; on success empty the box.
 * `confirm` (if given) is asked once the text is valid; declined, nothing is sent. */
async function sendText(id, action, { area, showCount, max, empty, confirm = null }) {
  const text = area.value.trim();
  const problem = !text ? t(empty) : length(text) > max ? t("too_long", { max }) : "";
  if (problem) {
    say(id, problem);
    area.focus();
    return false;
  }
  if (confirm && !(await confirm())) return false;
  // A note is added whatever changed meanwhile; an answer only to the question as seen.
  const body = action === "note" ? { text } : { version: model.questions[id].version, text };
  if (!(await send(id, action, body))) return false;
  area.value = "";
  showCount();
  return true;
}

async function publish(id) {
  const card = view.cards.get(id);
  const action = card.mode;
  if (!action) return;
  const empty = action === "summarize" ? "summary_empty" : "answer_empty";
  // A written answer is public and e-mailed to the asker at once (an e-mail
  // cannot be recalled): the official confirms it first. A summary only
  // goes on the public page.
  const confirm = action === "answer"
    ? () => confirmWith(t("publish_confirm_title"), t("publish_confirm_text", { id }), t("publish_yes"))
    : null;
  if (await sendText(id, action, { area: card.answerArea, showCount: card.showAnswerCount, max: answerMax, empty, confirm })) {
    tell(t(DONE[action], { id }));
    refocus(id);
  }
}

async function addNote(id) {
  const card = view.cards.get(id);
  if (await sendText(id, "note", { area: card.noteArea, showCount: card.showNoteCount, max: noteMax, empty: "note_empty" })) {
    announce(t("note_saved"));
    card.noteArea.focus();
  }
}

// -- connection --------------------------------------------------------------

const { feed, signedOut } = staffConnection(slug, {
  onMessage: receive,
  connection,
  notice,
  lang,
  phase: root.dataset.phase || null,
});
feed.start();
