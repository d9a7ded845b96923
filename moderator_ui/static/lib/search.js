// A search typed by staff, over folded text (fold.js: the server's folding):
// "camera a luoi" finds "A Lưới, vấn đề camera", and so do "CAMERA A Lưới"
// and "luoi camera".
//
// - Words outside quotes: every one is required (AND), in any order, each the
//   beginning of a word of the text ("cam" finds "camera", "a" finds "A Lưới").
// - "A quoted phrase" (straight or “curly” quotes): its words, whole and in
//   that order; a quote not closed yet (the moderator is typing) lets its
//   last word be the beginning of one, as loose words are.
// - "#123" alone (or "123") also finds question 123 by its number.
//
// Pure: no DOM, no I/O. tests/browser/test_search_query.py checks it against
// a reading of these rules in Python.

import { fold } from "./fold.js";

const QUOTES = /["“”„]/;

/**
 * The query `text` parsed: {words, phrases: [{text, open}], number, empty}.
 * `words` and each phrase's text are folded keys; `number` is the text as a
 * question number ("#12" → "12"), else null.
 */
export function parseQuery(text) {
  const raw = String(text || "");
  const parts = raw.split(QUOTES);
  const loose = [];
  const phrases = [];
  parts.forEach((part, i) => {
    if (i % 2 === 0) loose.push(part);
    else {
      const key = fold(part);
      if (key) phrases.push({ text: key, open: i === parts.length - 1 });
    }
  });
  const words = fold(loose.join(" ")).split(" ").filter(Boolean);
  const trimmed = raw.trim().replace(/^#/, "");
  const number = /^\d+$/.test(trimmed) ? trimmed : null;
  return { words, phrases, number, empty: words.length === 0 && phrases.length === 0 };
}

/**
 * The search key of a record's `fields` (strings, null ones skipped): each
 * folded, between spaces, two spaces apart so that a phrase never runs from
 * one field into the next.
 */
export function searchKey(fields) {
  return joinKeys(fields.filter(Boolean).map(fold));
}

/** searchKey's key made of fields already folded (`keys`, empty ones skipped). */
export function joinKeys(keys) {
  return ` ${keys.filter(Boolean).join("  ")} `;
}

/** Whether `key` (searchKey's) meets `query` (parseQuery's); `id`: the record's number. */
export function matchesKey(query, key, id = null) {
  if (query.empty) return true;
  if (query.number !== null && id !== null && String(id) === query.number) return true;
  for (const word of query.words) if (!key.includes(` ${word}`)) return false;
  for (const phrase of query.phrases) {
    if (!key.includes(phrase.open ? ` ${phrase.text}` : ` ${phrase.text} `)) return false;
  }
  return true;
}
