// A modal picker for the moderation console: choose one of a few options (a
// reject reason, a topic, an official, a merge target) by its number key, by
// the arrows and Enter, or by a click; Esc cancels.
//
// Built on <dialog>.showModal(): the browser keeps focus inside it and makes
// the rest of the page inert. Labels are set with textContent only.

import { t } from "./common.js";
import { h } from "./lib/dom.js";

let pickerCount = 0;

/**
 * Open a picker. `options`: [{value, label, detail?}]; `preselect`: the value
 * focused first; `extra(choose)`: optional node after the list (it may call
 * `choose(value)`). Resolves to {value} once one is chosen, or null.
 */
export function pick({ title, description = "", options, preselect = undefined, extra = null }) {
  const opener = document.activeElement;
  const id = `picker-${(pickerCount += 1)}`;
  return new Promise((resolve) => {
    let result = null;
    const dialog = h("dialog", {
      class: "picker",
      "aria-labelledby": `${id}-title`,
      "aria-describedby": description ? `${id}-desc` : null,
    });
    const choose = (value) => {
      result = { value };
      dialog.close();
    };
    const buttons = options.map((option, index) =>
      h(
        "button",
        {
          type: "button",
          class: "picker-option",
          "aria-current": option.value === preselect ? "true" : null,
          onclick: () => choose(option.value),
        },
        index < 9 ? h("kbd", { class: "picker-key", text: String(index + 1) }) : null,
        h("span", { class: "picker-label", text: option.label }),
        option.detail ? h("span", { class: "picker-detail", text: option.detail }) : null,
      ),
    );
    const parts = [
      h("h2", { id: `${id}-title`, class: "picker-title", text: title }),
      description ? h("p", { id: `${id}-desc`, class: "picker-help", text: description }) : null,
      buttons.length
        ? h(
            "ul",
            { class: "picker-options" },
            buttons.map((button) => h("li", {}, button)),
          )
        : null,
      extra ? extra(choose) : null,
      h(
        "div",
        { class: "picker-foot" },
        h("button", { type: "button", class: "button", onclick: () => dialog.close(), text: t("cancel") }),
        h("span", { class: "picker-hint", text: t("picker_hint") }),
      ),
    ];
    dialog.append(...parts.filter(Boolean));
    dialog.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
      const at = buttons.indexOf(document.activeElement);
      if (!typing && /^[1-9]$/.test(e.key) && buttons[Number(e.key) - 1]) {
        e.preventDefault();
        buttons[Number(e.key) - 1].click();
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!buttons.length || (typing && at < 0 && e.key === "ArrowUp")) return;
        e.preventDefault();
        const step = e.key === "ArrowDown" ? 1 : -1;
        const next = at < 0 ? 0 : (at + step + buttons.length) % buttons.length;
        buttons[next].focus();
      }
    });
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (!result && opener && opener.isConnected) opener.focus();
      resolve(result);
    });
    document.body.append(dialog);
    dialog.showModal();
    const first = buttons.find((b) => b.getAttribute("aria-current") === "true") || buttons[0];
    if (first) first.focus();
  });
}
