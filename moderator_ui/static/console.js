// The moderation console: the dialogue's questions live from the staff feed,
// and the moderator's actions (approve, reject with a reason, edit, unpublish,
// restore) sent to the JSON API with the question's version.
//
// State comes only from the server: the feed's snapshot and events, and the
// API's answers. Text is written with textContent (never as HTML).

import {
  api,
  askedBy,
  errorMessage,
  h,
  label,
  raw,
  reconcile,
  staffConnection,
  t,
  timeElement,
} from "./common.js";

const root = document.getElementById("console");
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const editMax = Number(root.dataset.editMax) || 2000;
const csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
const questionsUrl = `/api/v1/dialogues/${encodeURIComponent(slug)}/questions`;

const STATUSES = ["pending", "approved", "queued", "on_air", "answered", "deferred", "rejected", "merged"];
const EDITABLE = new Set(["pending", "approved", "queued"]);
const UNPUBLISHABLE = new Set(["approved", "queued"]);
// The console's three lists: which states each shows, and in which order
// (pending oldest first, as the API lists it; the others newest first).
const LISTS = [
  { key: "pending", statuses: new Set(["pending"]), newestFirst: false },
  { key: "published", statuses: new Set(["approved", "queued", "on_air", "deferred", "answered"]), newestFirst: true },
  { key: "rejected", statuses: new Set(["rejected"]), newestFirst: true },
].map((list) => ({
  ...list,
  node: document.getElementById(`${list.key}-list`),
  empty: document.getElementById(`${list.key}-empty`),
}));

const questions = new Map(); // id -> staff question (API.md)
const ui = new Map(); // id -> what this console is doing with it: {editing, draft, reason, message, busy}
const cards = new Map(); // id -> {node, stamp}
const dirty = new Set();
let synced = false;
let frame = 0;
let focusAfter = null; // {id, key}: where the keyboard focus goes after the next draw

const connection = document.getElementById("connection");
const notice = document.getElementById("notice");
const titleNode = document.getElementById("dialogue-title");
const announcer = h("div", { class: "visually-hidden", "aria-live": "polite" });
root.append(announcer);

function uiFor(id) {
  if (!ui.has(id)) ui.set(id, { editing: false, draft: "", reason: "", message: "", busy: false });
  return ui.get(id);
}

function announce(text) {
  announcer.textContent = "";
  announcer.textContent = text;
}

function length(text) {
  return [...text.normalize("NFC")].length;
}

function byId(a, b) {
  return Number(a.id) - Number(b.id);
}

// -- state -------------------------------------------------------------------

function touch(id) {
  dirty.add(id);
  if (!frame) frame = requestAnimationFrame(draw);
}

/** Take a newer staff question; an older version (a late event) is ignored. */
function upsert(question, force = false) {
  const known = questions.get(question.id);
  if (known && !force && question.version < known.version) return;
  questions.set(question.id, question);
  touch(question.id);
}

function replaceAll(list) {
  for (const id of questions.keys()) touch(id);
  questions.clear();
  for (const question of list) upsert(question, true);
  for (const id of ui.keys()) if (!questions.has(id)) ui.delete(id);
}

function receive(message) {
  const data = message.data;
  if (message.type === "snapshot") {
    replaceAll(data.questions || []);
    synced = true;
    touch(null);
  } else if (message.type === "votes.changed") {
    const known = questions.get(data.id);
    if (known) {
      questions.set(data.id, { ...known, votes: data.votes });
      touch(data.id);
    }
  } else if (message.type === "dialogue.updated") {
    titleNode.textContent = data.title;
  } else if (message.type.startsWith("question.") && data && data.id && data.status) {
    upsert(data);
  }
}

// -- drawing -----------------------------------------------------------------

