// The moderation console's filters: topic, flag, locality, channel and a
// search over the folded text (lib/fold.js, the server's folding: a search
// typed without marks or in Telex finds what the server folded). The form is
// in the page (console.html); this module reads it and says which questions
// it lets through.
//
// It never changes a question and never talks to the server.

import { fold } from "./lib/fold.js";

// A filter's value that means "questions without one" (a topic, a locality).
export const NONE = "__none";
// The flag filter's value for questions screening held for review.
export const HELD = "__held";

function matchField(wanted, value) {
  if (!wanted) return true;
  if (wanted === NONE) return !value;
  return value === wanted;
}

/**
 * The filter form `form` (selects with data-filter="topic|flag|locality|channel"
 * and the search box `search`), calling `onChange()` whenever one changes and
 * `onLeave("first"|"current")` when the moderator leaves the search box by key.
 * Returns {matches(question), active(), clear(), focusSearch()}.
 */
export function createFilters({ form, search, clearButton, onChange, onLeave }) {
  const selects = [...form.querySelectorAll("select[data-filter]")];
  let query = "";

  function read() {
    query = fold(search.value);
    onChange();
  }

  for (const select of selects) select.addEventListener("change", read);
  search.addEventListener("input", read);
  // Enter goes to the first question found; Esc clears the box, then leaves it.
  search.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      onLeave("first");
    } else if (e.key === "Escape") {
      e.preventDefault();
      if (search.value) {
        search.value = "";
        read();
      } else onLeave("current");
    }
  });
  form.addEventListener("submit", (e) => e.preventDefault());
  clearButton.addEventListener("click", () => clear());

  function value(name) {
    const select = selects.find((s) => s.dataset.filter === name);
    return select ? select.value : "";
  }

  function matchesFlag(question, wanted) {
    if (!wanted) return true;
    if (wanted === HELD) return Boolean(question.held);
    return (question.flags || []).includes(wanted);
  }

  function matchesQuery(question) {
    if (!query) return true;
    // "#123" (folded to "123") also finds question 123.
    if (String(question.id) === query) return true;
    const folded = question.folded ? fold(question.folded) : fold(question.text);
    return folded.includes(query);
  }

  function matches(question) {
    return (
      matchField(value("topic"), question.topic) &&
      matchField(value("locality"), question.locality) &&
      matchField(value("channel"), question.channel) &&
      matchesFlag(question, value("flag")) &&
      matchesQuery(question)
    );
  }

  function active() {
    return Boolean(query) || selects.some((s) => s.value);
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

  return { matches, active, clear, focusSearch };
}
