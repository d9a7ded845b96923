// A click that a live redraw would lose: a click goes to the node both the
// press and the release happened on, so a node replaced (or moved) between a
// press and its release takes the click with it. A page (the staff pages, the
// public page) asks held(node, later) before it replaces or moves a node with
// controls in it on a live event: while a pointer is down inside it, the page
// leaves it as it is, and `later` (which asks for a draw at the next frame,
// never draws at once) runs once the pointer is let go, before the click.

let pressed = null; // the node the pointer went down on, while it is down
const waiting = new Set(); // what runs once it is let go

function release() {
  pressed = null;
  const due = [...waiting];
  waiting.clear();
  for (const later of due) later();
}

document.addEventListener("pointerdown", (e) => (pressed = e.target), true);
for (const type of ["pointerup", "pointercancel"]) window.addEventListener(type, release, true);
// The window's own blur (another window took the pointer), not a field's.
window.addEventListener("blur", (e) => e.target === window && release());
// A release the page did not hear (the press was on a scrollbar, say): the
// pointer moving with no button down has been let go.
window.addEventListener("pointermove", (e) => pressed && e.buttons === 0 && release(), true);
// The keyboard's press: Space clicks a button at the key's release, and only
// the button it went down on (Enter clicks at once and needs no hold).
document.addEventListener("keydown", (e) => e.key === " " && !e.repeat && e.target.closest?.("button") && (pressed = e.target), true);
document.addEventListener("keyup", (e) => e.key === " " && pressed && release(), true);

/** Whether `node` (in the page) holds the node a pointer is pressed on; if
 * so, `later` runs once the pointer is let go (once, however often asked). */
export function held(node, later) {
  if (!pressed || !node || !node.isConnected || !node.contains(pressed)) return false;
  waiting.add(later);
  return true;
}
