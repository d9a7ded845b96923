// The staff accounts page (/admin/users): every account with its state,
// whether it administers the system, and its roles in each dialogue; add an
// account, change its roles, disable or enable it, reset its password.
//
// Everything goes through /api/v1/users with the session's CSRF token, and a
// row is redrawn from the server's answer: the page keeps no state the server
// has not confirmed. Text is written with textContent (common.js's h()),
// never as HTML.

import { confirmWith, label, t } from "./common.js";
import { api, csrfToken, errorMessage } from "./lib/api.js";
import { h } from "./lib/dom.js";
import { formatTime } from "./lib/time.js";

const root = document.getElementById("users");
const lang = root.dataset.lang;
const me = root.dataset.me;
const csrf = csrfToken();
const USERS = "/api/v1/users";
const ROLES = root.dataset.roles.split(",");
/** Every dialogue, as [{slug, title}]: the rows of each account's roles table. */
const DIALOGUES = JSON.parse(document.getElementById("dialogues").textContent);

const list = document.getElementById("user-list");
const listMessage = document.getElementById("list-message");

// -- shared ----------------------------------------------------------------------

function call(url, method, body) {
  return api(url, { method, body, csrf, lang });
}

/** A failed call's sentence: the API's own (Vietnamese unless asked otherwise). */
function failure(result) {
  if (result.status === 0) return t("network");
  if (result.status === 401) return t("signed_out");
  return errorMessage(result, t("failed"));
}

function setMessage(node, text, kind = "") {
  node.textContent = text;
  node.dataset.kind = kind;
}

function showFieldError(node, text) {
  const error = node.querySelector(".field-error") || node.parentElement.querySelector(".field-error");
  if (node.matches("input")) node.setAttribute("aria-invalid", "true");
  if (error) {
    error.textContent = text;
    error.hidden = false;
  }
}

