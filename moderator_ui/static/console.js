// The moderation console: the dialogue's questions live from the staff feed,
// and the moderator's actions sent to the JSON API with the question's
// version. Keyboard first (console_keys.js; "?" lists the keys), every action
// also a button. Filters and sort, the compact view, bulk actions, presence,
// undo and the entry of questions from other channels live in their own
// console_*.js modules.
//
// State comes only from the server: the feed's snapshot and events and the
// API's answers, applied by the shared reducer (lib/state.js); the actions
// offered are those each question's actions_by_role allows this moderator
// (lib/permissions.js). Text is written with textContent (never as HTML).

import { label, staffConnection, t } from "./common.js";
import { createBulk } from "./console_bulk.js";
import { createDensity } from "./console_density.js";
import { card } from "./console_card.js";
import { chooseBulkReason, chooseMergeTarget, chooseOfficial, chooseReason, chooseTopic } from "./console_choices.js";
import { createEntry } from "./console_entry.js";
import { createFilters, warmKeys } from "./console_filters.js";
import { createHistory } from "./console_history.js";
import { bindKeys, helpOverlay } from "./console_keys.js";
import { createPresence } from "./console_presence.js";
import { inverse, UndoStack } from "./console_undo.js";
import { createUnowned } from "./console_unowned.js";
import { createWindow } from "./console_window.js";
import { api, csrfToken, errorMessage, errorOf } from "./lib/api.js";
import { readJSON, whenIdle } from "./lib/dom.js";
import { allowedActions, viewerOf } from "./lib/permissions.js";
import { apply, createState, take } from "./lib/state.js";
import { formatTime } from "./lib/time.js";
import { held } from "./pressed.js";

const root = document.getElementById("console");
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const username = root.dataset.username;
const editMax = Number(root.dataset.editMax) || 2000;
const bulkMax = Number(root.dataset.bulkMax) || 200;
const csrf = csrfToken();
const questionsUrl = `/api/v1/dialogues/${encodeURIComponent(slug)}/questions`;
const viewer = viewerOf(readJSON("viewer-data"));

const STATUSES = ["pending", "approved", "queued", "on_air", "answered", "deferred", "rejected", "merged"];
// Undo steps taken on many questions at once run this many at a time.
const UNDO_PARALLEL = 4;
// Actions that take the question out of its list: the selection moves on.
const LEAVING = new Set(["approve", "reject", "merge"]);
// The states a question can be merged into (server/domain/lifecycle.py, MERGE_TARGETS).
const MERGE_TARGETS = new Set(["pending", "approved", "queued", "on_air", "deferred", "answered"]);
// The console's three lists: which states each shows, and in which order
// without a sort chosen (pending oldest first, as the API lists it; the
// others newest first).
const LISTS = [
  { key: "pending", statuses: new Set(["pending"]), newestFirst: false },
  { key: "published", statuses: new Set(["approved", "queued", "on_air", "deferred", "answered"]), newestFirst: true },
  { key: "rejected", statuses: new Set(["rejected"]), newestFirst: true },
].map((list) => {
  const node = document.getElementById(`${list.key}-list`);
  // Windowed (console_window.js): only the rows near the viewport are in the DOM.
  return { ...list, node, win: createWindow(node), empty: document.getElementById(`${list.key}-empty`) };
});

// What the staff feed said (lib/state.js), and the Map-like view of its questions the parts use.
const model = createState("staff", readJSON("dialogue-data") || { topics: [], officials: [] });
const questions = {
  get: (id) => model.questions[id],
  has: (id) => Object.hasOwn(model.questions, id),
  values: () => Object.values(model.questions),
};
const ui = new Map(); // id -> what this console is doing with it: {editing, draft, reason, message, busy}
// id -> {node, stamp}: the cards built, those in the DOM (the windows' rows)
// kept up to date; one out of the DOM is dropped when its question changes
// and built again when it comes into a window.
const cards = new Map();
const dirty = new Set();
// Intake stores a suggestion on the newer question; the snapshot lists it on
// both, the live events on the newer only: id -> Map(newer id -> score) of the
// questions that named it, so the older card shows those that came since.
const namedBy = new Map();
// id -> the question it is merged into, from every merged_from the console
// has: the snapshot leaves merged questions out, and a suggestion naming one
// must not offer a merge into it.
const mergedInto = new Map();
const undoStack = new UndoStack();
const inFlight = new Set(); // promises of the actions sent and not yet answered
let synced = false;
let finishedCounted = {}; // finished questions by state, as the last snapshot counted them
let frame = 0;
let paintFrame = 0;
let focusAfter = null; // {id, key}: where the keyboard focus goes after the next draw
let current = null; // the question the moderator is on (j/k, click, focus)
let matching = []; // ids of the questions shown that a bulk action can take (as last drawn)

