// One question's card in the moderation console: what the moderator needs to
// decide (text, asker, flags and their reasons, duplicate suggestions, the
// questions merged into it, who else is on it) and a button for each action.
//
// Pure rendering: `card(view, on)` builds the element from the view and wires
// the buttons to `on`'s handlers; it keeps no state. The buttons are the
// actions the server allows this moderator (`view.allowed`, from the
// question's actions_by_role): no copy of the transition table here. Text
// goes in through textContent (h's "text"), never as HTML.

import { askedBy, label, raw, t } from "./common.js";
import { isUnowned } from "./console_unowned.js";
import { h, length } from "./lib/dom.js";
import { timeElement } from "./lib/time.js";
// Channels a citizen uses by themself; any other was entered by staff and is shown.
const SELF_SERVICE = new Set(["web", "widget"]);
// Where screening looks, in the order its findings are read out.
const SCREENED_FIELDS = ["text", "name", "organization"];

export function percent(score) {
  return `${Math.round(Number(score) * 100)}%`;
}

function row(term, value) {
  if (value === null || value === undefined || value === "") return null;
  return h("div", { class: "meta-row" }, h("dt", { text: term }), h("dd", { text: value }));
}

function button(text, focusKey, onclick, { extraClass = "", disabled = false, keys = null } = {}) {
  return h("button", {
    type: "button",
    class: `button ${extraClass}`.trim(),
    "data-focus": focusKey,
    "aria-keyshortcuts": keys,
    disabled,
    onclick,
    text,
  });
}

/**
 * `view`: {q (staff question), allowed (a Set of the actions this moderator
 * may take on it now), state (this console's {editing, draft, reason,
 * message, busy}), handler (another moderator's name or null), selected,
 * duplicates: [{id, score, text, status}], merged: [{id, text}], editMax, lang}.
 */
export function card(view, on) {
  const { q, state } = view;
  const id = q.id;
  const node = h("li", {
    class: `q q-${q.status}${view.selected ? " is-selected" : ""}`,
    id: `q-${id}`,
    tabindex: "-1",
    "data-focus": "card",
    "data-id": id,
  });
  const article = h("article", { class: "question-card", "aria-label": t("question_no", { id }) });
  node.append(article);
  article.append(head(view, on), h("p", { class: "q-text", text: q.text }));
  if (view.handler) {
    article.append(h("p", { class: "q-handling", text: t("handled_by", { name: view.handler }) }));
  }
  if (q.edited && q.original_text) {
    article.append(
      h("details", { class: "q-original" }, h("summary", { text: t("original") }), h("p", { text: q.original_text })),
    );
  }
  article.append(
    h(
      "dl",
      { class: "q-meta" },
      row(t("name"), q.name || t("anonymous")),
      row(t("organization"), q.organization),
      row(t("locality"), q.locality),
      row(t("topic"), q.topic_name || q.topic),
      row(t("official"), q.official ? q.official.name : null),
      SELF_SERVICE.has(q.channel) ? null : row(t("channel"), label("channels", q.channel)),
      q.votes ? row(t("votes"), String(q.votes)) : null,
    ),
  );
  if (q.asked_by > 1) article.append(h("p", { class: "asked-by", text: askedBy(q.asked_by) }));
  article.append(...[flags(q), suggestion(q), merged(view, on), duplicates(view, on)].filter(Boolean));
  if (q.status === "rejected" && q.reason) {
    article.append(h("p", { class: "q-reason", text: t("rejected_for", { reason: label("reasons", q.reason) }) }));
  }
  if (q.status === "merged" && q.merged_into) {
    article.append(h("p", { class: "q-reason", text: t("merged_into", { id: q.merged_into }) }));
  }
  if (state.message) article.append(h("p", { class: "q-message", text: state.message }));
  if (state.editing && view.allowed.has("edit")) article.append(editor(view, on));
  else article.append(actions(view, on));
  return node;
}

function head(view, on) {
  const { q } = view;
  const boxId = `select-${q.id}`;
  return h(
    "p",
    { class: "q-head" },
    h(
      "span",
      { class: "q-select" },
      h("input", {
        type: "checkbox",
        id: boxId,
        checked: view.selected,
        "data-focus": "select",
        "aria-keyshortcuts": "x",
        onchange: () => on.toggle(q.id),
      }),
      h("label", { for: boxId, class: "visually-hidden", text: t("select_question", { id: q.id }) }),
    ),
    h("span", { class: "q-id", text: `#${q.id}` }),
    h("span", { class: `badge status-${q.status}`, text: label("statuses", q.status) }),
    q.held ? h("span", { class: "badge badge-held", text: t("held") }) : null,
    isUnowned(q) ? h("span", { class: "badge badge-unowned", text: t("unowned_badge") }) : null,
    SELF_SERVICE.has(q.channel)
      ? null
      : h("span", { class: "badge badge-channel", text: label("channels", q.channel) }),
    q.edited ? h("span", { class: "badge badge-edited", text: t("edited") }) : null,
    timeElement(q.submitted_at, view.lang),
  );
}

// What a flag found, field by field, quoted as the asker wrote it, in the
// reader's language: "in the name: “…”".
function findings(found) {
  return SCREENED_FIELDS.filter((field) => found && found[field] && found[field].length).map((field) =>
    h("span", {
      class: "flag-reason",
      text: t(`found_in_${field}`, { found: found[field].map((item) => `“${item}”`).join(", ") }),
    }),
  );
}

