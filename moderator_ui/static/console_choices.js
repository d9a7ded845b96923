// What the moderation console asks the moderator to choose, each in a picker
// (console_picker.js): a reject reason, a topic, an official, a question to
// merge into. Each resolves to {value} once chosen, or null when cancelled;
// the console then sends the action.

import { label, raw, t } from "./common.js";
import { h } from "./lib/dom.js";
import { percent } from "./console_card.js";
import { pick } from "./console_picker.js";

// Where a question can be merged into (a merge target must stay answerable).
const MERGE_TARGETS = new Set(["pending", "approved", "queued", "on_air", "deferred", "answered"]);

/** The reject reasons, in the dialogue's order, as picker options. */
function reasonOptions() {
  return (raw("reason_order") || []).map((code) => ({ value: code, label: label("reasons", code) }));
}

/** A reason to reject `q`: `preferred` (else screening's suggestion) comes first. */
export function chooseReason(q, preferred) {
  return pick({
    title: t("reject_title", { id: q.id }),
    description: q.text,
    options: reasonOptions(),
    preselect: preferred || q.suggested_reason || undefined,
  });
}

/** One reason to reject the `n` selected questions; `preferred` comes first. */
export function chooseBulkReason(n, preferred) {
  return pick({
    title: t("bulk_reject_title", { n }),
    options: reasonOptions(),
    preselect: preferred || undefined,
  });
}

/** A topic of `topics` for `q` (value null: none). */
export function chooseTopic(q, topics) {
  return pick({
    title: t("topic_title", { id: q.id }),
    description: q.text,
    options: [{ value: null, label: t("no_topic") }, ...topics.map((tp) => ({ value: tp.id, label: tp.name }))],
    preselect: q.topic || null,
  });
}

/** An official of `officials` for `q` (value null: none); the topic's default comes first. */
export function chooseOfficial(q, officials) {
  const assigned = q.official ? q.official.id : null;
  const suggested = q.suggested_official ? q.suggested_official.id : null;
  return pick({
    title: t("assign_title", { id: q.id }),
    description: q.text,
    options: [
      { value: null, label: t("no_official") },
      ...officials.map((o) => ({ value: o.id, label: o.name, detail: o.title })),
    ],
    preselect: assigned || suggested,
  });
}

/** The merge picker's field for a question id not among the suggestions. */
function byNumber(q, questions, choose) {
  const inputId = `merge-into-${q.id}`;
  const preview = h("p", { id: `${inputId}-preview`, class: "picker-preview", "aria-live": "polite" });
  const target = () => input.value.replace(/[#\s]/g, "");
  const input = h("input", {
    id: inputId,
    type: "text",
    inputmode: "numeric",
    autocomplete: "off",
    "aria-describedby": preview.id,
    oninput: () => {
      const other = questions.get(target());
      preview.textContent = !target() ? "" : other ? `#${other.id}: ${other.text}` : t("merge_unknown", { id: target() });
    },
  });
  return h(
    "form",
    {
      class: "picker-form",
      onsubmit: (e) => {
        e.preventDefault();
        if (!/^\d+$/.test(target()) || target() === q.id) {
          preview.textContent = t("merge_bad_id");
          input.focus();
          return;
        }
        choose(target());
      },
    },
    h("label", { for: inputId, text: t("merge_other") }),
    input,
    h("button", { type: "submit", class: "button", text: t("merge_go") }),
    preview,
  );
}

/**
 * A question to merge `q` into: one of its duplicate `suggestions` ({id,
 * score}, with the text and state the console has for it, `questions`), or
 * any id typed in.
 */
export function chooseMergeTarget(q, suggestions, questions) {
  const options = suggestions
    .map((dup) => ({ dup, other: questions.get(String(dup.id)) }))
    .filter(({ dup, other }) => String(dup.id) !== q.id && (!other || MERGE_TARGETS.has(other.status)))
    .map(({ dup, other }) => ({
      value: String(dup.id),
      label: `#${dup.id} · ${percent(dup.score)}`,
      detail: other ? `${other.text} (${label("statuses", other.status)})` : t("not_loaded"),
    }));
  return pick({
    title: t("merge_title", { id: q.id }),
    description: options.length ? q.text : `${q.text} — ${t("merge_none")}`,
    options,
    extra: (choose) => byNumber(q, questions, choose),
  });
}
