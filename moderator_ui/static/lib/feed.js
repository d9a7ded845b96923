// The WebSocket feed of the pages and the widget (docs/api.md): every message but
// the heartbeat is handed on; the id of the last one is kept, so that after a
// drop the feed reconnects with `after=<id>` and the server replays what was
// missed (or sends a snapshot with reset: true). Backoff with jitter, a
// staleness timer for links that died without a close, close codes after
// which trying again would be refused.
//
// It only connects and passes messages on: it must never interpret them
// (state.js does), never touch the document, and never open a socket before
// start().

// Reconnect delays: quick first retry, doubling up to a ceiling, with jitter
// so a restarted server is not hit by every client in the same instant.
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
// The server sends a heartbeat every 20 s (DOITHOAI_WS_PING_INTERVAL) when
// idle; a socket silent for 2.5 periods is dead without knowing it.
const HEARTBEAT_MS = 20000;
const SILENCE_FACTOR = 2.5;
// Close codes after which trying again at once is right: the node restarted.
const RESTART_CODES = new Set([1001, 1012]);

/**
 * A feed at `path` on `base` (an http(s) origin; default: this page's).
 * `onMessage(message)` gets every message but heartbeats; `onStatus(state,
 * seconds, code)` gets "connecting", "live", "waiting" (seconds until the
 * retry, the close code) or "ended" (after a close with one of `finalCodes`).
 * `params` go with every connection; `heartbeatMs`: the server's heartbeat
 * period; `check(failures)`, if given, is asked before a retry and may
 * resolve true to stop for good (the widget asks whether its site is still
 * allowed).
 */
export class Feed {
  constructor(path, { base = null, after = null, params = {}, finalCodes = [], heartbeatMs = HEARTBEAT_MS, check = null, onMessage, onStatus }) {
    this.path = path;
    this.base = base;
    this.params = params;
    this.finalCodes = new Set(finalCodes);
    this.staleMs = heartbeatMs * SILENCE_FACTOR;
    this.check = check;
    this.lastId = after;
    this.onMessage = onMessage;
    this.onStatus = onStatus || (() => {});
    this.attempts = 0;
    this.socket = null;
    this.retryTimer = null;
    this.staleTimer = null;
    this.running = false;
    this.online = () => this.retryNow();
  }

  url() {
    const origin = this.base || location.origin;
    const query = new URLSearchParams(this.params);
    if (this.lastId) query.set("after", this.lastId);
    const search = query.toString();
    return `${origin.replace(/^http/, "ws")}${this.path}${search ? `?${search}` : ""}`;
  }

  start() {
    if (this.running) return;
    this.running = true;
    window.addEventListener("online", this.online);
    this.connect();
  }

  stop() {
    this.running = false;
    window.removeEventListener("online", this.online);
    clearTimeout(this.retryTimer);
    clearTimeout(this.staleTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) socket.close();
  }

  connect() {
    this.retryTimer = null;
    if (!this.running) return;
    this.onStatus("connecting");
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener("open", () => socket === this.socket && this.onStatus("live"));
    socket.addEventListener("message", (event) => socket === this.socket && this.receive(event));
    socket.addEventListener("close", (event) => this.dropped(socket, event.code));
    this.watch(socket);
  }

  receive(event) {
    this.watch(this.socket);
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

  /** Restart the silence timer: a link quiet for 2.5 heartbeats is given up. */
  watch(socket) {
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => this.dropped(socket, 0), this.staleMs);
  }

  async dropped(socket, code) {
    if (socket !== this.socket || !this.running) return;
    clearTimeout(this.staleTimer);
    this.socket = null;
    socket.close();
    if (this.finalCodes.has(code)) {
      this.running = false;
      this.onStatus("ended", 0, code);
      return;
    }
    if (RESTART_CODES.has(code)) this.attempts = 0;
    const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** this.attempts);
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.attempts += 1;
    this.onStatus("waiting", Math.max(1, Math.round(delay / 1000)), code);
    if (this.check && (await this.check(this.attempts))) {
      this.stop();
      return;
    }
    if (this.running && !this.socket) this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Back online: try again now rather than at the end of the backoff. */
  retryNow() {
    if (this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.connect();
  }
}
