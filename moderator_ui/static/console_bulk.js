// Bulk moderation in the console: the questions the moderator has selected
// (x, a card's checkbox, shift+click, or all those the filters let through),
// and approving or rejecting them all through the bulk endpoint, in calls of
// at most its limit (`most`). Each question is its own step on the server;
// the report lists the ones that failed and why. A selection made with
// "select all that match" is confirmed, with its count, before it is acted on.

import { confirmWith, t } from "./common.js";
import { api, errorMessage } from "./lib/api.js";

/**
 * `bar`: the page's bulk section (#bulk); `canAct(question)`: whether a bulk
 * action can take it (a selected question that no longer can, approved or
 * merged by another moderator, leaves the selection: `prune`);
 * `onChange(ids)`: these questions' selection changed; `track(promise)`: keeps a call on its way (undo waits
 * for it); `onDone(action, results, befores)`: the server's per-question
 * results of a bulk call (already reported here) and the questions as they
 * were before it.
 */
export function createBulk({
  bar,
  url,
  most,
  csrf,
  lang,
  questions,
  canAct,
  onChange,
  onDone,
  onSignedOut,
  announce,
  track,
}) {
  const selected = new Set();
  // Whether "select all that match" made (part of) the selection: acting on it is confirmed first.
  let wide = false;
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
    else if (actionable(id)) selected.add(id);
    else return;
    show();
    onChange([id]);
  }

  function clear() {
    const ids = [...selected];
    selected.clear();
    wide = false;
    show();
    onChange(ids);
  }

  /** Add `ids` (all the questions the filters let through) to the selection. */
  function selectAll(ids) {
    const added = ids.filter((id) => !selected.has(id));
    for (const id of added) selected.add(id);
    wide = true;
    show();
    onChange(added);
  }

  /** Whether the moderator confirms `action` on the `n` selected (asked only of a selection made with "select all"). */
  function confirmed(action, n) {
    if (!wide) return Promise.resolve(true);
    const reasonText = action === "reject" ? reason.selectedOptions[0]?.textContent || "" : "";
    return confirmWith(
      t(`bulk_confirm_${action}_title`, { n }),
      action === "reject" ? t("bulk_confirm_reject_text", { n, reason: reasonText }) : t("bulk_confirm_approve_text", { n }),
      t(`bulk_confirm_${action}_yes`, { n }),
    );
  }

  /** Whether selected question `id` can still be acted on (the console has it, and a bulk action can take it). */
  function actionable(id) {
    const question = questions.get(id);
    return Boolean(question) && canAct(question);
  }

  /**
   * Drop from the selection the questions (of `ids`, the questions that
   * changed; all of them without) that a bulk action can no longer take:
   * what the bar counts and a confirmation asks about is what is acted on.
   */
  function prune(ids = null) {
    const gone = (ids === null ? [...selected] : ids.filter((id) => selected.has(id))).filter((id) => !actionable(id));
    if (!gone.length) return;
    for (const id of gone) selected.delete(id);
    if (!selected.size) wide = false;
    show();
    onChange(gone);
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
    prune();
    if (!selected.size) return;
    let ids = [...selected].sort((a, b) => Number(a) - Number(b));
    busy = true;
    show();
    const go = await confirmed(action, ids.length);
    // Those another moderator took while the question was asked are not acted on either.
    ids = ids.filter((id) => selected.has(id) && actionable(id));
    if (!go || !ids.length) {
      busy = false;
      show();
      return;
    }
    const befores = ids.map((id) => questions.get(id)).filter(Boolean);
    result.textContent = t("working");
    result.hidden = false;
    const items = [];
    let stopped = null; // the answer that stopped the calls (signed out, refused, unreachable)
    for (let start = 0; start < ids.length && !stopped; start += most) {
      const batch = ids.slice(start, start + most);
      const versions = {};
      for (const id of batch) if (questions.has(id)) versions[id] = questions.get(id).version;
      const body = { action, ids: batch, versions };
      if (action === "reject") body.reason = reason.value;
      const answer = await api(url, { method: "POST", body, csrf, lang });
      if (answer.ok && answer.data && Array.isArray(answer.data.results)) {
        items.push(...answer.data.results.map((item) => ({ ...item, id: String(item.id) })));
      } else stopped = answer;
    }
    busy = false;
    if (stopped && stopped.status === 401) onSignedOut();
    for (const item of items) if (item.ok) selected.delete(item.id);
    if (!selected.size) wide = false;
    if (items.length) report(action, items);
    if (stopped && stopped.status !== 401) {
      const why = stopped.status === 0 ? t("network") : errorMessage(stopped, t("failed"));
      result.textContent = items.length ? `${result.textContent} ${why}` : why;
      result.dataset.state = "partial";
      result.hidden = false;
      announce(result.textContent);
    }
    show();
    onChange(ids);
    if (items.length) onDone(action, items, befores);
  }

  bar.querySelector("#bulk-approve").addEventListener("click", () => track(run("approve")));
  bar.querySelector("#bulk-reject").addEventListener("click", () => track(run("reject")));
  bar.querySelector("#bulk-clear").addEventListener("click", () => clear());
  show();

  return {
    selected,
    toggle,
    clear,
    selectAll,
    prune,
    approve: () => track(run("approve")),
    /** Reject the selection for `code` (else the reason chosen in the bar). */
    reject: (code) => track(run("reject", code)),
    reason: () => reason.value,
  };
}