const connection = document.getElementById("connection");
const notice = document.getElementById("notice");
const titleNode = document.getElementById("dialogue-title");
const statusLine = document.getElementById("console-status");
const filterSummary = document.getElementById("filter-summary");
const selectMatching = document.getElementById("select-matching");
const rejectedBox = document.getElementById("rejected-box");
const announcer = document.getElementById("announcer");
// The counters, found once: a query of the whole page on every draw would
// walk thousands of cards.
const countNodes = [...document.querySelectorAll("[data-count]")];
const shownNodes = [...document.querySelectorAll("[data-shown]")];

// The actions this moderator may take on each question, by the question
// object (the state replaces it when the question changes): each draw asks
// for every question shown, and a Set made once serves them all. Read only.
// The snapshot's questions share their actions_by_role (one object per
// distinct table, common.js), and unless the viewer answers as an official
// the Set depends on that table alone: kept by the table too, so that the
// first draw makes a few Sets, not one per question.
const allowedKept = new WeakMap();
const allowedByTable = new WeakMap();
const byTableOnly = !viewer.roles.includes("official");

function allowedFor(q) {
  let allowed = allowedKept.get(q);
  if (allowed === undefined) {
    const table = q.actions_by_role;
    const shared = byTableOnly && table !== null && typeof table === "object";
    allowed = shared ? allowedByTable.get(table) : undefined;
    if (allowed === undefined) {
      allowed = allowedActions(q, viewer);
      if (shared) allowedByTable.set(table, allowed);
    }
    allowedKept.set(q, allowed);
  }
  return allowed;
}

/** Whether a bulk action (approve or reject) can take `q`: "select all" offers it, a selection keeps it. */
function bulkable(q) {
  const allowed = allowedFor(q);
  return allowed.has("approve") || allowed.has("reject");
}

function uiFor(id) {
  if (!ui.has(id)) ui.set(id, { editing: false, draft: "", reason: "", message: "", busy: false });
  return ui.get(id);
}

/** Say `text` to screen readers and in the console's status line. */
function announce(text) {
  announcer.textContent = "";
  announcer.textContent = text;
  statusLine.textContent = text;
}

// -- state -------------------------------------------------------------------

function touch(id) {
  dirty.add(id);
  schedule();
}

/** Draw at the next frame what is waiting. */
function schedule() {
  if (!frame) frame = requestAnimationFrame(draw);
}

/** Redraw the cards that show `id`'s text: those it is merged into or suggested for or with. */
function touchRelated(id) {
  for (const q of questions.values()) {
    if ((q.merged_from || []).includes(id) || (q.duplicates || []).some((d) => String(d.id) === id)) touch(q.id);
  }
  for (const other of namedBy.get(id)?.keys() || []) touch(other);
}

/** Record (or with `on` false, forget) the suggestions `question` names. */
function link(question, on) {
  for (const dup of question.duplicates || []) {
    const id = String(dup.id);
    if (id === question.id) continue;
    if (!namedBy.has(id)) namedBy.set(id, new Map());
    if (on) namedBy.get(id).set(question.id, dup.score);
    else namedBy.get(id).delete(question.id);
    touch(id);
  }
}

/**
 * The duplicates to show beside `q`: those listed with it (the staff API lists
 * a pair on both questions), and the newer questions that named it since
 * (unless merged or rejected: dealt with).
 */
