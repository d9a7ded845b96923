// The wrap-up of a broadcast (wrapup.html): every question not answered live,
// each with the official it will be owed by (routed, else the topic's
// default; the producer may choose another or nobody) and the due date; one
// action, once confirmed, closes the dialogue and owes them all, then each
// question's result.
// A question left without an official is flagged here, and afterwards on the
// admin and moderation pages until someone takes it.
//
// The list is the server's plan (rendered into the page): the questions still
// to owe, none already owed. The action goes through
// POST /api/v1/dialogues/{slug}/wrap-up with the ids listed, and the server
// checks it all again: when the questions to owe are others now (one
// approved or owed meanwhile) it refuses (409 "questions") and this page
// reads the plan again and draws it, keeping the officials chosen, so that
// the producer confirms what will be done.
// Text is written with textContent (never as HTML).

import { confirmWith, label, t } from "./common.js";
import { api, csrfToken, errorMessage, errorOf } from "./lib/api.js";
import { h, readJSON } from "./lib/dom.js";
import { formatDay } from "./lib/time.js";

const root = document.getElementById("wrapup");
const slug = root.dataset.slug;
const lang = root.dataset.lang;
const csrf = csrfToken();
let plan = readJSON("plan-data");
const officials = readJSON("officials-data") || [];
const url = `/api/v1/dialogues/${encodeURIComponent(slug)}/wrap-up`;

const form = document.getElementById("wu-form");
const list = document.getElementById("wu-list");
const unowned = document.getElementById("wu-unowned");
const error = document.getElementById("wu-error");
const submit = document.getElementById("wu-submit");
const working = document.getElementById("wu-working");
const results = document.getElementById("wu-results");
const empty = document.getElementById("wu-empty");
const count = document.getElementById("wu-count");
const live = root.dataset.status === "live";

// question id -> its <select> of officials ("" for nobody yet)
const choices = new Map();

function officialName(id) {
  const found = officials.find((o) => o.id === id);
  return found ? found.name : id;
}

function row(q, kept) {
  const selectId = `wu-official-${q.id}`;
  const flag = h("p", { class: "wu-flag", text: t("unowned_row") });
  const select = h(
    "select",
    { id: selectId, "data-id": q.id, onchange: () => showChoice(q.id) },
    h("option", { value: "", text: t("nobody") }),
    officials.map((o) => h("option", { value: o.id, text: o.title ? `${o.name}, ${o.title}` : o.name, selected: o.id === (kept === undefined ? q.official_id : kept) })),
  );
  choices.set(q.id, { select, flag });
  const node = h(
    "li",
    { class: "wu-row", id: `wu-q-${q.id}`, "data-id": q.id },
    h("p", { class: "q-head" }, h("span", { class: "q-id", text: `#${q.id}` }), h("span", { class: `badge status-${q.status}`, text: label("statuses", q.status) })),
    h("p", { class: "q-text", text: q.text }),
    h("div", { class: "wu-choice field" }, h("label", { for: selectId, text: t("official_for", { id: q.id }) }), select),
    flag,
  );
  return node;
}

/** Mark a row without an official, and count them. */
function showChoice(id) {
  if (id) {
    const { select, flag } = choices.get(id);
    flag.hidden = Boolean(select.value);
    flag.closest("li").classList.toggle("is-unowned", !select.value);
  }
  const n = [...choices.values()].filter((c) => !c.select.value).length;
  unowned.hidden = n === 0;
  unowned.textContent = n ? t(n === 1 ? "unowned_one" : "unowned_other", { n }) : "";
}

function resultRow(item, question) {
  const text = question ? question.text : "";
  let outcome;
  let flagged = false;
  if (!item.ok) outcome = t("not_changed", { reason: (item.error && item.error.message) || t("failed") });
  else if (item.question.official) outcome = t("owed_by", { name: item.question.official.name, date: formatDay(item.question.due_at, lang) });
  else {
    flagged = true;
    outcome = t("owed_nobody", { date: formatDay(item.question.due_at, lang) });
  }
  const classes = ["wu-row", item.ok ? "is-done" : "is-refused", flagged ? "is-unowned" : ""].filter(Boolean).join(" ");
  return h(
    "li",
    { class: classes, id: `wu-result-${item.id}`, "data-id": item.id },
    h("p", { class: "q-head" }, h("span", { class: "q-id", text: `#${item.id}` })),
    text ? h("p", { class: "q-text", text }) : null,
    h("p", { class: flagged ? "wu-outcome wu-flag" : "wu-outcome", text: outcome }),
  );
}

function showResults(data) {
  const byId = new Map(plan.questions.map((q) => [q.id, q]));
  const items = data.results || [];
  const owed = items.filter((item) => item.ok);
  const flagged = owed.filter((item) => !item.question.official);
  document.getElementById("wu-summary").textContent = t("summary", { owed: owed.length, total: items.length, flagged: flagged.length });
  document.getElementById("wu-result-list").replaceChildren(...items.map((item) => resultRow(item, item.question || byId.get(item.id))));
  form.hidden = true;
  results.hidden = false;
  results.focus();
}

/** Whether the producer confirms: closing the dialogue and owing the answers cannot be undone. */
function confirmed() {
  const words = { n: choices.size, date: formatDay(plan.due, lang) };
  return confirmWith(t(live ? "end_confirm_title" : "owe_confirm_title"), t(live ? "end_confirm_text" : "owe_confirm_text", words), submit.textContent.trim());
}

async function end(event) {
  event.preventDefault();
  if (submit.disabled) return;
  submit.disabled = true;
  const go = await confirmed();
  submit.disabled = false;
  if (!go) return;
  const chosen = Object.fromEntries([...choices].map(([id, c]) => [id, c.select.value || null]));
  submit.disabled = true;
  working.hidden = false;
  error.hidden = true;
  const shown = [...choices.keys()];
  const result = await api(url, { method: "POST", body: { officials: chosen, questions: shown, version: Number(root.dataset.version) }, csrf, lang });
  submit.disabled = false;
  working.hidden = true;
  if (result.ok && result.data) {
    root.dataset.version = String(result.data.version);
    showResults(result.data);
    return;
  }
  // The questions to owe changed under the list: draw them as they are now.
  if (result.status === 409 && errorOf(result).field === "questions") await reload();
  error.textContent = result.status === 0 ? t("network") : result.status === 401 ? t("signed_out") : errorMessage(result, t("failed"));
  error.hidden = false;
  error.focus();
}

/** Draw the plan's questions, each with the official chosen for it if it was listed before. */
function draw() {
  const before = new Map([...choices].map(([id, c]) => [id, c.select.value || null]));
  choices.clear();
  list.replaceChildren(...plan.questions.map((q) => row(q, before.get(q.id))));
  for (const id of choices.keys()) showChoice(id);
  showChoice(null);
  const none = plan.questions.length === 0;
  count.textContent = String(plan.questions.length);
  empty.hidden = !none;
  // Ended already and nothing left to owe: nothing to confirm.
  submit.hidden = none && !live;
}

/** Read the plan again (the questions to owe now) and draw it. */
async function reload() {
  const fresh = await api(url, { lang });
  if (fresh.ok && fresh.data) {
    plan = fresh.data;
    draw();
  }
}

draw();
// Disabled in the page until now: a click before this script ran would
// have sent the form to the page's own URL instead of the API.
submit.disabled = false;
form.addEventListener("submit", end);
