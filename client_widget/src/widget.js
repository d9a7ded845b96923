// doithoai's embeddable widget: <doithoai-widget dialogue="<slug>" lang="vi|en">.
//
// A citizen asks a question, follows the one on air and reads the answers,
// live, from a portal on another origin. Its source is this file and the
// pages' shared modules (moderator_ui/static/lib/); the app bundles them into
// one file at /widget.js and at a content-hashed URL (server/web/bundle.py),
// with the strings of the pages' gettext catalogs that it uses (catalog.js).
//
// It lives in an open shadow root and must never endanger its host page:
// every piece of data is written with textContent or createElement (never as
// HTML), nothing is evaluated, no inline handler or style attribute is used,
// and the styles are a constructed stylesheet, which the host's CSP allows
// without 'unsafe-inline'. It keeps on the device only what docs/embedding.md
// lists. Every string is a msgid of the catalogs, written out in a t("...")
// call so that `make i18n` and the bundler find it.

import { api, errorOf, retryAfter } from "../../moderator_ui/static/lib/api.js";
import { AskForm } from "../../moderator_ui/static/lib/ask_form.js";
import { copyCode } from "../../moderator_ui/static/lib/copy.js";
import { store, stored, voterId } from "../../moderator_ui/static/lib/device.js";
import { h, safeUrl } from "../../moderator_ui/static/lib/dom.js";
import { Feed } from "../../moderator_ui/static/lib/feed.js";
import { translator } from "../../moderator_ui/static/lib/i18n.js";
import { readMore } from "../../moderator_ui/static/lib/more.js";
import { MyQuestions } from "../../moderator_ui/static/lib/my_questions.js";
import { LoadMore } from "../../moderator_ui/static/lib/older.js";
import { Herald } from "../../moderator_ui/static/lib/news.js";
import { fetchProof, sendProven, sha256, solve } from "../../moderator_ui/static/lib/proof.js";
import { apply, createState, older, setVotes } from "../../moderator_ui/static/lib/state.js";
import { clockOffset, formatDay, timeElement } from "../../moderator_ui/static/lib/time.js";
import { MESSAGES } from "./catalog.js";
import { STYLES } from "./styles.js";

// The server's heartbeat period (DOITHOAI_WS_PING_INTERVAL), unless the
// element's heartbeat attribute says otherwise (tests run it faster).
const HEARTBEAT_S = 20;
// Failed connections in a row after which the widget asks whether this site
// may still show the dialogue (a refused handshake looks like any failure).
const CHECK_AFTER_FAILURES = 3;
// The first load is tried again with full jitter over a doubling window.
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30000;
// A submission is tried again on network errors and 5xx this many times,
// doubling from 1 s; Retry-After is honoured up to a minute.
const SEND_RETRIES = 4;
const SEND_BASE_MS = 1000;
const RETRY_AFTER_CAP_S = 60;
// A request that has not answered in this long counts as a network failure.
const REQUEST_TIMEOUT_MS = 20000;
// Questions drawn per list before "show more": a phone need not lay out
// thousands of cards.
const PAGE = 20;
// The prefix of the keys of what the widget keeps in localStorage.
const STORE = "doithoai-widget";

const BASE = new URL(".", import.meta.url).href.replace(/\/$/, "");
// Phases in which questions are voted for, and after which nothing waits for the air.
const VOTING = ["open", "live"];
const ENDED = ["closed", "archived"];

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The names of what the feed says, in the widget's words: the dialogue's phase as citizens read it. */
function words(t) {
  return {
    dialogue: {
      draft: t("Not published"),
      open: t("Before the broadcast: taking questions"),
      live: t("On air now"),
      closed: t("Ended — written answers continue"),
      archived: t("Archived"),
    },
    kinds: { live: t("Answered live"), written: t("Written answer") },
    statuses: { queued: t("Coming up"), deferred: t("To be answered in writing") },
  };
}