function draw() {
  frame = 0;
  for (const id of dirty) if (id !== null) redraw(id);
  dirty.clear();
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const question of questions.values()) {
    if (question.status in counts) counts[question.status] += 1;
  }
  for (const list of LISTS) {
    const items = [...questions.values()].filter((q) => list.statuses.has(q.status)).sort(byId);
    if (list.newestFirst) items.reverse();
    reconcile(list.node, items.map((q) => q.id), (id) => cards.get(id).node);
    list.empty.hidden = !synced || items.length > 0;
    counts[list.key] = items.length;
  }
  for (const node of document.querySelectorAll("[data-count]")) {
    node.textContent = String(counts[node.dataset.count] ?? 0);
  }
  if (focusAfter) {
    const card = cards.get(focusAfter.id);
    if (card && card.node.isConnected) {
      const target = card.node.querySelector(`[data-focus="${focusAfter.key}"]`) || card.node;
      target.focus();
      if (focusAfter.selection && target.setSelectionRange) target.setSelectionRange(...focusAfter.selection);
    }
    focusAfter = null;
  }
}

function redraw(id) {
  const question = questions.get(id);
  const old = cards.get(id);
  if (!question) {
    if (old) old.node.remove();
    cards.delete(id);
    return;
  }
  const state = uiFor(id);
  const stamp = JSON.stringify([question, state.editing, state.busy, state.message]);
  if (old && old.stamp === stamp) return;
  const active = document.activeElement;
  if (old && active && old.node.contains(active) && !focusAfter) {
    focusAfter = { id, key: active.dataset.focus || "card" };
    if (active.tagName === "TEXTAREA") focusAfter.selection = [active.selectionStart, active.selectionEnd];
  }
  const node = card(question, state);
  if (old) old.node.replaceWith(node);
  cards.set(id, { node, stamp });
}

function row(term, value) {
  if (value === null || value === undefined || value === "") return null;
  return h("div", { class: "meta-row" }, h("dt", { text: term }), h("dd", { text: value }));
}

function button(text, focusKey, onclick, extraClass = "", disabled = false) {
  return h("button", {
    type: "button",
    class: `button ${extraClass}`.trim(),
    "data-focus": focusKey,
    disabled,
    onclick,
    text,
  });
}

function card(q, state) {
  const id = q.id;
  const node = h("li", { class: `q q-${q.status}`, id: `q-${id}`, tabindex: "-1", "data-focus": "card" });
  const article = h("article", { class: "question-card", "aria-label": t("question_no", { id }) });
  node.append(article);

  article.append(
    h(
      "p",
      { class: "q-head" },
      h("span", { class: "q-id", text: `#${id}` }),
      h("span", { class: `badge status-${q.status}`, text: label("statuses", q.status) }),
      q.edited ? h("span", { class: "badge badge-edited", text: t("edited") }) : null,
      timeElement(q.submitted_at, lang),
    ),
    h("p", { class: "q-text", text: q.text }),
  );
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
      row(t("channel"), label("channels", q.channel)),
      q.votes ? row(t("votes"), String(q.votes)) : null,
    ),
  );
  if (q.asked_by > 1) article.append(h("p", { class: "asked-by", text: askedBy(q.asked_by) }));
  if (q.flags && q.flags.length) {
    article.append(
      h(
        "ul",
        { class: "flags", "aria-label": t("flags_label") },
        q.flags.map((flag) => h("li", { class: "flag", text: label("flags", flag) })),
      ),
    );
  }
  for (const dup of q.duplicates || []) {
    const score = `${Math.round(Number(dup.score) * 100)}%`;
    article.append(h("p", { class: "q-duplicate", text: t("duplicate_of", { id: dup.id, score }) }));
  }
  if (q.status === "rejected" && q.reason) {
    article.append(h("p", { class: "q-reason", text: t("rejected_for", { reason: label("reasons", q.reason) }) }));
  }
  if (state.message) article.append(h("p", { class: "q-message", text: state.message }));
  if (state.editing && EDITABLE.has(q.status)) article.append(editor(q, state));
  else article.append(actions(q, state));
  return node;
}

