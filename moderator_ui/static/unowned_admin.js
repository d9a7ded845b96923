// The admin dialogue page's list of written answers owed without an official
// (deferred with nobody to answer them, as a wrap-up can leave them), each
// with a choice of official: flagged here until someone routes it.
//
// It reads the deferred questions from the staff API and routes one with the
// question's version (the server checks it again); it is read when the page
// opens and after each routing. Text goes in through textContent, never as HTML.

import { t } from "./common.js";
import { api, errorMessage } from "./lib/api.js";
import { h } from "./lib/dom.js";
import { formatDay } from "./lib/time.js";

/** Show the unowned of the dialogue at `base` (its API path), routable to `officials`. */
export function showUnowned({ base, csrf, lang, officials }) {
  const section = document.getElementById("unowned");
  const list = document.getElementById("unowned-list");
  const count = document.getElementById("unowned-count");
  const message = document.getElementById("unowned-message");

  async function deferred() {
    const found = [];
    let cursor = null;
    do {
      const query = new URLSearchParams({ status: "deferred", limit: "500" });
      if (cursor) query.set("cursor", cursor);
      const result = await api(`${base}/questions?${query}`, { lang });
      if (!result.ok || !result.data) return null;
      found.push(...result.data.items);
      cursor = result.data.next_cursor;
    } while (cursor);
    return found;
  }

  function item(q) {
    const selectId = `unowned-official-${q.id}`;
    const select = h(
      "select",
      { id: selectId },
      h("option", { value: "", text: t("unowned_choose") }),
      officials.map((o) => h("option", { value: o.id, text: o.title ? `${o.name}, ${o.title}` : o.name })),
    );
    const button = h("button", { type: "button", class: "button button-small", text: t("unowned_assign"), onclick: () => assign(q, select, button) });
    return h(
      "li",
      { class: "unowned-item", "data-id": q.id },
      h("p", { class: "unowned-text" }, h("strong", { text: `#${q.id} ` }), q.text, q.due_at ? h("span", { class: "unowned-due", text: ` · ${t("unowned_due", { date: formatDay(q.due_at, lang) })}` }) : null),
      h("label", { for: selectId, class: "visually-hidden", text: t("unowned_label", { id: q.id }) }),
      select,
      button,
    );
  }

  async function assign(q, select, button) {
    if (!select.value) {
      message.textContent = t("unowned_pick_first");
      select.focus();
      return;
    }
    button.disabled = true;
    const url = `${base}/questions/${encodeURIComponent(q.id)}/actions/assign`;
    const result = await api(url, { method: "POST", body: { official_id: select.value, version: q.version }, csrf, lang });
    button.disabled = false;
    message.textContent = result.ok ? t("unowned_done", { id: q.id }) : errorMessage(result, t("failed"));
    await load();
  }

  async function load() {
    const found = await deferred();
    if (found === null) return;
    const items = found.filter((q) => !q.official).sort((a, b) => Number(a.id) - Number(b.id));
    section.hidden = items.length === 0 && !message.textContent;
    count.textContent = String(items.length);
    list.replaceChildren(...items.map(item));
  }

  return load();
}
