// Times as the pages and the widget show them: in Vietnam's clock for every
// reader (the server renders with the same zone and formats, see
// server/web/templating.py TIME_FORMATS and DAY_FORMATS), as text or as a
// <time> element; due days, and moments in a recording.
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

const DAY_FORMATS = new Map();

function dayFormat(en) {
  if (!DAY_FORMATS.has(en)) {
    // The day is a calendar day (YYYY-MM-DD), read at noon UTC: no zone moves it.
    const options = en ? { day: "numeric", month: "short", year: "numeric" } : { day: "2-digit", month: "2-digit", year: "numeric" };
    DAY_FORMATS.set(en, new Intl.DateTimeFormat(en ? "en-GB" : "vi-VN", { timeZone: "UTC", ...options }));
  }
  return DAY_FORMATS.get(en);
}

/** A day (YYYY-MM-DD, such as a due day) as "04/12/2026" (vi) or "4 Dec 2026" (en). */
export function formatDay(day, lang) {
  if (!day) return "";
  const date = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  const en = lang === "en";
  const parts = {};
  for (const part of dayFormat(en).formatToParts(date)) parts[part.type] = part.value;
  return en ? `${parts.day} ${parts.month} ${parts.year}` : `${parts.day}/${parts.month}/${parts.year}`;
}

/** Today in Vietnam's calendar as YYYY-MM-DD (`now`: ms since the epoch), to compare with due days. */
export function today(now = Date.now()) {
  const parts = {};
  if (!DAY_FORMATS.has("today")) {
    DAY_FORMATS.set("today", new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }));
  }
  for (const part of DAY_FORMATS.get("today").formatToParts(new Date(now))) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** A moment in a recording (seconds) as "12:34", or "1:02:03" past an hour. */
export function clockOffset(seconds) {
  const s = Math.max(0, Math.floor(Number(seconds) || 0));
  const two = (n) => String(n).padStart(2, "0");
  const hours = Math.floor(s / 3600);
  const rest = `${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return hours ? `${hours}:${rest}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}
