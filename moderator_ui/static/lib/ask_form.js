// The question form of the public page and of the widget, defined once: its
// fields, labels, limits and rules, and the body it sends, so that both send
// the same body for the same input. Every field the server refuses is shown
// at once, beside its field (aria-invalid, aria-describedby), under a summary
// at the top that takes the focus. What is typed stays on the device until
// the question is accepted (never the phone number or email), so a reload,
// a lost connection or a phase change takes nothing away; when the dialogue
// stops taking questions while someone types, the text stays on screen,
// read-only, to be copied.
//
// The server is the only judge of what is valid: it checks every field at
// once, and a refused question costs neither a rate-limit token nor a proof
// of work (server/actions/submissions.py), so nothing here repeats its rules.
//
// Every string is a msgid of the catalogs, in a t("...") call: the widget's
// bundle and the public page's lib-strings block carry their translations.
// Data is written with textContent only; nothing touches the document when
// this module is imported.

import { errorOf, retryAfter } from "./api.js";
import { randomId, store, stored } from "./device.js";
import { h, length } from "./dom.js";

/** The API's most characters per text field (server/domain/text.py LIMITS; a test compares them). */
export const ASK_LIMITS = { name: 100, organization: 200, text: 2000 };
// A draft nobody sent is forgotten after a week.
const ASK_DRAFT_MS = 7 * 24 * 3600 * 1000;
// What a draft keeps: never the phone number or email.
const ASK_DRAFTED = ["name", "organization", "locality", "topic", "text"];
// The controls that show errors, in the form's order (the summary's too).
const ASK_ORDER = ["name", "organization", "locality", "topic", "text", "phone", "email", "consent"];
// The API's fields (dot paths) whose errors another control shows.
const ASK_CONTROL_OF = { contact: "phone", "contact.phone": "phone", "contact.email": "email" };

/**
 * The form. `t` says a msgid; `prefix` makes its ids unique in the page or
 * the shadow root; `draftKey` names the draft on the device; `buttonClass`
 * and `primaryClass` style its buttons as the host's stylesheet does;
 * `onSubmit()` sends (while it runs, the send button says so and another
 * press does nothing). `node` is the <form>.
 */
export class AskForm {
  constructor(t, { prefix, draftKey, buttonClass = "", primaryClass = "", onSubmit }) {
    this.t = t;
    this.prefix = prefix;
    this.draftKey = draftKey;
    this.onSubmit = onSubmit;
    this.controls = {};
    this.errors = {};
    this.fields = {};
    this.draft = null;
    this.locked = false;
    this.sending = false;
    this.node = this.build(buttonClass, primaryClass);
    this.restore();
  }

