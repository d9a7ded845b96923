// The public dialogue page: the published questions and answers, live from
// the public feed (resumed from the snapshot the server rendered), votes, and
// the form to ask a question (with the dialogue's proof of work when it is on,
// and the browser's device id, the one it votes with, for the rate limits).
// The dialogue's phase is said in words (before the broadcast, on air now,
// ended, archived); the socket's state shows only while it is lost. Once the
// broadcast has ended nothing waits for the air and nobody votes.
//
// The questions come from the shared reducer (lib/state.js) fed by the
// snapshot the server rendered and the public feed. Text is written with
// textContent (never as HTML): every question here was typed by a member of
// the public.

import { askedBy, label, liveRegion, t } from "./common.js";
import { api, errorMessage } from "./lib/api.js";
import { AskForm } from "./lib/ask_form.js";
import { store, stored, voterId } from "./lib/device.js";
import { h, readJSON, reconcile, safeUrl } from "./lib/dom.js";
import { Feed } from "./lib/feed.js";
import { translator } from "./lib/i18n.js";
import { readMore } from "./lib/more.js";
import { LoadMore } from "./lib/older.js";
import { fetchProof, sendProven } from "./lib/proof.js";
import { apply, createState, older, setVotes } from "./lib/state.js";
import { clockOffset, formatDay, timeElement } from "./lib/time.js";
import { held } from "./pressed.js";
import { createBrowse } from "./public_filter.js";
import { following } from "./public_follow.js";

const root = document.getElementById("dialogue");
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const apiBase = `/api/v1/dialogues/${encodeURIComponent(slug)}`;
const initial = readJSON("feed-data");
// The shared modules' strings (msgids, as the widget's): dialogue.html's lib-i18n block.
const libT = translator(readJSON("lib-i18n")).t;

// What the public feed said (lib/state.js), and what this page draws from it.
const model = createState("public");
const view = {
  cards: new Map(), // id -> {node, stamp}
  frame: 0,
  voteErrors: new Map(), // id -> why its vote was refused
  unfolded: new Set(), // ids of the long questions shown whole
  lost: false, // the feed's socket dropped and has not come back yet
};
// Phases in which questions are voted for, and after which nothing waits for the air.
const VOTING = new Set(["open", "live"]);
const ENDED = new Set(["closed", "archived"]);

const onAirSection = document.getElementById("on-air-section");
const onAirList = document.getElementById("on-air-list");
const onAirEmpty = document.getElementById("on-air-empty");
const list = document.getElementById("question-list");
const listEmpty = document.getElementById("questions-empty");
const listCount = document.getElementById("question-count");
const connection = document.getElementById("connection");
const announce = liveRegion(root);
// The reader's sort, topic and search over the published questions (public_filter.js).
const browse = createBrowse({ onChange: schedule, announce });
// My questions, the copy button, and the on-air changes and answers said aloud.
const follow = following({ slug, lang, say: announce });

// -- votes: one per question per browser; the server enforces it per voter id --

const voter = voterId();
const votedKey = `doithoai.voted.${slug}`;
const voted = new Set(stored(votedKey, []));

async function vote(id) {
  // While the dialogue asks for a proof of work, the first vote of this
  // browser pays one (the server says so); its votes are then taken for the day.
  const result = await postProven(`${apiBase}/questions/${encodeURIComponent(id)}/votes`, { voter });
  if (!result.ok) {
    const why = result.status === 0 ? t("network") : errorMessage(result, t("vote_failed"));
    view.voteErrors.set(id, why);
    announce(why);
    schedule();
    return;
  }
  view.voteErrors.delete(id);
  voted.add(id);
  store(votedKey, [...voted]);
  setVotes(model, id, result.data.votes);
  schedule();
}

// -- older questions: the first message is bounded, the rest pages on scroll --

/** The next page of older questions (GET .../feed?before=) into the state; whether it came. */
async function loadOlder() {
  const cursor = model.nextBefore;
  if (!cursor) return true;
  const epoch = model.epoch;
  const result = await api(`${apiBase}/feed?before=${encodeURIComponent(cursor)}`, { lang });
  if (!result.ok) return false;
  older(model, result.data.questions, { epoch, nextBefore: result.data.next_before });
  schedule();
  return true;
}

const loadMore = new LoadMore(libT, loadOlder, "button");
list.after(loadMore.node);

// -- state and drawing -------------------------------------------------------

function schedule() {
  if (!view.frame) view.frame = requestAnimationFrame(draw);
}

function phase() {
  return (model.dialogue && model.dialogue.status) || root.dataset.phase;
}

function showDialogue(dialogue) {
  document.getElementById("dialogue-title").textContent = dialogue.title;
  const description = document.getElementById("dialogue-description");
  description.textContent = dialogue.description || "";
  description.hidden = !dialogue.description;
  const status = document.getElementById("dialogue-status");
  status.className = `badge phase dialogue-${dialogue.status}`;
  status.dataset.phase = dialogue.status;
  status.textContent = label("phases", dialogue.status);
  root.dataset.phase = dialogue.status;
  onAirSection.hidden = ENDED.has(dialogue.status);
  browse.setTopics(dialogue.topics);
  showAsk(dialogue);
}