function suggestionsFor(q) {
  const done = (id) => {
    const status = questions.get(id)?.status;
    return status ? status === "merged" || status === "rejected" : mergedInto.has(id);
  };
  const own = (q.duplicates || []).filter((dup) => String(dup.id) !== q.id && !done(String(dup.id)));
  const seen = new Set(own.map((dup) => String(dup.id)));
  const named = [...(namedBy.get(q.id) || new Map())]
    .filter(([id]) => !seen.has(id) && !done(id))
    .map(([id, score]) => ({ id, score }));
  return [...own, ...named].sort((a, b) => b.score - a.score);
}

/** Redraw what `out` (an apply or take of lib/state.js) changed, and keep the suggestions' index. */
function changed(out) {
  for (const { id, before } of out.questions) {
    const now = model.questions[id];
    if (before) link(before, false);
    if (now) link(now, true);
    for (const gone of before?.merged_from || []) if (mergedInto.get(gone) === id) mergedInto.delete(gone);
    for (const into of now?.merged_from || []) mergedInto.set(into, id);
    touch(id);
    // After a reset every card is redrawn anyway: no need to look for related ones.
    if (!out.reset && (!before || !now || before.text !== now.text || before.status !== now.status)) touchRelated(id);
  }
  if (out.reset) {
    for (const id of ui.keys()) if (!questions.has(id)) ui.delete(id);
    bulk.prune();
  } else if (out.questions.length) bulk.prune(out.questions.map((item) => item.id));
  presence.changed(out.presence);
  if (out.dialogue) titleNode.textContent = model.dialogue.title;
}

/** A staff question an API call answered with (`force`: a fresh read after a conflict). */
function upsert(question, force = false) {
  changed(take(model, question, { force }));
}

function receive(message) {
  changed(apply(model, message));
  if (message.type === "snapshot") {
    past.snapshot(message.data);
    finishedCounted = (message.data && message.data.finished) || {};
    synced = true;
    touch(null);
    warmKeys(questions.values());
  }
}

// -- drawing -----------------------------------------------------------------

/** Draw now what is waiting for the next frame (before reading the lists' order). */
function flush() {
  if (!frame) return;
  cancelAnimationFrame(frame);
  draw();
}

function draw() {
  frame = 0;
  // A control replaced or moved under a pressed pointer would lose its click
  // (a card drawn again, a row moved in its list), and so would one that a
  // card or a section drawn above it pushes down: the console is drawn once
  // the pointer is let go (pressed.js).
  if (held(root, schedule)) return;
  for (const id of dirty) {
    if (id === null) continue;
    // Only the cards in the DOM are drawn again; the others when they come into view.
    if (cards.get(id)?.node.isConnected) redraw(id);
    else cards.delete(id);
  }
  dirty.clear();
  // One pass over the questions: the counts, and each list's questions.
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  const everything = questions.values();
  const inList = LISTS.map(() => []);
  for (const question of everything) {
    if (question.status in counts) counts[question.status] += 1;
    for (let i = 0; i < LISTS.length; i += 1) {
      if (LISTS[i].statuses.has(question.status)) inList[i].push(question);
    }
  }
  let shown = 0;
  let total = 0;
  const shownCounts = {};
  const active = document.activeElement;
  const selectable = [];
  const filtering = filters.active();
  for (const [i, list] of LISTS.entries()) {
    const all = inList[i];
    const items = (filtering ? all.filter(filters.matcher()) : all.slice()).sort(filters.order(list.newestFirst));
    for (const q of items) if (bulkable(q)) selectable.push(q.id);
    list.win.set(items.map((q) => q.id));
    list.empty.hidden = !synced || all.length > 0;
    shownCounts[list.key] = items.length;
    shown += items.length;
    total += all.length;
  }
  for (const node of countNodes) {
    // A finished state: at least what the snapshot counted (it leaves those out; the history has them).
    const key = node.dataset.count;
    node.textContent = String(Math.max(counts[key] ?? 0, finishedCounted[key] ?? 0));
  }
  for (const node of shownNodes) {
    node.textContent = String(shownCounts[node.dataset.shown] ?? 0);
  }
  paint();
  filterSummary.textContent = filters.active() ? t("filter_shown", { n: shown, total }) : "";
  matching = selectable;
  selectMatching.hidden = matching.length === 0;
  selectMatching.textContent = t(matching.length === 1 ? "select_matching_one" : "select_matching_other", {
    n: matching.length,
  });
  unowned.update(everything);
  if (!focusAfter && active && active !== document.activeElement && active.isConnected) {
    active.focus({ preventScroll: true });
  }
  if (focusAfter) {
    const target = focusAfter;
    focusAfter = null;
    const entry = cards.get(target.id);
    if (entry && entry.node.isConnected) {
      const node = entry.node.querySelector(`[data-focus="${target.key}"]`) || entry.node;
      node.focus();
      if (target.selection && node.setSelectionRange) node.setSelectionRange(...target.selection);
    }
  }
}

