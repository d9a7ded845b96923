// Times as the pages and the widget show them: in Vietnam's clock for every
// reader (the server renders with the same zone and formats, see
// server/web/templating.py TIME_FORMATS), as text or as a <time> element.
//
// Pure: it must never touch the document when imported, nor keep anything
// but its formatters.

import { h } from "./dom.js";

// Dialogues are broadcast in Vietnam: times read in its clock for everyone.
const ZONE = "Asia/Ho_Chi_Minh";

// Made once per language: a formatter costs far more to make than to use,
// and a console draws thousands of times.
const FORMATS = new Map();

function dateFormat(en) {
  if (!FORMATS.has(en)) {
    FORMATS.set(
      en,
      new Intl.DateTimeFormat(en ? "en-GB" : "vi-VN", {
        timeZone: ZONE,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        day: en ? "numeric" : "2-digit",
        month: en ? "short" : "2-digit",
        year: "numeric",
      }),
    );
  }
  return FORMATS.get(en);
}

/** An ISO time as "14:05, 29/11/2026" (vi) or "29 Nov 2026, 14:05" (en). */
export function formatTime(iso, lang) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const en = lang === "en";
  const parts = {};
  for (const part of dateFormat(en).formatToParts(date)) parts[part.type] = part.value;
  const clock = `${parts.hour}:${parts.minute}`;
  return en
    ? `${parts.day} ${parts.month} ${parts.year}, ${clock}`
    : `${clock}, ${parts.day}/${parts.month}/${parts.year}`;
}

/** A <time> element for an ISO time (null for none). */
export function timeElement(iso, lang) {
  if (!iso) return null;
  return h("time", { datetime: iso, text: formatTime(iso, lang) });
}
