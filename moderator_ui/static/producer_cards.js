// The producer console's question cards: one staff question as the on-air
// queue, the approved list or the written answers owed show it, with the
// buttons its actions_by_role allows this producer (`ctx.allows`).
//
// Cards are built from the question and the console's view state for it
// (`ui`: busy, message, the assignment's undo, the on-air text editor); every
// action goes through `ctx.on`. Text is written with textContent only.

import { askedBy, t } from "./common.js";
import { h, length } from "./lib/dom.js";

// History actions after which a question waits in the queue.
const QUEUE_ACTIONS = new Set(["queue", "back", "skip"]);

export function button(text, focusKey, onclick, { extraClass = "", disabled = false, label = null } = {}) {
  return h("button", {
    type: "button",
    class: `button button-small ${extraClass}`.trim(),
    "data-focus": focusKey,
    "aria-label": label,
    disabled,
    onclick,
    text,
  });
}

/** Name · organization · locality (or "Anonymous"). */
export function asker(q) {
  return [q.name || t("anonymous"), q.organization, q.locality].filter(Boolean).join(" · ");
}

/** When `q` began waiting in the queue: its last queue, back or skip, else its submission. */
export function waitingSince(q) {
  const history = q.history || [];
  for (let i = history.length - 1; i >= 0; i -= 1) {
    if (QUEUE_ACTIONS.has(history[i].action)) return history[i].at;
  }
  return q.submitted_at || "";
}

/** The card's head: number, topic, votes, askers (and merged ones), the official's ready signal. */
function head(q, { waiting = false } = {}) {
  const merged = (q.merged_from || []).length;
  const readyBy = q.ready_at && q.official ? t("ready_by", { name: q.official.name }) : t("ready");
  return h(
    "p",
    { class: "q-head" },
    h("span", { class: "q-id", text: `#${q.id}` }),
    q.topic_name ? h("span", { class: "tag", text: q.topic_name }) : null,
    h("span", { class: "pr-votes", text: t(q.votes === 1 ? "votes_one" : "votes_other", { n: q.votes || 0 }) }),
    q.asked_by > 1 ? h("span", { class: "pr-asked", text: askedBy(q.asked_by) }) : null,
    merged ? h("span", { class: "pr-merged", text: t("merged_n", { n: merged }) }) : null,
    q.ready_at && ["approved", "queued"].includes(q.status) ? h("span", { class: "pr-ready", text: readyBy }) : null,
    waiting ? h("span", { class: "pr-wait", "data-since": waitingSince(q) }) : null,
  );
}

/** The question, its on-air text if set, and the asker. */
export function summary(q, { textId = null, waiting = false } = {}) {
  return h(
    "div",
    { class: "pr-summary" },
    head(q, { waiting }),
    h("p", { class: "q-text pr-text", id: textId, text: q.text }),
    q.air_text ? h("p", { class: "pr-air-text", text: t("air_text_shown", { text: q.air_text }) }) : null,
    h("p", { class: "pr-asker", text: asker(q) }),
  );
}

/** Who answers: a select that saves at once, the topic's suggestion in one click, and the undo of the last choice. */
function officialPicker(q, ui, ctx) {
  if (!ctx.allows(q, "assign")) return null;
  const selectId = `official-${q.id}`;
  const current = q.official ? q.official.id : "";
  const suggested = !q.official && q.suggested_official ? q.suggested_official : null;
  const select = h(
    "select",
    {
      id: selectId,
      class: "pr-official-select",
      "data-focus": "official",
      disabled: ui.busy,
      onchange: (e) => ctx.on.assign(q.id, e.target.value || null),
    },
    h("option", { value: "", text: t("no_official"), selected: current === "" }),
    ctx.officials.map((o) =>
      h("option", {
        value: o.id,
        text: suggested && o.id === suggested.id ? t("suggested", { name: o.name }) : o.name,
        selected: o.id === current,
      }),
    ),
  );
  return h(
    "div",
    { class: "pr-official" },
    h("label", { for: selectId, text: t("official") }),
    select,
    suggested
      ? button(t("assign_suggested", { name: suggested.name }), "suggested", () => ctx.on.assign(q.id, suggested.id), {
          disabled: ui.busy,
        })
      : null,
    ui.assignUndo
      ? h(
          "span",
          { class: "pr-assigned", role: "status" },
          q.official ? t("assigned", { name: q.official.name }) : t("unassigned"),
          " ",
          button(t("undo"), "assign-undo", () => ctx.on.undoAssign(q.id), { disabled: ui.busy }),
        )
      : null,
  );
}

/** The on-air text editor: Enter saves, Esc cancels; empty clears it. */
function airTextEditor(q, ui, ctx) {
  const inputId = `air-${q.id}`;
  const count = h("span", { class: "char-count", id: `${inputId}-count` });
  const showCount = () => (count.textContent = t("chars", { n: length(ui.airDraft), max: ctx.airTextMax }));
  showCount();
  const input = h("input", {
    id: inputId,
    type: "text",
    maxlength: String(ctx.airTextMax),
    "data-focus": "air-text",
    "aria-describedby": count.id,
    disabled: ui.busy,
    oninput: (e) => {
      ui.airDraft = e.target.value;
      showCount();
    },
    onkeydown: (e) => {
      if (e.key === "Escape") ctx.on.closeAirText(q.id);
      if (e.key === "Enter") {
        e.preventDefault();
        ctx.on.saveAirText(q.id, ui.airDraft);
      }
    },
  });
  input.value = ui.airDraft;
  return h(
    "div",
    { class: "pr-air-editor" },
    h("label", { for: inputId, text: t("air_text_label", { min: ctx.airTextMin, max: ctx.airTextMax }) }),
    input,
    h(
      "div",
      { class: "q-actions" },
      button(t("save"), "air-save", () => ctx.on.saveAirText(q.id, ui.airDraft), {
        extraClass: "button-primary",
        disabled: ui.busy,
      }),
      q.air_text ? button(t("clear"), "air-clear", () => ctx.on.saveAirText(q.id, ""), { disabled: ui.busy }) : null,
      button(t("cancel"), "air-cancel", () => ctx.on.closeAirText(q.id), { disabled: ui.busy }),
      count,
    ),
  );
}