function view(q) {
  const duplicates = suggestionsFor(q).map((dup) => {
    const other = questions.get(String(dup.id));
    return { id: String(dup.id), score: dup.score, text: other ? other.text : null, status: other ? other.status : null };
  });
  const merged = (q.merged_from || []).map((id) => ({ id, text: questions.has(id) ? questions.get(id).text : null }));
  return {
    q,
    allowed: allowedFor(q),
    state: uiFor(q.id),
    handler: presence.otherOn(q.id),
    selected: bulk.selected.has(q.id),
    duplicates,
    merged,
    editMax,
    lang,
  };
}

/** Each list's window of rows (and the current question's row) in the DOM. */
function paint() {
  if (paintFrame) cancelAnimationFrame(paintFrame);
  paintFrame = 0;
  let more = false;
  for (const list of LISTS) more = list.win.draw(current, rowFor) || more;
  // A first draw put in only the rows near the viewport: the rest of the
  // windows once the browser is idle (they were half the first draw's work).
  if (more) whenIdle(repaint, 500);
}

/** The rows follow the scrolling (or the resized or opened list) at the next frame. */
function repaint() {
  if (!paintFrame && !frame) paintFrame = requestAnimationFrame(paint);
}

/** Question `id`'s card, built if it is not yet. */
function rowFor(id) {
  if (!cards.has(id)) redraw(id);
  return cards.get(id).node;
}

function redraw(id) {
  const question = questions.get(id);
  const old = cards.get(id);
  if (!question) {
    if (old) old.node.remove();
    cards.delete(id);
    return;
  }
  const v = view(question);
  const { state } = v;
  const stamp = JSON.stringify([v, [...v.allowed], state.editing, state.busy, state.message]);
  if (old && old.stamp === stamp) return;
  const active = document.activeElement;
  if (old && active && old.node.contains(active) && !focusAfter) {
    focusAfter = { id, key: active.dataset.focus || "card" };
    if (active.tagName === "TEXTAREA") focusAfter.selection = [active.selectionStart, active.selectionEnd];
  }
  const node = card(v, handlers);
  if (id === current) node.classList.add("is-current");
  if (old) old.node.replaceWith(node);
  cards.set(id, { node, stamp });
}

// -- the current question ------------------------------------------------------

/**
 * The lists the moderator can see now (the rejected one may be folded away),
 * in page order. The order within each is data (its window's ids), not the
 * DOM, which holds only the rows near the viewport.
 */
function visibleLists() {
  flush();
  return LISTS.filter((list) => list.node.offsetParent !== null);
}

/** The first question of the visible lists, or with `last` the last one; null if none. */
function edgeId(lists, last = false) {
  const ordered = last ? [...lists].reverse() : lists;
  for (const list of ordered) {
    const ids = list.win.ids;
    if (ids.length) return last ? ids[ids.length - 1] : ids[0];
  }
  return null;
}

/** The list of `lists` that shows question `id`, or null. */
function listOf(lists, id) {
  return id === null ? null : lists.find((list) => list.win.indexOf(id) >= 0) || null;
}

/** The question `step` (+1 or -1) away from `id` (in `list`) across the lists, or null. */
function stepFrom(lists, list, id, step) {
  const ids = list.win.ids;
  const at = list.win.indexOf(id) + step;
  if (at >= 0 && at < ids.length) return ids[at];
  const here = lists.indexOf(list);
  const rest = step > 0 ? lists.slice(here + 1) : lists.slice(0, here);
  return edgeId(rest, step < 0);
}

