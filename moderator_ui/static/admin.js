// The admin's pages: create a dialogue (/admin), and edit one dialogue's
// settings, switch its phase, manage its broadcast overlay address and route
// the written answers owed without an official (/admin/<slug>).
//
// Everything goes through the JSON API with the session's CSRF token; the
// page keeps no state the server does not confirm. Every error the API names
// a field for (`error.errors`, dot paths such as officials.1.name) is shown
// next to that field. Text is written with textContent, never as HTML.

import { confirmWith, label, raw, t } from "./common.js";
import { api, csrfToken, errorMessage } from "./lib/api.js";
import { h, readJSON } from "./lib/dom.js";
import { showUnowned } from "./unowned_admin.js";

const root = document.getElementById("admin");
const lang = root.dataset.lang;
const csrf = csrfToken();
const DIALOGUES = "/api/v1/dialogues";

// -- shared: field errors and API calls --------------------------------------

/** The `.field-error` of the field or fieldset holding `node`. */
function errorNodeOf(node) {
  const box = node.closest(".field, fieldset");
  return box ? box.querySelector(".field-error") : null;
}

function clearError(node) {
  node.removeAttribute("aria-invalid");
  const error = errorNodeOf(node);
  if (error) {
    error.hidden = true;
    error.textContent = "";
  }
}

function clearErrors(container) {
  for (const node of container.querySelectorAll("[aria-invalid]")) clearError(node);
  for (const error of container.querySelectorAll(".field-error")) {
    error.hidden = true;
    error.textContent = "";
  }
}

/**
 * The element an API error's dot path names: the exact field, else (for an
 * id the page derives from a name) the name beside it, else its nearest
 * enclosing field: "localities.3" is the localities box.
 */
function fieldFor(container, path) {
  const find = (name) => container.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (!path) return null;
  if (path.endsWith(".id")) {
    const named = find(`${path.slice(0, -3)}.name`);
    if (named) return named;
  }
  const parts = path.split(".");
  while (parts.length) {
    const found = find(parts.join("."));
    if (found) return found;
    parts.pop();
  }
  return null;
}

/**
 * Show each of the API's field errors (`error.errors`, else `error.field`
 * alone) next to the field it names, several for one field together; the
 * first field shown gets the focus. False if none matches a field here.
 */
function showFieldError(container, result) {
  const error = result.data && result.data.error;
  if (!error) return false;
  const listed = Array.isArray(error.errors) && error.errors.length
    ? error.errors
    : [{ field: error.field, message: errorMessage(result, t("failed")) }];
  const shown = new Map();
  let first = null;
  for (const item of listed) {
    const node = fieldFor(container, item.field);
    if (!node) continue;
    first = first || node;
    if (node.matches("input, select, textarea")) node.setAttribute("aria-invalid", "true");
    const target = errorNodeOf(node);
    if (!target) continue;
    const messages = shown.get(target) || [];
    const message = item.message || errorMessage(result, t("failed"));
    if (!messages.includes(message)) messages.push(message);
    shown.set(target, messages);
  }
  if (!first) return false;
  for (const [target, messages] of shown) {
    target.textContent = messages.join(" ");
    target.hidden = false;
  }
  const focusable = first.matches("input, select, textarea") ? first : first.querySelector("input, select, textarea, button");
  if (focusable) focusable.focus();
  return true;
}

/** A failed call's sentence for a status line or an alert. */
function failure(result) {
  if (result.status === 0) return t("network");
  if (result.status === 401) return t("signed_out");
  return errorMessage(result, t("failed"));
}

function call(url, method, body) {
  return api(url, { method, body, csrf, lang });
}

/** "Chuyển đổi số" -> "chuyen-doi-so": ids and slugs from Vietnamese names. */
export function slugify(text, max = 60) {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
}

function setMessage(node, text, kind = "") {
  node.textContent = text;
  node.dataset.kind = kind;
}

// -- /admin: the list and the create form ------------------------------------

