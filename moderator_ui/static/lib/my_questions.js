// The "My questions" list of the public page and the widget: the questions
// this device sent to the dialogue (lib/mine.js), each with its state, read
// from the tracking API when the list is shown and again whenever the public
// feed says something of one of them (the API names each question's id) or
// starts over. Each links to its tracking page (in a new window from the
// widget, whose `server` is the doithoai server's origin).
//
// Every string is a msgid passed to `t` (the widget's catalog and the page's
// lib-i18n block carry them); data goes in through textContent. It never
// touches the document when imported.

import { h } from "./dom.js";
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
 * The list of `slug`'s questions sent from this device, as `node` (hidden
 * while empty). `call(url)` reads the API as lib/api.js's api does;
 * `server`: the doithoai server's origin ("" on its own pages); `heading`:
 * the heading's tag.
 */
export class MyQuestions {
  constructor({ slug, t, call, server = "", lang = "vi", heading = "h2" }) {
    Object.assign(this, { slug, t, call, server, lang, words: statusWords(t), ids: new Map(), started: false });
    const id = server ? "dw-mine" : "mine-heading";
    this.list = h("ul", { class: "mine-list" });
    this.node = h(
      "section",
      { class: "mine", "aria-labelledby": id, hidden: true },
      h(heading, { id, text: t("My questions") }),
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
    if (!this.started) return;
    const id = message.data && String(message.data.id);
    for (const { code } of listMine(this.slug, this.server)) {
      if (message.type === "snapshot" || this.ids.get(code) === id) this.check(code);
    }
  }

  async check(code) {
    const result = await this.call(`${this.server}/api/v1/tracking/${encodeURIComponent(code)}`);
    const view = result.data;
    // 404: the code is gone; another failure keeps the state last seen.
    if (result.status === 404) noteMine(this.slug, code, null, this.server);
    else if (!result.ok || !view || view.tracking_code !== code) return;
    else {
      this.ids.set(code, String(view.id));
      noteMine(this.slug, code, view.status, this.server);
    }
    this.draw();
  }

  draw() {
    const entries = listMine(this.slug, this.server);
    this.node.hidden = !entries.length;
    const stamp = JSON.stringify(entries);
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    // A redrawn link takes the keyboard focus back.
    const active = this.node.getRootNode().activeElement;
    const focused = active && this.list.contains(active) ? active.closest("li").dataset.code : null;
    this.list.replaceChildren(...entries.map((entry) => this.item(entry)));
    const link = focused && this.list.querySelector(`li[data-code="${focused}"] a`);
    if (link) link.focus();
  }

  item({ code, text, status }) {
    const t = this.t;
    const link = h("a", { href: `${this.server}/t/${encodeURIComponent(code)}${this.server && this.lang === "en" ? "?lang=en" : ""}` }, text);
    if (this.server) {
      link.target = "_blank";
      link.rel = "noopener";
      link.append(h("span", { class: "vh visually-hidden", text: " " + t("(opens in a new window)") }));
    }
    return h(
      "li",
      { class: "mine-item", "data-code": code, "data-status": status },
      h("p", { class: "mine-text" }, link),
      h(
        "p",
        { class: "mine-meta" },
        h("span", { class: "mine-status", text: this.words[status] || "" }),
        h("span", {}, t("Tracking code:"), " ", h("span", { class: "tracking-code", text: code })),
      ),
    );
  }
}