function clearErrors(container) {
  for (const node of container.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  for (const node of container.querySelectorAll(".field-error")) {
    node.hidden = true;
    node.textContent = "";
  }
}

/**
 * Show each of the API's field errors (`error.errors`, else `error.field`
 * alone) beside the field it names inside `container`, several for one field
 * together; the first gets the focus. False if none matches a field here.
 */
function showApiError(container, result) {
  const error = result.data && result.data.error;
  if (!error) return false;
  const listed = Array.isArray(error.errors) && error.errors.length
    ? error.errors
    : [{ field: error.field, message: failure(result) }];
  const shown = new Map();
  for (const item of listed) {
    if (!item.field) continue;
    const node = container.querySelector(`[data-field="${CSS.escape(item.field)}"]`);
    if (!node) continue;
    const messages = shown.get(node) || [];
    const message = item.message || failure(result);
    if (!messages.includes(message)) messages.push(message);
    shown.set(node, messages);
  }
  if (!shown.size) return false;
  for (const [node, messages] of shown) showFieldError(node, messages.join(" "));
  const first = shown.keys().next().value;
  const focusable = first.matches("input") ? first : first.querySelector("input:not(:disabled)");
  if (focusable) focusable.focus();
  return true;
}

/** Ask with the page's <dialog>; resolves true when confirmed. */
// -- one account's row -------------------------------------------------------------

let nextId = 0;

/**
 * The roles table: one row per dialogue, one checkbox per role, inside a
 * fieldset that also holds the "administrator of the system" box.
 */
function rolesFields(id, user, own) {
  const admin = h("input", {
    type: "checkbox",
    id: `${id}-admin`,
    checked: Boolean(user && user.admin),
    disabled: own,
    dataset: { admin: "1" },
  });
  const held = (user && user.memberships) || {};
  const head = h("tr", {}, h("th", { scope: "col", text: t("dialogue") }), ...ROLES.map((role) =>
    h("th", { scope: "col", text: label("member_roles", role) }),
  ));
  const rows = DIALOGUES.map((dialogue) =>
    h(
      "tr",
      { dataset: { slug: dialogue.slug } },
      h("th", { scope: "row" }, h("span", { class: "user-dialogue", text: dialogue.title }), " ",
        h("code", { text: dialogue.slug })),
      ...ROLES.map((role) =>
        h(
          "td",
          {},
          h("input", {
            type: "checkbox",
            value: role,
            checked: (held[dialogue.slug] || []).includes(role),
            "aria-label": t("role_in", { role: label("member_roles", role), dialogue: dialogue.title }),
          }),
        ),
      ),
    ),
  );
  return h(
    "fieldset",
    { class: "admin-fieldset user-roles", dataset: { field: "memberships" } },
    h("legend", { text: user ? t("roles_of", { name: user.username }) : t("roles") }),
    h(
      "div",
      { class: "field-check", dataset: { field: "admin" } },
      admin,
      h("label", { for: admin.id, text: t("system_admin") }),
    ),
    DIALOGUES.length
      ? h("div", { class: "user-table" }, h("table", {}, h("thead", {}, head), h("tbody", {}, ...rows)))
      : h("p", { class: "hint", text: t("no_dialogues") }),
    h("p", { class: "field-error", hidden: true }),
  );
}

/** {admin, memberships: {slug: [roles]}} as the fieldset shows it (every dialogue). */
function rolesOf(fieldset) {
  const memberships = {};
  for (const row of fieldset.querySelectorAll("tr[data-slug]")) {
    memberships[row.dataset.slug] = [...row.querySelectorAll("input:checked")].map((box) => box.value);
  }
  return { admin: fieldset.querySelector("[data-admin]").checked, memberships };
}

/**
 * Only what this admin changed on the row: the dialogues whose boxes differ
 * from the account as the page drew it, and the admin flag if it differs.
 * The server keeps every dialogue not named, so a page loaded before another
 * admin's change to other dialogues (or to the flag) does not undo it.
 */
function rolesChanged(user, chosen, own) {
  const memberships = {};
  for (const [slug, roles] of Object.entries(chosen.memberships)) {
    const had = user.memberships[slug] || [];
    if (roles.length !== had.length || !roles.every((role) => had.includes(role))) memberships[slug] = roles;
  }
  const body = { memberships };
  if (!own && chosen.admin !== user.admin) body.admin = chosen.admin;
  return body;
}

function sameRoles(user, chosen) {
  if (chosen.admin !== user.admin) return false;
  return Object.entries(chosen.memberships).every(([slug, roles]) => {
    const had = user.memberships[slug] || [];
    return roles.length === had.length && roles.every((role) => had.includes(role));
  });
}

function drawRow(user) {
  const id = `user-${nextId++}`;
  const own = user.username === me;
  const message = h("p", { class: "admin-message", role: "status", "aria-live": "polite" });

  const meta = [
    user.display_name || null,
    user.created_at ? t("created", { time: formatTime(user.created_at, lang) }) : null,
    user.last_login_at
      ? t("last_login", { time: formatTime(user.last_login_at, lang) })
      : t("never_signed_in"),
    t("sessions", { n: user.sessions }),
  ].filter(Boolean);

  const roles = rolesFields(id, user, own);
  const saveRoles = h("button", {
    type: "button",
    class: "button button-small",
    dataset: { action: "roles" },
    disabled: true,
    text: t("save_roles"),
  });
  roles.addEventListener("change", () => {
    clearErrors(roles);
    saveRoles.disabled = sameRoles(user, rolesOf(roles));
  });
  saveRoles.addEventListener("click", () => {
    change(user, row, rolesChanged(user, rolesOf(roles), own), t("roles_saved"), "roles");
  });

  const toggle = h("button", {
    type: "button",
    class: user.disabled ? "button button-small" : "button button-small button-danger",
    dataset: { action: "state" },
    disabled: own,
    text: user.disabled ? t("enable") : t("disable"),
  });
  toggle.addEventListener("click", async () => {
    if (!user.disabled) {
      const name = user.username;
      if (!(await confirmWith(t("confirm_disable_title", { name }), t("confirm_disable"), t("disable")))) return;
      change(user, row, { disabled: true }, t("disabled_done"), "state");
    } else {
      change(user, row, { disabled: false }, t("enabled_done"), "state");
    }
  });

  const password = h("input", {
    type: "password",
    id: `${id}-password`,
    autocomplete: "new-password",
    dataset: { field: "password" },
    "aria-describedby": `${id}-password-error`,
  });
  password.addEventListener("input", () => clearErrors(passwordForm));
  const passwordForm = h(
    "form",
    { class: "form user-password", novalidate: true },
    h(
      "div",
      { class: "field" },
      h("label", { for: password.id, text: t("new_password", { name: user.username }) }),
      password,
      h("p", { class: "field-error", id: `${id}-password-error`, hidden: true }),
    ),
    h("div", {}, h("button", { type: "submit", class: "button button-small", dataset: { action: "password" }, text: t("set_password") })),
  );
  passwordForm.addEventListener("submit", (event) => {
    event.preventDefault();
    change(user, row, { password: password.value }, t("password_done"), "password");
  });

  const row = h(
    "li",
    { class: "panel admin-item user-item", dataset: { username: user.username, state: user.disabled ? "disabled" : "active" } },
    h(
      "div",
      { class: "admin-item-main" },
      h(
        "h3",
        { class: "user-name", tabindex: "-1" },
        user.username,
        own ? h("span", { class: "user-you", text: ` (${t("you")})` }) : null,
      ),
      h(
        "p",
        { class: "meta" },
        h("span", {
          class: user.disabled ? "badge user-state user-disabled" : "badge user-state user-active",
          text: user.disabled ? t("disabled") : t("active"),
        }),
        ...meta.map((text) => h("span", { text })),
      ),
      own ? h("p", { class: "hint", text: t("own_account") }) : null,
    ),
    h(
      "div",
      { class: "user-controls" },
      roles,
      h("div", { class: "user-tools" }, saveRoles, toggle),
      h("details", { class: "user-reset" }, h("summary", { text: t("reset_password") }), passwordForm),
      message,
    ),
  );
  return row;
}

/** PATCH the account; on success redraw its row (focus back on `action`). */
async function change(user, row, body, done, action) {
  const message = row.querySelector(".admin-message");
  clearErrors(row);
  const buttons = [...row.querySelectorAll("button")];
  const wasDisabled = buttons.map((button) => button.disabled);
  for (const button of buttons) button.disabled = true;
  setMessage(message, t("working"));
  const result = await call(`${USERS}/${encodeURIComponent(user.username)}`, "PATCH", body);
  if (result.ok) {
    const fresh = drawRow(result.data);
    row.replaceWith(fresh);
    setMessage(fresh.querySelector(".admin-message"), done, "ok");
    const again = fresh.querySelector(`[data-action="${action}"]:not(:disabled)`);
    (again || fresh.querySelector("h3")).focus();
    return;
  }
  // Put the row back as the server has it, then say why the change failed.
  const fresh = (await reloadRow(user)) || row;
  if (fresh !== row) {
    row.replaceWith(fresh);
  } else {
    buttons.forEach((button, n) => {
      button.disabled = wasDisabled[n];
    });
  }
  if (action === "password") {
    fresh.querySelector("details").open = true;
    fresh.querySelector('input[type="password"]').value = "";
  }
  showApiError(fresh, result);
  setMessage(fresh.querySelector(".admin-message"), failure(result), "error");
}

async function reloadRow(user) {
  const result = await call(USERS, "GET");
  if (!result.ok || !Array.isArray(result.data)) return null;
  const now = result.data.find((u) => u.username === user.username);
  return now ? drawRow(now) : null;
}

// -- the list ----------------------------------------------------------------------

async function load() {
  setMessage(listMessage, t("loading"));
  const result = await call(USERS, "GET");
  if (!result.ok || !Array.isArray(result.data)) {
    setMessage(listMessage, failure(result), "error");
    return;
  }
  list.replaceChildren(...result.data.map(drawRow));
  setMessage(listMessage, result.data.length ? "" : t("no_users"));
}

// -- the add form ------------------------------------------------------------------

const form = document.getElementById("add-form");
const alertBox = document.getElementById("add-error");
const addMessage = document.getElementById("add-message");
const submit = document.getElementById("add-submit");

form.addEventListener("input", (event) => {
  const box = event.target.closest(".field, fieldset");
  if (box) clearErrors(box);
});

// Disabled in the page until now: a click before this script ran would
// have sent the form to the page's own URL instead of the API.
submit.disabled = false;
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  alertBox.hidden = true;
  submit.disabled = true;
  setMessage(addMessage, t("working"));
  const chosen = rolesOf(form.querySelector("fieldset[data-field='memberships']"));
  const memberships = Object.fromEntries(
    Object.entries(chosen.memberships).filter(([, roles]) => roles.length),
  );
  const body = {
    username: form.elements.username.value.trim(),
    display_name: form.elements.display_name.value,
    password: form.elements.password.value,
    admin: chosen.admin,
    memberships,
  };
  const result = await call(USERS, "POST", body);
  submit.disabled = false;
  if (result.ok) {
    form.reset();
    await load();
    setMessage(addMessage, t("added", { name: result.data.username }), "ok");
    return;
  }
  if (showApiError(form, result)) {
    setMessage(addMessage, t("fix_field"), "error");
  } else {
    setMessage(addMessage, "");
    alertBox.textContent = failure(result);
    alertBox.hidden = false;
  }
});

document.getElementById("add-roles").replaceWith(rolesFields("add", null, false));
load();
