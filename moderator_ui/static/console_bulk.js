// Bulk moderation in the console: the questions the moderator has selected
// (x, a card's checkbox, shift+click), and approving or rejecting them all in
// one call to the bulk endpoint. Each question is its own step on the server;
// the report lists the ones that failed and why.

import { t } from "./common.js";
import { api, errorMessage } from "./lib/api.js";

/**
 * `bar`: the page's bulk section (#bulk); `onChange(ids)`: these questions'
 * selection changed; `track(promise)`: keeps a call on its way (undo waits
 * for it); `onDone(action, results, befores)`: the server's per-question
 * results of a bulk call (already reported here) and the questions as they
 * were before it.
 */
export function createBulk({ bar, url, csrf, lang, questions, onChange, onDone, onSignedOut, announce, track }) {
  const selected = new Set();
  const count = bar.querySelector("#bulk-count");
  const reason = bar.querySelector("#bulk-reason");
  const result = document.getElementById("bulk-result");
  const buttons = [...bar.querySelectorAll("button")];
  let busy = false;

  function show() {
    bar.hidden = selected.size === 0;
    count.textContent = t("bulk_selected", { n: selected.size });
    for (const button of buttons) button.disabled = busy;
  }

  function toggle(id) {
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    show();
    onChange([id]);
  }

  function clear() {
    const ids = [...selected];
    selected.clear();
    show();
    onChange(ids);
  }

  /** Drop questions the console no longer has. */
  function prune() {
    const gone = [...selected].filter((id) => !questions.has(id));
    for (const id of gone) selected.delete(id);
    if (gone.length) show();
  }

  function failure(item) {
    const error = item.error || {};
    const text = error.message || t("failed");
    return t("bulk_failed_item", { id: item.id, message: text });
  }

  function report(action, items) {
    const ok = items.filter((item) => item.ok);
    const failed = items.filter((item) => !item.ok);
    const done = t(action === "approve" ? "bulk_approved" : "bulk_rejected", { n: ok.length });
    const summary = failed.length
      ? t("bulk_partial", { done, n: failed.length, list: failed.map(failure).join("; ") })
      : done;
    result.textContent = summary;
    result.dataset.state = failed.length ? "partial" : "ok";
    result.hidden = false;
    announce(summary);
  }

  async function run(action, code = null) {
    if (busy || !selected.size) return;
    if (code) reason.value = code;
    if (action === "reject" && !reason.value) {
      result.textContent = t("bulk_reason_needed");
      result.dataset.state = "partial";
      result.hidden = false;
      announce(result.textContent);
      reason.focus();
      return;
    }
    const ids = [...selected].sort((a, b) => Number(a) - Number(b));
    const befores = ids.map((id) => questions.get(id)).filter(Boolean);
    const versions = {};
    for (const id of ids) if (questions.has(id)) versions[id] = questions.get(id).version;
    const body = { action, ids, versions };
    if (action === "reject") body.reason = reason.value;
    busy = true;
    show();
    result.textContent = t("working");
    result.hidden = false;
    const answer = await api(url, { method: "POST", body, csrf, lang });
    busy = false;
    if (answer.status === 401) {
      onSignedOut();
      show();
      return;
    }
    if (!answer.ok || !answer.data || !Array.isArray(answer.data.results)) {
      result.textContent = answer.status === 0 ? t("network") : errorMessage(answer, t("failed"));
      result.dataset.state = "partial";
      announce(result.textContent);
      show();
      return;
    }
    const items = answer.data.results.map((item) => ({ ...item, id: String(item.id) }));
    for (const item of items) if (item.ok) selected.delete(item.id);
    report(action, items);
    show();
    onChange(ids);
    onDone(action, items, befores);
  }

  bar.querySelector("#bulk-approve").addEventListener("click", () => track(run("approve")));
  bar.querySelector("#bulk-reject").addEventListener("click", () => track(run("reject")));
  bar.querySelector("#bulk-clear").addEventListener("click", () => clear());
  show();

  return {
    selected,
    toggle,
    clear,
    prune,
    approve: () => track(run("approve")),
    /** Reject the selection for `code` (else the reason chosen in the bar). */
    reject: (code) => track(run("reject", code)),
    reason: () => reason.value,
  };
}
