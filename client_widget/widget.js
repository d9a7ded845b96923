// doithoai's embeddable widget: <doithoai-widget dialogue="<slug>" lang="vi|en">.
//
// A citizen asks a question, follows the one on air and reads the answers,
// live, from a portal on another origin. One file, no dependencies, no build:
// the app serves it at /widget.js and at a content-hashed URL.
//
// It lives in an open shadow root and must never endanger its host page:
// every piece of data is written with textContent or createElement (never as
// HTML), nothing is evaluated, no inline handler or style attribute is used,
// and the styles are a constructed stylesheet, which the host's CSP allows
// without 'unsafe-inline'. It keeps on the device only what docs/embedding.md
// lists.

// -- the message catalog: Vietnamese first, English second -------------------

export const MESSAGES = {
  vi: {
    dialogue: "Đối thoại trực tuyến",
    live: "Trực tiếp",
    connecting: "Đang kết nối…",
    reconnecting: "Mất kết nối, đang kết nối lại…",
    loading: "Đang tải cuộc đối thoại…",
    load_retry: "Chưa tải được cuộc đối thoại. Chúng tôi sẽ thử lại sau ít giây.",
    unavailable_here: "Cuộc đối thoại này không được mở trên trang web này.",
    not_found: "Không tìm thấy cuộc đối thoại này.",
    s_draft: "Chưa công bố",
    s_open: "Đang nhận câu hỏi",
    s_live: "Đang phát trực tiếp",
    s_closed: "Đã kết thúc",
    s_archived: "Đã lưu trữ",
    on_air: "Đang trả lời",
    on_air_empty: "Chưa có câu hỏi nào đang được trả lời.",
    announce_on_air: "Đang trả lời: {text}",
    announce_answer: "Vừa có câu trả lời: {text}",
    ask: "Đặt câu hỏi",
    not_accepting: "Cuộc đối thoại hiện không nhận câu hỏi.",
    name: "Họ và tên",
    optional: "(không bắt buộc)",
    organization: "Cơ quan, doanh nghiệp",
    locality: "Địa phương",
    topic: "Lĩnh vực",
    choose: "— Chọn —",
    question: "Câu hỏi của bạn",
    chars: "{n}/{max} ký tự",
    too_short: "Câu hỏi cần ít nhất {min} ký tự.",
    too_long: "Câu hỏi không được dài quá {max} ký tự.",
    name_needed: "Vui lòng nhập họ và tên.",
    contact: "Số điện thoại hoặc email",
    contact_hint: "Để ban tổ chức liên hệ khi cần làm rõ câu hỏi.",
    consent:
      "Tôi đồng ý để ban tổ chức lưu số điện thoại hoặc email này và dùng nó để liên hệ với tôi về câu hỏi.",
    consent_needed: "Hãy đánh dấu ô đồng ý, hoặc xoá số điện thoại/email.",
    notice:
      "Về dữ liệu cá nhân: chúng tôi chỉ lưu số điện thoại hoặc email bạn nhập, cùng thời điểm bạn đồng ý, tách riêng khỏi câu hỏi, để ban tổ chức liên hệ với bạn về câu hỏi này; thông tin được xoá khi hết thời hạn lưu của ban tổ chức. Thông tin đó không bao giờ được công khai. Bạn có thể tự xoá bất cứ lúc nào trên trang theo dõi câu hỏi, bằng mã theo dõi nhận được sau khi gửi.",
    trap: "Để trống ô này",
    send: "Gửi câu hỏi",
    sending: "Đang gửi…",
    verifying: "Đang xác minh…",
    proof_failed: "Chưa hoàn tất được bước xác minh chống gửi tự động. Vui lòng bấm “Gửi câu hỏi” lần nữa.",
    retry_offline: "Không có kết nối. Chúng tôi sẽ tự gửi lại sau {s} giây…",
    retry_busy: "Hệ thống đang bận. Chúng tôi sẽ tự gửi lại sau {s} giây…",
    gave_up:
      "Chưa gửi được vì không có kết nối. Câu hỏi của bạn vẫn được giữ; hãy bấm “Gửi câu hỏi” khi có mạng.",
    wait: "Bạn gửi quá nhanh. Vui lòng đợi {s} giây rồi gửi lại.",
    failed: "Chưa gửi được câu hỏi. Vui lòng thử lại.",
    done: "Đã nhận câu hỏi của bạn",
    done_text:
      "Ban tổ chức sẽ duyệt câu hỏi trước khi đăng. Hãy lưu mã theo dõi để xem tình trạng và câu trả lời.",
    thanks: "Cảm ơn bạn đã gửi câu hỏi.",
    code: "Mã theo dõi",
    copy: "Chép mã",
    copied: "Đã chép mã theo dõi.",
    copy_failed: "Không chép được. Mã đã được chọn; hãy chép thủ công.",
    track: "Xem tình trạng câu hỏi",
    new_window: "(mở trong cửa sổ mới)",
    ask_again: "Đặt câu hỏi khác",
    answered: "Đã trả lời",
    answered_empty: "Chưa có câu hỏi nào được trả lời.",
    waiting: "Câu hỏi đang chờ trả lời",
    waiting_empty: "Chưa có câu hỏi nào được đăng.",
    more: "Xem thêm ({n})",
    anonymous: "Ẩn danh",
    asked_by: "{n} người cùng hỏi",
    me_too: "Tôi cũng muốn hỏi",
    votes: "{n} lượt quan tâm",
    vote_failed: "Chưa ghi nhận được lượt quan tâm. Vui lòng thử lại.",
    k_live: "Trả lời trực tiếp",
    k_written: "Trả lời bằng văn bản",
    st_queued: "Sắp lên sóng",
    st_deferred: "Sẽ trả lời bằng văn bản",
    to: "Người trả lời: {name}",
    recording: "Xem lại đoạn trả lời",
    edited: "Đã biên tập",
  },
  en: {
    dialogue: "Online dialogue",
    live: "Live",
    connecting: "Connecting…",
    reconnecting: "Connection lost, reconnecting…",
    loading: "Loading the dialogue…",
    load_retry: "Could not load the dialogue. We will try again in a few seconds.",
    unavailable_here: "This dialogue is not available on this site.",
    not_found: "This dialogue was not found.",
    s_draft: "Not published",
    s_open: "Taking questions",
    s_live: "Live now",
    s_closed: "Ended",
    s_archived: "Archived",
    on_air: "Now answering",
    on_air_empty: "No question is being answered right now.",
    announce_on_air: "Now answering: {text}",
    announce_answer: "New answer: {text}",
    ask: "Ask a question",
    not_accepting: "This dialogue is not taking questions now.",
    name: "Your name",
    optional: "(optional)",
    organization: "Organisation or business",
    locality: "Locality",
    topic: "Topic",
    choose: "— Choose —",
    question: "Your question",
    chars: "{n}/{max} characters",
    too_short: "The question needs at least {min} characters.",
    too_long: "The question may not be longer than {max} characters.",
    name_needed: "Please enter your name.",
    contact: "Phone number or email",
    contact_hint: "So that the organisers can reach you if the question needs clarifying.",
    consent:
      "I agree that the organisers keep this phone number or email and use it to contact me about my question.",
    consent_needed: "Tick the consent box, or remove the phone number or email.",
    notice:
      "About your personal data: we keep only the phone number or email you enter, and when you agreed, apart from the question, so that the organisers can contact you about it; it is deleted when the organisers' retention period ends. It is never published. You can delete it yourself at any time on your question's tracking page, with the tracking code you get after sending.",
    trap: "Leave this empty",
    send: "Send question",
    sending: "Sending…",
    verifying: "Verifying…",
    proof_failed: "The anti-robot check could not be completed. Please press “Send question” again.",
    retry_offline: "No connection. We will send it again in {s} s…",
    retry_busy: "The service is busy. We will send it again in {s} s…",
    gave_up:
      "Not sent: there is no connection. Your question is kept; press “Send question” when you are online.",
    wait: "You are sending too fast. Please wait {s} seconds and send again.",
    failed: "The question was not sent. Please try again.",
    done: "Your question was received",
    done_text:
      "The organisers review questions before publishing them. Keep the tracking code to follow its status and answer.",
    thanks: "Thank you for your question.",
    code: "Tracking code",
    copy: "Copy code",
    copied: "Tracking code copied.",
    copy_failed: "Could not copy. The code is selected; copy it by hand.",
    track: "Follow your question",
    new_window: "(opens in a new window)",
    ask_again: "Ask another question",
    answered: "Answered",
    answered_empty: "No question has been answered yet.",
    waiting: "Questions waiting for an answer",
    waiting_empty: "No question has been published yet.",
    more: "Show more ({n})",
    anonymous: "Anonymous",
    asked_by: "{n} people asked this",
    me_too: "I want to know too",
    votes: "{n} votes",
    vote_failed: "Your vote was not counted. Please try again.",
    k_live: "Answered live",
    k_written: "Written answer",
    st_queued: "Coming up",
    st_deferred: "To be answered in writing",
    to: "Addressed to {name}",
    recording: "Watch the answer",
    edited: "Edited",
  },
};

