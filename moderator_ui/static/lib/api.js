// The JSON API client of the pages and the widget: one call, its error body
// ({error: {code, message, field}}, docs/api.md), the staff pages' CSRF token and
// the Retry-After a busy server asks for.
//
// It never throws on a failed call (status 0: the server could not be
// reached), never sends cookies across origins (the widget passes
// credentials "omit"), and never touches the document when imported.

/**
 * Call the JSON API. Resolves to {ok, status, data, response}; status 0 when
 * the server could not be reached or `timeout` ms passed. `lang` asks for
 * error messages in that language; `csrf`, a staff session's token, is sent
 * as X-CSRF-Token.
 */
export async function api(
  url,
  { method = "GET", body, csrf, lang, credentials = "same-origin", timeout = 0, cache } = {},
) {
  const headers = { Accept: "application/json" };
  if (lang) headers["Accept-Language"] = lang;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (csrf) headers["X-CSRF-Token"] = csrf;
  const abort = timeout ? new AbortController() : null;
  const timer = abort ? setTimeout(() => abort.abort(), timeout) : 0;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials,
      cache,
      signal: abort ? abort.signal : undefined,
    });
  } catch {
    clearTimeout(timer);
    return { ok: false, status: 0, data: null, response: null };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  } finally {
    clearTimeout(timer);
  }
  return { ok: response.ok, status: response.status, data, response };
}

/** The API's error object of a failed call ({code, message, field}), else {}. */
export function errorOf(result) {
  const error = result && result.data && result.data.error;
  return error && typeof error === "object" ? error : {};
}

/** The API's error sentence from a failed call, or `fallback`. */
export function errorMessage(result, fallback) {
  const { message } = errorOf(result);
  return typeof message === "string" && message ? message : fallback;
}

/** Seconds a response's Retry-After asks for (delta-seconds or an HTTP date), at most `cap`; else null. */
export function retryAfter(response, cap = 60) {
  const value = response && response.headers.get("retry-after");
  if (!value) return null;
  const seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.min(cap, Math.max(1, Math.ceil(seconds))) : null;
}

/** The session's CSRF token, which every staff page carries (templates/_staff.html). */
export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}
