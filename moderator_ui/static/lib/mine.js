// "My questions": the questions this device sent to a dialogue, kept on the
// device only (localStorage, lib/device.js), so that the public page and the
// widget list them with their state after a reload. Each entry is the tracking
// code, the start of the question's text and the state last seen; nothing
// else of the citizen's (never a name, a phone number or an email).
//
// Keys (docs/privacy.md, docs/embedding.md): `doithoai.mine.<dialogue>` on
// doithoai's own pages; `doithoai-widget:mine:<server>:<dialogue>` in the
// widget, on the portal's origin. It never touches storage when imported.

import { store, stored } from "./device.js";

// The newest this many are kept.
const MAX_KEPT = 20;
// The start of the text kept, enough to recognise one's question.
const KEPT_CHARS = 160;

/** The storage key of a dialogue's list: `server` is the widget's doithoai server, "" on its own pages. */
function mineKey(slug, server) {
  return server ? `doithoai-widget:mine:${server}:${slug}` : `doithoai.mine.${slug}`;
}

function valid(entry) {
  return entry && typeof entry === "object" && typeof entry.code === "string" && entry.code && typeof entry.text === "string";
}

/** The questions this device sent to `slug` (newest first): [{code, text, status, at}]. */
export function listMine(slug, server = "") {
  const found = stored(mineKey(slug, server), []);
  return Array.isArray(found) ? found.filter(valid) : [];
}

/** Keep a question just sent (its tracking code and text), newest first. */
export function remember(slug, code, text, server = "") {
  const chars = [...String(text || "").trim()];
  const start = chars.length > KEPT_CHARS ? `${chars.slice(0, KEPT_CHARS - 1).join("")}…` : chars.join("");
  const entry = { code, text: start, status: "received", at: new Date().toISOString() };
  const rest = listMine(slug, server).filter((e) => e.code !== code);
  store(mineKey(slug, server), [entry, ...rest].slice(0, MAX_KEPT));
}

/** Note the state a question of the list was last seen in (`status` null: forget it, the code is gone). */
export function noteMine(slug, code, status, server = "") {
  const entries = listMine(slug, server);
  const kept = status === null ? entries.filter((e) => e.code !== code) : entries.map((e) => (e.code === code ? { ...e, status } : e));
  store(mineKey(slug, server), kept);
}
