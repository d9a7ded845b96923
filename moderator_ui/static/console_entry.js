// Entering a question received by another channel (hotline, email, paper,
// social media, other) from the moderation console. It goes to the same
// questions endpoint as the public form, with the channel and the staff
// session; the new question then reaches the console through the feed.
//
// Contact data typed here goes only into the request body, never to the page
// beyond its own form fields.

import { t } from "./common.js";
import { api, errorMessage } from "./lib/api.js";
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

  function showError(name, message) {
    const key = name === "contact.phone" ? "phone" : name === "contact.email" ? "email" : name;
    const input = key ? field(key) : null;
    const slot = key ? form.querySelector(`#entry-err-${CSS.escape(key)}`) : null;
    if (input && slot) {
      slot.textContent = message;
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    status.textContent = message;
    status.dataset.state = "error";
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
    const error = result.data && result.data.error;
    showError(error && error.field, message);
    announce(message);
  });
}
