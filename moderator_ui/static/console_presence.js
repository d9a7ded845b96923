// Working together in the moderation console: which question this moderator
// is handling (a claim the server keeps for a minute, renewed while the
// question stays selected, released when the moderator moves on), and which
// questions other moderators are handling (from the console feed).
//
// A claim only informs: the versioned actions still decide every race.

import { api } from "./lib/api.js";
import { apply } from "./lib/state.js";

// Renew the claim well inside the server's 60 s lease, so it never lapses
// while the moderator is still on the question.
const RENEW_MS = 30000;
// j/k pass over many questions in a second: claim only the one the moderator
// stops on, so other consoles do not flicker with passing claims.
const SETTLE_MS = 250;

/**
 * `state`: the console's state (lib/state.js), whose `presence` the staff
 * feed keeps; `handlingUrl(id)`: the question's handling endpoint; `me`:
 * this console's username (its own claims are not shown); `onChange(id)`: a
 * question's "being handled by" may have changed.
 */
export function createPresence({ state, handlingUrl, csrf, lang, me, onChange }) {
  const expiry = new Map(); // question id -> timer that redraws when its claim lapses
  let wanted = null; // the question this console is on
  let held = null; // the question the server has our claim for
  let settleTimer = 0;
  let renewTimer = 0;

  /** The claims on `ids` changed in `state`: redraw them, and again when they lapse. */
  function changed(ids) {
    for (const id of ids) {
      clearTimeout(expiry.get(id));
      expiry.delete(id);
      const claim = state.presence[id];
      const left = claim ? Date.parse(claim.until) - Date.now() : 0;
      if (left > 0) expiry.set(id, setTimeout(() => onChange(id), left));
      onChange(id);
    }
  }

  /** Who else is handling question `id` now, or null. */
  function otherOn(id) {
    const claim = state.presence[String(id)];
    return claim && claim.by !== me && Date.parse(claim.until) > Date.now() ? claim.by : null;
  }

  async function claim(id) {
    const result = await api(handlingUrl(id), { method: "POST", body: {}, csrf, lang });
    if (wanted !== id) {
      release(id);
      return;
    }
    if (result.ok) {
      held = id;
      if (result.data && result.data.by) changed(apply(state, { type: "presence.changed", data: result.data }).presence);
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

  return { changed, otherOn, handle };
}