function actions(q, state) {
  const id = q.id;
  const busy = state.busy;
  const bar = h("div", { class: "q-actions" });
  if (q.status === "pending") {
    bar.append(button(t("approve"), "approve", () => act(id, "approve"), "button-primary", busy));
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
        button(t("reject"), "reject", () => reject(id), "button-danger", busy),
      ),
    );
  }
  if (UNPUBLISHABLE.has(q.status)) bar.append(button(t("unpublish"), "unpublish", () => act(id, "unpublish"), "", busy));
  if (q.status === "rejected") bar.append(button(t("restore"), "restore", () => act(id, "restore"), "", busy));
  if (EDITABLE.has(q.status)) bar.append(button(t("edit"), "edit", () => openEditor(id), "", busy));
  if (busy) bar.append(h("span", { class: "working", text: t("working") }));
  return bar;
}

function editor(q, state) {
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
    "aria-describedby": count.id,
    disabled: state.busy,
    oninput: (e) => {
      state.draft = e.target.value;
      showCount();
    },
    onkeydown: (e) => {
      if (e.key === "Escape") closeEditor(id);
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) act(id, "edit", { text: state.draft });
    },
  });
  area.value = state.draft;
  return h(
    "div",
    { class: "editor" },
    h("label", { for: areaId, text: t("edit_label") }),
    area,
    count,
    h(
      "div",
      { class: "q-actions" },
      button(t("save"), "save", () => act(id, "edit", { text: state.draft }), "button-primary", state.busy),
      button(t("cancel"), "cancel", () => closeEditor(id), "", state.busy),
      state.busy ? h("span", { class: "working", text: t("working") }) : null,
    ),
  );
}

// -- actions -----------------------------------------------------------------

function openEditor(id) {
  const state = uiFor(id);
  state.editing = true;
  state.draft = questions.get(id).text;
  state.message = "";
  focusAfter = { id, key: "editor" };
  touch(id);
}

function closeEditor(id) {
  const state = uiFor(id);
  state.editing = false;
  state.draft = "";
  focusAfter = { id, key: "edit" };
  touch(id);
}

function reject(id) {
  const state = uiFor(id);
  if (!state.reason) {
    state.message = t("reason_needed");
    focusAfter = { id, key: "reason" };
    announce(state.message);
    touch(id);
    return;
  }
  act(id, "reject", { reason: state.reason });
}

/** The pending question after (else before) `id`: where focus goes once `id` leaves the list. */
function neighbour(id) {
  const ids = [...questions.values()].filter((q) => q.status === "pending").sort(byId).map((q) => q.id);
  const at = ids.indexOf(id);
  return ids[at + 1] ?? ids[at - 1] ?? null;
}

async function act(id, action, extra = {}) {
  const question = questions.get(id);
  const state = uiFor(id);
  if (!question || state.busy) return;
  const next = action === "approve" || action === "reject" ? neighbour(id) : null;
  state.busy = true;
  state.message = "";
  touch(id);
  const url = `${questionsUrl}/${encodeURIComponent(id)}/actions/${action}`;
  const result = await api(url, { method: "POST", body: { version: question.version, ...extra }, csrf, lang });
  state.busy = false;
  if (result.ok) {
    if (action === "edit") {
      state.editing = false;
      state.draft = "";
    }
    if (action === "reject") state.reason = "";
    upsert(result.data);
    focusAfter = next ? { id: next, key: "approve" } : { id, key: "card" };
  } else if (result.status === 409) {
    state.message = t("conflict");
    announce(state.message);
    const fresh = await api(`${questionsUrl}/${encodeURIComponent(id)}`, { lang });
    if (fresh.ok) upsert(fresh.data, true);
  } else if (result.status === 401) {
    signedOut();
  } else {
    state.message = result.status === 0 ? t("network") : errorMessage(result, t("failed"));
    announce(state.message);
  }
  touch(id);
}

// -- connection --------------------------------------------------------------

const { feed, signedOut } = staffConnection(slug, {
  onMessage: receive,
  connection,
  notice,
  lang,
});
feed.start();