function receive(message) {
  const out = apply(model, message);
  if (out.dialogue) showDialogue(model.dialogue);
  follow.hear(message, out, model);
  schedule();
}

function draw() {
  view.frame = 0;
  // A card drawn again (its votes change every second in a storm) or moved
  // between a press and its release would lose the click, a citizen's vote:
  // while a pointer is down on the page, drawing waits for its release.
  if (held(document.body, schedule)) return;
  const { cards } = view;
  for (const [id, old] of cards) {
    if (!model.questions[id]) {
      old.node.remove();
      cards.delete(id);
    }
  }
  const now = phase();
  for (const question of Object.values(model.questions)) {
    const stamp = JSON.stringify([question, voted.has(question.id), now, view.voteErrors.get(question.id) || ""]);
    const old = cards.get(question.id);
    if (old && old.stamp === stamp) continue;
    const node = card(question, now);
    const focused = old && old.node.contains(document.activeElement) ? document.activeElement : null;
    if (old) old.node.replaceWith(node);
    cards.set(question.id, { node, stamp });
    // The same button as before (the vote or the fold), in the card drawn again.
    const button = focused && (node.querySelector(`button.${focused.classList[0]}`) || node.querySelector("button"));
    if (button) button.focus();
  }
  const all = Object.values(model.questions).sort((a, b) => Number(b.id) - Number(a.id));
  const airing = (q) => q.status === "on_air" && !ENDED.has(now);
  const onAir = all.filter(airing).map((q) => q.id);
  const rest = all.filter((q) => !airing(q));
  const shown = browse.pick(rest).map((q) => q.id);
  // A card that moves (its votes changed the order) keeps the focus it had.
  const focused = document.activeElement;
  reconcile(onAirList, onAir, (id) => cards.get(id).node);
  reconcile(list, shown, (id) => cards.get(id).node);
  if (focused && focused.isConnected && focused !== document.activeElement) focused.focus();
  onAirEmpty.hidden = onAir.length > 0;
  listEmpty.hidden = rest.length > 0;
  // Every published question, loaded or not (as the last snapshot counted them, and the events since).
  const counted = model.published - onAir.length;
  listCount.textContent = String(Math.max(rest.length, counted));
  loadMore.node.hidden = !model.nextBefore;
  browse.show(shown.length, rest.length);
}

/** An answer given live without its summary yet: the moment of the recording to watch it at. */
function liveAnswer(q) {
  if (q.recording_offset === null || q.recording_offset === undefined) {
    return h("p", { class: "answer-pending", text: t("summary_later") });
  }
  const text = t("watch_at", { moment: clockOffset(q.recording_offset) });
  const url = safeUrl(q.recording_url || "");
  const link = url ? h("a", { class: "recording-link", href: url, rel: "noopener noreferrer", target: "_blank", text }) : text;
  return h("p", { class: "answer-pending" }, link);
}

function card(q, now) {
  const ended = ENDED.has(now);
  // After the broadcast nothing waits for the air: a queued question reads as published.
  const status = ended && (q.status === "queued" || q.status === "on_air") ? "approved" : q.status;
  const meta = h(
    "p",
    { class: "pq-meta" },
    h("span", { class: "pq-name", text: q.name || t("anonymous") }),
    q.organization ? h("span", { class: "pq-org", text: q.organization }) : null,
    q.locality ? h("span", { class: "pq-locality", text: q.locality }) : null,
    timeElement(q.submitted_at, lang),
  );
  const tags = h(
    "p",
    { class: "pq-tags" },
    h("span", { class: `badge status-${status}`, text: label("statuses", status) }),
    q.topic_name ? h("span", { class: "tag", text: q.topic_name }) : null,
    q.asked_by > 1 ? h("span", { class: "asked-by", text: askedBy(q.asked_by) }) : null,
    q.official && !q.answer ? h("span", { class: "pq-official", text: t("for_official", { name: q.official.name }) }) : null,
  );
  let answer = null;
  if (q.answer) {
    const official = q.answer.official;
    const by = official ? (official.title ? `${official.name}, ${official.title}` : official.name) : null;
    answer = h(
      "div",
      { class: "answer" },
      h(
        "p",
        { class: "answer-by" },
        h("span", { class: "answer-kind", text: label("answer_kinds", q.answer.kind) }),
        by ? h("span", { class: "answer-official", text: by }) : null,
      ),
      q.answer.text ? h("p", { class: "answer-text", text: q.answer.text }) : liveAnswer(q),
      q.answer.text && q.recording_url ? recordingLink(q.recording_url) : null,
    );
  }
  const due = q.status === "deferred" && q.due_at ? h("p", { class: "pq-due", text: t("due", { date: formatDay(q.due_at, lang) }) }) : null;
  const refused = view.voteErrors.get(q.id);
  const foot = VOTING.has(now) ? voteFoot(q, refused) : null;
  return h(
    "li",
    { class: "pq", id: `pq-${q.id}`, "data-id": q.id, "data-status": q.status },
    h("article", { class: "question-card" }, questionText(q), meta, tags, due, answer, foot),
  );
}