export class DoithoaiWidget extends HTMLElement {
  static get observedAttributes() {
    return ["dialogue", "lang", "api", "heartbeat"];
  }

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(h("style", { text: STYLES }));
    }
    this.view = h("div", { class: "w" });
    root.append(this.view);
    this.running = null;
  }

  connectedCallback() {
    this.start();
  }

  disconnectedCallback() {
    this.stop();
  }

  attributeChangedCallback(name, before, after) {
    if (this.running && before !== after) {
      this.stop();
      this.start();
    }
  }

  // -- life ----------------------------------------------------------------------

  start() {
    this.slug = (this.getAttribute("dialogue") || "").trim();
    this.language = this.getAttribute("lang") === "en" ? "en" : "vi";
    this.t = translator(MESSAGES[this.language]).t;
    this.words = words(this.t);
    this.api = (safeUrl(this.getAttribute("api") || "") || BASE).replace(/\/$/, "");
    const beat = Number(this.getAttribute("heartbeat"));
    this.heartbeatMs = (beat > 0 ? beat : HEARTBEAT_S) * 1000;
    this.running = new AbortController();
    this.model = createState("public"); // what the feed said (lib/state.js)
    this.cards = new Map(); // id -> {node, stamp}
    this.voteErrors = new Map(); // id -> why its vote was refused
    this.unfolded = new Set(); // ids of the long questions shown whole
    this.lost = false; // the feed's socket dropped and has not come back yet
    this.shown = { answered: PAGE, waiting: PAGE };
    this.feed = null;
    this.retryTimer = null;
    this.voter = voterId();
    this.votedKey = `${STORE}:voted:${this.api}:${this.slug}`;
    this.voted = new Set(stored(this.votedKey, []));
    this.online = () => this.reloadNow();
    window.addEventListener("online", this.online);
    // A card drawn again between a press and its release would lose the click
    // (a vote, in a storm of them): while a pointer is down in the widget,
    // drawing waits, and happens at the frame after the release (the click first).
    this.pressed = false;
    const { signal } = this.running;
    this.shadowRoot.addEventListener("pointerdown", () => (this.pressed = true), { signal });
    // Space clicks a button at the key's release (a keyboard user's press).
    this.shadowRoot.addEventListener("keydown", (e) => e.key === " " && e.target.closest("button") && (this.pressed = true), { signal });
    window.addEventListener("keyup", (e) => e.key === " " && release(), { capture: true, signal });
    const release = () => this.pressed && ((this.pressed = false), requestAnimationFrame(() => this.draw()));
    for (const type of ["pointerup", "pointercancel"]) window.addEventListener(type, release, { capture: true, signal });
    window.addEventListener("blur", release, { signal }); // the window's own, not a field's
    // A release it did not hear (a press on a scrollbar): no button down any more.
    window.addEventListener("pointermove", (e) => e.buttons || release(), { capture: true, signal });
    // What a screen reader hears of the feed, and the questions this device sent.
    this.herald = new Herald((text) => this.announce(text), this.t);
    this.mine = new MyQuestions({ slug: this.slug, t: this.t, call: (url) => this.call(url), server: this.api, lang: this.language, heading: "h3" });
    this.build();
    this.load(0);
  }

  stop() {
    if (!this.running) return;
    this.running.abort();
    this.running = null;
    window.removeEventListener("online", this.online);
    if (this.looking) this.looking.disconnect();
    this.loadMore?.observer?.disconnect();
    clearTimeout(this.retryTimer);
    if (this.feed) this.feed.stop();
    this.feed = null;
  }

  url(path) {
    return `${this.api}${path}${path.includes("?") ? "&" : "?"}lang=${this.language}`;
  }

  path(rest = "") {
    return `/api/v1/dialogues/${encodeURIComponent(this.slug)}${rest}`;
  }

  /** Call the app's public API across origins: no cookies, no cache, a time limit. */
  call(url, body) {
    const options = { credentials: "omit", cache: "no-store", timeout: REQUEST_TIMEOUT_MS };
    return api(url, body === undefined ? options : { ...options, method: "POST", body });
  }

  // -- the first load, and whether this site may show the dialogue ----------------

  async load(attempt) {
    this.retryTimer = null;
    const run = this.running;
    const result = await this.call(this.url(this.path("/feed")));
    if (run !== this.running) return;
    if (result.status === 200 && result.data) {
      this.receive({ type: "snapshot", id: result.data.last_event_id || null, data: result.data });
      this.mine.start();
      this.follow(result.data.last_event_id || null);
      return;
    }
    if (result.status === 404) return this.block(this.t("This dialogue was not found."));
    if (result.status === 0 && (await this.refused())) return;
    this.notice.textContent = this.t("Could not load the dialogue. We will try again in a few seconds.");
    const wait = Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
    this.retryTimer = setTimeout(() => this.load(attempt + 1), wait);
  }

  /** Back online before the first load: try again now rather than at the end of the backoff. */
  reloadNow() {
    if (!this.running || this.feed || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.load(0);
  }

  /** Ask the app whether this page's origin may use the dialogue; on a refusal
   * show why and stop. A failed call tells nothing (false). */
  async refused() {
    const result = await this.call(this.url(`/widget/check/${encodeURIComponent(this.slug)}`));
    if (!this.running) return true;
    if (result.status === 404) {
      this.block(this.t("This dialogue was not found."));
      return true;
    }
    if (result.status === 200 && result.data && result.data.allowed === false) {
      this.block(this.t("This dialogue is not available on this site."));
      return true;
    }
    return false;
  }

  block(message) {
    this.stop();
    this.notice.textContent = message;
    this.notice.className = "note bad";
    this.notice.setAttribute("role", "alert");
    this.notice.hidden = false;
    for (const part of [this.airBox, this.askBox, this.mine.node, this.listsBox, this.conn, this.jump]) part.hidden = true;
  }

  // -- the live feed (lib/feed.js) and its state (lib/state.js) ------------------------

  follow(after) {
    this.feed = new Feed(`/ws/v1/dialogues/${encodeURIComponent(this.slug)}/feed`, {
      base: this.api,
      after,
      heartbeatMs: this.heartbeatMs,
      check: (failures) => failures % CHECK_AFTER_FAILURES === 0 && this.refused(),
      onMessage: (message) => this.receive(message),
      onStatus: (state) => this.showConnection(state),
    });
    this.feed.start();
  }

  receive(message) {
    const out = apply(this.model, message);
    this.herald.hear(out, this.model);
    this.mine.hear(message);
    if (out.dialogue) this.showDialogue(this.model.dialogue);
    if (out.questions.length || out.reset) this.draw();
  }

  /** Say `text` in the live region (lib/news.js cuts a question to 200 characters). */
  announce(text) {
    this.announcer.textContent = text;
  }

  /** The socket's state shows only while it is lost: the phase says whether the broadcast is on. */
  showConnection(state) {
    this.conn.dataset.state = state;
    if (state === "live") this.lost = false;
    else if (state === "waiting") this.lost = true;
    this.conn.hidden = !this.lost;
    this.conn.textContent = this.lost ? this.t("Connection lost, reconnecting…") : "";
  }

  // -- the frame --------------------------------------------------------------------

  build() {
    const t = this.t;
    this.heading = h("h2", { text: t("Online dialogue") });
    this.badge = h("span", { class: "badge", hidden: true });
    this.conn = h("p", { class: "conn", role: "status", "aria-live": "polite" });
    this.showConnection("connecting");
    this.notice = h("p", { class: "note", text: t("Loading the dialogue…") });
    this.announcer = h("div", { class: "vh", "aria-live": "polite", "aria-atomic": "true" });
    this.airList = h("ul");
    this.airEmpty = h("p", { class: "muted", text: t("No question is being answered right now.") });
    this.airBox = h(
      "section",
      { class: "air", "aria-labelledby": "dw-air", hidden: true },
      h("h3", { id: "dw-air", text: t("Now answering") }),
      this.airEmpty,
      this.airList,
    );
    this.askBox = h("section", { class: "sect", "aria-labelledby": "dw-ask", hidden: true }, h("h3", { id: "dw-ask", text: t("Ask a question") }));
    // The way to the form, first in the widget; on a narrow one it stays at the top while the lists scroll by.
    this.jump = h("a", { class: "jump", href: "#dw-ask", hidden: true, text: t("Ask a question"), onclick: (event) => this.toForm(event) });
    this.lists = {};
    const listSection = (key, title, emptyText) => {
      const list = h("ul");
      const count = h("span", { class: "badge" });
      const empty = h("p", { class: "muted", text: emptyText });
      const more = h("button", { type: "button", hidden: true, onclick: () => this.more(key) });
      this.lists[key] = { list, count, empty, more };
      return h(
        "section",
        { class: "sect", "aria-labelledby": `dw-${key}` },
        h("h3", { id: `dw-${key}` }, title, " ", count),
        empty,
        list,
        more,
      );
    };
    // The feed's first message is bounded: older questions come a page at a
    // time from the server (lib/older.js) once both lists show all they have.
    this.loadMore = new LoadMore(t, () => this.loadOlder());
    this.listsBox = h("div", { class: "w0", hidden: true }, listSection("answered", t("Answered"), t("No question has been answered yet.")),
      listSection("waiting", t("Questions waiting for an answer"), t("No question has been published yet.")),
      this.loadMore.node,
    );
    const head = h("header", { class: "head" }, this.heading, h("div", { class: "row" }, this.badge, this.conn));
    this.view.replaceChildren(
      head,
      this.jump,
      this.notice,
      this.announcer,
      this.airBox,
      this.askBox,
      this.mine.node,
      this.listsBox,
    );
    this.buildForm();
    this.watchJump(head);
  }

  /** Out of the way once stuck above the form itself: hidden (keeping its place)
   * while the form is on screen and the widget's head is not. */
  watchJump(head) {
    if (typeof IntersectionObserver !== "function") return;
    const seen = new Map();
    this.looking = new IntersectionObserver((entries) => {
      for (const entry of entries) seen.set(entry.target, entry.isIntersecting);
      this.jump.classList.toggle("away", Boolean(seen.get(this.askBox)) && !seen.get(head));
    });
    this.looking.observe(head);
    this.looking.observe(this.askBox);
  }

  showDialogue(dialogue) {
    if (!dialogue || typeof dialogue !== "object") return;
    this.heading.textContent = dialogue.title || this.t("Online dialogue");
    this.badge.textContent = this.words.dialogue[dialogue.status] || "";
    this.badge.dataset.phase = dialogue.status || "";
    this.badge.hidden = !dialogue.status;
    this.airBox.hidden = ENDED.includes(dialogue.status);
    this.notice.hidden = true;
    this.askBox.hidden = false;
    this.listsBox.hidden = false;
    // A closed dialogue still shows what someone was typing, read-only, to be copied.
    const accepting = Boolean(dialogue.accepting_questions);
    this.ask.setDialogue(dialogue);
    this.closed.hidden = accepting;
    this.jump.hidden = !accepting;
    if (this.done.hidden) this.ask.node.hidden = !accepting && !this.ask.hasText();
  }

  // -- asking ---------------------------------------------------------------------------

  buildForm() {
    const t = this.t;
    this.ask = new AskForm(t, {
      prefix: "dw",
      draftKey: `${STORE}:draft:${this.api}:${this.slug}`,
      primaryClass: "primary",
      onSubmit: () => this.submit(),
    });
    this.ask.node.hidden = true;
    this.code = h("p", { class: "code" });
    this.trackLink = h("a", { target: "_blank", rel: "noopener" }, t("See your question's status"), h("span", { class: "vh", text: " " + t("(opens in a new window)") }));
    this.codeBox = h(
      "div",
      { class: "fields" },
      h("p", { class: "small muted", text: t("Tracking code") }),
      this.code,
      h("div", { class: "row" }, h("button", { type: "button", text: t("Copy code"), onclick: () => this.copy() }), this.trackLink),
    );
    this.copyStatus = h("p", { class: "small", role: "status" });
    this.done = h(
      "div",
      { class: "fields", hidden: true, tabindex: "-1" },
      h("p", { class: "note" }, h("strong", { text: t("Your question was received") })),
      h("p", { text: t("The organisers review questions before publishing them. Keep the tracking code to follow its status and answer.") }),
      this.codeBox,
      this.copyStatus,
      h("div", {}, h("button", { type: "button", text: t("Ask a new question"), onclick: () => this.askAgain() })),
    );
    this.closed = h("p", { class: "note", text: t("This dialogue is not taking questions now."), hidden: true });
    this.askBox.append(this.closed, this.ask.node, this.done);
  }

  /** The "ask" link: the keyboard in the form's first field, or the heading when the form is away. */
  toForm(event) {
    event.preventDefault();
    if (this.ask.node.hidden) this.askBox.scrollIntoView();
    else this.ask.focusFirst();
  }

  async submit() {
    if (!this.running) return;
    await this.send(this.ask.body({ channel: "widget", device: this.voter }), this.running.signal);
  }

  async send(body, signal) {
    const t = this.t;
    let refusedHere = false;
    // One proof's worth of tries: network errors and 5xx are tried again.
    const post = async (proven) => {
      for (let attempt = 0; ; attempt += 1) {
        const result = await this.call(this.url(this.path("/questions")), proven);
        if (signal.aborted || !(result.status === 0 || result.status >= 500)) return result;
        if (result.status === 0 && (await this.refused())) {
          refusedHere = true;
          return result;
        }
        if (attempt >= SEND_RETRIES) return result;
        const wait = (retryAfter(result.response, RETRY_AFTER_CAP_S) || 0) * 1000 || SEND_BASE_MS * 2 ** attempt * (0.5 + Math.random() / 2);
        const s = Math.max(1, Math.round(wait / 1000));
        this.ask.say(result.status === 0 ? t("No connection. We will send it again in {s} s…", { s }) : t("The service is busy. We will send it again in {s} s…", { s }));
        await sleep(wait, signal);
        if (signal.aborted) return result;
      }
    };
    const stage = (name) => this.ask.stage(name);
    // A proof when the dialogue asks for one, or when the server does
    // (switched on since the feed loaded, expired, or spent by a lost first try).
    const needed = Boolean(this.model.dialogue && this.model.dialogue.proof_of_work);
    const result = await sendProven(post, body, () => this.prove(signal), { needed, stage });
    if (signal.aborted || refusedHere) return;
    this.ask.say("");
    const code = this.ask.report(result);
    if (!code) return;
    this.mine.add(code, body.text);
    this.showDone(code);
  }

  /** A solved proof-of-work challenge of this dialogue ({challenge, nonce}), or null. */
  prove(signal) {
    return fetchProof(this.url(this.path("/challenge")), { credentials: "omit", cache: "no-store", timeout: REQUEST_TIMEOUT_MS }, signal);
  }

  showDone(code) {
    this.ask.forget();
    this.code.textContent = code;
    const lang = this.language === "en" ? "?lang=en" : "";
    this.trackLink.href = `${this.api}/t/${encodeURIComponent(code)}${lang}`;
    this.copyStatus.textContent = "";
    this.ask.node.hidden = true;
    this.done.hidden = false;
    this.done.focus();
  }

  askAgain() {
    this.done.hidden = true;
    this.ask.node.hidden = this.ask.locked;
    this.ask.focusFirst();
  }

  async copy() {
    this.copyStatus.textContent = await copyCode(this.code.textContent, this.code, this.t);
  }

  // -- following and voting ---------------------------------------------------------

  more(key) {
    this.shown[key] += PAGE;
    this.draw();
  }

  /** The next page of older questions (GET .../feed?before=) into the state; whether it came. */
  async loadOlder() {
    const { epoch, nextBefore } = this.model;
    const result = await this.call(this.url(this.path(`/feed?before=${nextBefore}`)));
    if (!result.ok) return false;
    older(this.model, result.data.questions, { epoch, nextBefore: result.data.next_before });
    this.draw();
    return true;
  }

  async vote(id) {
    if (this.voted.has(id) || !this.running) return;
    const url = this.url(this.path(`/questions/${encodeURIComponent(id)}/votes`));
    // While the dialogue asks for a proof of work, the first vote of this
    // device pays one; the server then takes its votes for the day.
    const abort = new AbortController();
    const result = await sendProven((body) => this.call(url, body), { voter: this.voter }, () => this.prove(abort.signal));
    if (result.status !== 200 || !result.data) {
      this.voteErrors.set(id, errorOf(result).message || this.t("Your vote was not counted. Please try again."));
      this.announce(this.voteErrors.get(id));
      this.draw();
      return;
    }
    this.voteErrors.delete(id);
    this.voted.add(id);
    store(this.votedKey, [...this.voted]);
    setVotes(this.model, id, result.data.votes);
    this.draw();
  }

  draw() {
    if (this.pressed) return; // drawn at the release
    for (const [id, old] of this.cards) {
      if (!this.model.questions[id]) {
        old.node.remove();
        this.cards.delete(id);
      }
    }
    const onAir = [];
    const answered = [];
    const waiting = [];
    const ended = ENDED.includes(this.phase());
    for (const q of Object.values(this.model.questions)) {
      if (q.status === "on_air" && !ended) onAir.push(q);
      else if (q.status === "answered") answered.push(q);
      else waiting.push(q);
    }
    const when = (q) => (q.answer && q.answer.answered_at) || "";
    answered.sort((a, b) => (when(b) < when(a) ? -1 : when(b) > when(a) ? 1 : Number(b.id) - Number(a.id)));
    waiting.sort((a, b) => Number(b.id) - Number(a.id));
    this.place(this.airList, onAir);
    this.airEmpty.hidden = onAir.length > 0;
    for (const [key, items] of [["answered", answered], ["waiting", waiting]]) {
      const { list, count, empty, more } = this.lists[key];
      const visible = items.slice(0, this.shown[key]);
      this.place(list, visible);
      count.textContent = String(items.length);
      empty.hidden = items.length > 0;
      more.hidden = items.length <= visible.length;
      more.textContent = this.t("Show more ({n})", { n: items.length - visible.length });
    }
    this.loadMore.node.hidden = !this.model.nextBefore || Object.values(this.lists).some(({ more }) => !more.hidden);
  }

  /** Put the cards of `items` into `container` in order, moving only those out of
   * place (a moved element loses the keyboard focus), and drop the others. */
  place(container, items) {
    items.forEach((q, index) => {
      const node = this.card(q);
      const current = container.children[index] || null;
      if (current !== node) container.insertBefore(node, current);
    });
    while (container.children.length > items.length) {
      const last = container.lastElementChild;
      last.remove();
    }
  }

  phase() {
    return (this.model.dialogue && this.model.dialogue.status) || "";
  }

  card(q) {
    const mine = this.voted.has(q.id);
    const phase = this.phase();
    const stamp = JSON.stringify([q, mine, phase, this.voteErrors.get(q.id) || ""]);
    const old = this.cards.get(q.id);
    if (old && old.stamp === stamp) return old.node;
    const node = this.cardNode(q, mine, phase);
    if (old) {
      const focused = old.node.contains(this.shadowRoot.activeElement) ? this.shadowRoot.activeElement : null;
      old.node.replaceWith(node);
      // The same button as before (the vote or the fold), in the card drawn again.
      if (focused) (node.querySelector(`button.${focused.classList[0]}`) || node.querySelector("button") || node).focus();
    }
    this.cards.set(q.id, { node, stamp });
    return node;
  }

  cardNode(q, mine, phase) {
    const t = this.t;
    const ended = ENDED.includes(phase);
    const who = (o) => (o ? (o.title ? `${o.name}, ${o.title}` : o.name) : "");
    const meta = h(
      "p",
      { class: "meta" },
      h("span", { text: q.name || t("Anonymous") }),
      q.organization ? h("span", { text: q.organization }) : null,
      q.locality ? h("span", { text: q.locality }) : null,
      timeElement(q.submitted_at, this.language),
    );
    // After the broadcast nothing is coming up; a written answer owed says when it is due.
    const due = q.status === "deferred" && q.due_at ? t("Answer in writing due {date}", { date: formatDay(q.due_at, this.language) }) : null;
    const status = due || (ended && q.status === "queued" ? null : this.words.statuses[q.status] || null);
    const tags = [
      q.topic_name ? h("span", { class: "tag", text: q.topic_name }) : null,
      status ? h("span", { class: "tag", text: status }) : null,
      q.asked_by > 1 ? h("span", { class: "tag", text: t("{n} people asked this", { n: q.asked_by }) }) : null,
      q.edited ? h("span", { class: "tag", text: t("Edited") }) : null,
    ].filter(Boolean);
    let answer = null;
    if (q.answer) {
      const recording = q.recording_url && safeUrl(q.recording_url);
      const opens = h("span", { class: "vh", text: " " + t("(opens in a new window)") });
      const link = (text) => h("a", { href: recording, target: "_blank", rel: "noopener" }, text, opens);
      let watch = recording ? h("p", {}, link(t("Watch the answer"))) : null;
      if (!q.answer.text) {
        // Answered live without a summary yet: the moment of the recording to watch it at.
        const known = q.recording_offset !== null && q.recording_offset !== undefined;
        const moment = known ? t("Answered live — watch at {moment}", { moment: clockOffset(q.recording_offset) }) : null;
        watch = h("p", { class: "a-wait" }, moment && recording ? link(moment) : moment || t("Answered live; the summary will follow."));
      }
      answer = h(
        "div",
        { class: "a" },
        h("p", { class: "a-by" }, this.words.kinds[q.answer.kind] || "", who(q.answer.official) ? ` · ${who(q.answer.official)}` : ""),
        q.answer.text ? h("p", { class: "a-text", text: q.answer.text }) : null,
        h("p", { class: "meta" }, timeElement(q.answer.answered_at, this.language)),
        watch,
      );
    }
    const to = q.official && !q.answer ? h("p", { class: "meta", text: t("Addressed to {name}", { name: who(q.official) }) }) : null;
    const refused = this.voteErrors.get(q.id);
    const vote =
      q.status === "answered" || !VOTING.includes(phase)
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "vote",
              "aria-pressed": mine ? "true" : "false",
              onclick: () => this.vote(q.id),
            },
            h("span", { "aria-hidden": "true", text: "▲" }),
            h("span", { text: t("I want to know too") }),
            h("span", { class: "vh", text: ", " + t("{n} votes", { n: q.votes }) }),
            h("span", { class: "n", "aria-hidden": "true", text: String(q.votes) }),
          );
    return h(
      "li",
      { class: "q", "data-id": q.id, "data-status": q.status },
      readMore(q.text, t, { class: "q-text", id: `dw-q-${q.id}` }, {
        open: this.unfolded.has(q.id),
        onToggle: (open) => (open ? this.unfolded.add(q.id) : this.unfolded.delete(q.id)),
      }),
      meta,
      tags.length ? h("p", { class: "tags" }, tags) : null,
      to,
      answer,
      vote,
      vote && refused ? h("p", { class: "err bad", role: "alert", text: refused }) : null,
    );
  }
}

if (!customElements.get("doithoai-widget")) customElements.define("doithoai-widget", DoithoaiWidget);

export { MESSAGES, sha256, solve };