// -- constants ------------------------------------------------------------------

// The API's limits on a question (server/domain/text.py LIMITS["text"]).
const MIN_CHARS = 10;
const MAX_CHARS = 2000;
// The server's heartbeat period (DOITHOAI_WS_PING_INTERVAL); 2.5 periods of
// silence mean the link is dead even if the socket has not noticed.
const HEARTBEAT_S = 20;
const SILENCE_FACTOR = 2.5;
// WebSocket reconnects: full jitter over a doubling window, so a restarted
// server is not hit by every viewer at the same instant; capped at 30 s.
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 30000;
// Failed handshakes in a row after which the widget asks whether this site
// may still show the dialogue (a refused handshake looks like any failure).
const CHECK_AFTER_FAILURES = 3;
// A submission is tried again on network errors and 5xx this many times,
// doubling from 1 s; Retry-After is honoured up to a minute.
const SEND_RETRIES = 4;
const SEND_BASE_MS = 1000;
const RETRY_AFTER_CAP_S = 60;
// A dialogue under attack asks for a proof of work (server/domain/proof.py):
// hashes handed to WebCrypto per batch (one await per batch, not per hash, and
// the page stays responsive between batches); a fresh challenge this many
// times when the server refuses one (expired, already used by a retry).
const POW_BATCH = 256;
const PROOF_TRIES = 2;
// A request that has not answered in this long counts as a network failure.
const REQUEST_TIMEOUT_MS = 20000;
// Questions drawn per list before "show more": a phone need not lay out
// thousands of cards.
const PAGE = 20;
const ZONE = "Asia/Ho_Chi_Minh";
const STORE = "doithoai-widget";

