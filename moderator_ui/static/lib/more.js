// Long questions shortened on the public page and in the widget: the first
// few lines, then a real button ("Show more" / "Show less", aria-expanded,
// aria-controls) that shows the rest in place. Short text is left alone.
//
// The caller keeps which questions are unfolded (a card drawn again keeps
// its state). Text is written with textContent only; nothing touches the
// document when this module is imported.

import { h } from "./dom.js";

// Characters past which a text folds, and about how many show while folded
// (cut back to a space when one is near, so no word is split).
const MORE_OVER = 320;
const MORE_KEEP = 240;
const MORE_WORD = 40;

/** The first part of a long `text`, ending with "…"; `text` itself when short. */
export function shortPart(text) {
  const chars = Array.from(text);
  if (chars.length <= MORE_OVER) return text;
  let cut = chars.slice(0, MORE_KEEP).join("");
  const space = cut.search(/\s\S*$/);
  if (space > 0 && cut.length - space < MORE_WORD) cut = cut.slice(0, space);
  return `${cut.trimEnd()}…`;
}

/**
 * A <p> of `text` (with `props`: its class, and an `id` the button controls)
 * and, when the text is long, the button that unfolds it: an array of nodes
 * for h()'s children. `open` is its state; `onToggle(open)` hears each press.
 */
export function readMore(text, t, props, { open = false, onToggle = () => {} } = {}) {
  const short = shortPart(text);
  const node = h("p", { ...props, text: open ? text : short });
  if (short === text) return [node];
  const button = h("button", { type: "button", class: "more", "aria-controls": props.id, "aria-expanded": String(open) });
  const show = (unfolded) => {
    node.textContent = unfolded ? text : short;
    button.setAttribute("aria-expanded", String(unfolded));
    button.textContent = unfolded ? t("Show less") : t("Show more");
  };
  button.addEventListener("click", () => {
    const unfolded = button.getAttribute("aria-expanded") !== "true";
    show(unfolded);
    onToggle(unfolded);
  });
  show(open);
  return [node, button];
}
