// Translated strings for the pages and the widget. A page's table is its
// i18n JSON block (short keys, rendered from the gettext catalogs by its
// template); the widget's is the vi or en table the server injects into its
// bundle (gettext msgids, from the same catalogs).
//
// It must never touch the document when imported (the widget bundles it into
// portals' pages), never hold a table of strings of its own, and never return
// anything meant to be parsed as HTML.

/** `text` with its {name} placeholders filled from `vars`. */
export function fill(text, vars = {}) {
  let out = text;
  for (const [name, value] of Object.entries(vars || {})) out = out.split(`{${name}}`).join(String(value));
  return out;
}

function own(table, key) {
  return table !== null && typeof table === "object" && Object.prototype.hasOwnProperty.call(table, key);
}

/**
 * Lookups in `table`: t(key, vars), the string (else the key itself, so an
 * untranslated msgid shows as written); label(name, code), an entry of one
 * of its sub-tables (statuses, reasons, ...), else the code; raw(key), a value
 * as it is (a list or a table).
 */
export function translator(table) {
  const strings = table || {};
  return {
    t: (key, vars) => fill(own(strings, key) && typeof strings[key] === "string" ? strings[key] : key, vars),
    label: (name, code) => (own(strings[name], code) ? strings[name][code] : code),
    raw: (key) => strings[key],
  };
}
