// "My questions": the questions this device sent to a dialogue, kept on the
// device only (localStorage, lib/device.js), so that the public page and the
// widget list them with their state after a reload. Each entry is the tracking
// code, the start of the question's text and the state last seen, the newest
// 20; nothing else of the citizen's (never a name, a phone number or an email).
//
// Keys (docs/privacy.md, docs/embedding.md): `doithoai.mine.<dialogue>` on
// doithoai's own pages; `doithoai-widget:mine:<server>:<dialogue>` in the
// widget, on the portal's origin. It never touches storage when imported.

import { store, stored } from "./device.js";

/** The storage key of a dialogue's list: `server` is the widget's doithoai server, "" on its own pages. */
function mineKey(slug, server) {
  return server ? `doithoai-widget:mine:${server}:${slug}` : `doithoai.mine.${slug}`;
}

/** The questions this device sent to `slug` (newest first): [{code, text, status}]. */
export function listMine(slug, server = "") {
  const found = stored(mineKey(slug, server), []);
  return Array.isArray(found) ? found.filter((e) => e && typeof e.code === "string" && typeof e.text === "string") : [];
}

/** Keep a question just sent (its tracking code and the start of its text), newest first. */
export function remember(slug, code, text, server = "") {
  const chars = [...String(text).trim()];
  const start = chars.length > 160 ? `${chars.slice(0, 159).join("")}…` : chars.join("");
  const entry = { code, text: start, status: "received" };
  store(mineKey(slug, server), [entry, ...listMine(slug, server).filter((e) => e.code !== code)].slice(0, 20));
}

/** Note the state a question of the list was last seen in (`status` null: the code is gone, forget it). */
export function noteMine(slug, code, status, server = "") {
  const entries = listMine(slug, server).map((e) => (e.code === code ? { ...e, status } : e));
  store(mineKey(slug, server), entries.filter((e) => e.status !== null));
}
