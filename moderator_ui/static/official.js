// The official's console: the questions routed to one official, live from the
// staff feed, by state (on air, queued, published, written answers owed,
// answered); preparation notes; start answering, back to the queue, defer to
// a written answer, and the answer published with one action.
//
// State comes only from the server (the feed's snapshot and events, the API's
// answers), applied by the shared reducer (lib/state.js); the buttons are the
// actions each question's actions_by_role allows this viewer
// (lib/permissions.js). Each card keeps its text boxes across redraws, so what an
// official or an aide is typing (an IME composition included) is never lost
// to a live update. Text is written with textContent (never as HTML).

import { askedBy, label, liveRegion, staffConnection, t } from "./common.js";
import { api, csrfToken, errorMessage } from "./lib/api.js";
import { h, length, readJSON, reconcile } from "./lib/dom.js";
import { allowedActions, viewerOf } from "./lib/permissions.js";
import { apply, createState, listQueue, take } from "./lib/state.js";
import { timeElement } from "./lib/time.js";

const root = document.getElementById("official");
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const mine = root.dataset.official;
const answerMax = Number(root.dataset.answerMax) || 10000;
const noteMax = Number(root.dataset.noteMax) || 2000;
const csrf = csrfToken();
const questionsUrl = `/api/v1/dialogues/${encodeURIComponent(slug)}/questions`;

const SECTIONS = ["on_air", "queued", "approved", "deferred", "answered"];
// Events after which the on-air queue's order may have changed (events carry
// no order: the queue is read again from the API).
const QUEUE_EVENTS = new Set([
  "question.queued",
  "question.dequeued",
  "question.moved",
  "question.on_air",
  "question.returned",
  "question.answered",
  "question.deferred",
  "question.unpublished",
  "question.merged",
]);
const CLOSED_PHASES = new Set(["closed", "archived"]);
// Sections that matter only while the broadcast is on.
const DURING = new Set(["on_air", "queued", "approved"]);

const viewer = viewerOf(readJSON("viewer-data"));
// What the staff feed said (lib/state.js): every question of the dialogue.
const model = createState("staff");
// What this page is doing, beside the model.
const view = {
  cards: new Map(), // id -> card (see makeCard)
  phase: root.dataset.phase,
  synced: false,
  frame: 0,
  queueBusy: false, // a read of the queue's order is under way
  queueAgain: false, // read it once more when that one ends
};

const lists = Object.fromEntries(
  SECTIONS.map((key) => [
    key,
    { node: document.getElementById(`${key}-list`), empty: document.getElementById(`${key}-empty`) },
  ]),
);
const connection = document.getElementById("connection");
const notice = document.getElementById("notice");
const announce = liveRegion(root);

function schedule() {
  if (!view.frame) view.frame = requestAnimationFrame(draw);
}

// -- state -------------------------------------------------------------------

/** The questions this page shows: routed to this official, in one of its sections. */
function shown() {
  return Object.values(model.questions).filter((q) => q.official && q.official.id === mine && SECTIONS.includes(q.status));
}

function receive(message) {
  const out = apply(model, message);
  if (message.type === "snapshot") {
    view.synced = true;
    refreshQueue();
  } else if (QUEUE_EVENTS.has(message.type)) {
    refreshQueue();
  }
  if (out.dialogue) showDialogue(model.dialogue);
  schedule();
}

/** Read the on-air queue's order again; one request at a time, the last wins. */
async function refreshQueue() {
  if (view.queueBusy) {
    view.queueAgain = true;
    return;
  }
  view.queueBusy = true;
  do {
    view.queueAgain = false;
    const result = await api(`${questionsUrl}?status=queued&limit=500`, { lang });
    if (result.ok && result.data) listQueue(model, result.data.items.map((q) => q.id));
    else if (result.status === 401) signedOut();
  } while (view.queueAgain);
  view.queueBusy = false;
  schedule();
}

function showDialogue(dialogue) {
  document.getElementById("dialogue-title").textContent = dialogue.title;
  const badge = document.getElementById("dialogue-status");
  badge.className = `badge dialogue-${dialogue.status}`;
  badge.textContent = label("dialogue_statuses", dialogue.status);
  if (dialogue.status !== view.phase) {
    view.phase = dialogue.status;
    root.dataset.phase = view.phase;
    placeOwed();
    schedule();
  }
}

/** After the broadcast, the written answers owed are the page's first section. */
function placeOwed() {
  const closed = CLOSED_PHASES.has(view.phase);
  const sections = document.getElementById("sections");
  const owed = document.getElementById("sec-deferred");
  const anchor = closed ? sections.firstElementChild : document.getElementById("sec-answered");
  if (owed !== anchor && owed.nextElementSibling !== anchor) sections.insertBefore(owed, anchor);
  document.getElementById("closed-note").hidden = !closed;
}

