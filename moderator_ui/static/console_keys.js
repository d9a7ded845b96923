// The moderation console's keyboard: one key per action (the help overlay,
// "?", lists them all), and the help overlay itself.
//
// Keys never fire while the moderator types (in a field, a list box or an
// editor), with Ctrl, Alt or Meta held (the browser's and the system's
// shortcuts stay theirs), or while a dialog is open (it has its own keys).

/** Whether a key pressed on `target` belongs to what the moderator is typing. */
function typing(target) {
  if (!(target instanceof Element)) return false;
  if (target.isContentEditable || target.closest("textarea, select")) return true;
  if (target instanceof HTMLInputElement) {
    return !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
  }
  return false;
}

/**
 * Call `handlers[key]` (keys as KeyboardEvent.key gives them: "j", "?", "A")
 * on a key press the console should take. A handler returning false lets the
 * key through.
 */
export function bindKeys(handlers) {
  // The page's own dialogs, and the pickers added to <body> while open. Not
  // a query of the whole page: with thousands of cards it costs a key press
  // tens of milliseconds.
  const fixed = [...document.querySelectorAll("dialog")];
  const dialogOpen = () =>
    fixed.some((dialog) => dialog.open) ||
    Array.prototype.some.call(document.body.children, (node) => node.tagName === "DIALOG" && node.open);
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.altKey || e.metaKey || e.isComposing) return;
    if (typing(e.target) || dialogOpen()) return;
    const handler = Object.prototype.hasOwnProperty.call(handlers, e.key) ? handlers[e.key] : null;
    if (!handler) return;
    if (handler(e) === false) return;
    e.preventDefault();
  });
}

/** The help overlay (a <dialog> in the page): open with `show()`, closed by Esc or its button. */
export function helpOverlay(dialog) {
  let opener = null;
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });
  return {
    show() {
      if (dialog.open) return;
      opener = document.activeElement;
      dialog.showModal();
      dialog.querySelector("[data-close]").focus();
    },
  };
}
