// What a screen reader hears of the public feed, on the public page and in
// the widget: the question put on air, and an answer given. Each change is
// said once (a question on air again later is a new change), a snapshot says
// nothing (what was already so when the page opened, or after a resume, is
// not news), and changes that come together (a replay after a lost
// connection) are said in one announcement, the latest of each kind.
//
// It reads the state (lib/state.js) and what an apply changed, and calls the
// `say` it was given: it never touches the document itself, nor holds a
// string of its own (msgids go through `t`).

// Changes that come this close together are said together.
const GATHER_MS = 300;
// An announcement longer than this is cut: a question may be 2,000 characters.
const MAX_SAID = 200;

function shorten(text) {
  return text.length > MAX_SAID ? `${text.slice(0, MAX_SAID - 1)}…` : text;
}

/** The changes of one question worth hearing, each with the key that names it once. */
function changesOf(q) {
  const found = [];
  if (q.status === "on_air") found.push({ kind: "air", key: `air:${q.id}:${q.on_air_at || ""}` });
  if (q.answer) found.push({ kind: "answer", key: `answer:${q.id}:${q.answer.answered_at || ""}` });
  return found;
}

/**
 * Tells `say(text)` what a feed message changed. `hear(out, state)` after
 * each apply: `out` is what apply returned, `state` the state after it.
 */
export class Herald {
  constructor(say, t) {
    this.say = say;
    this.t = t;
    this.heard = new Set();
    this.news = new Map(); // kind -> question
    this.timer = null;
  }

  hear(out, state) {
    const reset = out.reset;
    for (const { id } of reset ? Object.keys(state.questions).map((key) => ({ id: key })) : out.questions) {
      const q = state.questions[id];
      if (!q) continue;
      for (const { kind, key } of changesOf(q)) {
        if (this.heard.has(key)) continue;
        this.heard.add(key);
        if (!reset) this.news.set(kind, q);
      }
    }
    if (this.news.size && !this.timer) this.timer = setTimeout(() => this.tell(state), GATHER_MS);
  }

  tell(state) {
    this.timer = null;
    const parts = [];
    const air = this.news.get("air");
    // Only what is still so: a question that left the air meanwhile is not on it.
    if (air && state.questions[air.id] && state.questions[air.id].status === "on_air") {
      parts.push(this.t("Now answering: {text}", { text: shorten(air.text) }));
    }
    const answer = this.news.get("answer");
    if (answer) parts.push(this.t("New answer: {text}", { text: shorten(answer.text) }));
    this.news.clear();
    if (parts.length) this.say(parts.join(" "));
  }
}