// -- drawing -----------------------------------------------------------------

function order(key, items) {
  if (key === "queued") {
    const at = (q) => {
      const i = model.queue.indexOf(q.id);
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    };
    return items.sort((a, b) => at(a) - at(b) || Number(a.id) - Number(b.id));
  }
  if (key === "deferred") {
    return items.sort((a, b) => (a.deferred_at || "").localeCompare(b.deferred_at || "") || Number(a.id) - Number(b.id));
  }
  if (key === "answered") {
    const when = (q) => (q.answer && q.answer.answered_at) || "";
    return items.sort((a, b) => when(b).localeCompare(when(a)));
  }
  return items.sort((a, b) => Number(a.id) - Number(b.id));
}

function draw() {
  view.frame = 0;
  const mineNow = shown();
  const showing = new Set(mineNow.map((q) => q.id));
  for (const [id, card] of view.cards) {
    if (!showing.has(id)) {
      card.node.remove();
      view.cards.delete(id);
    }
  }
  for (const question of mineNow) {
    if (!view.cards.has(question.id)) view.cards.set(question.id, makeCard(question.id));
    update(view.cards.get(question.id), question);
  }
  const active = document.activeElement;
  for (const key of SECTIONS) {
    const items = order(key, mineNow.filter((q) => q.status === key));
    reconcile(lists[key].node, items.map((q) => q.id), (id) => view.cards.get(id).node);
    lists[key].empty.hidden = !view.synced || items.length > 0;
    // After the broadcast, empty on-air lists are noise around the answers owed.
    document.getElementById(`sec-${key}`).hidden = DURING.has(key) && CLOSED_PHASES.has(view.phase) && !items.length;
    for (const node of document.querySelectorAll(`[data-count="${key}"]`)) node.textContent = String(items.length);
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
 * once and kept (the answer, the new note).
 */
function makeCard(id) {
  const state = { busy: false, message: "" };
  const info = h("div", { class: "oq-info" });
  const notesList = h("ul", { class: "notes-list" });
  const noteId = `note-${id}`;
  const { area: noteArea, count: noteCount, showCount: showNoteCount } = countedBox(noteId, "2", noteMax);
  const noteButton = h("button", { type: "button", class: "button", text: t("add_note"), onclick: () => addNote(id) });
  const noteBox = h("details", { class: "note-form" }, h("summary", { text: t("write_note") }),
    h("div", { class: "field" }, h("label", { for: noteId, text: t("new_note") }), noteArea, noteCount, h("div", { class: "q-actions" }, noteButton)));
  const notes = h(
    "section",
    { class: "notes", "aria-labelledby": `${noteId}-heading` },
    h("h3", { id: `${noteId}-heading`, text: t("notes") }),
    notesList,
    noteBox,
  );

  const answerId = `answer-${id}`;
  const answerLabel = h("label", { for: answerId });
  const { area: answerArea, count: answerCount, showCount: showAnswerCount } = countedBox(answerId, "6", answerMax);
  const publishButton = h("button", {
    type: "button",
    class: "button button-primary",
    text: t("publish"),
    onclick: () => publish(id),
  });
  const answerBox = h("div", { class: "answer-box field" }, answerLabel, answerArea, answerCount, h("div", { class: "q-actions" }, publishButton));

  const message = h("p", { class: "q-message" });
  const bar = h("div", { class: "q-actions oq-actions" });
  const article = h("article", { class: "question-card", "aria-label": t("question_no", { id }) }, info, message, answerBox, bar, notes);
  const node = h("li", { class: "oq", id: `oq-${id}`, tabindex: "-1", "data-id": id }, article);
  return { id, node, state, info, notesList, noteBox, noteArea, noteButton, showNoteCount, answerBox, answerLabel, answerArea, publishButton, showAnswerCount, message, bar, stamps: {} };
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

function update(card, q) {
  const { state } = card;
  const position = q.status === "queued" ? model.queue.indexOf(q.id) + 1 : 0;
  card.node.dataset.status = q.status;
  if (changed(card, "info", [q.text, q.name, q.organization, q.locality, q.topic_name, q.status, q.asked_by, q.votes, q.answer, q.on_air_at, q.deferred_at, q.submitted_at, position])) {
    card.info.replaceChildren(...info(q, position));
  }
  if (changed(card, "notes", q.notes)) {
    card.notesList.replaceChildren(...notesItems(q.notes || []));
  }
  const allowed = allowedActions(q, viewer);
  card.answerBox.hidden = !allowed.has("answer");
  card.noteBox.hidden = !allowed.has("note");
  card.answerLabel.textContent = t(q.status === "deferred" ? "answer_written" : "answer_live");
  card.publishButton.disabled = state.busy;
  card.noteButton.disabled = state.busy;
  card.message.textContent = state.message;
  card.message.hidden = !state.message;
  const others = model.onAir !== null && model.onAir !== q.id;
  if (changed(card, "bar", [q.status, q.version, [...allowed], state.busy, view.phase, others])) {
    redrawPart(card.bar, () => buttons(q, state, others));
  }
}

function info(q, position) {
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
  if (q.status === "on_air" && q.on_air_at) {
    parts.push(h("p", { class: "oq-since" }, `${t("on_air_since")} `, timeElement(q.on_air_at, lang)));
  }
  if (q.status === "deferred" && q.deferred_at) {
    parts.push(h("p", { class: "oq-since oq-owed" }, `${t("owed_since")} `, timeElement(q.deferred_at, lang)));
  }
  if (q.answer) {
    parts.push(
      h(
        "div",
        { class: "answer" },
        h(
          "p",
          { class: "answer-by" },
          h("span", { class: "answer-kind", text: label("answer_kinds", q.answer.kind) }),
          q.answer.official ? h("span", { class: "answer-official", text: q.answer.official.name }) : null,
          timeElement(q.answer.answered_at, lang),
        ),
        h("p", { class: "answer-text", text: q.answer.text }),
      ),
    );
  }
  return parts;
}

function notesItems(notes) {
  if (!notes.length) return [h("li", { class: "empty", text: t("no_notes") })];
  return notes.map((note) =>
    h(
      "li",
      { class: "note" },
      h("p", { class: "note-text", text: note.text }),
      h("p", { class: "note-by" }, h("span", { class: "note-actor", text: note.actor }), " · ", timeElement(note.at, lang)),
    ),
  );
}

function button(text, key, onclick, extra, disabled) {
  return h("button", { type: "button", class: `button ${extra}`.trim(), "data-focus": key, disabled, onclick, text });
}

function buttons(q, state, others) {
  const id = q.id;
  const busy = state.busy;
  const out = [];
  const live = !CLOSED_PHASES.has(view.phase);
  const allowed = allowedActions(q, viewer);
  const startable = allowed.has("on_air") && live;
  if (startable) out.push(button(t("start"), "on_air", () => act(id, "on_air"), "button-primary", busy));
  if (allowed.has("back")) out.push(button(t("back"), "back", () => act(id, "back"), "", busy));
  if (allowed.has("defer")) out.push(button(t("defer"), "defer", () => act(id, "defer"), "", busy));
  if (busy) out.push(h("span", { class: "working", text: t("working") }));
  if (others && startable) {
    out.push(h("p", { class: "hint oq-warning", text: t("other_on_air") }));
  }
  return out;
}

// -- actions -----------------------------------------------------------------

function say(id, text) {
  const card = view.cards.get(id);
  if (!card) return;
  card.state.message = text;
  if (text) announce(text);
  schedule();
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
  schedule();
  return result.ok ? result.data : null;
}

async function act(id, action) {
  const question = model.questions[id];
  if (!question) return;
  const done = await send(id, action, { version: question.version });
  if (done && action === "on_air") {
    const card = view.cards.get(id);
    draw();
    if (card) card.answerArea.focus();
  } else if (done) {
    draw();
    const card = view.cards.get(id);
    if (card) card.node.focus();
  }
}

/** Send the text of one of a card's boxes as `action`; on success empty the box and say `saved`. */
async function sendText(id, action, { area, showCount, max, empty, saved, focus }) {
  const text = area.value.trim();
  const problem = !text ? t(empty) : length(text) > max ? t("too_long", { max }) : "";
  if (problem) {
    say(id, problem);
    area.focus();
    return;
  }
  if (await send(id, action, { text })) {
    area.value = "";
    showCount();
    draw();
    announce(t(saved));
    focus.focus();
  }
}

function publish(id) {
  const card = view.cards.get(id);
  const box = { area: card.answerArea, showCount: card.showAnswerCount, max: answerMax, focus: card.node };
  return sendText(id, "answer", { ...box, empty: "answer_empty", saved: "published" });
}

function addNote(id) {
  const card = view.cards.get(id);
  const box = { area: card.noteArea, showCount: card.showNoteCount, max: noteMax, focus: card.noteArea };
  return sendText(id, "note", { ...box, empty: "note_empty", saved: "note_saved" });
}

// -- connection --------------------------------------------------------------

placeOwed();
const { feed, signedOut } = staffConnection(slug, { onMessage: receive, connection, notice, lang });
feed.start();
