// What the pages (not the widget) share beyond lib/: the page's own strings
// (its i18n JSON block), the connection line, a staff page's live
// connection and the confirmation dialog.
//
// The DOM helper, API client, feed, state model and translations themselves
// live in lib/ (shared with the widget). Every piece of data reaches the page
// through textContent or a text node: this file must never assign HTML.

import { api } from "./lib/api.js";
import { h, readJSON } from "./lib/dom.js";
import { Feed } from "./lib/feed.js";
import { translator } from "./lib/i18n.js";
import { typingIn } from "./typing.js";

/** The page's strings: t(key, vars), label(table, code), raw(key) (lib/i18n.js). */
export const { t, label, raw } = translator(readJSON("i18n"));

/**
 * A visually hidden live region appended to `root`; returns `announce(text)`,
 * which screen readers say even when the same text comes twice.
 */
export function liveRegion(root) {
  const node = h("div", { class: "visually-hidden", "aria-live": "polite" });
  root.append(node);
  return (text) => {
    node.textContent = "";
    node.textContent = text;
  };
}

/** "1 person asked this" / "3 people asked this". */
export function askedBy(n) {
  return t(n === 1 ? "asked_one" : "asked_other", { n });
}

/** Show a Feed's state in a status element (data-state drives the colour). */
export function showStatus(node, state, seconds) {
  node.dataset.state = state;
  if (state === "live") node.textContent = t("live");
  else if (state === "waiting") node.textContent = t("reconnecting", { s: seconds });
  else node.textContent = t("connecting");
}

// Close code of a staff socket whose account lost a role (server/web/sockets.py).
const FORBIDDEN_CLOSE = 4403;
// Close code of a staff socket opened by a page whose code is not the node's
// (the server was upgraded since the page loaded: server/web/sockets.py).
const OUTDATED_CLOSE = 4426;
// Where a page notes the version it reloaded from, so that it reloads once
// per version and never in a loop (nodes of two versions behind one address
// while an upgrade rolls through them).
const RELOADED_KEY = "doithoai-reloaded-from";

/** The node runs newer code than this page's: say so with a link to reload,
 * and reload now unless the moderator is typing (a field with typed text has
 * the focus: typing.js) or this version of the page already reloaded once. */
function outdated(notice, connection, ui) {
  connection.dataset.state = "ended";
  connection.textContent = t("outdated");
  notice.replaceChildren(t("page_outdated"), " ", h("a", { href: location.href, text: t("reload") }));
  notice.hidden = false;
  const typing = typingIn(document.activeElement);
  let done = null;
  try {
    done = sessionStorage.getItem(RELOADED_KEY);
    if (!typing && done !== ui) sessionStorage.setItem(RELOADED_KEY, ui);
  } catch {
    return; // no session storage: the link alone
  }
  if (!typing && done !== ui) location.reload();
}

/** A staff page's Feed, which can also start again from a fresh snapshot
 * (here, not in lib/feed.js: the widget bundles that, byte-counted). */
class StaffFeed extends Feed {
  /** What the page holds is out of date as a whole (a phase change alters
   * what may be done to every question): a new socket, without after=. */
  resync() {
    if (!this.running) return;
    this.stop();
    this.lastId = null;
    this.start();
  }
}

/** The staff snapshot's questions made as the events carry them. The
 * snapshot names each question's actions_by_role (its action_set) and sends
 * each set once (a page's questions share them: read only); and it leaves out
 * the fields that hold their empty value (its `absent`: null, false, [] or
 * {}), put back here, each list or object a question's own. Each question is
 * made again by spreads, never by adding or deleting keys one by one: V8 then
 * keeps its properties fast (a delete, or keys added by name in a loop, turn
 * an object into a dictionary, slower to read in every draw and search). A
 * question still has no history while pending (the snapshot leaves it out). */
export function withActions(data) {
  const sets = (data && data.action_sets) || {};
  const absent = (data && data.absent) || {};
  const own = Object.keys(absent).filter((key) => absent[key] !== null && typeof absent[key] === "object");
  const questions = (data && data.questions) || [];
  for (let i = 0; i < questions.length; i += 1) {
    const { action_set: key, ...rest } = questions[i];
    if (key === undefined) continue;
    const full = { ...absent, ...rest, actions_by_role: sets[key] || {} };
    for (const field of own) {
      if (full[field] === absent[field]) full[field] = Array.isArray(absent[field]) ? [] : {};
    }
    questions[i] = full;
  }
}