function setCurrent(id, { focus = true, key = "card" } = {}) {
  if (current !== id) {
    const old = cards.get(current);
    if (old) old.node.classList.remove("is-current");
    current = id;
    presence.handle(id);
  }
  // The current question's row is always drawn, in the window or beside it.
  if (frame) flush();
  else paint();
  const entry = cards.get(id);
  if (!entry || !entry.node.isConnected) return;
  entry.node.classList.add("is-current");
  if (focus) {
    const node = entry.node.querySelector(`[data-focus="${key}"]`) || entry.node;
    node.focus({ preventScroll: true });
    entry.node.scrollIntoView({ block: "nearest" });
  }
}

function move(step) {
  const lists = visibleLists();
  const here = listOf(lists, current);
  const next = here ? (stepFrom(lists, here, current, step) ?? current) : edgeId(lists, step < 0);
  if (next !== null) setCurrent(next);
}

/** The visible question after (else before) `id` in its own list. */
function neighbour(id) {
  const list = LISTS.find((item) => item.win.indexOf(id) >= 0);
  if (!list || list.node.offsetParent === null) return null;
  const at = list.win.indexOf(id);
  return list.win.ids[at + 1] ?? list.win.ids[at - 1] ?? null;
}

/** The current question if it exists and this moderator may take `action` on it (any, for null); else says why not. */
function currentIn(action) {
  const question = current !== null ? questions.get(current) : null;
  if (!question) {
    announce(t("nothing_selected"));
    return null;
  }
  if (action && !allowedFor(question).has(action)) {
    announce(whyNot(question, action));
    return null;
  }
  return question;
}

// The actions a finished broadcast takes no more (server/domain/lifecycle.py,
// AIR_ACTIONS): the phase's rule alone, not the transition table.
const AIR_ACTIONS = new Set(["queue", "dequeue", "move", "on_air", "back", "ready"]);

/**
 * Why this moderator may not take `action` on `question`: the dialogue's
 * phase when it rules the action out (lifecycle.py, _ruled_out: an archived
 * dialogue's questions change no more but for notes; a finished broadcast
 * takes no air actions), else the question's state. The console has no copy
 * of the transition table: in a phase that rules the action out, the phase
 * is said, whatever the state.
 */
function whyNot(question, action) {
  const phase = model.dialogue.status;
  if (phase === "archived" && action !== "note") return t("phase_archived");
  if ((phase === "closed" || phase === "archived") && AIR_ACTIONS.has(action)) return t("phase_over");
  return t("not_possible", { id: question.id, status: label("statuses", question.status) });
}

// -- actions -----------------------------------------------------------------

function openEditor(id) {
  const state = uiFor(id);
  state.editing = true;
  state.draft = questions.get(id).text;
  state.message = "";
  focusAfter = { id, key: "editor" };
  touch(id);
}

function closeEditor(id) {
  const state = uiFor(id);
  state.editing = false;
  state.draft = "";
  focusAfter = { id, key: "card" };
  touch(id);
}

function rejectWithSelect(id) {
  const state = uiFor(id);
  if (!state.reason) {
    state.message = t("reason_needed");
    focusAfter = { id, key: "reason" };
    announce(state.message);
    touch(id);
    return;
  }
  act(id, "reject", { reason: state.reason });
}

async function pickReason(id) {
  const chosen = await chooseReason(questions.get(id), uiFor(id).reason);
  if (chosen) act(id, "reject", { reason: chosen.value }, { fromKey: true });
}

async function pickTopic(id) {
  const q = questions.get(id);
  const chosen = await chooseTopic(q, model.dialogue.topics || []);
  if (chosen && chosen.value !== (q.topic || null)) act(id, "set_topic", { topic: chosen.value }, { fromKey: true });
  else if (chosen) setCurrent(id);
}

