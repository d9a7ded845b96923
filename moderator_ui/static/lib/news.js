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

/** At most 200 characters of a question (which may have 2,000) to say. */
function cut(text) {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** Tells `say(text)` what feed messages changed: `hear(out, state)` after each apply. */
export class Herald {
  constructor(say, t) {
    Object.assign(this, { say, t, heard: new Set(), news: {}, timer: null });
  }

  hear(out, state) {
    const ids = out.reset ? Object.keys(state.questions) : out.questions.map((change) => change.id);
    for (const id of ids) {
      const q = state.questions[id];
      if (!q) continue;
      // Each change once, by what names it: the moment it went on air, the answer's time.
      const keys = { air: q.status === "on_air" && `air:${id}:${q.on_air_at}`, answer: q.answer && `answer:${id}:${q.answer.answered_at}` };
      for (const [kind, key] of Object.entries(keys)) {
        if (!key || this.heard.has(key)) continue;
        this.heard.add(key);
        if (!out.reset) this.news[kind] = q;
      }
    }
    if (!this.timer && (this.news.air || this.news.answer)) this.timer = setTimeout(() => this.tell(state), GATHER_MS);
  }

  tell(state) {
    const { air, answer } = this.news;
    Object.assign(this, { news: {}, timer: null });
    const parts = [];
    // Only what is still so: a question that left the air meanwhile is not said to be on it.
    if (air && state.questions[air.id] && state.questions[air.id].status === "on_air") parts.push(this.t("Now answering: {text}", { text: cut(air.text) }));
    if (answer) parts.push(this.t("New answer: {text}", { text: cut(answer.text) }));
    if (parts.length) this.say(parts.join(" "));
  }
}
