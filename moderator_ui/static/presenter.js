// The presenter view: what the presenter reads and who answers, from three
// metres — the question on air (its on-air text if set), the asker's name and
// locality, the official who answers, a clock since it went on air, and the
// next two in the queue (the feed's queue order). Live from the PUBLIC feed
// through the shared reducer (lib/state.js); no controls.
//
// Text is written with textContent; links are shortened to their host (air.js).

import { t } from "./common.js";
import { airText, clock, phaseKey } from "./air.js";
import { fitText } from "./fit.js";
import { h, readJSON, reconcile } from "./lib/dom.js";
import { followAir, refitOnResize } from "./lib/air_page.js";
import { api } from "./lib/api.js";
import { apply, createState, older } from "./lib/state.js";

const root = document.getElementById("presenter");
const slug = root.dataset.slug;
const token = new URLSearchParams(location.search).get("token");

const titleNode = document.getElementById("pv-title");
const phaseNode = document.getElementById("pv-phase");
const clockBox = document.getElementById("pv-clock-box");
const clockNode = document.getElementById("pv-clock");
const connectionNode = document.getElementById("pv-connection");
const numberNode = document.getElementById("pv-number");
const topicNode = document.getElementById("pv-topic");
const emptyNode = document.getElementById("pv-empty");
const questionBox = document.getElementById("pv-question");
const textNode = document.getElementById("pv-text");
const nameNode = document.getElementById("pv-name");
const placeNode = document.getElementById("pv-place");
const officialNode = document.getElementById("pv-official");
const nextList = document.getElementById("pv-next-list");
const nextEmpty = document.getElementById("pv-next-empty");

// The question's type sizes (units of the frame's height), largest first.
const TEXT_SIZES = [7.5, 6.8, 6.2, 5.6, 5, 4.5, 4, 3.6];
// How many of the queue's head the presenter sees coming.
const NEXT_COUNT = 2;

// What the public feed said (lib/state.js), with the dialogue the page has.
const model = createState("public", readJSON("dialogue-data"));
const view = { frame: 0, stamp: "", rows: new Map() };

function schedule() {
  if (!view.frame) view.frame = requestAnimationFrame(draw);
}

function answers(official) {
  if (!official) return t("nobody_answers");
  return t(official.title ? "answers" : "answers_untitled", { name: official.name, title: official.title });
}

function draw() {
  view.frame = 0;
  const dialogue = model.dialogue || {};
  titleNode.textContent = dialogue.title || "";
  phaseNode.textContent = t(phaseKey(dialogue));
  const q = model.onAir ? model.questions[model.onAir] : null;
  root.dataset.state = q ? "on_air" : "idle";
  emptyNode.hidden = Boolean(q);
  questionBox.hidden = !q;
  clockBox.hidden = !q;
  numberNode.textContent = q ? `#${q.id}` : "";
  topicNode.hidden = !(q && q.topic_name);
  topicNode.textContent = (q && q.topic_name) || "";
  drawNext();
  tick();
  const text = q ? airText(q) : "";
  const shown = q && [q.id, text, q.name, q.locality, q.official];
  const stamp = JSON.stringify([shown, innerWidth, innerHeight]);
  if (stamp === view.stamp) return;
  view.stamp = stamp;
  if (!q) {
    delete questionBox.dataset.id;
    return;
  }
  questionBox.dataset.id = q.id;
  nameNode.textContent = q.name || t("anonymous");
  placeNode.textContent = q.locality || "";
  officialNode.textContent = answers(q.official);
  fitText(textNode, text, TEXT_SIZES, () => textNode.scrollHeight <= textNode.clientHeight);
}

function drawNext() {
  const ids = model.queue.slice(0, NEXT_COUNT);
  nextEmpty.hidden = ids.length > 0;
  for (const id of view.rows.keys()) if (!ids.includes(id)) view.rows.delete(id);
  for (const id of ids) {
    const q = model.questions[id];
    const stamp = JSON.stringify([airText(q), q.name, q.locality]);
    const old = view.rows.get(id);
    if (old && old.stamp === stamp) continue;
    const node = h(
      "li",
      { class: "pv-next-item", "data-id": id },
      h(
        "p",
        { class: "pv-next-text" },
        h("span", { class: "pv-next-number", text: `#${id}` }),
        airText(q),
      ),
      h("p", { class: "pv-next-asker", text: [q.name || t("anonymous"), q.locality].filter(Boolean).join(" · ") }),
    );
    if (old) old.node.replaceWith(node);
    view.rows.set(id, { node, stamp });
  }
  reconcile(nextList, ids, (id) => view.rows.get(id).node);
}

/** The clock since the question went on air. */
function tick() {
  const q = model.onAir ? model.questions[model.onAir] : null;
  const text = q ? clock(q.on_air_at, Date.now()) : "00:00";
  if (clockNode.textContent !== text) clockNode.textContent = text;
}

refitOnResize(schedule, () => {
  view.stamp = "";
});
setInterval(tick, 1000);
draw();

/**
 * The head of the queue, read if the feed has not sent it: the first message
 * of the public feed carries only the head of a long queue (docs/api.md), so
 * a question further back that moves up is read from the page of older
 * questions that begins with it (GET .../feed?before=<its id + 1>); a page
 * never overrides what the feed said.
 */
const asked = new Set();
async function readNext() {
  for (const id of model.listed.slice(0, NEXT_COUNT)) {
    if (model.questions[id] || asked.has(id)) continue;
    asked.add(id);
    const epoch = model.epoch;
    const url = `/api/v1/dialogues/${encodeURIComponent(slug)}/feed?before=${Number(id) + 1}`;
    const result = await api(url, {});
    if (!result.ok) continue;
    const found = result.data.questions.filter((q) => q.id === id);
    older(model, found, { epoch, nextBefore: model.nextBefore });
    schedule();
  }
}

followAir(root, connectionNode, {
  slug,
  token,
  after: null,
  onMessage: (message) => {
    apply(model, message);
    schedule();
    readNext();
  },
});
