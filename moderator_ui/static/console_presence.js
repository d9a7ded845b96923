// Working together in the moderation console: which question this moderator
// is handling (a claim the server keeps for a minute, renewed while the
// question stays selected, released when the moderator moves on), and which
// questions other moderators are handling (from the console feed).
//
// A claim only informs: the versioned actions still decide every race.

import { api } from "./common.js";

// Renew the claim well inside the server's 60 s lease, so it never lapses
// while the moderator is still on the question.
const RENEW_MS = 30000;
// j/k pass over many questions in a second: claim only the one the moderator
// stops on, so other consoles do not flicker with passing claims.
const SETTLE_MS = 250;

/**
 * `handlingUrl(id)`: the question's handling endpoint; `me`: this console's
 * username (its own claims are not shown); `onChange(id)`: a question's
 * "being handled by" changed.
 */
export function createPresence({ handlingUrl, csrf, lang, me, onChange }) {
  const claims = new Map(); // question id -> {by, until (ms since epoch)}
  const expiry = new Map(); // question id -> timer that drops a lapsed claim
  let wanted = null; // the question this console is on
  let held = null; // the question the server has our claim for
  let settleTimer = 0;
  let renewTimer = 0;

  function set(id, by, until) {
    clearTimeout(expiry.get(id));
    expiry.delete(id);
    const ends = until ? Date.parse(until) : NaN;
    if (!by || !(ends > Date.now())) {
      if (claims.delete(id)) onChange(id);
      return;
    }
    const known = claims.get(id);
    claims.set(id, { by, until: ends });
    expiry.set(
      id,
      setTimeout(() => set(id, null, null), ends - Date.now()),
    );
    if (!known || known.by !== by) onChange(id);
  }

  /** A `presence.changed` event's data, or a snapshot's `handling` table. */
  function receive(data) {
    set(String(data.question), data.by, data.until);
  }

  function replaceAll(table) {
    for (const id of [...claims.keys()]) set(id, null, null);
    for (const [id, claim] of Object.entries(table || {})) set(String(id), claim.by, claim.until);
  }

  /** Who else is handling question `id` now, or null. */
  function otherOn(id) {
    const claim = claims.get(String(id));
    return claim && claim.by !== me && claim.until > Date.now() ? claim.by : null;
  }

  async function claim(id) {
    const result = await api(handlingUrl(id), { method: "POST", body: {}, csrf, lang });
    if (wanted !== id) {
      release(id);
      return;
    }
    if (result.ok) {
      held = id;
      if (result.data && result.data.by) set(id, result.data.by, result.data.until);
    }
  }

  function release(id) {
    if (held === id) held = null;
    api(handlingUrl(id), { method: "DELETE", csrf, lang });
  }

  /** The console moved to question `id` (null: to none). */
  function handle(id) {
    if (id === wanted) return;
    const previous = held;
    wanted = id;
    clearTimeout(settleTimer);
    clearInterval(renewTimer);
    if (previous !== null && previous !== id) release(previous);
    if (id === null) return;
    settleTimer = setTimeout(() => {
      claim(id);
      // A hidden tab stops renewing: a moderator who walked away lets the
      // claim lapse, and coming back claims the question again.
      renewTimer = setInterval(() => document.hidden || claim(id), RENEW_MS);
    }, SETTLE_MS);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && wanted !== null) claim(wanted);
  });

  // Leaving the page lets go of the claim at once (keepalive outlives the page).
  window.addEventListener("pagehide", () => {
    if (held === null) return;
    fetch(handlingUrl(held), {
      method: "DELETE",
      headers: { "X-CSRF-Token": csrf },
      credentials: "same-origin",
      keepalive: true,
    }).catch(() => {});
  });

  return { receive, replaceAll, otherOn, handle };
}