const STYLES = `
:host{display:block;color:var(--doithoai-fg,#1b1f24);background:var(--doithoai-bg,#fff);
font:16px/1.5 var(--doithoai-font,system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif);
border:1px solid var(--doithoai-border,#c9d1d9);border-radius:var(--doithoai-radius,8px);
container-type:inline-size;overflow:hidden;min-width:0}
:host([hidden]){display:none}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.w{padding:12px;display:grid;gap:16px;min-width:0}
h2,h3,p{margin:0}
h2{font-size:1.15em;line-height:1.3}
h3{font-size:1.05em;line-height:1.3;margin-bottom:10px}
.sect{border-top:1px solid var(--doithoai-border,#c9d1d9);padding-top:12px}
.head{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;justify-content:space-between}
.badge,.tag{display:inline-block;border-radius:999px;padding:0 8px;font-size:.8em;
background:var(--doithoai-surface,#eef2f6);color:var(--doithoai-fg,#1b1f24)}
.conn{font-size:.85em;color:var(--doithoai-muted,#545d68)}
.conn[data-state=live]::before{content:"";display:inline-block;width:.6em;height:.6em;margin-right:.35em;
border-radius:50%;background:var(--doithoai-live,#b42318)}
.note{padding:10px 12px;border-radius:var(--doithoai-radius,8px);background:var(--doithoai-surface,#eef2f6)}
.bad{color:var(--doithoai-danger,#b42318)}
.note.bad{background:var(--doithoai-danger-bg,#fdecea)}
.air{border-left:4px solid var(--doithoai-accent,#0b5cab);padding:8px 12px;
background:var(--doithoai-surface,#eef2f6);border-radius:var(--doithoai-radius,8px)}
.muted{color:var(--doithoai-muted,#545d68)}
form,.fields,.w0{display:grid;gap:12px;min-width:0}
.w0{gap:16px}
.f{display:grid;gap:4px;min-width:0}
label{font-weight:600}
.opt{font-weight:400;color:var(--doithoai-muted,#545d68)}
input,select,textarea,button{font:inherit;color:inherit;max-width:100%}
input[type=text],input[type=tel],select,textarea{width:100%;min-width:0;padding:8px 10px;
border:1px solid var(--doithoai-muted,#545d68);border-radius:calc(var(--doithoai-radius,8px) / 2);
background:var(--doithoai-bg,#fff)}
textarea{min-height:7em;resize:vertical}
[aria-invalid=true]{border-color:var(--doithoai-danger,#b42318);border-width:2px}
.hint,.count,.err,.small{font-size:.875em}
.count{justify-self:end}
.count.over{color:var(--doithoai-danger,#b42318);font-weight:600}
.check{display:flex;gap:8px;align-items:flex-start;font-weight:400}
.check input{margin-top:.3em;width:1.1em;height:1.1em;flex:none}
.privacy{font-size:.875em;color:var(--doithoai-muted,#545d68)}
.trap,.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
button{cursor:pointer;border-radius:calc(var(--doithoai-radius,8px) / 2);padding:8px 14px;
border:1px solid var(--doithoai-accent,#0b5cab);background:var(--doithoai-bg,#fff);
color:var(--doithoai-accent,#0b5cab);font-weight:600;text-decoration:none;display:inline-block;min-height:44px}
button.primary{background:var(--doithoai-accent,#0b5cab);color:var(--doithoai-accent-fg,#fff)}
button[aria-disabled=true]{opacity:.7;cursor:progress}
:focus-visible{outline:3px solid var(--doithoai-focus,var(--doithoai-accent,#0b5cab));outline-offset:2px}
a{color:var(--doithoai-accent,#0b5cab)}
.code{font:700 1.25em/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.05em;overflow-wrap:anywhere}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
ul{list-style:none;margin:0;padding:0;display:grid;gap:10px}
.q{border:1px solid var(--doithoai-border,#c9d1d9);border-radius:var(--doithoai-radius,8px);padding:10px 12px;
display:grid;gap:6px;min-width:0}
.q-text,.a-text{white-space:pre-line;overflow-wrap:anywhere}
.meta{font-size:.85em;color:var(--doithoai-muted,#545d68);display:flex;flex-wrap:wrap;gap:0 10px}
.meta>*{overflow-wrap:anywhere;min-width:0}
.tags{display:flex;flex-wrap:wrap;gap:6px}
.a{border-left:3px solid var(--doithoai-accent,#0b5cab);padding-left:10px;display:grid;gap:4px}
.a-by{font-size:.875em;font-weight:600;overflow-wrap:anywhere}
.vote{display:inline-flex;gap:6px;align-items:center;padding:4px 12px;justify-self:start;
font-size:.875em;min-height:40px;white-space:nowrap}
.vote .n{border-left:1px solid currentColor;padding-left:8px;margin-left:2px}
.vote[aria-pressed=true]{background:var(--doithoai-accent,#0b5cab);color:var(--doithoai-accent-fg,#fff);cursor:default}
@container (min-width:560px){.w{padding:16px 20px}.pair{grid-template-columns:1fr 1fr;gap:12px}}
`;

// -- small helpers ----------------------------------------------------------------

/** An element: `props` are attributes, plus `text` (textContent) and `on<event>`. */
function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "object" ? child : String(child));
  }
  return node;
}

function fill(text, vars) {
  let out = text;
  for (const [name, value] of Object.entries(vars || {})) out = out.split(`{${name}}`).join(String(value));
  return out;
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function readStore(area, key, fallback) {
  try {
    const value = globalThis[area].getItem(`${STORE}:${key}`);
    return value === null ? fallback : JSON.parse(value);
  } catch {
    return fallback; // storage refused (private mode, sandbox): the widget works without it
  }
}

function writeStore(area, key, value) {
  try {
    if (value === null) globalThis[area].removeItem(`${STORE}:${key}`);
    else globalThis[area].setItem(`${STORE}:${key}`, JSON.stringify(value));
  } catch {
    // as above
  }
}

function chars(text) {
  return [...text.normalize("NFC")].length;
}

function safeUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), else null. */
function retryAfter(response) {
  const value = response && response.headers.get("retry-after");
  if (!value) return null;
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.min(RETRY_AFTER_CAP_S, Math.max(1, Math.ceil(seconds))) : null;
}

/** Call the API: {status, data, response}; status 0 when it could not be reached. */
async function call(url, body) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  const init = { method: "GET", mode: "cors", credentials: "omit", cache: "no-store", signal: abort.signal };
  if (body !== undefined) {
    init.method = "POST";
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(url, init);
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    return { status: response.status, data, response };
  } catch {
    return { status: 0, data: null, response: null };
  } finally {
    clearTimeout(timer);
  }
}

/** Leading zero bits of a digest. */
function zeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

// SHA-256 in plain JavaScript (FIPS 180-4), for pages where WebCrypto is
// missing: it exists only in secure contexts, and a portal may still be
// served over plain http. Round constants: the first 32 bits of the
// fractional parts of the cube roots of the first 64 primes; initial hash:
// of the square roots of the first 8 (exact in doubles at this size).
const PRIMES = [];
for (let n = 2; PRIMES.length < 64; n += 1) if (PRIMES.every((p) => n % p)) PRIMES.push(n);
const fraction = (x) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;
const ROUND = PRIMES.map((p) => fraction(Math.cbrt(p)));
const INITIAL = PRIMES.slice(0, 8).map((p) => fraction(Math.sqrt(p)));