/** The question's text, folded when long (lib/fold.js); unfolded it stays so when the card is drawn again. */
function questionText(q) {
  const open = view.unfolded.has(q.id);
  const toggle = (unfolded) => (unfolded ? view.unfolded.add(q.id) : view.unfolded.delete(q.id));
  return readMore(q.text, libT, { class: "pq-text", id: `pq-text-${q.id}` }, { open, onToggle: toggle });
}

/** The "me too" button, and why a vote was refused (the server says it in words). */
function voteFoot(q, refused) {
  const mine = voted.has(q.id);
  return h(
    "div",
    { class: "pq-foot" },
    h(
      "button",
      {
        class: "vote",
        type: "button",
        "data-vote": q.id,
        "aria-pressed": mine ? "true" : "false",
        disabled: mine,
        onclick: () => vote(q.id),
      },
      h("span", { "aria-hidden": "true", text: "▲" }),
      h("span", { class: "vote-label", text: t("me_too") }),
      h("span", { class: "vote-count", text: String(q.votes) }),
      h("span", { class: "visually-hidden", text: t("votes") }),
    ),
    refused ? h("p", { class: "vote-error", role: "alert", tabindex: "-1", text: refused }) : null,
  );
}

/** The "watch this answer" link: only to an http(s) address (the server builds it). */
function recordingLink(url) {
  if (!safeUrl(url)) return null;
  return h(
    "p",
    { class: "answer-links" },
    h("a", { class: "recording-link", href: url, rel: "noopener noreferrer", target: "_blank", text: t("watch_answer") }),
  );
}

// -- proof of work: fetched and solved in the page (lib/proof.js) ---------------

/** A solved challenge of this dialogue ({challenge, nonce}), or null. */
function prove() {
  return fetchProof(`${apiBase}/challenge`, { lang });
}

// -- the ask form (lib/ask_form.js, the widget's too) ---------------------------

const done = document.getElementById("ask-done");
const closedNote = document.getElementById("ask-closed");
const jump = document.getElementById("ask-jump");
const jumpBar = jump.closest(".jump-to-ask");
const ask = new AskForm(libT, {
  prefix: "ask",
  draftKey: `doithoai.draft.${slug}`,
  buttonClass: "button",
  primaryClass: "button button-primary",
  onSubmit: submit,
});
document.getElementById("ask-mount").replaceWith(ask.node);

/** POST `body` to `url`, first solving the dialogue's proof of work when
 * `needed` (or the server asks for one); `stage` is told "verifying" and "sending". */
function postProven(url, body, needed = false, stage = () => {}) {
  const send = (proven) => api(url, { method: "POST", body: proven, lang });
  return sendProven(send, body, prove, { needed, stage });
}

async function submit() {
  const body = ask.body({ channel: "web", device: voter });
  const needed = Boolean(model.dialogue && model.dialogue.proof_of_work);
  const code = ask.report(await postProven(`${apiBase}/questions`, body, needed, (stage) => ask.stage(stage)));
  if (!code) return;
  ask.forget();
  document.getElementById("ask-code").textContent = code;
  follow.sent(code, body.text);
  document.getElementById("ask-track").href = `/t/${encodeURIComponent(code)}`;
  ask.node.hidden = true;
  done.hidden = false;
  done.focus();
}

/** The form while the dialogue does or does not take questions: a closed one
 * still shows what someone was typing, read-only, to be copied. */
function showAsk(dialogue) {
  const accepting = Boolean(dialogue.accepting_questions);
  closedNote.hidden = accepting;
  jumpBar.hidden = !accepting;
  ask.setDialogue(dialogue);
  if (done.hidden) ask.node.hidden = !accepting && !ask.hasText();
}

document.getElementById("ask-again").addEventListener("click", () => {
  done.hidden = true;
  ask.node.hidden = ask.locked;
  ask.focusFirst();
});
// On a phone the "ask" button stays at the bottom of the screen until the form is in view.
jump.addEventListener("click", (event) => {
  event.preventDefault();
  if (ask.node.hidden) document.getElementById("ask-heading").scrollIntoView();
  else ask.focusFirst();
});
new IntersectionObserver(([entry]) => jumpBar.classList.toggle("near", entry.isIntersecting)).observe(
  document.querySelector(".ask"),
);

// -- the connection: said only while it is lost -----------------------------

function showConnection(state, seconds) {
  connection.dataset.state = state;
  if (state === "live") view.lost = false;
  else if (state === "waiting") view.lost = true;
  connection.hidden = !view.lost;
  connection.textContent = state === "waiting" ? t("reconnecting", { s: seconds }) : view.lost ? t("reconnecting_now") : "";
}

// -- start: draw the server's snapshot, then follow the feed from its id -----

receive({ type: "snapshot", id: initial.last_event_id, data: initial });
follow.start();
const feed = new Feed(`/ws/v1/dialogues/${encodeURIComponent(slug)}/feed`, {
  after: initial.last_event_id,
  onMessage: receive,
  onStatus: showConnection,
});
feed.start();
