// The broadcast overlay: the question on air, live from the PUBLIC feed, for
// OBS or vMix. It starts from the state the server rendered (the on-air
// question and the event id it is current to) and resumes the feed from
// there, through the shared reducer (lib/state.js).
//
// It only ever shows what the public feed carries, writes text with
// textContent, and never lets text overflow: long questions get smaller
// type, step by step, until they fit their box.

import { t } from "./common.js";
import { readJSON } from "./lib/dom.js";
import { Feed } from "./lib/feed.js";
import { apply, createState } from "./lib/state.js";

const root = document.getElementById("screen");
const slug = root.dataset.slug;
const initial = readJSON("screen-data") || {};

const panel = document.getElementById("on-air");
const idle = document.getElementById("idle");
const idleTitle = document.getElementById("idle-title");
const textNode = document.getElementById("lt-text");
const topicNode = document.getElementById("lt-topic");
const nameNode = document.getElementById("lt-name");
const placeNode = document.getElementById("lt-place");
const officialBox = document.getElementById("lt-official");
const officialName = document.getElementById("lt-official-name");
const officialTitle = document.getElementById("lt-official-title");

// Type sizes tried in turn, largest first: the question's own size (a share
// of its full size), then the whole panel's. Small enough at the end that a
// question of the longest allowed length (2000 characters) still fits at
// 1280x720; anything longer is cut with an ellipsis rather than overflow.
const TEXT_STEPS = [1, 0.92, 0.85, 0.78, 0.72, 0.66, 0.61, 0.56, 0.52, 0.48, 0.44, 0.4];
const PANEL_STEPS = [1, 0.9, 0.8, 0.72];
// What the public feed said (lib/state.js), starting from the rendered state.
const model = createState("public");
const view = { frame: 0, stamp: "" };

function schedule() {
  if (!view.frame) view.frame = requestAnimationFrame(draw);
}

function draw() {
  view.frame = 0;
  const q = model.onAir ? model.questions[model.onAir] : null;
  const title = (model.dialogue && model.dialogue.title) || "";
  // Fitting lays the text out many times: only when what is shown changed.
  const shown = q && [q.id, q.text, q.topic_name, q.name, q.organization, q.locality, q.official];
  const stamp = JSON.stringify([shown, title, window.innerWidth, window.innerHeight]);
  if (stamp === view.stamp) return;
  view.stamp = stamp;
  idleTitle.textContent = title;
  root.dataset.state = q ? "on_air" : "idle";
  panel.hidden = !q;
  idle.hidden = Boolean(q);
  if (!q) return;
  panel.dataset.id = q.id;
  topicNode.textContent = q.topic_name || "";
  topicNode.hidden = !q.topic_name;
  nameNode.textContent = q.name || t("anonymous");
  placeNode.textContent = [q.organization, q.locality].filter(Boolean).join(" · ");
  const official = q.official;
  officialBox.hidden = !official;
  officialName.textContent = official ? official.name : "";
  officialTitle.textContent = official ? official.title || "" : "";
  fit(q.text);
  root.dataset.fit = `${window.innerWidth}x${window.innerHeight}`;
}

function overflows(node) {
  return node.scrollHeight > node.clientHeight;
}

function tooBig() {
  return overflows(textNode) || overflows(panel) || overflows(root);
}

function scale(panelScale, textScale) {
  panel.style.setProperty("--panel-scale", String(panelScale));
  textNode.style.setProperty("--text-scale", String(textScale));
}

/** Show `text` at the largest step that fits; cut it only if none does. */
function fit(text) {
  textNode.textContent = text;
  for (const panelScale of PANEL_STEPS) {
    for (const textScale of TEXT_STEPS) {
      scale(panelScale, textScale);
      if (!tooBig()) return;
    }
  }
  // Still too long at the smallest size: keep as much as fits, then "…".
  const chars = [...text];
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    textNode.textContent = `${chars.slice(0, mid).join("").trimEnd()}…`;
    if (tooBig()) high = mid - 1;
    else low = mid;
  }
  textNode.textContent = `${chars.slice(0, low).join("").trimEnd()}…`;
}

function receive(message) {
  apply(model, message);
  schedule();
}

window.addEventListener("resize", schedule);
if (document.fonts && document.fonts.ready) {
  document.fonts.ready.then(() => {
    view.stamp = ""; // the text may take another size in the loaded font
    schedule();
  });
}
apply(model, { type: "snapshot", id: initial.last_event_id || null, data: initial });
draw();

// The overlay's socket names its token, so that rotating the token closes
// it (4403); the page then reloads, and says its link no longer works.
const TOKEN_ROTATED = 4403;

new Feed(`/ws/v1/dialogues/${encodeURIComponent(slug)}/feed`, {
  after: initial.last_event_id || null,
  params: { screen: new URLSearchParams(location.search).get("token") || "" },
  finalCodes: [TOKEN_ROTATED],
  onMessage: receive,
  onStatus: (state) => {
    root.dataset.connection = state;
    if (state === "ended") location.reload();
  },
}).start();