function flags(q) {
  if (!q.flags || !q.flags.length) return null;
  const reasons = q.flag_reasons || {};
  return h(
    "ul",
    { class: "flags", "aria-label": t("flags_label") },
    q.flags.map((flag) =>
      h("li", { class: "flag" }, h("span", { class: "flag-name", text: label("flags", flag) }), findings(reasons[flag])),
    ),
  );
}

function suggestion(q) {
  if (q.status !== "pending" || !q.suggested_reason) return null;
  return h("p", { class: "q-suggested", text: t("suggested_reason", { reason: label("reasons", q.suggested_reason) }) });
}

function merged(view, on) {
  if (!view.merged.length) return null;
  return h(
    "details",
    { class: "q-merged" },
    h("summary", { text: t("merged_here", { n: view.merged.length }) }),
    h(
      "ul",
      {},
      view.merged.map((item) =>
        h(
          "li",
          {},
          h("span", { class: "q-ref", text: `#${item.id}` }),
          " ",
          h("span", { class: "q-ref-text", text: item.text || t("not_loaded") }),
          " ",
          button(t("unmerge"), `unmerge-${item.id}`, () => on.act(item.id, "unmerge"), {
            extraClass: "button-small",
          }),
        ),
      ),
    ),
  );
}

function duplicates(view, on) {
  if (!view.duplicates.length) return null;
  const mergeable = view.allowed.has("merge") && !view.state.busy;
  return h(
    "div",
    { class: "q-duplicates" },
    h("p", { class: "q-duplicates-title", text: t("duplicates_title") }),
    h(
      "ul",
      {},
      view.duplicates.map((dup) =>
        h(
          "li",
          { class: "q-duplicate" },
          h("span", { class: "q-ref", text: `#${dup.id}` }),
          h("span", { class: "q-score", text: percent(dup.score) }),
          dup.status ? h("span", { class: "q-ref-status", text: label("statuses", dup.status) }) : null,
          h("span", { class: "q-ref-text", text: dup.text || t("not_loaded") }),
          mergeable
            ? button(t("merge_into", { id: dup.id }), `merge-${dup.id}`, () => on.merge(view.q.id, dup.id), {
                extraClass: "button-small",
              })
            : null,
        ),
      ),
    ),
  );
}

function actions(view, on) {
  const { q, state, allowed } = view;
  const id = q.id;
  const busy = state.busy;
  const bar = h("div", { class: "q-actions" });
  if (allowed.has("approve")) {
    bar.append(button(t("approve"), "approve", () => on.act(id, "approve"), { extraClass: "button-primary", disabled: busy, keys: "a" }));
  }
  if (allowed.has("reject")) {
    const selectId = `reason-${id}`;
    const select = h(
      "select",
      { id: selectId, "data-focus": "reason", disabled: busy, onchange: (e) => (state.reason = e.target.value) },
      h("option", { value: "", text: t("choose_reason") }),
      (raw("reason_order") || []).map((code) =>
        h("option", { value: code, text: label("reasons", code), selected: state.reason === code }),
      ),
    );
    bar.append(
      h(
        "div",
        { class: "reject-group" },
        h("label", { for: selectId, class: "visually-hidden", text: t("reason") }),
        select,
        button(t("reject"), "reject", () => on.reject(id), { extraClass: "button-danger", disabled: busy, keys: "r" }),
      ),
    );
  }
  // [action (its label's key), focus key, handler, keyboard shortcut]
  const simple = [
    ["queue", "queue", () => on.act(id, "queue"), null],
    ["unpublish", "unpublish", () => on.act(id, "unpublish"), null],
    ["restore", "restore", () => on.act(id, "restore"), null],
    ["unmerge", "unmerge", () => on.act(id, "unmerge"), null],
    ["edit", "edit", () => on.openEditor(id), "e"],
    ["merge", "merge", () => on.pickMerge(id), "m"],
    ["set_topic", "topic", () => on.pickTopic(id), "t"],
    ["assign", "assign", () => on.pickOfficial(id), "o"],
  ];
  for (const [action, focusKey, onclick, keys] of simple) {
    if (allowed.has(action)) bar.append(button(t(action), focusKey, onclick, { disabled: busy, keys }));
  }
  if (busy) bar.append(h("span", { class: "working", text: t("working") }));
  return bar;
}

function editor(view, on) {
  const { q, state, editMax } = view;
  const id = q.id;
  const areaId = `edit-${id}`;
  const count = h("p", { class: "char-count", id: `${areaId}-count` });
  const showCount = () => (count.textContent = t("chars", { n: length(state.draft), max: editMax }));
  showCount();
  const area = h("textarea", {
    id: areaId,
    rows: "5",
    maxlength: String(editMax),
    "data-focus": "editor",
    "aria-describedby": `${count.id} ${areaId}-help`,
    disabled: state.busy,
    oninput: (e) => {
      state.draft = e.target.value;
      showCount();
    },
    onkeydown: (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        on.closeEditor(id);
      } else if (e.key === "Enter" && !e.shiftKey && !e.altKey) {
        e.preventDefault();
        on.save(id);
      }
    },
  });
  area.value = state.draft;
  return h(
    "div",
    { class: "editor" },
    h("label", { for: areaId, text: t("edit_label") }),
    area,
    count,
    h("p", { class: "editor-help", id: `${areaId}-help`, text: t("edit_help") }),
    h(
      "div",
      { class: "q-actions" },
      button(t("save"), "save", () => on.save(id), { extraClass: "button-primary", disabled: state.busy }),
      button(t("cancel"), "cancel", () => on.closeEditor(id), { disabled: state.busy }),
      state.busy ? h("span", { class: "working", text: t("working") }) : null,
    ),
  );
}
