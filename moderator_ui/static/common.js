// Shared by the page modules: translated strings, safe DOM building, times,
// JSON calls to the API, and a WebSocket feed that resumes where it left off.
//
// Every piece of data reaches the page through textContent or a text node:
// this file (and every page module) must never assign HTML strings.

/** The parsed JSON of a non-executable <script type="application/json" id="..."> block. */
export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

const strings = readJSON("i18n") || {};

/** A translated string from the page's i18n block, with {name} placeholders filled. */
export function t(key, vars = {}) {
  let text = typeof strings[key] === "string" ? strings[key] : key;
  for (const [name, value] of Object.entries(vars)) {
    text = text.split(`{${name}}`).join(String(value));
  }
  return text;
}

/** A label from one of the i18n block's tables (statuses, reasons, ...), else the code. */
export function label(table, code) {
  const labels = strings[table] || {};
  return Object.prototype.hasOwnProperty.call(labels, code) ? labels[code] : code;
}

/** The i18n block's raw value for `key` (a list or a table). */
export function raw(key) {
  return strings[key];
}

/** "1 person asked this" / "3 people asked this". */
export function askedBy(n) {
  return t(n === 1 ? "asked_one" : "asked_other", { n });
}

/**
 * An element. `props`: "class", "text" (textContent), "dataset", "on<event>"
 * (a listener function), booleans (present or absent) and string attributes.
 * Children are nodes or strings (added as text).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "value") node.value = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Dialogues are broadcast in Vietnam: times read in its clock for everyone
// (the server renders with the same zone and formats).
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

/** A <time> element for an ISO time. */
export function timeElement(iso, lang) {
  return h("time", { datetime: iso, text: formatTime(iso, lang) });
}

/**
 * Call the JSON API. Resolves to {ok, status, data}; status 0 when the server
 * could not be reached. `lang` asks for error messages in the page's language.
 */
export async function api(url, { method = "GET", body, csrf, lang } = {}) {
  const headers = { Accept: "application/json" };
  if (lang) headers["Accept-Language"] = lang;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf) headers["X-CSRF-Token"] = csrf;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, status: 0, data: null };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

/** The session's CSRF token, which every staff page carries (templates/_staff.html). */
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

/** The API's error sentence from a failed call, or `fallback`. */
export function errorMessage(result, fallback) {
  const error = result && result.data && result.data.error;
  return error && typeof error.message === "string" && error.message ? error.message : fallback;
}

/** A random id for idempotency keys and voters (UUID when the browser has it). */
export function randomId() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// Reconnect delays: quick first retry, doubling up to a ceiling, with jitter
// so a restarted server is not hit by every client in the same instant.
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
// The server sends a heartbeat every 20 s (DOITHOAI_WS_PING_INTERVAL) when
// idle; a socket silent for much longer is dead without knowing it.
const STALE_MS = 50000;
// Close codes after which trying again at once is right: the node restarted.
const RESTART_CODES = new Set([1001, 1012]);

/**
 * A WebSocket feed (API.md): each message has the id of its event; on close
 * it reconnects with backoff and `after=<last id>`, so the server replays what
 * was missed or sends a snapshot with reset: true.
 *
 * `onMessage(message)` gets every message but heartbeats; `onStatus(state,
 * detail)` gets "connecting", "live" or "waiting" (detail: seconds until retry),
 * or "ended" (detail: the close code) after a close with one of `finalCodes`,
 * when trying again would be refused. `params` are sent with every connection.
 */
export class Feed {
  constructor(path, { after = null, onMessage, onStatus, params = {}, finalCodes = [] }) {
    this.path = path;
    this.params = params;
    this.finalCodes = new Set(finalCodes);
    this.lastId = after;
    this.onMessage = onMessage;
    this.onStatus = onStatus || (() => {});
    this.attempts = 0;
    this.socket = null;
    this.retryTimer = null;
    this.staleTimer = null;
    window.addEventListener("online", () => this.retryNow());
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams(this.params);
    if (this.lastId) query.set("after", this.lastId);
    const search = query.toString();
    return `${scheme}//${location.host}${this.path}${search ? `?${search}` : ""}`;
  }

  start() {
    this.connect();
  }

  connect() {
    this.retryTimer = null;
    this.onStatus("connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => this.onStatus("live"));
    socket.addEventListener("message", (event) => this.receive(event));
    socket.addEventListener("close", (event) => this.closed(socket, event));
    this.watch();
  }

  receive(event) {
    this.watch();
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!message || typeof message !== "object" || message.type === "heartbeat") return;
    this.attempts = 0;
    this.onStatus("live");
    this.onMessage(message);
    if (typeof message.id === "string" && message.id) this.lastId = message.id;
  }

  watch() {
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => {
      if (this.socket) this.socket.close();
    }, STALE_MS);
  }

  closed(socket, event) {
    if (socket !== this.socket) return;
    clearTimeout(this.staleTimer);
    this.socket = null;
    if (this.finalCodes.has(event.code)) {
      this.onStatus("ended", event.code);
      return;
    }
    if (RESTART_CODES.has(event.code)) this.attempts = 0;
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempts);
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.attempts += 1;
    this.onStatus("waiting", Math.max(1, Math.round(delay / 1000)), event.code);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    if (this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }
}

/** Show a Feed's state in a status element (data-state drives the colour). */
export function showStatus(node, state, seconds) {
  node.dataset.state = state;
  if (state === "live") node.textContent = t("live");
  else if (state === "waiting") node.textContent = t("reconnecting", { s: seconds });
  else node.textContent = t("connecting");
}

/**
 * Put `ids`' elements into `container` in that order, moving only the ones
 * out of place (moving an element would take the keyboard focus from it),
 * and drop any other children.
 */
export function reconcile(container, ids, elementFor) {
  // A cursor, not container.children[i]: indexing the live collection after
  // each insertion walks it again, quadratic in a list of thousands.
  let cursor = container.firstElementChild;
  for (const id of ids) {
    const node = elementFor(id);
    if (node === cursor) cursor = cursor.nextElementSibling;
    else container.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}

/**
 * A staff page's live connection: the console feed of ``slug`` drawn by
 * ``onMessage``, its state shown in ``connection``, and, when it drops, a
 * check of the session: once signed out (a 401 here or from any call passed
 * to ``signedOut``), ``notice`` says so with a link back to the login page.
 */
// Close code of a staff socket whose account lost a role (server/web/sockets.py).
const FORBIDDEN_CLOSE = 4403;

export function staffConnection(slug, { onMessage, connection, notice, lang }) {
  function signedOut() {
    if (notice.dataset.signedOut) return;
    notice.dataset.signedOut = "true";
    const next = location.pathname + location.search;
    notice.replaceChildren(
      t("signed_out"),
      " ",
      h("a", { href: `/login?next=${encodeURIComponent(next)}`, text: t("sign_in_again") }),
    );
    notice.hidden = false;
  }
  const feed = new Feed(`/ws/v1/dialogues/${encodeURIComponent(slug)}/console`, {
    onMessage,
    onStatus: async (state, seconds, code) => {
      // 4403: this account lost a role the page needs; reloading shows the
      // page as the new roles allow (or its 403) instead of a stale console.
      if (code === FORBIDDEN_CLOSE) {
        location.reload();
        return;
      }
      showStatus(connection, state, seconds);
      if (state !== "waiting") return;
      const result = await api("/api/v1/session", { lang });
      if (result.status === 401) signedOut();
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