async function pickOfficial(id) {
  const q = questions.get(id);
  const chosen = await chooseOfficial(q, model.dialogue.officials || []);
  if (chosen && chosen.value !== (q.official ? q.official.id : null)) {
    act(id, "assign", { official_id: chosen.value }, { fromKey: true });
  } else if (chosen) setCurrent(id);
}

async function pickMerge(id) {
  const q = questions.get(id);
  const chosen = await chooseMergeTarget(q, suggestionsFor(q), questions);
  if (chosen) act(id, "merge", { into: chosen.value }, { fromKey: true });
}

function save(id) {
  act(id, "edit", { text: uiFor(id).draft }, { fromKey: true });
}

/**
 * Send `action` on question `id` with its version. `fromKey`: the keyboard
 * asked (focus stays on cards, not buttons); `undoing`: this is an undo step
 * (not itself remembered for undo). Resolves to whether it was done.
 */
/** Keep `promise` (an action on its way) until it settles: undo waits for it. */
function track(promise) {
  inFlight.add(promise);
  promise.finally(() => inFlight.delete(promise));
  return promise;
}

function act(id, action, extra = {}, options = {}) {
  // A key pressed while this question's last action is on its way (its
  // buttons are disabled meanwhile) waits for it, then goes with the version
  // that one left: "t 3" then "o 2" at once sets both, no key is lost.
  const state = uiFor(id);
  const prior = options.fromKey ? state.running : null;
  const go = () => send(id, action, extra, options);
  const run = prior ? prior.then(go, go) : go();
  state.running = run;
  run.finally(() => {
    if (state.running === run) state.running = null;
  });
  return track(run);
}

async function send(id, action, extra, { fromKey = false, undoing = false, quiet = false, undid = null }) {
  const question = questions.get(id);
  const state = uiFor(id);
  if (!question || state.busy) return false;
  const next = LEAVING.has(action) && current === id ? neighbour(id) : null;
  // By keyboard the moderator moves on at once: a, a, a approves three in a row.
  const movedOn = fromKey && next !== null;
  if (movedOn) setCurrent(next);
  state.busy = true;
  state.message = "";
  touch(id);
  const url = `${questionsUrl}/${encodeURIComponent(id)}/actions/${action}`;
  const sentFrom = question.status;
  const result = await api(url, { method: "POST", body: { version: question.version, ...extra }, csrf, lang });
  state.busy = false;
  let ok = false;
  if (result.ok) {
    ok = true;
    if (action === "edit") {
      state.editing = false;
      state.draft = "";
    }
    if (action === "reject") state.reason = "";
    upsert(result.data);
    if (!undoing) undoStack.push(action, [question]);
    const done = undoing
      ? undoneMessage(id, undid, action, result.data)
      : t("done", { id, what: label("done_actions", action) });
    if (!quiet) announce(undoing || !inverse(action, question) ? done : `${done} ${t("undo_hint")}`);
    if (!movedOn && (fromKey || current === id)) {
      // A button keeps the mouse user's place: the next question's Approve.
      flush();
      setCurrent(next ?? id, { key: next && !fromKey ? "approve" : "card" });
    }
  } else if (result.status === 409) {
    const fresh = await api(`${questionsUrl}/${encodeURIComponent(id)}`, { lang });
    if (fresh.ok) upsert(fresh.data, true);
    state.message = await whyRefused(id, action, extra, result, sentFrom);
    if (!quiet) announce(`${t("question_no", { id })}: ${state.message}`);
  } else if (result.status === 401) {
    signedOut();
  } else {
    state.message = result.status === 0 ? t("network") : errorMessage(result, t("failed"));
    if (!quiet) announce(`${t("question_no", { id })}: ${state.message}`);
  }
  touch(id);
  return ok;
}

// What an undo did, by the action it undid (not by the action that undid it:
// an edit is undone by an edit, a routing by a routing).
const UNDONE = {
  approve: "undone_approve",
  reject: "undone_reject",
  edit: "undone_edit",
  set_topic: "undone_set_topic",
  assign: "undone_assign",
  merge: "undone_merge",
  queue: "undone_queue",
};

