// The one client state model: what a feed has said, as a plain object, for
// every page and the widget. `apply(state, message)` takes a snapshot (reset
// or not) or any event of the public or the staff (console) feed (docs/api.md);
// `take` does the same for a question an API call answered with.
//
//   state = {
//     audience: "public" | "staff",
//     lastId,            // id of the last message applied
//     dialogue,          // the public dialogue (both snapshots carry it), or null
//     questions: {id: question},  // public or staff questions, as the feed sends them
//     onAir,             // id of the question on air, or null
//     queue: [ids],      // the on-air queue: the server's order as last listed, then any newer, by id
//     listed: [ids],     // that order as the server last listed it (the snapshot's "queue",
//                        // queue.changed, or GET ?status=queued)
//     overlay: {visible},  // whether the broadcast overlay shows the question on air
//     presence: {id: {by, until}},  // staff: who is handling which question
//     nextBefore,        // public: the cursor of the older questions (GET .../feed?before=), or null
//     counts: {status: n},  // public: published questions in each state, as the snapshot counted
//     published,         // public: how many are published now (the snapshot's count, moved by events)
//     gone: Set(ids),    // public: questions an event took off the feed (a page read before must not bring them back)
//     epoch,             // bumped by every snapshot: a page asked for before one is dropped
//   }
//
// The public snapshot is bounded (docs/api.md): older questions come in pages
// (`older`), which never override what the feed said. The staff snapshot has
// only the questions that need work; a finished one (FINISHED) stays once an
// event brought it, and the console's history pages through the others.
//
// Pure: no DOM, no I/O, no timers, nothing but `state` itself is changed.
// It must never decide what a viewer may do (the server says so in each
// staff question's actions_by_role) nor hold view state (focus, drafts,
// busy buttons): pages keep those beside it.

// What the public feed's question events do (docs/api.md); any other type is ignored.
const PUBLIC_SETS = new Set([
  "question.approved",
  "question.updated",
  "question.queued",
  "question.on_air",
  "question.answered",
  "question.deferred",
]);
const PUBLIC_DROPS = new Set(["question.unpublished", "question.merged"]);
/** The states the staff snapshot leaves out (the console's history has them). */
export const FINISHED = new Set(["answered", "rejected", "merged"]);

/** An empty state for `audience` ("public" or "staff"), with the dialogue a page already has. */
export function createState(audience, dialogue = null) {
  return {
    audience,
    lastId: null,
    dialogue,
    questions: {},
    onAir: null,
    queue: [],
    listed: [],
    overlay: { visible: true },
    presence: {},
    nextBefore: null,
    counts: {},
    published: 0,
    gone: new Set(),
    epoch: 0,
  };
}

/** What an apply or take changed: whether all was replaced, which questions
 * (with their before), and whether the dialogue, the queue's order or the
 * overlay's visibility changed. */
function changes() {
  return { reset: false, questions: [], dialogue: false, queue: false, overlay: false, presence: [] };
}

function byId(a, b) {
  return Number(a) - Number(b);
}

/** The question on air: the one that went on air last, if more than one says so. */
function findOnAir(questions) {
  let found = null;
  for (const q of Object.values(questions)) {
    if (q.status !== "on_air") continue;
    const later = found && (String(q.on_air_at || "") > String(found.on_air_at || "") || (q.on_air_at === found.on_air_at && byId(q.id, found.id) > 0));
    if (!found || later) found = q;
  }
  return found ? found.id : null;
}

function findQueue(state) {
  const queued = (id) => state.questions[id] && state.questions[id].status === "queued";
  const listed = state.listed.filter(queued);
  const seen = new Set(listed);
  const rest = Object.keys(state.questions).filter((id) => queued(id) && !seen.has(id)).sort(byId);
  return [...listed, ...rest];
}

function derive(state) {
  state.onAir = findOnAir(state.questions);
  state.queue = findQueue(state);
}

/** Put `question` into `state` (or drop it, with `question` null for `id`). */
function put(state, id, question, out) {
  const before = state.questions[id];
  if (question) state.gone.delete(id);
  else state.gone.add(id);
  if (question) state.questions[id] = question;
  else if (before) delete state.questions[id];
  else return;
  out.questions.push({ id, before });
  const touchesAir = (q) => q && q.status === "on_air";
  const touchesQueue = (q) => q && q.status === "queued";
  if (touchesAir(before) || touchesAir(question)) state.onAir = findOnAir(state.questions);
  if (touchesQueue(before) || touchesQueue(question)) state.queue = findQueue(state);
}