/** SHA-256 of `bytes` (a Uint8Array), as 32 bytes. */
export function sha256(bytes) {
  const words = (((bytes.length + 8) >> 6) + 1) * 16;
  const w = new Uint32Array(words);
  for (let i = 0; i < bytes.length; i += 1) w[i >> 2] |= bytes[i] << (24 - (i & 3) * 8);
  w[bytes.length >> 2] |= 0x80 << (24 - (bytes.length & 3) * 8);
  w[words - 1] = bytes.length * 8;
  const hash = Uint32Array.from(INITIAL);
  const m = new Uint32Array(64);
  const ror = (x, n) => (x >>> n) | (x << (32 - n));
  for (let at = 0; at < words; at += 16) {
    for (let t = 0; t < 64; t += 1) {
      if (t < 16) m[t] = w[at + t];
      else {
        const a = m[t - 15];
        const b = m[t - 2];
        m[t] = m[t - 16] + (ror(a, 7) ^ ror(a, 18) ^ (a >>> 3)) + m[t - 7] + (ror(b, 17) ^ ror(b, 19) ^ (b >>> 10));
      }
    }
    let [a, b, c, d, e, f, g, h] = hash;
    for (let t = 0; t < 64; t += 1) {
      const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + ROUND[t] + m[t]) | 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) | 0, c, b, a, (t1 + t2) | 0];
    }
    [a, b, c, d, e, f, g, h].forEach((v, i) => (hash[i] += v));
  }
  const out = new Uint8Array(32);
  hash.forEach((v, i) => out.set([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255], i * 4));
  return out;
}

/** The first decimal nonce such that SHA-256(`challenge:nonce`) begins with
 * `bits` zero bits, or null (aborted, or far past the expected 2^bits
 * tries). WebCrypto where the page has it, else `sha256` above. */