/** What undoing `undid` (by `action`) on question `id`, now `question`, did. */
function undoneMessage(id, undid, action, question) {
  // An edit undone back to an earlier edit: the question is still edited.
  if (undid === "edit" && question && question.original_text) return t("undone_edit_previous", { id });
  const key = UNDONE[undid];
  return key ? t(key, { id }) : t("undone", { id, what: label("done_actions", action) });
}

/**
 * What to say of a 409 to `action` on question `id` (already read again;
 * `sentFrom`: its state when the action was sent): a stale version
 * ("version" at fault) is someone else's change; otherwise a state forbids
 * it, of the merge's target (read again too, so its suggestion goes) or of
 * the question itself, when its state changed meanwhile; else the server's
 * sentence (the dialogue's phase, say: archived, its questions change no more).
 */
async function whyRefused(id, action, extra, result, sentFrom) {
  const error = errorOf(result);
  if (error.field === "version") return t("conflict");
  if (action === "merge" && extra.into) {
    const into = String(extra.into);
    const target = await api(`${questionsUrl}/${encodeURIComponent(into)}`, { lang });
    if (target.ok) upsert(target.data, true);
    const status = target.ok ? target.data.status : questions.get(into)?.status;
    if (status === "merged" || status === "rejected") return t(`target_${status}`, { id: into });
    if (status && !MERGE_TARGETS.has(status)) {
      return t("target_state", { id: into, status: label("statuses", status) });
    }
  }
  const question = questions.get(id);
  if (question && question.status !== sentFrom && !allowedFor(question).has(action)) {
    return whyNot(question, action);
  }
  return errorMessage(result, t("conflict"));
}

async function undo() {
  // An action still on its way is the last one: wait for it, then undo it.
  while (inFlight.size) await Promise.allSettled([...inFlight]);
  const step = undoStack.pop();
  if (!step) {
    announce(t("nothing_to_undo"));
    return;
  }
  if (!step.many) {
    for (const item of step) {
      await act(item.id, item.action, item.body, { fromKey: true, undoing: true, undid: item.done });
    }
    setCurrent(step[0].id);
    return;
  }
  // A bulk action's step: each question undone in its own call, and one
  // message saying what was undone on how many (and which could not be).
  const failed = [];
  const queue = [...step];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const ok = await act(item.id, item.action, item.body, { undoing: true, quiet: true });
      if (!ok) failed.push(item.id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(UNDO_PARALLEL, step.length) }, worker));
  const n = step.length - failed.length;
  const done = t(`undone_bulk_${step[0].done}_${n === 1 ? "one" : "other"}`, { n });
  const list = failed
    .sort((a, b) => Number(a) - Number(b))
    .map((id) => `#${id}`)
    .join(", ");
  announce(failed.length ? t("undone_bulk_partial", { done, n: failed.length, list }) : done);
  flush();
  const back = step.find((item) => !failed.includes(item.id)) || step[0];
  setCurrent(back.id);
}

const handlers = {
  act: (id, action) => act(id, action),
  reject: rejectWithSelect,
  openEditor,
  closeEditor,
  save,
  toggle: (id) => bulk.toggle(id),
  merge: (id, into) => act(id, "merge", { into }),
  pickMerge,
  pickTopic,
  pickOfficial,
};

// -- the page's parts ----------------------------------------------------------

const filters = createFilters({
  form: document.getElementById("filters"),
  search: document.getElementById("filter-search"),
  sort: document.getElementById("sort"),
  clearButton: document.getElementById("filter-clear"),
  onChange: () => {
    // Questions filtered to the rejected ones: open their folded list.
    if (filters.value("status") === "rejected") rejectedBox.open = true;
    touch(null);
  },
  onLeave: (where) => {
    const lists = visibleLists();
    const id = where === "current" && listOf(lists, current) ? current : edgeId(lists);
    if (id !== null) setCurrent(id);
    else document.getElementById("main").focus();
  },
});

const presence = createPresence({
  state: model,
  handlingUrl: (id) => `${questionsUrl}/${encodeURIComponent(id)}/handling`,
  csrf,
  lang,
  me: username,
  onChange: touch,
});

