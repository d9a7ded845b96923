// The "My questions" list of the public page and the widget: the questions
// this device sent to the dialogue (lib/mine.js), each with its state, read
// from the tracking API when the list is shown and again whenever the public
// feed says something of one of them (the API names each question's id) or
// starts over. Each links to its tracking page.
//
// Every string is a msgid passed to `t` (the widget's catalog and the page's
// lib-i18n block carry them); data goes in through textContent. It never
// touches the document when imported.

import { h, reconcile } from "./dom.js";
import { listMine, noteMine, remember } from "./mine.js";

/** A question's state in a citizen's words (the msgids of _labels.html's statuses). */
function statusWords(t) {
  return {
    received: t("Received"),
    pending: t("Pending"),
    approved: t("Published"),
    queued: t("In the on-air queue"),
    on_air: t("Now answering"),
    answered: t("Answered"),
    deferred: t("To be answered in writing"),
    rejected: t("Rejected"),
    merged: t("Merged"),
  };
}

/**
 * The list of `slug`'s questions sent from this device. `call(url)` reads the
 * API (resolving as lib/api.js's api does); `server`: the doithoai server's
 * origin ("" on its own pages); `heading`: the heading's tag; `newWindow`:
 * tracking pages open in a new window (the widget). `node` is the section to
 * place, hidden while the list is empty.
 */
export class MyQuestions {
  constructor({ slug, t, call, server = "", lang = "vi", heading = "h2", newWindow = false, idPrefix = "mine" }) {
    Object.assign(this, { slug, t, call, server, lang, newWindow });
    this.words = statusWords(t);
    this.items = new Map(); // code -> {node, stamp}
    this.ids = new Map(); // question id -> code
    this.started = false;
    this.list = h("ul", { class: "mine-list" });
    this.node = h(
      "section",
      { class: "mine", "aria-labelledby": `${idPrefix}-heading`, hidden: true },
      h(heading, { id: `${idPrefix}-heading`, text: t("My questions") }),
      h("p", { class: "mine-note", text: t("Kept on this device only.") }),
      this.list,
    );
  }

  /** Draw what the device keeps, then read each question's state. */
  start() {
    this.started = true;
    this.draw();
    for (const entry of listMine(this.slug, this.server)) this.check(entry.code);
  }

  /** A question just sent: kept, drawn, and its state read. */
  add(code, text) {
    remember(this.slug, code, text, this.server);
    this.draw();
    this.check(code);
  }

  /** A feed message: read again the questions it is about (all of them after a snapshot). */
  hear(message) {
    if (!this.started || !message) return;
    if (message.type === "snapshot") {
      for (const code of this.items.keys()) this.check(code);
      return;
    }
    const id = message.data && message.data.id;
    if (id && this.ids.has(String(id))) this.check(this.ids.get(String(id)));
  }

  async check(code) {
    const result = await this.call(`${this.server}/api/v1/tracking/${encodeURIComponent(code)}`);
    if (result.status === 404) noteMine(this.slug, code, null, this.server);
    else if (result.ok && result.data && result.data.tracking_code === code) {
      if (result.data.id) this.ids.set(String(result.data.id), code);
      noteMine(this.slug, code, result.data.status, this.server);
    } else return; // unreachable for now: the state last seen stays
    this.draw();
  }

  draw() {
    const entries = listMine(this.slug, this.server);
    const codes = entries.map((entry) => entry.code);
    for (const entry of entries) {
      const stamp = JSON.stringify(entry);
      const old = this.items.get(entry.code);
      if (old && old.stamp === stamp) continue;
      const node = this.item(entry);
      if (old) old.node.replaceWith(node);
      this.items.set(entry.code, { node, stamp });
    }
    for (const code of [...this.items.keys()]) if (!codes.includes(code)) this.items.delete(code);
    reconcile(this.list, codes, (code) => this.items.get(code).node);
    this.node.hidden = codes.length === 0;
  }

  item(entry) {
    const t = this.t;
    const lang = this.server && this.lang === "en" ? "?lang=en" : "";
    const link = h("a", { href: `${this.server}/t/${encodeURIComponent(entry.code)}${lang}` }, entry.text);
    if (this.newWindow) {
      link.target = "_blank";
      link.rel = "noopener";
      link.append(h("span", { class: "vh visually-hidden", text: " " + t("(opens in a new window)") }));
    }
    return h(
      "li",
      { class: "mine-item", "data-code": entry.code, "data-status": entry.status },
      h("p", { class: "mine-text" }, link),
      h(
        "p",
        { class: "mine-meta" },
        h("span", { class: `mine-status status-${entry.status}`, text: this.words[entry.status] || "" }),
        " ",
        h("span", { class: "mine-code" }, t("Tracking code:"), " ", h("span", { class: "tracking-code", text: entry.code })),
      ),
    );
  }
}