export async function solve(challenge, bits, signal) {
  const subtle = globalThis.crypto && crypto.subtle;
  const digest = subtle ? (data) => subtle.digest("SHA-256", data) : sha256;
  // Plain JavaScript hashes synchronously: larger batches, and a pause
  // between them so that the page still answers the citizen.
  const size = subtle ? POW_BATCH : POW_BATCH * 16;
  const encoder = new TextEncoder();
  for (let base = 0; base < 2 ** (bits + 5) && !(signal && signal.aborted); base += size) {
    const batch = [];
    for (let i = 0; i < size; i += 1) batch.push(digest(encoder.encode(`${challenge}:${base + i}`)));
    const found = (await Promise.all(batch)).findIndex((d) => zeroBits(new Uint8Array(d)) >= bits);
    if (found >= 0) return String(base + found);
    if (!subtle) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return null;
}

function apiError(result) {
  const error = result.data && result.data.error;
  return error && typeof error === "object" ? error : {};
}

// -- the element --------------------------------------------------------------------

// The API's field names (error.field) -> the form control showing them.
const FIELD_CONTROLS = {
  text: "text",
  name: "name",
  organization: "organization",
  locality: "locality",
  topic: "topic",
  contact: "contact",
  "contact.phone": "contact",
  "contact.email": "contact",
  consent: "consent",
};
const DRAFT_FIELDS = ["name", "organization", "locality", "topic", "text"];
const BASE = new URL(".", import.meta.url).href.replace(/\/$/, "");

export class DoithoaiWidget extends HTMLElement {
  static get observedAttributes() {
    return ["dialogue", "lang", "api", "heartbeat"];
  }

  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(h("style", { text: STYLES }));
    }
    this.view = h("div", { class: "w" });
    root.append(this.view);
    this.running = null;
  }

  connectedCallback() {
    this.start();
  }

  disconnectedCallback() {
    this.stop();
  }

  attributeChangedCallback(name, before, after) {
    if (this.running && before !== after) {
      this.stop();
      this.start();
    }
  }

  // -- life ----------------------------------------------------------------------

  start() {
    this.slug = (this.getAttribute("dialogue") || "").trim();
    this.language = this.getAttribute("lang") === "en" ? "en" : "vi";
    this.api = (safeUrl(this.getAttribute("api") || "") || BASE).replace(/\/$/, "");
    const beat = Number(this.getAttribute("heartbeat"));
    this.silenceMs = (beat > 0 ? beat : HEARTBEAT_S) * SILENCE_FACTOR * 1000;
    this.running = new AbortController();
    this.questions = new Map(); // id -> public question (API.md)
    this.cards = new Map(); // id -> {node, stamp}
    this.shown = { answered: PAGE, waiting: PAGE };
    this.info = null;
    this.lastId = null;
    this.socket = null;
    this.retryTimer = null;
    this.failures = 0;
    this.sending = false;
    this.voter = readStore("localStorage", "voter", null) || uuid();
    writeStore("localStorage", "voter", this.voter);
    this.votedKey = `voted:${this.api}:${this.slug}`;
    this.voted = new Set(readStore("localStorage", this.votedKey, []));
    this.draftKey = `draft:${this.api}:${this.slug}`;
    this.online = () => this.reconnectNow();
    window.addEventListener("online", this.online);
    this.build();
    this.load(0);
  }

  stop() {
    if (!this.running) return;
    this.running.abort();
    this.running = null;
    window.removeEventListener("online", this.online);
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.close();
    }
  }

  t(key, vars) {
    const table = MESSAGES[this.language];
    return fill(key in table ? table[key] : MESSAGES.vi[key] || key, vars);
  }

  url(path) {
    return `${this.api}${path}${path.includes("?") ? "&" : "?"}lang=${this.language}`;
  }

  path(rest = "") {
    return `/api/v1/dialogues/${encodeURIComponent(this.slug)}${rest}`;
  }

  // -- the first load, and whether this site may show the dialogue ----------------

  async load(attempt) {
    this.retryTimer = null;
    const run = this.running;
    const result = await call(this.url(this.path("/feed")));
    if (run !== this.running) return;
    if (result.status === 200 && result.data) {
      this.replace(result.data);
      this.lastId = result.data.last_event_id || null;
      this.connect();
      return;
    }
    if (result.status === 404) return this.block(this.t("not_found"));
    if (result.status === 0 && (await this.refused())) return;
    this.notice.textContent = this.t("load_retry");
    this.retryTimer = setTimeout(() => this.load(attempt + 1), this.backoff(attempt));
  }

  /** Ask the app whether this page's origin may use the dialogue; on a refusal
   * show why and stop. A failed call tells nothing (false). */
  async refused() {
    const result = await call(this.url(`/widget/check/${encodeURIComponent(this.slug)}`));
    if (!this.running) return true;
    if (result.status === 404) {
      this.block(this.t("not_found"));
      return true;
    }
    if (result.status === 200 && result.data && result.data.allowed === false) {
      this.block(this.t("unavailable_here"));
      return true;
    }
    return false;
  }

  block(message) {
    this.stop();
    this.notice.textContent = message;
    this.notice.className = "note bad";
    this.notice.setAttribute("role", "alert");
    this.notice.hidden = false;
    for (const part of [this.airBox, this.askBox, this.listsBox, this.conn]) part.hidden = true;
  }

  backoff(attempt) {
    return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  }

  // -- the live feed ----------------------------------------------------------------

  connect() {
    if (!this.running) return;
    this.retryTimer = null;
    const ws = this.api.replace(/^http/, "ws");
    const after = this.lastId ? `?after=${encodeURIComponent(this.lastId)}` : "";
    const socket = new WebSocket(`${ws}/ws/v1/dialogues/${encodeURIComponent(this.slug)}/feed${after}`);
    this.socket = socket;
    socket.addEventListener("open", () => socket === this.socket && this.showConnection("live"));
    socket.addEventListener("message", (event) => socket === this.socket && this.receive(event.data));
    socket.addEventListener("close", () => socket === this.socket && this.dropped());
    this.watch();
  }

  /** Restart the silence timer: a link quiet for 2.5 heartbeats is dead. */
  watch() {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.dropped(), this.silenceMs);
  }

  dropped() {
    const socket = this.socket;
    if (!socket || !this.running) return;
    this.socket = null;
    clearTimeout(this.silenceTimer);
    socket.close();
    this.showConnection("waiting");
    // Failures in a row, counted until a message arrives: a socket that opens
    // and closes again at once still backs off.
    const attempt = this.failures;
    this.failures += 1;
    if (this.failures % CHECK_AFTER_FAILURES === 0) {
      this.refused().then((refused) => {
        if (!refused && this.running && !this.socket) this.schedule(attempt);
      });
      return;
    }
    this.schedule(attempt);
  }

  schedule(attempt) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), this.backoff(attempt));
  }

  /** Back online: try again now rather than at the end of the backoff. */
  reconnectNow() {
    if (!this.running || this.socket || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.info) this.connect();
    else this.load(0);
  }

  receive(raw) {
    this.watch();
    this.failures = 0;
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (!message || typeof message !== "object" || message.type === "heartbeat") return;
    this.apply(message);
    if (typeof message.id === "string" && message.id) this.lastId = message.id;
  }

  apply(message) {
    const data = message.data || {};
    switch (message.type) {
      case "snapshot":
        this.replace(data);
        break;
      case "question.approved":
      case "question.updated":
      case "question.queued":
      case "question.deferred":
        this.questions.set(data.id, data);
        break;
      case "question.on_air":
        this.questions.set(data.id, data);
        this.announce(this.t("announce_on_air", { text: data.text }));
        break;
      case "question.answered":
        this.questions.set(data.id, data);
        this.announce(this.t("announce_answer", { text: data.text }));
        break;
      case "question.unpublished":
      case "question.merged":
        this.questions.delete(data.id);
        break;
      case "votes.changed": {
        const known = this.questions.get(data.id);
        if (known) this.questions.set(data.id, { ...known, votes: data.votes });
        break;
      }
      case "dialogue.updated":
        this.showDialogue(data);
        break;
      default:
        return; // API.md: unknown types are ignored
    }
    this.draw();
  }

  replace(feed) {
    this.questions.clear();
    for (const question of feed.questions || []) this.questions.set(question.id, question);
    if (feed.on_air) this.questions.set(feed.on_air.id, feed.on_air);
    this.showDialogue(feed.dialogue);
    this.draw();
  }

  announce(text) {
    const short = text.length > 200 ? `${text.slice(0, 199)}…` : text;
    this.announcer.textContent = short;
  }

  showConnection(state) {
    this.conn.dataset.state = state;
    this.conn.textContent = this.t(state === "live" ? "live" : state === "waiting" ? "reconnecting" : "connecting");
  }

  // -- the frame --------------------------------------------------------------------

  build() {
    const t = (key, vars) => this.t(key, vars);
    this.heading = h("h2", { text: t("dialogue") });
    this.badge = h("span", { class: "badge", hidden: true });
    this.conn = h("p", { class: "conn", role: "status", "aria-live": "polite" });
    this.showConnection("connecting");
    this.notice = h("p", { class: "note", text: t("loading") });
    this.announcer = h("div", { class: "vh", "aria-live": "polite", "aria-atomic": "true" });
    this.airList = h("ul");
    this.airEmpty = h("p", { class: "muted", text: t("on_air_empty") });
    this.airBox = h(
      "section",
      { class: "air", "aria-labelledby": "dw-air", hidden: true },
      h("h3", { id: "dw-air", text: t("on_air") }),
      this.airEmpty,
      this.airList,
    );
    this.askBox = h("section", { class: "sect", "aria-labelledby": "dw-ask", hidden: true }, h("h3", { id: "dw-ask", text: t("ask") }));
    this.lists = {};
    const listSection = (key, emptyKey) => {
      const list = h("ul");
      const count = h("span", { class: "badge" });
      const empty = h("p", { class: "muted", text: t(emptyKey) });
      const more = h("button", { type: "button", hidden: true, onclick: () => this.more(key) });
      this.lists[key] = { list, count, empty, more };
      return h(
        "section",
        { class: "sect", "aria-labelledby": `dw-${key}` },
        h("h3", { id: `dw-${key}` }, t(key), " ", count),
        empty,
        list,
        more,
      );
    };
    this.listsBox = h("div", { class: "w0", hidden: true }, listSection("answered", "answered_empty"), listSection("waiting", "waiting_empty"));
    this.view.replaceChildren(
      h("header", { class: "head" }, this.heading, h("div", { class: "row" }, this.badge, this.conn)),
      this.notice,
      this.announcer,
      this.airBox,
      this.askBox,
      this.listsBox,
    );
    this.buildForm();
  }

  showDialogue(dialogue) {
    if (!dialogue || typeof dialogue !== "object") return;
    this.info = dialogue;
    this.heading.textContent = dialogue.title || this.t("dialogue");
    this.badge.textContent = this.t(`s_${dialogue.status}`);
    this.badge.hidden = !dialogue.status;
    this.notice.hidden = true;
    this.airBox.hidden = false;
    this.askBox.hidden = false;
    this.listsBox.hidden = false;
    this.setOptions(this.controls.topic, (dialogue.topics || []).map((topic) => [topic.id, topic.name]));
    this.setOptions(this.controls.locality, (dialogue.localities || []).map((name) => [name, name]));
    this.controls.name.required = !dialogue.allow_anonymous;
    this.nameOptional.hidden = !dialogue.allow_anonymous;
    this.closed.hidden = Boolean(dialogue.accepting_questions);
    if (!dialogue.accepting_questions) this.form.hidden = true;
    else if (this.done.hidden) this.form.hidden = false;
  }

  // -- asking ---------------------------------------------------------------------------

  buildForm() {
    const t = (key, vars) => this.t(key, vars);
    const c = (this.controls = {});
    this.errors = {};
    const optional = h("span", { class: "opt", text: ` ${t("optional")}` });
    const field = (name, label, control, { hint, opt, after } = {}) => {
      const err = h("p", { class: "err bad", id: `dw-e-${name}`, hidden: true });
      const described = [hint && `dw-h-${name}`, after && after.id, `dw-e-${name}`].filter(Boolean).join(" ");
      control.id = `dw-${name}`;
      control.name = name;
      control.setAttribute("aria-describedby", described);
      c[name] = control;
      this.errors[name] = err;
      return h(
        "div",
        { class: "f" },
        h("label", { for: `dw-${name}` }, label, opt || null),
        hint ? h("p", { class: "hint muted", id: `dw-h-${name}`, text: hint }) : null,
        control,
        after || null,
        err,
      );
    };
    this.nameOptional = optional.cloneNode(true);
    this.counter = h("p", { class: "count muted", id: "dw-c-text" });
    const select = () => h("select", {}, h("option", { value: "", text: t("choose") }));
    c.consent = h("input", { type: "checkbox", id: "dw-consent", name: "consent", "aria-describedby": "dw-e-consent dw-notice" });
    this.errors.consent = h("p", { class: "err bad", id: "dw-e-consent", hidden: true });
    this.trap = h("input", { type: "text", name: "website", id: "dw-website", tabindex: "-1", autocomplete: "off" });
    this.sendButton = h("button", { type: "submit", class: "primary", text: t("send") });
    this.formError = h("p", { class: "err bad", role: "alert", hidden: true });
    this.form = h(
      "form",
      { novalidate: true, hidden: true, onsubmit: (event) => this.submit(event), oninput: () => this.saveDraft() },
      field("name", t("name"), h("input", { type: "text", autocomplete: "name", maxlength: "100" }), { opt: this.nameOptional }),
      field("organization", t("organization"), h("input", { type: "text", autocomplete: "organization", maxlength: "200" }), { opt: optional.cloneNode(true) }),
      h("div", { class: "fields pair" }, field("locality", t("locality"), select()), field("topic", t("topic"), select())),
      field("text", t("question"), h("textarea", { rows: "5", required: true, oninput: () => this.count() }), { after: this.counter }),
      field("contact", t("contact"), h("input", { type: "text", inputmode: "email", autocomplete: "email" }), {
        hint: t("contact_hint"),
        opt: optional.cloneNode(true),
      }),
      h("div", { class: "f" }, h("label", { class: "check", for: "dw-consent" }, c.consent, h("span", { text: t("consent") })), this.errors.consent),
      h("p", { class: "privacy", id: "dw-notice", text: t("notice") }),
      h("div", { class: "trap", "aria-hidden": "true" }, h("label", { for: "dw-website", text: t("trap") }), this.trap),
      this.formError,
      h("div", { class: "row" }, this.sendButton),
    );
    this.code = h("p", { class: "code" });
    this.trackLink = h("a", { target: "_blank", rel: "noopener" }, t("track"), h("span", { class: "vh", text: ` ${t("new_window")}` }));
    this.codeBox = h(
      "div",
      { class: "fields" },
      h("p", { class: "small muted", text: t("code") }),
      this.code,
      h("div", { class: "row" }, h("button", { type: "button", text: t("copy"), onclick: () => this.copy() }), this.trackLink),
    );
    this.copyStatus = h("p", { class: "small", role: "status" });
    this.doneText = h("p");
    this.done = h(
      "div",
      { class: "fields", hidden: true, tabindex: "-1" },
      h("p", { class: "note" }, h("strong", { text: t("done") })),
      this.doneText,
      this.codeBox,
      this.copyStatus,
      h("div", {}, h("button", { type: "button", text: t("ask_again"), onclick: () => this.askAgain() })),
    );
    this.closed = h("p", { class: "note", text: t("not_accepting"), hidden: true });
    this.askBox.append(this.closed, this.form, this.done);
    this.restoreDraft();
    this.count();
  }

  setOptions(select, pairs) {
    const chosen = select.value || (this.draft && this.draft[select.name]) || "";
    const label = select.closest(".f");
    label.hidden = pairs.length === 0;
    select.replaceChildren(h("option", { value: "", text: this.t("choose") }), ...pairs.map(([value, text]) => h("option", { value, text })));
    select.value = pairs.some(([value]) => value === chosen) ? chosen : "";
  }

  count() {
    const n = chars(this.controls.text.value);
    this.counter.textContent = this.t("chars", { n, max: MAX_CHARS });
    this.counter.classList.toggle("over", n > MAX_CHARS);
  }

  restoreDraft() {
    this.draft = readStore("sessionStorage", this.draftKey, null);
    if (!this.draft) return;
    for (const name of DRAFT_FIELDS) {
      if (typeof this.draft[name] === "string") this.controls[name].value = this.draft[name];
    }
  }

  /** The draft and its submission id live in sessionStorage until the question is
   * accepted, so a reload or a retry sends the same question once. Contact details
   * are not kept there. */
  saveDraft(submissionId) {
    const draft = { sid: submissionId || (this.draft && this.draft.sid) || null };
    for (const name of DRAFT_FIELDS) draft[name] = this.controls[name].value;
    this.draft = draft;
    writeStore("sessionStorage", this.draftKey, draft);
  }

  clearErrors() {
    this.formError.hidden = true;
    for (const [name, node] of Object.entries(this.errors)) {
      node.hidden = true;
      node.textContent = "";
      this.controls[name].removeAttribute("aria-invalid");
    }
  }

  fieldError(name, message) {
    const control = this.controls[name];
    this.errors[name].textContent = message;
    this.errors[name].hidden = false;
    control.setAttribute("aria-invalid", "true");
    return control;
  }

  sendError(message) {
    this.formError.textContent = message;
    this.formError.hidden = false;
  }

  body() {
    const c = this.controls;
    const body = { text: c.text.value, submission_id: this.draft.sid, channel: "widget", device: this.voter };
    for (const name of ["name", "organization", "locality", "topic"]) {
      const value = c[name].value.trim();
      if (value) body[name] = value;
    }
    const contact = c.contact.value.trim();
    if (contact) {
      body.contact = contact.includes("@") ? { email: contact } : { phone: contact };
      body.consent = c.consent.checked;
    }
    return body;
  }

  validate() {
    const c = this.controls;
    const bad = [];
    const n = chars(c.text.value.trim());
    if (!c.name.value.trim() && c.name.required) bad.push(this.fieldError("name", this.t("name_needed")));
    if (n < MIN_CHARS) bad.push(this.fieldError("text", this.t("too_short", { min: MIN_CHARS })));
    if (n > MAX_CHARS) bad.push(this.fieldError("text", this.t("too_long", { max: MAX_CHARS })));
    if (c.contact.value.trim() && !c.consent.checked) bad.push(this.fieldError("consent", this.t("consent_needed")));
    if (bad.length) bad[0].focus();
    return bad.length === 0;
  }

  async submit(event) {
    event.preventDefault();
    if (this.sending || !this.running) return;
    this.clearErrors();
    if (!this.validate()) return;
    if (this.trap.value) {
      // A form robot filled the hidden field: pretend it worked, send nothing.
      this.showDone(null);
      return;
    }
    this.saveDraft((this.draft && this.draft.sid) || uuid());
    const body = this.body();
    const run = this.running;
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
    this.sending = true;
    this.sendButton.setAttribute("aria-disabled", "true");
    this.sendButton.textContent = this.t("sending");
    try {
      await this.send(body, run.signal);
    } finally {
      this.sending = false;
      this.sendButton.removeAttribute("aria-disabled");
      this.sendButton.textContent = this.t("send");
    }
  }

  async send(body, signal) {
    let needProof = Boolean(this.info && this.info.proof_of_work);
    let attempt = 0;
    for (let proofs = 0; ; ) {
      if (needProof && !body.proof) {
        this.sendButton.textContent = this.t("verifying");
        body.proof = await this.prove(signal);
        this.sendButton.textContent = this.t("sending");
        if (signal.aborted) return;
        if (!body.proof) {
          this.sendError(this.t("proof_failed"));
          return;
        }
      }
      const result = await call(this.url(this.path("/questions")), body);
      if (signal.aborted) return;
      if (result.status === 202 && result.data && result.data.tracking_code) {
        this.showDone(result.data.tracking_code);
        return;
      }
      const error = apiError(result);
      if (error.code === "proof_required" && proofs < PROOF_TRIES) {
        // Switched on since the feed loaded, expired, or spent by a lost first try.
        proofs += 1;
        needProof = true;
        delete body.proof;
        continue;
      }
      if (result.status === 0 || result.status >= 500) {
        if (result.status === 0 && (await this.refused())) return;
        if (attempt >= SEND_RETRIES) {
          this.sendError(result.status === 0 ? this.t("gave_up") : error.message || this.t("failed"));
          return;
        }
        const wait = (retryAfter(result.response) || 0) * 1000 || SEND_BASE_MS * 2 ** attempt * (0.5 + Math.random() / 2);
        attempt += 1;
        this.sendError(this.t(result.status === 0 ? "retry_offline" : "retry_busy", { s: Math.max(1, Math.round(wait / 1000)) }));
        await sleep(wait, signal);
        if (signal.aborted) return;
        continue;
      }
      if (result.status === 429) {
        this.sendError(this.t("wait", { s: retryAfter(result.response) || 60 }));
        return;
      }
      const message = typeof error.message === "string" && error.message ? error.message : this.t("failed");
      const control = FIELD_CONTROLS[error.field];
      if (control) this.fieldError(control, message).focus();
      else this.sendError(message);
      return;
    }
  }

  /** A solved proof-of-work challenge of this dialogue ({challenge, nonce}), or null. */
  async prove(signal) {
    const result = await call(this.url(this.path("/challenge")));
    const given = result.status === 200 && result.data;
    const nonce = given && typeof given.challenge === "string" ? await solve(given.challenge, Number(given.difficulty) || 0, signal) : null;
    return nonce === null ? null : { challenge: given.challenge, nonce };
  }

  showDone(code) {
    writeStore("sessionStorage", this.draftKey, null);
    this.draft = null;
    this.form.reset();
    this.clearErrors();
    this.count();
    this.codeBox.hidden = !code;
    this.doneText.textContent = code ? this.t("done_text") : this.t("thanks");
    if (code) {
      this.code.textContent = code;
      const lang = this.language === "en" ? "?lang=en" : "";
      this.trackLink.href = `${this.api}/t/${encodeURIComponent(code)}${lang}`;
    }
    this.copyStatus.textContent = "";
    this.form.hidden = true;
    this.done.hidden = false;
    this.done.focus();
  }

  askAgain() {
    this.done.hidden = true;
    this.form.hidden = !(this.info && this.info.accepting_questions);
    this.controls.text.focus();
  }

  async copy() {
    const code = this.code.textContent;
    try {
      await navigator.clipboard.writeText(code);
      this.copyStatus.textContent = this.t("copied");
    } catch {
      getSelection().selectAllChildren(this.code);
      this.copyStatus.textContent = this.t("copy_failed");
    }
  }

  // -- following and voting ---------------------------------------------------------

  more(key) {
    this.shown[key] += PAGE;
    this.draw();
  }

  async vote(id) {
    if (this.voted.has(id) || !this.running) return;
    const url = this.url(this.path(`/questions/${encodeURIComponent(id)}/votes`));
    const body = { voter: this.voter };
    let result = await call(url, body);
    // While the dialogue asks for a proof of work, the first vote of this
    // device pays one; the server then takes its votes for the day.
    for (let proofs = 0; apiError(result).code === "proof_required" && proofs < PROOF_TRIES; proofs += 1) {
      const abort = new AbortController();
      body.proof = await this.prove(abort.signal);
      if (!body.proof) break;
      result = await call(url, body);
    }
    if (result.status !== 200 || !result.data) {
      this.announce(apiError(result).message || this.t("vote_failed"));
      return;
    }
    this.voted.add(id);
    writeStore("localStorage", this.votedKey, [...this.voted]);
    const known = this.questions.get(id);
    if (known) this.questions.set(id, { ...known, votes: result.data.votes });
    this.draw();
  }

  draw() {
    for (const [id, old] of this.cards) {
      if (!this.questions.has(id)) {
        old.node.remove();
        this.cards.delete(id);
      }
    }
    const onAir = [];
    const answered = [];
    const waiting = [];
    for (const q of this.questions.values()) {
      if (q.status === "on_air") onAir.push(q);
      else if (q.status === "answered") answered.push(q);
      else waiting.push(q);
    }
    const when = (q) => (q.answer && q.answer.answered_at) || "";
    answered.sort((a, b) => (when(b) < when(a) ? -1 : when(b) > when(a) ? 1 : Number(b.id) - Number(a.id)));
    waiting.sort((a, b) => Number(b.id) - Number(a.id));
    this.place(this.airList, onAir);
    this.airEmpty.hidden = onAir.length > 0;
    for (const [key, items] of [["answered", answered], ["waiting", waiting]]) {
      const { list, count, empty, more } = this.lists[key];
      const visible = items.slice(0, this.shown[key]);
      this.place(list, visible);
      count.textContent = String(items.length);
      empty.hidden = items.length > 0;
      more.hidden = items.length <= visible.length;
      more.textContent = this.t("more", { n: items.length - visible.length });
    }
  }

  /** Put the cards of `items` into `container` in order, moving only those out of
   * place (a moved element loses the keyboard focus), and drop the others. */
  place(container, items) {
    items.forEach((q, index) => {
      const node = this.card(q);
      const current = container.children[index] || null;
      if (current !== node) container.insertBefore(node, current);
    });
    while (container.children.length > items.length) {
      const last = container.lastElementChild;
      last.remove();
    }
  }

  card(q) {
    const mine = this.voted.has(q.id);
    const stamp = JSON.stringify([q, mine]);
    const old = this.cards.get(q.id);
    if (old && old.stamp === stamp) return old.node;
    const node = this.cardNode(q, mine);
    if (old) {
      const focused = old.node.contains(this.shadowRoot.activeElement);
      old.node.replaceWith(node);
      if (focused) (node.querySelector("button") || node).focus();
    }
    this.cards.set(q.id, { node, stamp });
    return node;
  }

  cardNode(q, mine) {
    const t = (key, vars) => this.t(key, vars);
    const who = (o) => (o ? (o.title ? `${o.name}, ${o.title}` : o.name) : "");
    const meta = h(
      "p",
      { class: "meta" },
      h("span", { text: q.name || t("anonymous") }),
      q.organization ? h("span", { text: q.organization }) : null,
      q.locality ? h("span", { text: q.locality }) : null,
      this.time(q.submitted_at),
    );
    const status = q.status === "queued" || q.status === "deferred" ? t(`st_${q.status}`) : null;
    const tags = [
      q.topic_name ? h("span", { class: "tag", text: q.topic_name }) : null,
      status ? h("span", { class: "tag", text: status }) : null,
      q.asked_by > 1 ? h("span", { class: "tag", text: t("asked_by", { n: q.asked_by }) }) : null,
      q.edited ? h("span", { class: "tag", text: t("edited") }) : null,
    ].filter(Boolean);
    let answer = null;
    if (q.answer) {
      const recording = q.recording_url && safeUrl(q.recording_url);
      answer = h(
        "div",
        { class: "a" },
        h("p", { class: "a-by" }, t(`k_${q.answer.kind}`), who(q.answer.official) ? ` · ${who(q.answer.official)}` : ""),
        h("p", { class: "a-text", text: q.answer.text }),
        h("p", { class: "meta" }, this.time(q.answer.answered_at)),
        recording
          ? h("p", {}, h("a", { href: recording, target: "_blank", rel: "noopener" }, t("recording"), h("span", { class: "vh", text: ` ${t("new_window")}` })))
          : null,
      );
    }
    const to = q.official && !q.answer ? h("p", { class: "meta", text: t("to", { name: who(q.official) }) }) : null;
    const vote =
      q.status === "answered"
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "vote",
              "aria-pressed": mine ? "true" : "false",
              onclick: () => this.vote(q.id),
            },
            h("span", { "aria-hidden": "true", text: "▲" }),
            h("span", { text: t("me_too") }),
            h("span", { class: "vh", text: `, ${t("votes", { n: q.votes })}` }),
            h("span", { class: "n", "aria-hidden": "true", text: String(q.votes) }),
          );
    return h(
      "li",
      { class: "q", "data-id": q.id, "data-status": q.status },
      h("p", { class: "q-text", text: q.text }),
      meta,
      tags.length ? h("p", { class: "tags" }, tags) : null,
      to,
      answer,
      vote,
    );
  }

  time(iso) {
    const date = new Date(iso || "");
    if (Number.isNaN(date.getTime())) return null;
    const text = new Intl.DateTimeFormat(this.language === "en" ? "en-GB" : "vi-VN", {
      timeZone: ZONE,
      hour: "2-digit",
      minute: "2-digit",
      day: "numeric",
      month: "numeric",
    }).format(date);
    return h("time", { datetime: iso, text });
  }
}

if (!customElements.get("doithoai-widget")) customElements.define("doithoai-widget", DoithoaiWidget);