function snapshot(state, data, out) {
  out.reset = true;
  const previous = state.questions;
  state.questions = {};
  const all = [...(data.questions || []), ...(data.on_air ? [data.on_air] : [])];
  for (const q of all) if (q && q.id && q.status !== "received") state.questions[q.id] = q;
  for (const id of new Set([...Object.keys(previous), ...Object.keys(state.questions)])) {
    out.questions.push({ id, before: previous[id] });
  }
  if (data.dialogue) {
    state.dialogue = data.dialogue;
    out.dialogue = true;
  }
  state.listed = Array.isArray(data.queue) ? data.queue.map(String) : [];
  state.nextBefore = data.next_before || null;
  state.counts = data.counts || {};
  state.published = Object.values(state.counts).reduce((sum, n) => sum + n, 0);
  state.gone = new Set();
  state.epoch += 1;
  state.overlay = { visible: !(data.overlay && data.overlay.visible === false) };
  out.queue = true;
  out.overlay = true;
  if (state.audience === "staff") {
    out.presence = [...new Set([...Object.keys(state.presence), ...Object.keys(data.handling || {})])];
    state.presence = {};
    for (const [id, claim] of Object.entries(data.handling || {})) {
      if (claim && claim.by && claim.until) state.presence[String(id)] = { by: claim.by, until: claim.until };
    }
  }
  derive(state);
}

/**
 * A question an API call (or a staff event) returned: a staff question older
 * than the one kept (a late answer) is ignored unless `force` (a fresh read
 * after a conflict). Returns what changed.
 */
export function take(state, question, { force = false } = {}) {
  const out = changes();
  if (!question || !question.id) return out;
  const known = state.questions[question.id];
  if (state.audience === "staff" && known && !force && question.version < known.version) return out;
  put(state, question.id, question.status === "received" ? null : question, out);
  return out;
}

/**
 * A page of older questions (GET .../feed?before=, or the staff history)
 * asked for at `epoch`: each one the state does not have and no event took
 * away is added (what the feed said is newer than any page); `nextBefore`
 * is the page's cursor. A page asked for before the last snapshot is
 * dropped. Returns what changed.
 */
export function older(state, questions, { epoch, nextBefore }) {
  const out = changes();
  if (epoch !== state.epoch) return out;
  for (const q of questions) if (!state.questions[q.id] && !state.gone.has(q.id)) put(state, q.id, q, out);
  state.nextBefore = nextBefore || null;
  return out;
}

/** The on-air queue's order as the server listed it (queue.changed, or a list the API gave). */
export function listQueue(state, ids) {
  state.listed = ids.map(String);
  state.queue = findQueue(state);
}

/** A question's vote count, from an event or from the answer to a vote. */
export function setVotes(state, id, votes) {
  const out = changes();
  const known = state.questions[id];
  if (known && known.votes !== votes) put(state, id, { ...known, votes }, out);
  return out;
}

/** Apply one feed message to `state`; returns what changed (nothing for a type it does not know). */
export function apply(state, message) {
  let out = changes();
  const data = message && message.data;
  const type = message && message.type;
  if (type === "snapshot" && data) snapshot(state, data, out);
  else if (type === "votes.changed" && data) out = setVotes(state, String(data.id), data.votes);
  else if (type === "dialogue.updated" && data) {
    state.dialogue = data;
    out.dialogue = true;
  } else if (type === "queue.changed" && data && Array.isArray(data.ids)) {
    listQueue(state, data.ids);
    out.queue = true;
  } else if (type === "overlay.changed" && data) {
    state.overlay = { visible: data.visible !== false };
    out.overlay = true;
  } else if (type === "presence.changed" && data && state.audience === "staff") {
    const id = String(data.question);
    if (data.by && data.until) state.presence[id] = { by: data.by, until: data.until };
    else delete state.presence[id];
    out.presence.push(id);
  } else if (state.audience === "staff" && typeof type === "string" && type.startsWith("question.") && data && data.id && data.status) {
    out = take(state, data);
  } else if (state.audience === "public" && PUBLIC_SETS.has(type) && data && data.id) {
    // Published now (it was not): one more, loaded or not.
    if (type === "question.approved" && !state.questions[data.id]) state.published += 1;
    put(state, data.id, data, out);
  } else if (state.audience === "public" && PUBLIC_DROPS.has(type) && data && data.id) {
    state.published -= 1;
    put(state, data.id, null, out);
  }
  if (message && typeof message.id === "string" && message.id) state.lastId = message.id;
  return out;
}

/** The claims in `presence` still running at `now` (ms since the epoch). */
export function livePresence(state, now) {
  return Object.fromEntries(Object.entries(state.presence).filter(([, claim]) => Date.parse(claim.until) > now));
}
