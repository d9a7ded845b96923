// Entering a question received by another channel (hotline, email, paper,
// social media, other) from the moderation console. It goes to the same
// questions endpoint as the public form, with the channel and the staff
// session; the new question then reaches the console through the feed.
//
// Contact data typed here goes only into the request body, never to the page
// beyond its own form fields.

import { t } from "./common.js";
import { api, errorMessage, errorOf } from "./lib/api.js";
import { randomId } from "./lib/device.js";

/** Wire the page's entry form (#entry-form) to POST to `url`. */
export function createEntry({ form, url, csrf, lang, onSignedOut, announce }) {
  const status = form.querySelector("#entry-status");
  const submit = form.querySelector('button[type="submit"]');
  const field = (name) => form.elements.namedItem(name);
  // One id per question being typed: a retry after a lost answer is not a second question.
  let submissionId = randomId();

  function clearErrors() {
    for (const node of form.querySelectorAll(".field-error")) {
      node.textContent = "";
      node.hidden = true;
    }
    for (const node of form.querySelectorAll('[aria-invalid="true"]')) node.removeAttribute("aria-invalid");
  }

  /** The form's control for the API's field `name` (`contact.phone`: phone), or null. */
  function controlOf(name) {
    const key = name === "contact.phone" ? "phone" : name === "contact.email" ? "email" : name;
    const input = key ? field(key) : null;
    const slot = key ? form.querySelector(`#entry-err-${CSS.escape(key)}`) : null;
    return input && slot && input instanceof HTMLElement ? { input, slot } : null;
  }

  /**
   * Show each of `errors` ({field, code, message}) beside its field (the
   * server checks every field at once), the first field at fault focused;
   * the status line says `message` (one error) or how many fields to correct.
   * The consent is the moderator's confirmation of the citizen's, worded so.
   */
  function showErrors(errors, message) {
    const shown = [];
    for (const error of errors) {
      const control = controlOf(error.field);
      if (!control || shown.some((item) => item.input === control.input)) continue;
      const text = error.field === "consent" ? t("entry_consent") : error.message || message;
      control.slot.textContent = text;
      control.slot.hidden = false;
      control.input.setAttribute("aria-invalid", "true");
      shown.push({ ...control, text });
    }
    // The first in the form's order takes the focus.
    shown.sort((a, b) => (a.input.compareDocumentPosition(b.input) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    if (shown.length) shown[0].input.focus();
    const said = shown.length > 1 ? t("entry_fix", { n: shown.length }) : shown.length ? shown[0].text : message;
    status.textContent = said;
    status.dataset.state = "error";
    return said;
  }

  function body() {
    const text = (name) => field(name).value.trim();
    const data = {
      channel: field("channel").value,
      text: field("text").value,
      name: text("name"),
      submission_id: submissionId,
    };
    for (const name of ["organization", "locality", "topic"]) if (text(name)) data[name] = text(name);
    const contact = {};
    if (text("phone")) contact.phone = text("phone");
    if (text("email")) contact.email = text("email");
    if (Object.keys(contact).length) {
      data.contact = contact;
      data.consent = field("consent").checked;
    }
    return data;
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors();
    submit.disabled = true;
    status.dataset.state = "working";
    status.textContent = t("working");
    const result = await api(url, { method: "POST", body: body(), csrf, lang });
    submit.disabled = false;
    if (result.ok) {
      const code = result.data && result.data.tracking_code;
      form.reset();
      submissionId = randomId();
      status.dataset.state = "ok";
      status.textContent = t("entry_done", { code });
      announce(status.textContent);
      field("text").focus();
      return;
    }
    if (result.status === 401) {
      onSignedOut();
      status.textContent = t("signed_out");
      status.dataset.state = "error";
      return;
    }
    const message = result.status === 0 ? t("network") : errorMessage(result, t("failed"));
    const error = errorOf(result);
    const errors = Array.isArray(error.errors) && error.errors.length ? error.errors : [error];
    announce(showErrors(result.status === 0 ? [] : errors, message));
  });
}
