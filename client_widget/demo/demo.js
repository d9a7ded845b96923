// The demo portal's only script. A real portal pastes the two-line snippet;
// this page builds the same. The app it embeds is the one `doithoai demo`
// wrote into <meta name="doithoai-api"> (the page's CSP allows that origin
// only); a copy served by a plain static server names it in its own URL:
// ?api=<the app's base URL>&dialogue=<slug>&lang=vi|en (and heartbeat=, in
// seconds, for tests that run the server's heartbeat faster).

const params = new URLSearchParams(location.search);
const DEFAULT_API = "http://127.0.0.1:8000";

function baseUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href.replace(/\/$/, "") : null;
  } catch {
    return null;
  }
}

const named = document.querySelector('meta[name="doithoai-api"]')?.content || "";
const api = baseUrl(named) || baseUrl(params.get("api") || "") || DEFAULT_API;
const dialogue = params.get("dialogue") || "chuyen-doi-so";
const lang = params.get("lang") === "en" ? "en" : "vi";
document.documentElement.lang = lang;

const widget = document.createElement("doithoai-widget");
widget.setAttribute("dialogue", dialogue);
widget.setAttribute("lang", lang);
widget.setAttribute("api", api);
if (params.get("heartbeat")) widget.setAttribute("heartbeat", params.get("heartbeat"));
document.getElementById("widget-slot").append(widget);

document.getElementById("snippet").textContent =
  `<script type="module" src="${api}/widget.js"></script>\n` +
  `<doithoai-widget dialogue="${dialogue}" lang="${lang}"></doithoai-widget>`;

await import(`${api}/widget.js`);