function airTextButton(q, ui, ctx) {
  if (!ctx.allows(q, "air_text") || ui.airEditing) return null;
  return button(t("air_text"), "air-text-open", () => ctx.on.openAirText(q.id), { disabled: ui.busy });
}

function tail(q, ui, ctx, actions) {
  return [
    officialPicker(q, ui, ctx),
    ui.message ? h("p", { class: "q-message", text: ui.message }) : null,
    ui.airEditing ? airTextEditor(q, ui, ctx) : null,
    h(
      "div",
      { class: "q-actions" },
      ...actions,
      airTextButton(q, ui, ctx),
      ui.busy ? h("span", { class: "working", text: t("working") }) : null,
    ),
  ];
}

/** The question on air's own controls (the air itself is the console's buttons): its on-air text. */
export function onAirControls(q, ui, ctx) {
  return h("div", { class: "pr-on-air-controls", "data-row": `on_air:${q.id}` }, ...tail(q, ui, ctx, []));
}

/** A row of the on-air queue: its place (none once the broadcast ended), reordering and removal. */
export function queueRow(q, ui, ctx, index, total) {
  const id = q.id;
  const movable = ctx.allows(q, "move") && !ctx.ended;
  const node = h("li", {
    class: `pr-row pr-queued${ui.busy ? " is-busy" : ""}${q.ready_at ? " is-ready" : ""}`,
    tabindex: "0",
    draggable: movable ? "true" : null,
    "data-id": id,
    "data-row": `queue:${id}`,
    "data-focus": "row",
    "aria-label": ctx.ended ? t("question_no", { id }) : `${index + 1}/${total} · ${t("question_no", { id })}`,
    "aria-describedby": `queue-text-${id}`,
    onkeydown: (e) => ctx.on.rowKey(e, id),
    ondragstart: (e) => ctx.on.dragStart(e, id, node),
    ondragend: () => ctx.on.dragEnd(),
  });
  const label = (key) => `${t(key)} · ${t("question_no", { id })}`;
  node.append(
    ctx.ended ? "" : h("span", { class: "pr-position", "aria-hidden": "true", text: String(index + 1) }),
    h(
      "div",
      { class: "pr-body" },
      summary(q, { textId: `queue-text-${id}`, waiting: !ctx.ended }),
      ...tail(q, ui, ctx, [
        movable
          ? button("↑", "up", () => ctx.on.move(id, index - 1), { disabled: ui.busy || index === 0, label: label("move_up") })
          : null,
        movable
          ? button("↓", "down", () => ctx.on.move(id, index + 1), {
              disabled: ui.busy || index === total - 1,
              label: label("move_down"),
            })
          : null,
        ctx.allows(q, "dequeue") ? button(t("dequeue"), "dequeue", () => ctx.on.dequeue(id), { disabled: ui.busy }) : null,
      ]),
    ),
  );
  return node;
}

/** A row of the approved list: queue it (at the end or the head) while the broadcast runs. */
export function approvedRow(q, ui, ctx) {
  const id = q.id;
  const queueable = ctx.allows(q, "queue") && !ctx.ended;
  const node = h("li", {
    class: `pr-row pr-approved-row${ui.busy ? " is-busy" : ""}${q.ready_at ? " is-ready" : ""}`,
    tabindex: "-1",
    draggable: queueable ? "true" : null,
    "data-id": id,
    "data-row": `approved:${id}`,
    "data-focus": "row",
    ondragstart: (e) => ctx.on.dragStart(e, id, node),
    ondragend: () => ctx.on.dragEnd(),
  });
  node.append(
    h(
      "div",
      { class: "pr-body" },
      summary(q),
      ...tail(q, ui, ctx, [
        queueable
          ? button(t("queue"), "queue", () => ctx.on.queue(id), { extraClass: "button-primary", disabled: ui.busy })
          : null,
        queueable ? button(t("queue_head"), "queue_head", () => ctx.on.queue(id, 0), { disabled: ui.busy }) : null,
      ]),
    ),
  );
  return node;
}

/** A question owed a written answer: by whom, by when. */
export function deferredRow(q, ui, ctx) {
  const id = q.id;
  const by = q.official ? t("in_writing_by", { name: q.official.name }) : t("in_writing_nobody");
  const node = h("li", {
    class: `pr-row pr-deferred-row${ui.busy ? " is-busy" : ""}`,
    tabindex: "-1",
    "data-id": id,
    "data-row": `deferred:${id}`,
    "data-focus": "row",
  });
  node.append(
    h(
      "div",
      { class: "pr-body" },
      summary(q),
      h("p", { class: "pr-in-writing" }, by, q.due_at ? ` · ${t("due", { date: ctx.formatDay(q.due_at) })}` : ""),
      ...tail(q, ui, ctx, []),
    ),
  );
  return node;
}
