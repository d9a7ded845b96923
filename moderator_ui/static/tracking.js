// The asker's tracking page, live: it follows the dialogue's public feed from
// the position the server rendered the page at, and when an event is about
// this question (or the published one it joined), or the feed starts over,
// or the citizen comes back to the tab, it reads the tracking API again and
// redraws the parts that change (tracking.html gives them ids). A new state
// is said once, politely, in the page's live region.
//
// The feed carries only public events: a question still being reviewed
// changes state (accepted, not accepted, merged) without one, so while it is
// received or pending the page also asks again now and then (5 s, doubling
// to 2 min, only while the tab is seen) and when the citizen comes back. Everything is
// written with textContent; the view holds no contact data (the API never
// sends it, only whether there is some).

import { confirmWith, label, raw, t } from "./common.js";
import { api } from "./lib/api.js";
import { copyCode } from "./lib/copy.js";
import { h, readJSON, safeUrl } from "./lib/dom.js";
import { Feed } from "./lib/feed.js";
import { translator } from "./lib/i18n.js";
import { clockOffset, formatDay, timeElement } from "./lib/time.js";

const root = document.getElementById("tracking");
const lang = root.dataset.lang;
const $ = (id) => document.getElementById(id);
const states = raw("states") || {};
const reasons = raw("reasons") || {};
// The shared modules' msgids (tracking.html's lib-i18n block).
const lib = translator(readJSON("lib-i18n"));

let view = readJSON("tracking-data");
// The state last said (the page's own, as rendered, is not said again).
let said = view.status;
// One read of the API at a time; another asked for meanwhile follows it.
let reading = null;
let again = false;

function stateWords(status) {
  return states[status] || ["", ""];
}

/** An answer as tracking.html's answer_block draws it. */
function answerBlock(answer, recordingUrl, recordingOffset) {
  const official = answer.official;
  const by = official ? (official.title ? `${official.name}, ${official.title}` : official.name) : null;
  const url = safeUrl(recordingUrl || "");
  let body;
  if (answer.text) {
    body = [
      h("p", { class: "answer-text", text: answer.text }),
      url ? h("p", { class: "recording-link" }, h("a", { href: url, rel: "noopener noreferrer", target: "_blank", text: t("watch_answer") })) : null,
    ];
  } else if (recordingOffset === null || recordingOffset === undefined) {
    body = h("p", { class: "answer-pending", text: t("summary_later") });
  } else {
    const moment = t("watch_at", { moment: clockOffset(recordingOffset) });
    const link = url ? h("a", { class: "recording-link", href: url, rel: "noopener noreferrer", target: "_blank", text: moment }) : moment;
    body = h("p", { class: "answer-pending" }, link);
  }
  return h(
    "div",
    { class: "answer record-answer" },
    h(
      "p",
      { class: "answer-by" },
      h("span", { class: "answer-kind", text: label("answer_kinds", answer.kind) }),
      by ? h("span", { class: "answer-official", text: by }) : null,
      timeElement(answer.answered_at, lang),
    ),
    body,
  );
}

/** A written answer owed, as _record.html's owed macro says it. */
function owed(dueAt) {
  return h("p", { class: "pq-due", text: dueAt ? t("due", { date: formatDay(dueAt, lang) }) : t("due_unset") });
}

/** The published question this one joined, or a word that it is not published yet. */
function mergedBlock(target) {
  if (!target) return h("p", { text: t("not_published") });
  let rest;
  if (target.answer) rest = answerBlock(target.answer, target.recording_url, target.recording_offset);
  else {
    rest = [h("p", { class: "tracking-explain", text: stateWords(target.status)[1] }), target.status === "deferred" ? owed(target.due_at) : null];
  }
  return h(
    "div",
    { class: "question-card merged-target" },
    h("p", { class: "pq-text", text: target.text }),
    h(
      "p",
      { class: "pq-meta" },
      h("span", { class: "pq-name", text: target.name || t("anonymous") }),
      target.locality ? h("span", { text: target.locality }) : null,
      h("span", { class: `badge status-${target.status}`, text: label("statuses", target.status) }),
    ),
    rest,
  );
}

