// The broadcast overlay: a lower third with the question on air, live from
// the PUBLIC feed, for OBS or vMix. It starts from the state the server
// rendered (the dialogue, the question on air, whether the overlay shows, and
// the event id they are current to) and resumes the feed from there, through
// the shared reducer (lib/state.js).
//
// It only ever shows what the public feed carries, writes text with
// textContent, never shows a link raw (air.js) and never lets text overflow:
// the question takes at most three lines, in smaller type step by step, then
// is cut at a word with "…".

import { t } from "./common.js";
import { airText, brandOf, phaseKey } from "./air.js";
import { fitText } from "./fit.js";
import { readJSON } from "./lib/dom.js";
import { followAir, refitOnResize } from "./lib/air_page.js";
import { apply, createState } from "./lib/state.js";

const root = document.getElementById("screen");
const slug = root.dataset.slug;
const initial = readJSON("screen-data") || {};

const panel = document.getElementById("lower-third");
const onAirBody = document.getElementById("on-air");
const idle = document.getElementById("idle");
const idleTitle = document.getElementById("idle-title");
const idlePhase = document.getElementById("idle-phase");
const logo = document.getElementById("lt-logo");
const brandNode = document.getElementById("lt-brand");
const liveNode = document.getElementById("lt-live");
const topicNode = document.getElementById("lt-topic");
const textNode = document.getElementById("lt-text");
const nameNode = document.getElementById("lt-name");
const placeNode = document.getElementById("lt-place");
const officialBox = document.getElementById("lt-official");
const officialName = document.getElementById("lt-official-name");
const officialTitle = document.getElementById("lt-official-title");
const notice = document.getElementById("connection-notice");

// The question's type sizes tried in turn (units of the frame's height),
// largest first; below the last, the text is cut rather than made unreadable.
const TEXT_SIZES = [4.2, 3.9, 3.6, 3.3, 3];
// What the public feed said (lib/state.js), starting from the rendered state.
const model = createState("public");
const view = { frame: 0, stamp: "" };

function schedule() {
  if (!view.frame) view.frame = requestAnimationFrame(draw);
}

function draw() {
  view.frame = 0;
  root.dataset.visible = model.overlay.visible ? "true" : "false";
  const q = model.onAir ? model.questions[model.onAir] : null;
  const dialogue = model.dialogue || {};
  const brand = brandOf(dialogue);
  const text = q ? airText(q) : "";
  // Fitting lays the text out many times: only when what is shown changed.
  const shown = q && [q.id, text, q.topic_name, q.name, q.organization, q.locality, q.official];
  const stamp = JSON.stringify([shown, brand, dialogue.title, dialogue.status, innerWidth, innerHeight]);
  if (stamp === view.stamp) return;
  view.stamp = stamp;
  drawBrand(brand);
  root.dataset.state = q ? "on_air" : "idle";
  root.dataset.phase = dialogue.status || "";
  liveNode.hidden = !q;
  onAirBody.hidden = !q;
  idle.hidden = Boolean(q);
  topicNode.hidden = !(q && q.topic_name);
  topicNode.textContent = (q && q.topic_name) || "";
  if (!q) {
    delete panel.dataset.id;
    idleTitle.textContent = dialogue.title || "";
    idleTitle.hidden = !dialogue.title || dialogue.title === brand.name;
    idlePhase.textContent = t(phaseKey(dialogue));
    return;
  }
  panel.dataset.id = q.id;
  nameNode.textContent = q.name || t("anonymous");
  placeNode.textContent = [q.organization, q.locality].filter(Boolean).join(" · ");
  const official = q.official;
  officialBox.hidden = !official;
  officialName.textContent = official ? official.name : "";
  officialTitle.textContent = official ? official.title || "" : "";
  fitText(textNode, text, TEXT_SIZES, fits);
  root.dataset.fit = `${innerWidth}x${innerHeight}`;
}

/** The dialogue's name, colours and logo (each left as the overlay's own when unset). */
function drawBrand(brand) {
  brandNode.textContent = brand.name;
  for (const [property, value] of [
    ["--brand", brand.color],
    ["--accent", brand.accent],
  ]) {
    if (value) root.style.setProperty(property, value);
    else root.style.removeProperty(property);
  }
  logo.hidden = !brand.logo;
  if (brand.logo && logo.getAttribute("src") !== brand.logo) logo.src = brand.logo;
  if (!brand.logo) logo.removeAttribute("src");
}

function fits() {
  return textNode.scrollHeight <= textNode.clientHeight && panel.scrollHeight <= panel.clientHeight;
}

function receive(message) {
  apply(model, message);
  schedule();
}

refitOnResize(schedule, () => {
  view.stamp = "";
});
apply(model, { type: "snapshot", id: initial.last_event_id || null, data: initial });
draw();

followAir(root, notice, {
  slug,
  token: new URLSearchParams(location.search).get("token") || "",
  after: initial.last_event_id || null,
  onMessage: receive,
});