  build(buttonClass, primaryClass) {
    const t = this.t;
    const p = this.prefix;
    const c = this.controls;
    const optional = () => h("span", { class: "optional", text: " " + t("(optional)") });
    const field = (name, label, control, { mark = optional(), after = null, described = [] } = {}) => {
      control.id = `${p}-${name}`;
      control.name = name;
      const error = h("p", { class: "field-error", id: `${p}-e-${name}`, hidden: true });
      control.setAttribute("aria-describedby", [...described, after && after.id, error.id].filter(Boolean).join(" "));
      this.errors[name] = error;
      this.fields[name] = h("div", { class: "field" }, h("label", { for: control.id }, label, mark), control, after, error);
      return this.fields[name];
    };
    const choose = () => h("select", {}, h("option", { value: "", text: t("— Choose —") }));
    c.name = h("input", { type: "text", autocomplete: "name", maxlength: ASK_LIMITS.name });
    c.organization = h("input", { type: "text", autocomplete: "organization", maxlength: ASK_LIMITS.organization });
    c.locality = choose();
    c.topic = choose();
    c.text = h("textarea", { rows: "6", maxlength: ASK_LIMITS.text, required: true, oninput: () => this.count() });
    c.phone = h("input", { type: "tel", autocomplete: "tel", inputmode: "tel" });
    c.email = h("input", { type: "email", autocomplete: "email" });
    c.consent = h("input", { type: "checkbox", id: `${p}-consent`, name: "consent" });
    this.counter = h("p", { class: "char-count", id: `${p}-count` });
    this.nameMark = h("span", {});
    this.summaryList = h("ul", {});
    this.summary = h(
      "div",
      { class: "ask-summary", id: `${p}-summary`, tabindex: "-1", role: "group", "aria-labelledby": `${p}-summary-title`, hidden: true },
      h("p", { class: "ask-summary-title", id: `${p}-summary-title`, text: t("The question has not been sent yet. Please look again at:") }),
      this.summaryList,
    );
    this.kept = h("p", { class: "ask-kept", hidden: true, text: t("What you wrote is kept here, so that you can copy it.") });
    this.alert = h("p", { class: "ask-alert", role: "alert", hidden: true });
    this.trap = h("input", { type: "text", name: "website", id: `${p}-website`, tabindex: "-1", autocomplete: "off" });
    this.sendButton = h("button", { type: "submit", id: `${p}-submit`, class: primaryClass, text: t("Send question") });
    this.discardButton = h("button", { type: "button", class: buttonClass, hidden: true, text: t("Delete what I wrote"), onclick: () => this.discard() });
    const contactHint = `${p}-h-contact`;
    const consentError = h("p", { class: "field-error", id: `${p}-e-consent`, hidden: true });
    this.errors.consent = consentError;
    c.consent.setAttribute("aria-describedby", `${consentError.id} ${p}-notice`);
    this.fields.consent = h(
      "div",
      { class: "field" },
      h("label", { class: "check", for: c.consent.id }, c.consent, h("span", { text: t("I agree that the organisers keep this phone number or email and use it to contact me about my question.") })),
      consentError,
    );
    return h(
      "form",
      { id: `${p}-form`, class: "form ask-form", novalidate: true, onsubmit: (event) => this.submitted(event), oninput: () => this.save() },
      this.summary,
      this.kept,
      field("name", t("Full name"), c.name, { mark: this.nameMark }),
      field("organization", t("Organisation or business"), c.organization),
      h("div", { class: "field-pair" }, field("locality", t("Locality"), c.locality), field("topic", t("Topic"), c.topic)),
      field("text", t("Question"), c.text, { mark: null, after: this.counter }),
      h(
        "fieldset",
        { class: "ask-contact" },
        h("legend", {}, t("Contact details"), optional()),
        h("p", { class: "hint", id: contactHint, text: t("So that the organisers can reach you if the question needs clarifying.") }),
        field("phone", t("Phone number"), c.phone, { mark: null, described: [contactHint] }),
        field("email", t("Email address"), c.email, { mark: null, described: [contactHint] }),
        this.fields.consent,
        h("p", { class: "privacy", id: `${p}-notice`, text: t("About your personal data: we keep only the phone number or email you enter, and when you agreed, apart from the question, so that the organisers can contact you about it; it is deleted when the organisers' retention period ends. It is never published. You can delete it yourself at any time on your question's tracking page, with the tracking code you get after sending.") }),
      ),
      h("div", { class: "trap", "aria-hidden": "true" }, h("label", { for: this.trap.id, text: t("Leave this empty") }), this.trap),
      this.alert,
      h("div", { class: "ask-actions" }, this.sendButton, this.discardButton),
    );
  }

  // -- the dialogue -----------------------------------------------------------------

  /** Follow the public dialogue's settings: its topics and localities, whether a
   * name is required, and whether it takes questions (else the form is read-only). */
  setDialogue(dialogue) {
    this.choices("topic", (dialogue.topics || []).map((topic) => [topic.id, topic.name]));
    this.choices("locality", (dialogue.localities || []).map((name) => [name, name]));
    const anonymous = Boolean(dialogue.allow_anonymous);
    this.controls.name.required = !anonymous;
    this.nameMark.textContent = anonymous ? " " + this.t("(optional)") : "";
    this.nameMark.className = anonymous ? "optional" : "";
    this.lock(!dialogue.accepting_questions);
  }

  choices(name, pairs) {
    const select = this.controls[name];
    const chosen = select.value || (this.draft && this.draft[name]) || "";
    this.fields[name].hidden = pairs.length === 0;
    select.replaceChildren(h("option", { value: "", text: this.t("— Choose —") }), ...pairs.map(([value, text]) => h("option", { value, text })));
    select.value = pairs.some(([value]) => value === chosen) ? chosen : "";
  }

  /** Read-only while the dialogue takes no questions: what was typed stays to be copied. */
  lock(locked) {
    this.locked = locked;
    for (const control of Object.values(this.controls)) {
      if (control.tagName === "SELECT" || control.type === "checkbox") control.disabled = locked;
      else control.readOnly = locked;
    }
    this.kept.hidden = !locked;
    this.sendButton.hidden = locked;
    this.discardButton.hidden = !locked;
    if (locked) this.clearErrors();
  }

  /** Whether a question has been typed (a closed dialogue still shows it). */
  hasText() {
    return this.controls.text.value.trim() !== "";
  }

  /** Put the keyboard in the first field (the page's and the widget's "ask" button). */
  focusFirst() {
    const first = [this.controls.name, this.controls.text].find((control) => !control.value) || this.controls.name;
    first.focus();
    first.scrollIntoView({ block: "center" });
  }

  count() {
    const n = length(this.controls.text.value);
    this.counter.textContent = this.t("{n}/{max} characters", { n, max: ASK_LIMITS.text });
    this.counter.classList.toggle("over", n > ASK_LIMITS.text);
  }

  // -- the draft ----------------------------------------------------------------------

