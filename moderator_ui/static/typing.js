// Whether the person at a staff page is typing: what decides that a page
// older than the node reloads by itself or only offers a link (common.js).

// The kinds of <input> that take typed text; a checkbox, a radio button or a
// button with the focus is not typing, whatever its value.
const TYPED = new Set(["text", "search", "email", "url", "tel", "number", "password"]);

/** True when `field` (the focused element) holds text being typed: a
 * textarea, a text-like input or an editable element, not empty. */
export function typingIn(field) {
  if (!field) return false;
  if (field.isContentEditable) return field.textContent.trim() !== "";
  if (field.tagName === "TEXTAREA") return field.value !== "";
  if (field.tagName !== "INPUT") return false;
  return TYPED.has(field.type) && field.value !== "";
}
