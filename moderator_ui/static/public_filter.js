// The public page's sort, topic filter and search (the form in
// templates/_browse.html) over the published questions.
//
// The choice lives in the URL's query (?sort=votes&topic=kinh-te-so&q=chu+ky+so),
// so a reload or a shared link shows the same list; a default is left out of
// it. Each change replaces the history entry (one per choice, not one per key
// typed). The page calls `pick` in each draw, so questions the live feed adds
// or changes take their place in the chosen order at once.
//
// The search is folded (lib/fold.js, the server's folding): "chu ky so" finds
// "chữ ký số", each word typed must begin a word of the question, its answer,
// its asker, place or topic, in any order. The sorts:
// - "new": newest first (the page's order without a choice);
// - "votes": most supported first (lượt ủng hộ), newest first among equals;
// - "answered": answered first, the latest answer first, then the others
//   newest first. A sort, not a filter: a citizen looking for their own
//   question, not answered yet, still finds it further down.
//
// It never changes a question and never talks to the server.

import { t } from "./common.js";
import { fold } from "./lib/fold.js";

const SORTS = ["new", "votes", "answered"];
// How long the reader's choice must rest before its result is announced.
const ANNOUNCE_AFTER_MS = 700;

const newest = (a, b) => Number(b.id) - Number(a.id);
const ORDERS = {
  new: newest,
  votes: (a, b) => (b.votes || 0) - (a.votes || 0) || newest(a, b),
  answered: (a, b) => {
    if (Boolean(a.answer) !== Boolean(b.answer)) return a.answer ? -1 : 1;
    const later = a.answer ? String(b.answer.answered_at).localeCompare(String(a.answer.answered_at)) : 0;
    return later || newest(a, b);
  },
};

// Each question's folded words, by the question object (the feed replaces the
// object when the question changes, so a stale key is never used).
const searchKeys = new WeakMap();

function searchKey(q) {
  let key = searchKeys.get(q);
  if (key === undefined) {
    const answer = q.answer || {};
    const parts = [q.text, q.name, q.organization, q.locality, q.topic_name, answer.text, answer.official && answer.official.name];
    key = ` ${fold(parts.filter(Boolean).join(" "))}`;
    searchKeys.set(q, key);
  }
  return key;
}

/**
 * The browse form of the page: `pick(questions)` gives those the choice lets
 * through, in its order; `show(shown, total)` says how many matched;
 * `setTopics(topics)` follows the dialogue's topics. `onChange()` is called
 * when the reader changes the choice, `announce(text)` says its result.
 */
export function createBrowse({ onChange, announce }) {
  const form = document.getElementById("browse");
  const search = document.getElementById("browse-q");
  const sort = document.getElementById("browse-sort");
  const topic = document.getElementById("browse-topic");
  const topicField = document.getElementById("browse-topic-field");
  const count = document.getElementById("browse-count");
  const none = document.getElementById("browse-none");
  let words = [];
  let said = true; // whether the reader's last change was announced (none yet)
  let saying = 0; // the timer of that announcement

  function read() {
    words = fold(search.value).split(" ").filter(Boolean);
  }

  function writeUrl() {
    const url = new URL(location.href);
    const values = { q: search.value.trim(), sort: sort.value === SORTS[0] ? "" : sort.value, topic: topic.value };
    for (const [name, value] of Object.entries(values)) {
      if (value) url.searchParams.set(name, value);
      else url.searchParams.delete(name);
    }
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }

  function changed() {
    read();
    writeUrl();
    said = false;
    onChange();
  }

  function chooseTopic(id) {
    topic.value = id;
    if (topic.value !== id) topic.value = "";
  }

  const params = new URLSearchParams(location.search);
  search.value = params.get("q") || "";
  sort.value = SORTS.includes(params.get("sort")) ? params.get("sort") : SORTS[0];
  chooseTopic(params.get("topic") || "");
  read();

  search.addEventListener("input", changed);
  sort.addEventListener("change", changed);
  topic.addEventListener("change", changed);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    changed();
  });
  document.getElementById("browse-clear").addEventListener("click", () => {
    search.value = "";
    topic.value = "";
    changed();
    search.focus();
  });

  function narrowed() {
    return words.length > 0 || Boolean(topic.value);
  }

  function pick(questions) {
    const wanted = topic.value;
    const found = questions.filter((q) => {
      if (wanted && q.topic !== wanted) return false;
      if (!words.length) return true;
      const key = searchKey(q);
      return words.every((word) => key.includes(` ${word}`));
    });
    return found.sort(ORDERS[sort.value] || newest);
  }

  function show(shown, total) {
    // Nothing published yet: nothing to sort or search (unless the reader is in the form).
    form.hidden = total === 0 && !form.contains(document.activeElement);
    const filtering = narrowed() && total > 0;
    const text = filtering ? t("matching", { shown, total }) : "";
    count.hidden = !filtering || shown === 0;
    count.textContent = text;
    none.hidden = !filtering || shown > 0;
    if (said) return;
    // Said once the reader pauses: not once per key typed.
    clearTimeout(saying);
    saying = setTimeout(() => {
      said = true;
      if (filtering) announce(shown ? text : none.querySelector("p").textContent);
    }, ANNOUNCE_AFTER_MS);
  }

  function setTopics(topics) {
    const list = Array.isArray(topics) ? topics : [];
    const now = [...topic.options].slice(1).map((o) => [o.value, o.textContent]);
    if (JSON.stringify(now) === JSON.stringify(list.map((x) => [x.id, x.name]))) return;
    const chosen = topic.value;
    topic.replaceChildren(topic.options[0], ...list.map((x) => new Option(x.name, x.id)));
    topicField.hidden = list.length === 0;
    chooseTopic(chosen);
    if (topic.value !== chosen) changed();
  }

  return { pick, show, setTopics };
}
