// What the public page gives a citizen to follow their questions and the
// broadcast beside public.js's feed and form: "My questions" (the questions
// this device sent, with their state, lib/my_questions.js), the copy button of
// the tracking code a question just got, and what a screen reader hears of
// the feed (lib/news.js). Its strings are the shared modules' msgids, from
// dialogue.html's lib-i18n block.

import { api } from "./lib/api.js";
import { copyCode } from "./lib/copy.js";
import { readJSON } from "./lib/dom.js";
import { translator } from "./lib/i18n.js";
import { MyQuestions } from "./lib/my_questions.js";
import { Herald } from "./lib/news.js";

/**
 * The following parts of the page of `slug` in `lang`; `say(text)` speaks in
 * the page's live region. Returns hear(message, out, state) for each feed
 * message after its apply, sent(code, text) once a question is accepted,
 * and start() once the page's snapshot is drawn.
 */
export function following({ slug, lang, say }) {
  const { t } = translator(readJSON("lib-i18n"));
  const mine = new MyQuestions({ slug, t, lang, call: (url) => api(url, { lang, cache: "no-store" }) });
  document.getElementById("my-questions").replaceChildren(mine.node);
  const herald = new Herald(say, t);
  const code = document.getElementById("ask-code");
  const copied = document.getElementById("ask-copied");
  const copy = document.getElementById("ask-copy");
  copy.hidden = false;
  copy.addEventListener("click", async () => {
    copied.textContent = await copyCode(code.textContent, code, t);
  });
  return {
    hear(message, out, state) {
      herald.hear(out, state);
      mine.hear(message);
    },
    sent(tracking, text) {
      copied.textContent = "";
      mine.add(tracking, text);
    },
    start: () => mine.start(),
  };
}
