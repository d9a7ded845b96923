// The proof of work a dialogue under attack asks of submissions and first
// votes (server/domain/proof.py): solve a challenge, fetch and solve one, and
// send a request that pays one when the server asks.
//
// WebCrypto where the page has it, else the plain SHA-256 below (WebCrypto
// exists only in secure contexts, and a portal may be served over plain
// http). It must never touch the document, and never send anything but the
// request it is handed.

import { api, errorOf } from "./api.js";

// Hashes handed to WebCrypto per batch: one await per batch, not per hash,
// and the page stays responsive between batches.
const POW_BATCH = 256;
// Fresh challenges to try when the server refuses one (expired, or spent by a
// first try whose answer was lost).
const PROOF_TRIES = 2;

/** Leading zero bits of a digest. */
function zeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

// SHA-256 in plain JavaScript (FIPS 180-4). Round constants: the first 32
// bits of the fractional parts of the cube roots of the first 64 primes;
// initial hash: of the square roots of the first 8 (exact in doubles here).
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
 * `bits` zero bits, or null (aborted, or far past the expected 2^bits tries). */
export async function solve(challenge, bits, signal) {
  const subtle = globalThis.crypto && crypto.subtle;
  const digest = subtle ? (data) => subtle.digest("SHA-256", data) : sha256;
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

/** A solved challenge from `url` ({challenge, nonce}), or null; `options` go to api(). */
export async function fetchProof(url, options = {}, signal = undefined) {
  const result = await api(url, options);
  const given = result.ok && result.data;
  if (!given || typeof given.challenge !== "string") return null;
  const nonce = await solve(given.challenge, Number(given.difficulty) || 0, signal);
  return nonce === null ? null : { challenge: given.challenge, nonce };
}

/**
 * `send(body)` (resolving to an api() result), first paying a proof from
 * `prove()` when `needed` or when the server asks for one, and again with a
 * fresh one when it refuses the proof; `stage` hears "verifying" and
 * "sending". A proof that could not be had resolves to {proofFailed: true}.
 */
export async function sendProven(send, body, prove, { needed = false, stage = () => {} } = {}) {
  let must = needed;
  for (let proofs = 0; ; proofs += 1) {
    if (must) {
      stage("verifying");
      body.proof = await prove();
      if (!body.proof) return { ok: false, status: 0, data: null, response: null, proofFailed: true };
    }
    stage("sending");
    const result = await send(body);
    if (errorOf(result).code !== "proof_required" || proofs >= PROOF_TRIES) return result;
    must = true;
  }
}