  restore() {
    const draft = stored(this.draftKey, null);
    if (draft && Date.now() - draft.at < ASK_DRAFT_MS) {
      this.draft = draft;
      for (const name of ASK_DRAFTED) {
        if (typeof draft[name] === "string") this.controls[name].value = draft[name];
      }
    } else store(this.draftKey, null);
    this.count();
  }

  /** Keep what is typed (and the question's submission id, once it has been sent). */
  save(sid = this.draft && this.draft.sid) {
    const draft = { at: Date.now(), sid: sid || null };
    for (const name of ASK_DRAFTED) draft[name] = this.controls[name].value;
    const empty = ASK_DRAFTED.every((name) => !draft[name]) && !draft.sid;
    this.draft = empty ? null : draft;
    store(this.draftKey, this.draft);
  }

  /** The submission id to send: the draft's (a retry of a question whose answer
   * was lost gets the same tracking code), or a new one kept with the draft. */
  submissionId() {
    const sid = (this.draft && this.draft.sid) || randomId();
    this.save(sid);
    return sid;
  }

  /** The question was accepted (or thrown away): forget it, here and on the device. */
  forget() {
    store(this.draftKey, null);
    this.draft = null;
    this.node.reset();
    this.clearErrors();
    this.count();
  }

  discard() {
    this.forget();
    if (this.locked) this.node.hidden = true;
  }

  // -- sending ------------------------------------------------------------------------

  /** The API's body for what is in the form; `channel` says which form it is. */
  body({ channel, device }) {
    const c = this.controls;
    const body = { text: c.text.value, channel, submission_id: this.submissionId(), device };
    const contact = {};
    for (const name of ["name", "organization", "locality", "topic", "phone", "email"]) {
      const value = c[name].value.trim();
      if (value) (name === "phone" || name === "email" ? contact : body)[name] = value;
    }
    if (contact.phone || contact.email) {
      body.contact = contact;
      body.consent = c.consent.checked;
    }
    // The hidden field people never see: a robot filled it, and the server
    // answers as if it took the question while keeping nothing.
    if (this.trap.value) body.website = this.trap.value;
    return body;
  }

  async submitted(event) {
    event.preventDefault();
    if (this.sending || this.locked) return;
    this.clearErrors();
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
    this.sending = true;
    this.sendButton.setAttribute("aria-disabled", "true");
    this.stage("sending");
    try {
      await this.onSubmit();
    } finally {
      this.sending = false;
      this.sendButton.removeAttribute("aria-disabled");
      this.sendButton.textContent = this.t("Send question");
    }
  }

  /** Say on the send button what sending is doing ("verifying", "sending"). */
  stage(name) {
    this.sendButton.textContent = name === "verifying" ? this.t("Verifying…") : this.t("Sending…");
  }

  /** The tracking code of an accepted question (an api() result); else null,
   * having shown why: every refused field beside itself, or a sentence. */
  report(result) {
    const t = this.t;
    const error = errorOf(result);
    if (result.proofFailed) this.say(t("The anti-robot check could not be completed. Please press “Send question” again."));
    else if (result.status === 202 && result.data && result.data.tracking_code) return result.data.tracking_code;
    else if (result.status === 0) this.say(t("Not sent: there is no connection. Your question is kept; press “Send question” when you are online."));
    else if (result.status === 429) {
      this.say(t("You are sending too fast. Please wait {s} seconds and send again.", { s: retryAfter(result.response) || 60 }));
    } else if (!(result.status < 500 && this.showErrors(error.errors || []))) {
      this.say(typeof error.message === "string" && error.message ? error.message : t("The question was not sent. Please try again."));
    }
    return null;
  }

  /** A sentence about the whole form (no connection, a retry), or none. */
  say(message) {
    this.alert.textContent = message || "";
    this.alert.hidden = !message;
  }

  clearErrors() {
    this.say("");
    this.summary.hidden = true;
    this.summaryList.replaceChildren();
    for (const [name, node] of Object.entries(this.errors)) {
      node.hidden = true;
      node.textContent = "";
      this.controls[name].removeAttribute("aria-invalid");
    }
  }

  /** Show each error ({field, message}) beside its control, in the form's order,
   * listed in the summary, which takes the focus; false when none is a field here. */
  showErrors(errors) {
    const said = new Map();
    for (const { field, message } of errors) {
      const name = ASK_CONTROL_OF[field] || field;
      if (!said.has(name)) said.set(name, message);
    }
    const names = ASK_ORDER.filter((name) => said.has(name));
    if (!names.length) return false;
    for (const name of names) {
      const control = this.controls[name];
      this.errors[name].textContent = said.get(name);
      this.errors[name].hidden = false;
      control.setAttribute("aria-invalid", "true");
      const go = (event) => {
        event.preventDefault();
        control.focus();
      };
      this.summaryList.append(h("li", {}, h("a", { href: `#${control.id}`, text: said.get(name), onclick: go })));
    }
    this.summary.hidden = false;
    this.summary.focus();
    return true;
  }
}