/**
 * A staff page's live connection: the console feed of ``slug`` handed to
 * ``onMessage``, its state shown in ``connection``, and, when it drops, a
 * check of the session: once signed out (a 401 here or from any call passed
 * to ``signedOut``), ``notice`` says so with a link back to the login page,
 * alone: the connection line is hidden and the feed stops (a session that
 * has ended does not come back by retrying: the socket would be refused and
 * the session asked after again and again).
 * ``after``: the event id the page's data is at (the feed replays what follows
 * instead of sending its snapshot). ``phase``: the dialogue's phase as the
 * page was served (a change of it makes the page start again from a snapshot).
 */
export function staffConnection(slug, { onMessage, connection, notice, lang, after = null, phase = null }) {
  function signedOut() {
    if (notice.dataset.signedOut) return;
    notice.dataset.signedOut = "true";
    feed.stop();
    connection.dataset.state = "ended";
    connection.textContent = "";
    connection.hidden = true;
    // The header's "Signed in as … · Sign out" no longer holds: the notice
    // says the session ended, with the way back in.
    for (const account of document.querySelectorAll("header .account")) account.hidden = true;
    const next = location.pathname + location.search;
    notice.replaceChildren(
      t("signed_out"),
      " ",
      h("a", { href: `/login?next=${encodeURIComponent(next)}`, text: t("sign_in_again") }),
    );
    notice.hidden = false;
  }
  // The dialogue's phase as the feed last said it: a change (the broadcast
  // over, an archive) changes what may be done to every question, which each
  // question's actions_by_role says, so a page that started from a snapshot
  // starts again from one (the dashboard, which starts from its own figures,
  // does not need one).
  // A snapshot is made in the phase it names (its questions' actions too):
  // it only says which phase the page is in now.
  function phaseChanged(message) {
    const data = message.data || {};
    const status = message.type === "snapshot" ? data.dialogue && data.dialogue.status
      : message.type === "dialogue.updated" ? data.status : undefined;
    if (!status) return false;
    const changed = phase !== null && status !== phase && message.type !== "snapshot";
    phase = status;
    return changed;
  }
  // The version of the pages' code this page was served with (_staff.html).
  const ui = document.querySelector('meta[name="ui-build"]')?.content || "";
  const feed = new StaffFeed(`/ws/v1/dialogues/${encodeURIComponent(slug)}/console`, {
    after,
    params: ui ? { ui } : {},
    finalCodes: [OUTDATED_CLOSE],
    // After each drop, before the next try: is the session still there? A
    // 401 ends the retries (signedOut stops the feed; true says so too).
    check: async () => {
      if (notice.dataset.signedOut) return true;
      const result = await api("/api/v1/session", { lang });
      if (result.status !== 401) return false;
      signedOut();
      return true;
    },
    onMessage: (message) => {
      if (message.type === "snapshot") withActions(message.data);
      onMessage(message);
      // After the Feed has taken this message's id: the new socket asks for a snapshot.
      if (phaseChanged(message) && after === null) queueMicrotask(() => feed.resync());
    },
    onStatus: (state, seconds, code) => {
      // 4403: this account lost a role the page needs; reloading shows the
      // page as the new roles allow (or its 403) instead of a stale console.
      if (code === FORBIDDEN_CLOSE) {
        location.reload();
        return;
      }
      if (code === OUTDATED_CLOSE) {
        outdated(notice, connection, ui);
        return;
      }
      if (notice.dataset.signedOut) return;
      showStatus(connection, state, seconds);
    },
  });
  return { feed, signedOut };
}

/**
 * Ask in the page's confirmation <dialog id="confirm"> (with #confirm-title,
 * #confirm-text and a button #confirm-yes whose value is "yes"); resolves
 * true if confirmed. Focus returns where it was.
 */
export function confirmWith(title, text, yes) {
  const box = document.getElementById("confirm");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-yes").textContent = yes;
  const opener = document.activeElement;
  box.returnValue = "";
  box.showModal();
  return new Promise((resolve) => {
    box.addEventListener(
      "close",
      () => {
        if (opener && opener.isConnected) opener.focus();
        resolve(box.returnValue === "yes");
      },
      { once: true },
    );
  });
}
