// The console's history: the finished questions (answered, rejected, merged)
// that the staff snapshot leaves out (docs/api.md), loaded on demand a page
// at a time (GET .../history, newest first) into the shared state
// (lib/state.js `older`), where the published and rejected lists show them.
// A page never overrides what the feed said; a reset snapshot starts over.

import { t } from "./common.js";
import { api } from "./lib/api.js";
import { older } from "./lib/state.js";

// Questions per page of the history.
const PAGE = 100;

/** The history box of the console: `snapshot(data)` hears each snapshot;
 * `changed(out)` is told what a page changed, `announce(text)` what happened. */
export function createHistory({ slug, lang, model, changed, announce }) {
  const box = document.getElementById("history");
  const button = document.getElementById("history-more");
  const status = document.getElementById("history-status");
  const url = `/api/v1/dialogues/${encodeURIComponent(slug)}/history`;
  let finished = 0; // as the last snapshot counted them
  let loaded = 0;
  let cursor = null; // the next page's `before`
  let started = false;

  function show() {
    const more = !started || cursor !== null;
    box.hidden = finished === 0 && !started;
    button.hidden = !more;
    button.textContent = started ? t("history_more") : t("history_load", { n: finished });
    if (started && !more) status.textContent = t("history_done", { n: loaded });
  }

  async function load() {
    const epoch = model.epoch;
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (cursor) query.set("before", cursor);
    button.disabled = true;
    const result = await api(`${url}?${query}`, { lang });
    button.disabled = false;
    if (epoch !== model.epoch) return; // a snapshot came meanwhile: start over
    if (!result.ok) {
      status.textContent = t("history_failed");
      return;
    }
    started = true;
    cursor = result.data.next_before;
    loaded += result.data.items.length;
    changed(older(model, result.data.items, { epoch, nextBefore: null }));
    status.textContent = t("history_loaded", { n: result.data.items.length });
    announce(status.textContent);
    show();
  }

  button.addEventListener("click", load);
  return {
    snapshot(data) {
      finished = Object.values((data && data.finished) || {}).reduce((sum, n) => sum + n, 0);
      loaded = 0;
      cursor = null;
      started = false;
      status.textContent = "";
      show();
    },
  };
}