const bulk = createBulk({
  bar: document.getElementById("bulk"),
  url: `${questionsUrl}/bulk`,
  most: bulkMax,
  csrf,
  lang,
  questions,
  canAct: bulkable,
  announce,
  track,
  onSignedOut: () => signedOut(),
  onChange: (ids) => ids.forEach(touch),
  onDone: (action, items, befores) => {
    const ok = new Set(items.filter((item) => item.ok).map((item) => item.id));
    for (const item of items) if (item.ok && item.question) upsert(item.question);
    undoStack.push(action, befores.filter((q) => ok.has(q.id)), { many: true });
  },
});

createEntry({
  form: document.getElementById("entry-form"),
  url: questionsUrl,
  csrf,
  lang,
  announce,
  onSignedOut: () => signedOut(),
});

// Written answers owed that nobody will write: flagged until someone routes them.
const unowned = createUnowned({
  section: document.getElementById("unowned"),
  list: document.getElementById("unowned-list"),
  count: document.getElementById("unowned-count"),
  lang,
  onPick: pickOfficial,
  canPick: (q) => allowedFor(q).has("assign"),
});

if (filters.value("status") === "rejected") rejectedBox.open = true;

createDensity({
  root,
  select: document.getElementById("density"),
  onChange: () => {
    for (const list of LISTS) list.win.forget();
    touch(null);
  },
});

window.addEventListener("scroll", repaint, { passive: true });
window.addEventListener("resize", repaint);
rejectedBox.addEventListener("toggle", repaint);

selectMatching.addEventListener("click", () => {
  flush();
  bulk.selectAll(matching);
  announce(t("bulk_selected", { n: bulk.selected.size }));
});

const help = helpOverlay(document.getElementById("help"));
document.getElementById("help-open").addEventListener("click", () => help.show());

// Focus or a click inside a card makes it the current question.
root.addEventListener("focusin", (e) => {
  const node = e.target.closest(".question-list > li.q");
  if (node && node.dataset.id !== current) setCurrent(node.dataset.id, { focus: false });
});

// Shift+click on a card (not on its controls) adds it to the selection.
root.addEventListener("click", (e) => {
  const node = e.target.closest(".question-list > li.q");
  if (!node || !e.shiftKey || e.target.closest("button, input, select, textarea, a, summary, label")) return;
  e.preventDefault();
  bulk.toggle(node.dataset.id);
});

function onCurrent(action, run) {
  return () => {
    const question = currentIn(action);
    if (question) run(question.id);
  };
}

bindKeys({
  j: () => move(1),
  k: () => move(-1),
  a: onCurrent("approve", (id) => act(id, "approve", {}, { fromKey: true })),
  r: onCurrent("reject", pickReason),
  e: onCurrent("edit", openEditor),
  m: onCurrent("merge", pickMerge),
  t: onCurrent("set_topic", pickTopic),
  o: onCurrent("assign", pickOfficial),
  u: () => undo(),
  x: onCurrent(null, (id) => bulk.toggle(id)),
  A: () => (bulk.selected.size ? bulk.approve() : announce(t("bulk_empty"))),
  R: async () => {
    if (!bulk.selected.size) return announce(t("bulk_empty"));
    const chosen = await chooseBulkReason(bulk.selected.size, bulk.reason());
    if (chosen) bulk.reject(chosen.value);
  },
  "/": () => filters.focusSearch(),
  n: () => {
    const box = document.getElementById("entry");
    box.open = true;
    document.getElementById("entry-text").focus();
  },
  "?": () => help.show(),
  Escape: () => {
    if (!bulk.selected.size) return false;
    bulk.clear();
    announce(t("bulk_cleared"));
    return true;
  },
});

// -- connection --------------------------------------------------------------

const past = createHistory({ slug, lang, model, changed, announce });
const { feed, signedOut } = staffConnection(slug, {
  onMessage: receive,
  connection,
  notice,
  lang,
  phase: model.dialogue.status || null,
});
feed.start();
// The time formatter made while the snapshot is on its way (its first use
// makes it, ~0.1 s, once): the first draw does not wait for it. Not a
// function of lib/time.js: the widget bundles that module, byte-counted.
setTimeout(() => formatTime(new Date().toISOString(), lang), 0);
