// The moderation console's filters and sort: state, topic, flag, locality,
// channel and official, a search (lib/search.js: folded words in any order,
// all required, "quoted phrases" whole) over each question's text and who,
// where and what it is about, and the lists' order. The form is in the page
// (console.html); this module reads it and says which questions it lets
// through and in which order.
//
// The choice lives in the URL's query (?q=camera+a+luoi&status=pending&sort=support),
// so that a moderator can share a view and a reload keeps it; a value left
// at its default is left out, and the page's other parameters (lang) stay.
// Each change replaces the history entry (not one entry per key typed).
//
// It never changes a question and never talks to the server.

import { whenIdle } from "./lib/dom.js";
import { fold, kept } from "./lib/fold.js";
import { joinKeys, matchesKey, parseQuery } from "./lib/search.js";

// A filter's value that means "questions without one" (a topic, a locality, an official).
export const NONE = "__none";
// The flag filter's value for questions screening held for review.
export const HELD = "__held";
// The sorts offered; "" keeps each list's own order (pending oldest first, the others newest first).
export const SORTS = ["", "support", "newest", "oldest"];
// The search box's parameter in the URL; the selects' are their data-filter names.
const QUERY_PARAM = "q";
const SORT_PARAM = "sort";

const byId = (a, b) => Number(a.id) - Number(b.id);
const ORDERS = {
  // Most supported first (lượt ủng hộ, then the askers merged in), the oldest first among equals.
  support: (a, b) => (b.votes || 0) - (a.votes || 0) || (b.asked_by || 1) - (a.asked_by || 1) || byId(a, b),
  newest: (a, b) => byId(b, a),
  oldest: byId,
};

// Each question's search key, by the question object (the state model
// replaces the object when the question changes: a stale key is never used).
// An event's question comes with its text folded by the server (`folded`);
// the snapshot's do not (it was a quarter of its size), so the page folds
// them while it is idle after the first draw (`warmKeys`), or at the first search
// typed before that is done. The other fields repeat from question to
// question (places, topics, officials), so their keys are kept by value.
const keys = new WeakMap();
const foldValue = kept(fold, 20000);
const foldKept = (value) => (value ? foldValue(value) : "");

function keyOf(q) {
  let key = keys.get(q);
  if (key === undefined) {
    key = joinKeys([
      typeof q.folded === "string" ? q.folded : fold(q.text || ""),
      q.edited && q.original_text ? fold(q.original_text) : "",
      ...[q.name, q.organization, q.locality, q.topic_name, q.official ? q.official.name : null].map(foldKept),
    ]);
    keys.set(q, key);
  }
  return key;
}

// Keys made between looks at the clock (a fold is some tens of microseconds).
const WARM_STEP = 64;

/**
 * Make the search keys of `questions` (an array) in idle slices, so that the
 * first search finds them made instead of folding 10,000 texts between two
 * keys typed. A question replaced meanwhile comes with its `folded`.
 */
export function warmKeys(questions) {
  let i = 0;
  const slice = (deadline) => {
    do {
      for (const end = Math.min(i + WARM_STEP, questions.length); i < end; i += 1) keyOf(questions[i]);
    } while (i < questions.length && deadline.timeRemaining() >= 1);
    if (i < questions.length) whenIdle(slice);
  };
  whenIdle(slice);
}

function matchField(wanted, value) {
  if (!wanted) return true;
  if (wanted === NONE) return !value;
  return value === wanted;
}

function matchesFlag(question, wanted) {
  if (!wanted) return true;
  if (wanted === HELD) return Boolean(question.held);
  return (question.flags || []).includes(wanted);
}

/**
 * The filter form `form` (selects with data-filter="status|topic|flag|locality|channel|official",
 * the sort select `sort` and the search box `search`), calling `onChange()`
 * whenever one changes and `onLeave()` when the moderator leaves the search
 * box by key (Enter: to the first question found; Esc: clears it, and back
 * to the list). Returns {matcher(), order(newestFirst), active(), clear(),
 * focusSearch(), value(name)}.
 */
export function createFilters({ form, search, sort, clearButton, onChange, onLeave }) {
  const selects = [...form.querySelectorAll("select[data-filter]")];
  let query = parseQuery("");

  function writeUrl() {
    const url = new URL(location.href);
    const values = [[QUERY_PARAM, search.value.trim()], [SORT_PARAM, sort.value]];
    for (const select of selects) values.push([select.dataset.filter, select.value]);
    for (const [name, value] of values) {
      if (value) url.searchParams.set(name, value);
      else url.searchParams.delete(name);
    }
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }

  function read() {
    query = parseQuery(search.value);
    writeUrl();
    onChange();
  }

  /** Set `select` to `value` if it offers it (else to its first option, "all"). */
  function choose(select, value) {
    select.value = value || "";
    if (select.value !== (value || "")) select.value = "";
  }

  // The view the address asks for (a link a moderator shared, a reload).
  const params = new URLSearchParams(location.search);
  search.value = params.get(QUERY_PARAM) || "";
  choose(sort, SORTS.includes(params.get(SORT_PARAM)) ? params.get(SORT_PARAM) : "");
  for (const select of selects) choose(select, params.get(select.dataset.filter));
  query = parseQuery(search.value);

  for (const select of [...selects, sort]) select.addEventListener("change", read);
  search.addEventListener("input", read);
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      onLeave("first");
    } else if (e.key === "Escape") {
      // Esc clears the box and leaves it: the next j moves the selection
      // instead of being typed into the search.
      e.preventDefault();
      if (search.value) {
        search.value = "";
        read();
      }
      onLeave("current");
    }
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  clearButton.addEventListener("click", () => clear());

  function value(name) {
    const select = selects.find((s) => s.dataset.filter === name);
    return select ? select.value : "";
  }

  /**
   * The test of the filters as they are now: each select read once, not once
   * per question (a pass over 10,000 questions read the DOM 60,000 times).
   */
  function matcher() {
    const [status, topic, locality, channel, official, flag] = [
      "status", "topic", "locality", "channel", "official", "flag",
    ].map(value);
    const searched = query;
    return (question) =>
      matchField(status, question.status) &&
      matchField(topic, question.topic) &&
      matchField(locality, question.locality) &&
      matchField(channel, question.channel) &&
      matchField(official, question.official ? question.official.id : null) &&
      matchesFlag(question, flag) &&
      // The key is made on the first search, not on the first draw.
      (searched.empty || matchesKey(searched, keyOf(question), question.id));
  }

  /** The comparator of the chosen sort; without one, the list's own (`newestFirst` or not). */
  function order(newestFirst) {
    return ORDERS[sort.value] || (newestFirst ? ORDERS.newest : ORDERS.oldest);
  }

  function active() {
    return !query.empty || selects.some((s) => s.value);
  }

  function clear() {
    for (const select of selects) select.value = "";
    search.value = "";
    read();
  }

  function focusSearch() {
    search.focus();
    search.select();
  }

  return { matcher, order, active, clear, focusSearch, value };
}
