// What a browser keeps for the public page and the widget: random ids, JSON
// values in localStorage or sessionStorage, and the voter id both of them
// vote and submit with (one key, "doithoai.voter"; the widget's older
// "doithoai-widget:voter" is taken over on first read).
//
// Storage may be refused (private browsing, a sandboxed frame): every call
// here then falls back quietly. It keeps nothing but what docs/embedding.md
// and docs/privacy.md list, and never touches storage when imported.

/** A random id for idempotency keys and voters (UUID when the browser has it). */
export function randomId() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The JSON value kept under `key` in `area` ("localStorage" or "sessionStorage"), else `fallback`. */
export function stored(key, fallback, area = "localStorage") {
  try {
    const value = globalThis[area].getItem(key);
    return value === null ? fallback : JSON.parse(value);
  } catch {
    return fallback;
  }
}

/** Keep `value` as JSON under `key` (null: forget it). */
export function store(key, value, area = "localStorage") {
  try {
    if (value === null) globalThis[area].removeItem(key);
    else globalThis[area].setItem(key, JSON.stringify(value));
  } catch {
    // Refused: the vote or the draft still works, it is just not remembered.
  }
}

const VOTER_KEY = "doithoai.voter";
const OLD_VOTER_KEYS = ["doithoai-widget:voter"];

/** This browser's voter id: kept, taken over from an older key, or made now. */
export function voterId() {
  let voter = stored(VOTER_KEY, null);
  for (const key of OLD_VOTER_KEYS) {
    const old = stored(key, null);
    if (!voter && typeof old === "string") voter = old;
    if (old !== null) store(key, null);
  }
  if (typeof voter !== "string" || !voter) voter = randomId();
  store(VOTER_KEY, voter);
  return voter;
}