function listPage() {
  const form = document.getElementById("create-form");
  const title = document.getElementById("create-title");
  const slug = document.getElementById("create-slug");
  const alert = document.getElementById("create-error");
  const submit = form.querySelector('button[type="submit"]');
  let slugTouched = false;

  title.addEventListener("input", () => {
    clearError(title);
    if (!slugTouched) slug.value = slugify(title.value);
  });
  slug.addEventListener("input", () => {
    slugTouched = slug.value !== "";
    clearError(slug);
  });
  // A title typed on a slow connection, before this script ran, still
  // gets its slug.
  if (title.value && !slug.value) slug.value = slugify(title.value);

  // Disabled in the page until now: a click before this script ran would
  // have sent the form to the page's own URL instead of the API.
  submit.disabled = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    alert.hidden = true;
    submit.disabled = true;
    const result = await call(DIALOGUES, "POST", { slug: slug.value.trim(), title: title.value });
    submit.disabled = false;
    if (result.ok) {
      location.assign(`/admin/${encodeURIComponent(result.data.slug)}`);
      return;
    }
    if (!showFieldError(form, result)) {
      alert.textContent = failure(result);
      alert.hidden = false;
    }
  });
}

// -- /admin/<slug>: phase, settings, overlay ---------------------------------

function dialoguePage() {
  const slug = root.dataset.slug;
  const base = `${DIALOGUES}/${encodeURIComponent(slug)}`;
  const steps = readJSON("steps");

  const form = document.getElementById("settings-form");
  const formError = document.getElementById("settings-error");
  const formMessage = document.getElementById("settings-message");
  const saveButton = document.getElementById("save");
  const titleNode = document.getElementById("dialogue-title");
  const badge = document.getElementById("phase-badge");
  const phaseSteps = document.getElementById("phase-steps");
  const phaseMessage = document.getElementById("phase-message");
  const fields = {
    title: document.getElementById("f-title"),
    description: document.getElementById("f-description"),
    starts_at: document.getElementById("f-starts"),
    ends_at: document.getElementById("f-ends"),
    stream_url: document.getElementById("f-stream"),
    allow_anonymous: document.getElementById("f-anonymous"),
    proof_of_work: document.getElementById("f-proof"),
    localities: document.getElementById("f-localities"),
    blocked: document.getElementById("f-blocked"),
    widget_origins: document.getElementById("f-origins"),
  };
  const topicList = document.getElementById("topics");
  const officialList = document.getElementById("officials");
  const defaultList = document.getElementById("defaults");

  // What this page holds. Rows carry a page-only key; `id` is the saved id
  // (null until saved: a new row's id is made from its name when it is sent).
  const page = {
    doc: readJSON("settings"), // the dialogue as the server last said
    nextKey: 0,
    topics: [],
    officials: [],
    defaults: new Map(), // topic row key -> official row key
    baseline: null, // the payload of the settings as last saved
    formDoc: null, // the dialogue as the form was last filled from it
  };

  // -- phase ---------------------------------------------------------------

  function phaseName(status) {
    return label("dialogue_statuses", status);
  }

  function drawPhase() {
    const status = page.doc.status;
    badge.textContent = phaseName(status);
    badge.className = `badge dialogue-${status}`;
    badge.dataset.phase = status;
    for (const item of document.querySelectorAll(".phase-step")) {
      if (item.dataset.phase === status) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    }
    const targets = steps[status] || [];
    const order = [...document.querySelectorAll(".phase-step")].map((node) => node.dataset.phase);
    phaseSteps.replaceChildren(
      ...targets.map((target) =>
        status === "live" && target === "closed"
          ? wrapUpLink()
          : h("button", {
              type: "button",
              class: order.indexOf(target) > order.indexOf(status) ? "button button-primary" : "button",
              dataset: { target },
              text: raw("step")[`${status}>${target}`] || phaseName(target),
              onclick: () => switchPhase(target),
            }),
      ),
    );
    if (status === "live") phaseSteps.append(h("p", { class: "hint", id: "wrap-up-hint", text: t("wrap_up_hint") }));
    if (!targets.length) phaseSteps.append(h("p", { class: "hint", text: t("no_steps") }));
  }

  /** A live dialogue ends through the wrap-up of its broadcast, never by a switch. */
  function wrapUpLink() {
    return h("a", { class: "button button-primary", id: "wrap-up-link", href: root.dataset.wrapUp, text: raw("step")["live>closed"] });
  }

  async function switchPhase(target) {
    const from = page.doc.status;
    const verb = raw("step")[`${from}>${target}`];
    // Every phase change asks first, saying what it does to citizens and staff.
    const [title, text] = raw("confirm_step")[`${from}>${target}`] || [t("confirm_live_title"), t("confirm_live")];
    if (!(await confirmWith(title, text, verb))) return;
    for (const button of phaseSteps.querySelectorAll("button")) button.disabled = true;
    setMessage(phaseMessage, t("working"));
    const result = await call(`${base}/status`, "POST", { status: target, version: page.doc.version });
    if (result.ok) {
      // Only this phase change came between: the form is still current.
      if (page.formDoc.version === page.doc.version) page.formDoc = { ...page.formDoc, version: result.data.version };
      page.doc = { ...page.doc, ...result.data };
      drawPhase();
      setMessage(phaseMessage, t("now_in_phase", { phase: phaseName(page.doc.status) }), "ok");
      const first = phaseSteps.querySelector("button");
      (first || document.getElementById("phase-heading")).focus();
      return;
    }
    setMessage(phaseMessage, failure(result), "error");
    if (result.status === 409) await reload();
    else drawPhase();
  }

  /** Take the dialogue as the server has it now (after someone else's change). */
  async function reload() {
    const result = await call(`${base}/settings`, "GET");
    if (!result.ok) return;
    page.doc = result.data;
    drawPhase();
  }

  // -- settings: the form from a dialogue, and back --------------------------

  /** An ISO time as a datetime-local value in Vietnam's clock (UTC+7, no DST). */
  function toLocalInput(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    return new Date(date.getTime() + 7 * 3600 * 1000).toISOString().slice(0, 16);
  }

  function fromLocalInput(value) {
    if (!value) return null;
    return `${value.length === 16 ? `${value}:00` : value.slice(0, 19)}+07:00`;
  }

  function lines(text) {
    return text
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
  }

  function fill(dialogue) {
    fields.title.value = dialogue.title || "";
    fields.description.value = dialogue.description || "";
    fields.starts_at.value = toLocalInput(dialogue.starts_at);
    fields.ends_at.value = toLocalInput(dialogue.ends_at);
    fields.stream_url.value = dialogue.stream_url || "";
    fields.allow_anonymous.checked = Boolean(dialogue.allow_anonymous);
    fields.proof_of_work.checked = Boolean(dialogue.proof_of_work);
    fields.localities.value = (dialogue.localities || []).join("\n");
    fields.blocked.value = ((dialogue.policy || {}).extra_blocked || []).join("\n");
    fields.widget_origins.value = (dialogue.widget_origins || []).join("\n");
    page.topics = (dialogue.topics || []).map((topic) => ({ key: page.nextKey++, id: topic.id, name: topic.name }));
    page.officials = (dialogue.officials || []).map((o) => ({
      key: page.nextKey++,
      id: o.id,
      name: o.name || "",
      title: o.title || "",
      username: o.username || "",
      aides: (o.aides || []).join(", "),
    }));
    page.defaults = new Map();
    for (const [topicId, officialId] of Object.entries(dialogue.topic_officials || {})) {
      const topic = page.topics.find((row) => row.id === topicId);
      const official = page.officials.find((row) => row.id === officialId);
      if (topic && official) page.defaults.set(topic.key, official.key);
    }
    drawTopics();
    drawOfficials();
    drawDefaults();
    titleNode.textContent = dialogue.title;
    page.formDoc = dialogue;
    page.baseline = payload();
  }

  /** Ids for the rows: saved ones keep theirs, new ones get one from their name. */
  function assignIds(rows, fallback) {
    const taken = new Set(rows.filter((row) => row.id).map((row) => row.id));
    const ids = new Map();
    for (const row of rows) {
      if (row.id) {
        ids.set(row.key, row.id);
        continue;
      }
      const stem = slugify(row.name) || fallback;
      let id = stem;
      for (let n = 2; taken.has(id); n += 1) id = `${stem}-${n}`;
      taken.add(id);
      ids.set(row.key, id);
    }
    return ids;
  }

  /** The PATCH body the form describes now (every editable field). */
  function payload() {
    const topicIds = assignIds(page.topics, "chu-de");
    const officialIds = assignIds(page.officials, "lanh-dao");
    const mapping = {};
    for (const topic of page.topics) {
      const official = page.defaults.get(topic.key);
      if (official !== undefined && officialIds.has(official)) {
        mapping[topicIds.get(topic.key)] = officialIds.get(official);
      }
      const select = defaultList.querySelector(`select[data-key="${topic.key}"]`);
      if (select) select.dataset.field = `topic_officials.${topicIds.get(topic.key)}`;
    }
    return {
      title: fields.title.value,
      description: fields.description.value,
      starts_at: fromLocalInput(fields.starts_at.value),
      ends_at: fromLocalInput(fields.ends_at.value),
      stream_url: fields.stream_url.value.trim() || null,
      allow_anonymous: fields.allow_anonymous.checked,
      proof_of_work: fields.proof_of_work.checked,
      localities: lines(fields.localities.value),
      policy: { extra_blocked: lines(fields.blocked.value) },
      widget_origins: lines(fields.widget_origins.value),
      topics: page.topics.map((topic) => ({ id: topicIds.get(topic.key), name: topic.name })),
      officials: page.officials.map((o) => ({
        id: officialIds.get(o.key),
        name: o.name,
        title: o.title,
        username: o.username.trim() || null,
        aides: o.aides
          .split(",")
          .map((aide) => aide.trim())
          .filter(Boolean),
      })),
      topic_officials: mapping,
    };
  }

  /** Only what changed; topics, officials and their defaults travel together. */
  function changes(now) {
    const body = {};
    for (const [key, value] of Object.entries(now)) {
      if (JSON.stringify(value) !== JSON.stringify(page.baseline[key])) body[key] = value;
    }
    if ("topics" in body || "officials" in body || "topic_officials" in body) {
      body.topics = now.topics;
      body.officials = now.officials;
      body.topic_officials = now.topic_officials;
    }
    return body;
  }

  // -- settings: rows --------------------------------------------------------

  function input(props, onInput) {
    const node = h("input", { type: "text", ...props });
    node.addEventListener("input", () => {
      clearError(node);
      onInput(node.value);
    });
    return node;
  }

  function field(id, text, control, hideLabel = false) {
    control.id = id;
    control.setAttribute("aria-describedby", `${id}-error`);
    return h(
      "div",
      { class: "field" },
      h("label", { for: id, text, class: hideLabel ? "visually-hidden" : null }),
      control,
      h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
    );
  }

  /** A row's "remove" button, its label naming the row (`label()`, read again on `relabel`). */
  function removeButton(label, onclick) {
    const button = h("button", {
      type: "button",
      class: "button button-small button-danger",
      text: t("remove"),
      "aria-label": label(),
      onclick,
    });
    button.relabel = () => button.setAttribute("aria-label", label());
    return button;
  }

  function drawTopics(focusKey = null) {
    const rows = page.topics.map((topic, n) => {
      const remove = removeButton(
        () => t("remove_topic", { name: topic.name || t("new_topic") }),
        () => removeRow(page.topics, topic, drawTopics, "add-topic"),
      );
      const name = input({ value: topic.name, maxlength: "100", "data-field": `topics.${n}.name` }, (value) => {
        topic.name = value;
        remove.relabel();
        drawDefaults();
      });
      const box = field(`topic-${topic.key}`, t("topic_no", { n: n + 1 }), name, true);
      if (topic.id) name.after(h("span", { class: "admin-code", text: t("code", { id: topic.id }) }));
      const row = h(
        "li",
        { class: "admin-row", dataset: { key: topic.key } },
        h("div", { class: "admin-row-fields" }, box),
        h("div", { class: "admin-row-tools" }, remove),
      );
      if (topic.key === focusKey) queueMicrotask(() => name.focus());
      return row;
    });
    topicList.replaceChildren(...rows);
    document.getElementById("topics-empty").hidden = page.topics.length > 0;
  }

  function drawOfficials(focusKey = null) {
    const rows = page.officials.map((official, n) => {
      const path = `officials.${n}`;
      const remove = removeButton(
        () => t("remove_official", { name: official.name || t("new_official") }),
        () => removeRow(page.officials, official, drawOfficials, "add-official"),
      );
      const set = (key) => (value) => {
        official[key] = value;
        if (key !== "name") return;
        remove.relabel();
        drawDefaults();
      };
      const name = input({ value: official.name, maxlength: "200", "data-field": `${path}.name` }, set("name"));
      const title = input({ value: official.title, maxlength: "300", "data-field": `${path}.title` }, set("title"));
      const username = input(
        { value: official.username, maxlength: "64", autocapitalize: "none", spellcheck: "false", "data-field": `${path}.username` },
        set("username"),
      );
      const aides = input(
        { value: official.aides, autocapitalize: "none", spellcheck: "false", "data-field": `${path}.aides` },
        set("aides"),
      );
      const id = `official-${official.key}`;
      const row = h(
        "li",
        { class: "admin-row admin-row-official", dataset: { key: official.key } },
        h(
          "div",
          { class: "admin-row-head" },
          h("h3", { class: "admin-row-title", text: t("official_no", { n: n + 1 }) }),
          official.id ? h("span", { class: "admin-code", text: t("code", { id: official.id }) }) : null,
          remove,
        ),
        h(
          "div",
          { class: "admin-row-fields admin-grid" },
          field(`${id}-name`, t("official_name"), name),
          field(`${id}-title`, t("official_title"), title),
          field(`${id}-username`, t("official_username"), username),
          field(`${id}-aides`, t("official_aides"), aides),
        ),
      );
      if (official.key === focusKey) queueMicrotask(() => name.focus());
      return row;
    });
    officialList.replaceChildren(...rows);
    document.getElementById("officials-empty").hidden = page.officials.length > 0;
  }

  function drawDefaults() {
    const items = page.topics.map((topic) => {
      const topicName = topic.name || t("new_topic");
      const id = `default-${topic.key}`;
      const chosen = page.defaults.get(topic.key);
      const select = h(
        "select",
        { id, dataset: { key: topic.key }, "aria-describedby": `${id}-error` },
        h("option", { value: "", text: t("no_default") }),
        ...page.officials.map((o, n) =>
          h("option", {
            value: String(o.key),
            text: o.name || t("official_no", { n: n + 1 }),
            selected: o.key === chosen,
          }),
        ),
      );
      select.addEventListener("change", () => {
        clearError(select);
        if (select.value === "") page.defaults.delete(topic.key);
        else page.defaults.set(topic.key, Number(select.value));
      });
      return h(
        "li",
        { class: "field admin-default" },
        h("label", { for: id, text: topicName }),
        select,
        h("p", { class: "field-error", id: `${id}-error`, hidden: true }),
      );
    });
    // Keep the focus where it is: a select being used is not rebuilt under the user.
    const active = document.activeElement;
    if (active && defaultList.contains(active)) return;
    defaultList.replaceChildren(...items);
    document.getElementById("defaults-empty").hidden = page.topics.length > 0 && page.officials.length > 0;
    payload(); // refresh the selects' field paths
  }

  function removeRow(rows, row, draw, addId) {
    const index = rows.indexOf(row);
    rows.splice(index, 1);
    if (rows === page.topics) page.defaults.delete(row.key);
    else for (const [topic, official] of page.defaults) if (official === row.key) page.defaults.delete(topic);
    draw();
    drawDefaults();
    const list = rows === page.topics ? topicList : officialList;
    const neighbour = list.children[Math.min(index, list.children.length - 1)];
    (neighbour ? neighbour.querySelector("input") : document.getElementById(addId)).focus();
  }

  document.getElementById("add-topic").addEventListener("click", () => {
    const topic = { key: page.nextKey++, id: null, name: "" };
    page.topics.push(topic);
    drawTopics(topic.key);
    drawDefaults();
  });

  document.getElementById("add-official").addEventListener("click", () => {
    const official = { key: page.nextKey++, id: null, name: "", title: "", username: "", aides: "" };
    page.officials.push(official);
    drawOfficials(official.key);
    drawDefaults();
  });

  for (const node of Object.values(fields)) node.addEventListener("input", () => clearError(node));

  // Disabled in the page until now: a click before this script ran would
  // have sent the form to the page's own URL instead of the API.
  saveButton.disabled = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    formError.hidden = true;
    const body = changes(payload());
    if (!Object.keys(body).length) {
      setMessage(formMessage, t("nothing_to_save"));
      return;
    }
    saveButton.disabled = true;
    setMessage(formMessage, t("working"));
    let result = await call(base, "PATCH", { ...body, version: page.formDoc.version });
    if (isStale(result)) result = await saveOverOthers(body);
    saveButton.disabled = false;
    if (result.ok) {
      page.doc = result.data;
      fill(page.doc);
      drawPhase();
      setMessage(formMessage, t("saved"), "ok");
      return;
    }
    if (isStale(result)) {
      setMessage(formMessage, "");
      formError.textContent = t("changed_meanwhile");
      formError.hidden = false;
    } else if (showFieldError(form, result)) {
      setMessage(formMessage, t("fix_field"), "error");
    } else {
      setMessage(formMessage, "");
      formError.textContent = failure(result);
      formError.hidden = false;
    }
  });

  function isStale(result) {
    const error = result.data && result.data.error;
    return result.status === 409 && Boolean(error) && error.field === "version";
  }

  /**
   * Another admin saved since this form was filled. If they changed none of
   * the settings this admin changed, save this admin's changes on top of
   * theirs. Otherwise keep this admin's form as it is, take the new version
   * (so that saving again overwrites theirs), and let the caller say so.
   */
  async function saveOverOthers(body) {
    const latest = await call(`${base}/settings`, "GET");
    if (!latest.ok) return latest;
    page.doc = latest.data;
    drawPhase();
    const changedByOthers = Object.keys(body).some(
      (key) => JSON.stringify(page.formDoc[key]) !== JSON.stringify(page.doc[key]),
    );
    if (changedByOthers) {
      page.formDoc = { ...page.formDoc, version: page.doc.version };
      return { ok: false, status: 409, data: { error: { field: "version" } } };
    }
    return call(base, "PATCH", { ...body, version: page.doc.version });
  }

  // -- overlay ---------------------------------------------------------------

  const screenUrl = document.getElementById("screen-url");
  const copyButton = document.getElementById("copy-screen");
  const rotateButton = document.getElementById("rotate-screen");
  const screenMessage = document.getElementById("screen-message");

  function showScreen(result) {
    if (!result.ok) {
      setMessage(screenMessage, result.status === 0 ? t("screen_unavailable") : failure(result), "error");
      return false;
    }
    screenUrl.value = result.data.url;
    copyButton.disabled = false;
    rotateButton.disabled = false;
    return true;
  }

  copyButton.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(screenUrl.value);
      setMessage(screenMessage, t("copied"), "ok");
    } catch {
      screenUrl.focus();
      screenUrl.select();
      setMessage(screenMessage, t("copy_manually"));
    }
  });

  rotateButton.addEventListener("click", async () => {
    const yes = rotateButton.textContent.trim();
    if (!(await confirmWith(t("confirm_rotate_title"), t("confirm_rotate"), yes))) return;
    rotateButton.disabled = true;
    setMessage(screenMessage, t("working"));
    const result = await call(`${base}/screen/rotate`, "POST");
    rotateButton.disabled = false;
    if (showScreen(result)) setMessage(screenMessage, t("rotated"), "ok");
  });

  fill(page.doc);
  drawPhase();
  call(`${base}/screen`, "GET").then(showScreen);
  showUnowned({ base, csrf, lang, officials: page.doc.officials || [] });
}

if (root.dataset.page === "list") listPage();
else dialoguePage();
