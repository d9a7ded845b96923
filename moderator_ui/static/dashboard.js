// The live dashboard (dashboard.html): the server draws the first figures;
// this script listens to the staff feed and, when something happened,
// fetches GET /api/v1/dialogues/<slug>/dashboard again (at most once a
// second) and redraws the charts and the tables with the template's geometry
// (the same viewBox, rows and scales). Text goes in through textContent only.

import { staffConnection, t, label, raw } from "./common.js";
import { api } from "./lib/api.js";
import { h, readJSON } from "./lib/dom.js";
import { formatTime } from "./lib/time.js";

const SVG = "http://www.w3.org/2000/svg";
// At most one fetch a second, whatever the feed's pace.
const EVERY_MS = 1000;

const root = document.getElementById("dashboard");
const { slug, lang } = root.dataset;

function s(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = String(text);
  return node;
}

const round = (x) => Math.round(x * 10) / 10;

/** dashboard.html's bars(): one row per [label, count]. */
function drawBars(id, rows) {
  const svg = document.getElementById(`${id}-chart`);
  const top = Math.max(0, ...rows.map((r) => r[1]));
  svg.setAttribute("viewBox", `0 0 640 ${8 + 52 * (rows.length || 1)}`);
  const title = svg.querySelector("title");
  svg.replaceChildren(title);
  rows.forEach(([name, n], i) => {
    const width = top ? round((520 * n) / top) : 0;
    const g = s("g", { class: "bar-row", transform: `translate(0 ${52 * i})` });
    g.append(
      s("text", { class: "bar-label", x: 0, y: 20 }, name),
      s("rect", { class: `bar bar-${i % 6}`, x: 0, y: 28, height: 20, width }),
      s("text", { class: "bar-value", x: width + 8, y: 45 }, n),
    );
    svg.append(g);
  });
}

/** dashboard.html's table(): the same rows for screen readers. */
function fillTable(id, rows) {
  const body = document.querySelector(`#${id}-table tbody`);
  body.replaceChildren(...rows.map(([name, n]) => h("tr", {}, h("th", { scope: "row", text: name }), h("td", { text: n }))));
}

function drawMinutes(steps, minutes) {
  const svg = document.getElementById("minutes-chart");
  const top = Math.max(1, ...steps.flatMap((p) => [p.received, p.approved, p.rejected]));
  const dx = steps.length > 1 ? 740 / (steps.length - 1) : 0;
  document.getElementById("minutes-top").textContent = top;
  for (const series of ["received", "approved", "rejected"]) {
    const points = steps.map((p, i) => `${round(50 + dx * i)},${round(220 - (200 * p[series]) / top)}`).join(" ");
    svg.querySelector(`.line-${series}`).setAttribute("points", points);
  }
  for (const [id, step, x, anchor] of [["minutes-first", steps[0], 50, null], ["minutes-last", steps[steps.length - 1], 790, "end"]]) {
    let text = document.getElementById(id);
    if (!step) continue;
    if (!text) {
      text = s("text", { class: "axis-label", x, y: 246, id });
      if (anchor) text.setAttribute("text-anchor", anchor);
      svg.append(text);
    }
    text.textContent = formatTime(step.at, lang);
  }
  const body = document.querySelector("#minutes-table tbody");
  body.replaceChildren(
    ...minutes.map((m) =>
      h("tr", {}, h("th", { scope: "row" }, h("time", { datetime: `${m.at}Z`, text: formatTime(`${m.at}:00Z`, lang) })), h("td", { text: m.received }), h("td", { text: m.approved }), h("td", { text: m.rejected })),
    ),
  );
}

/** dashboard.html's duration(): seconds in the largest unit that fits. */
function duration(seconds) {
  const one = (x) => String(Math.round(x * 10) / 10);
  if (seconds < 60) return t("seconds", { n: seconds });
  if (seconds < 3600) return t("minutes", { n: one(seconds / 60) });
  if (seconds < 86400) return t("hours", { n: one(seconds / 3600) });
  return t("days", { n: one(seconds / 86400) });
}

function fillWait(key, wait) {
  const cells = document.querySelectorAll(`#wait-${key} td`);
  cells[0].textContent = wait.count;
  [wait.median_at_most, wait.p90_at_most].forEach((bound, i) => {
    cells[i + 1].textContent = !wait.count ? "–" : bound === null ? t("above") : duration(bound);
  });
}

function named(items, none) {
  return items.map((item) => [item.name || t(none), item.count]);
}

function show(d) {
  const at = document.getElementById("dash-at");
  at.dateTime = d.at;
  at.textContent = formatTime(d.at, lang);
  const numbers = {
    total: d.total, people: d.people, viewers: d.viewers, "viewers-peak": d.viewers_peak,
    live: d.answered_live, written: d.answered_written, owed: d.owed, overdue: d.overdue,
    clusters: d.clusters, merged: d.merged,
  };
  for (const [id, n] of Object.entries(numbers)) document.getElementById(`dash-${id}`).textContent = n;
  drawMinutes(d.steps, d.minutes);
  const funnel = raw("order").map((code) => [label("statuses", code), d.by_status[code] || 0]);
  const channels = d.by_channel.map((item) => [label("channels", item.name), item.count]);
  for (const [id, rows] of [["status", funnel], ["channel", channels], ["topic", named(d.by_topic, "no_topic")], ["locality", named(d.by_locality, "no_locality")]]) {
    drawBars(id, rows);
    fillTable(id, rows);
  }
  fillWait("decided", d.decided);
  fillWait("answered", d.answered);
  document.querySelector("#supported-table tbody").replaceChildren(
    ...d.supported.map((q) => h("tr", {}, h("td", { text: q.id }), h("th", { scope: "row", text: q.text }), h("td", { text: q.votes }), h("td", { text: label("statuses", q.status) }))),
  );
  document.getElementById("supported-empty")?.toggleAttribute("hidden", d.supported.length > 0);
  root.dataset.updated = d.at;
}

// -- fetching, at most once a second ------------------------------------------

let last = 0;
let timer = null;
let running = false;

async function refresh() {
  timer = null;
  if (running) {
    schedule();
    return;
  }
  running = true;
  last = Date.now();
  const result = await api(`/api/v1/dialogues/${encodeURIComponent(slug)}/dashboard`, { lang });
  running = false;
  if (result.status === 401) signedOut();
  if (result.ok) show(result.data);
}

function schedule() {
  if (timer !== null) return;
  timer = setTimeout(refresh, Math.max(0, last + EVERY_MS - Date.now()));
}

const connection = document.getElementById("connection");
const notice = document.getElementById("notice");
const first = readJSON("dashboard-data");
// From the figures' event on: the staff snapshot (every open question) is not needed here.
const { feed, signedOut } = staffConnection(slug, { onMessage: schedule, connection, notice, lang, after: first.last_event_id });
show(first);
feed.start();