function draw() {
  const [title, explain] = stateWords(view.status);
  root.dataset.status = view.status;
  $("tracking-heading").textContent = title;
  $("tracking-explain").textContent = explain;
  document.title = `${title} · ${t("online_dialogue")}`;
  $("tracking-watch").hidden = view.status !== "on_air";
  $("tracking-owed").replaceChildren(...(view.status === "deferred" ? [owed(view.due_at)] : []));
  const rejected = view.status === "rejected";
  $("tracking-reason").hidden = !rejected;
  $("tracking-reason-text").textContent = rejected ? reasons[view.reason] || reasons.other || "" : "";
  $("tracking-answer").hidden = !view.answer;
  $("tracking-answer-body").replaceChildren(...(view.answer ? [answerBlock(view.answer, view.recording_url, view.recording_offset)] : []));
  const merged = view.status === "merged";
  $("tracking-merged").hidden = !merged;
  $("tracking-merged-body").replaceChildren(...(merged ? [mergedBlock(view.merged_into)] : []));
  if (view.status !== said) {
    said = view.status;
    const news = $("tracking-news");
    news.textContent = [title, explain].filter(Boolean).join(". ");
  }
}

/** Read the view again (once more after, if asked for while reading). */
async function refresh() {
  if (reading) {
    again = true;
    return reading;
  }
  reading = (async () => {
    do {
      again = false;
      const result = await api(`/api/v1/tracking/${encodeURIComponent(view.tracking_code)}`, { lang, cache: "no-store" });
      if (result.ok && result.data && result.data.tracking_code === view.tracking_code) {
        view = result.data;
        draw();
      }
    } while (again);
  })();
  try {
    await reading;
  } finally {
    reading = null;
  }
}

/** Whether a feed message may change this page: about this question or the one it joined. */
function concerns(message) {
  if (message.type === "snapshot") return true;
  const id = message.data && message.data.id;
  if (!id || typeof message.type !== "string" || !message.type.startsWith("question.")) return false;
  return String(id) === String(view.id) || Boolean(view.merged_into && String(id) === String(view.merged_into.id));
}

const copy = $("tracking-copy");
copy.hidden = false;
copy.addEventListener("click", async () => {
  $("tracking-copied").textContent = await copyCode(view.tracking_code, $("tracking-code"), lib.t);
});

// While the question is private, the feed says nothing of it: ask again,
// less and less often (a review may take hours), while the tab is seen.
const PRIVATE = new Set(["received", "pending"]);
const POLL_FIRST = 5000;
const POLL_MOST = 120000;
let pollDelay = POLL_FIRST;

function pollWhilePrivate() {
  if (!PRIVATE.has(view.status)) return;
  setTimeout(async () => {
    if (document.visibilityState === "visible") await refresh();
    pollDelay = Math.min(pollDelay * 2, POLL_MOST);
    pollWhilePrivate();
  }, pollDelay);
}
pollWhilePrivate();

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") refresh();
});

new Feed(`/ws/v1/dialogues/${encodeURIComponent(view.dialogue.slug)}/feed`, {
  after: root.dataset.after || null,
  onMessage: (message) => concerns(message) && refresh(),
  onStatus: (state) => {
    root.dataset.feed = state;
  },
}).start();

// Deleting the phone number and email cannot be undone (and the answer is
// then not sent): the citizen confirms first. Without this script the form
// is sent as it is.
const forget = document.getElementById("contact-forget");
if (forget) {
  forget.addEventListener("submit", async (event) => {
    event.preventDefault();
    const yes = forget.querySelector("button[type=submit]");
    if (await confirmWith(t("forget_title"), t("forget_text"), yes.textContent.trim())) forget.submit();
  });
}
