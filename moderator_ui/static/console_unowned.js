// The moderation console's list of written answers owed without an official
// (deferred with nobody to answer them, as a wrap-up can leave them): shown
// above the lists until someone routes each, whatever the filters show.
//
// It draws from the console's questions and asks the console to route one
// (`onPick(id)`) when the server allows it (`canPick(q)`: the question's
// actions for this viewer, which leave out what the dialogue's phase rules
// out, as routing in an archived dialogue); it keeps nothing but what it last drew. Text goes in
// through textContent (h's "text"), never as HTML.

import { t } from "./common.js";
import { h } from "./lib/dom.js";
import { formatDay } from "./lib/time.js";

/** A question that is owed in writing and that no official will answer. */
export function isUnowned(q) {
  return q.status === "deferred" && !q.official;
}

export function createUnowned({ section, list, count, lang, onPick, canPick = () => true }) {
  let drawn = "";
  return {
    /** Show the unowned of `questions` (oldest first); nothing changes if they did not. */
    update(questions) {
      const items = questions.filter(isUnowned).sort((a, b) => Number(a.id) - Number(b.id));
      const stamp = JSON.stringify(items.map((q) => [q.id, q.text, q.due_at, canPick(q)]));
      if (stamp === drawn) return;
      drawn = stamp;
      section.hidden = items.length === 0;
      count.textContent = String(items.length);
      list.replaceChildren(
        ...items.map((q) =>
          h(
            "li",
            { class: "unowned-item", "data-id": q.id },
            canPick(q) ? h("button", { type: "button", class: "button button-small", text: t("unowned_pick", { id: q.id }), onclick: () => onPick(q.id) }) : null,
            h("span", { class: "unowned-text", text: q.text }),
            q.due_at ? h("span", { class: "unowned-due", text: t("due", { date: formatDay(q.due_at, lang) }) }) : null,
          ),
        ),
      );
    },
  };
}
