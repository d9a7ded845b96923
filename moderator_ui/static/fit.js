// Text that must fit its box on a broadcast page (the overlay, the presenter
// view): the largest of a few type sizes at which it fits, and at the
// smallest it is cut at a word with "…", so that it never overflows.
//
// It writes text with textContent only, and sets nothing but the node's
// text and its --text-size custom property (its CSS sizes the type from it).

/** `words`' first `n`, then "…" (without a dangling comma or stop before it). */
function cutAt(words, n) {
  return `${words.slice(0, n).join(" ").replace(/[\s,.;:!?…–-]+$/u, "")}…`;
}

/** The largest `n` in [0, `most`] for which `show(n)` fits (0 is taken as fitting); shown. */
function longest(most, show, fits) {
  let low = 0;
  let high = most;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    show(mid);
    if (fits()) low = mid;
    else high = mid - 1;
  }
  show(low);
  return low;
}

/**
 * Show `text` in `node` at the largest of `sizes` (largest first) at which
 * `fits()` holds; at the smallest, keep as many words as fit, then "…" (and
 * as many characters, for one word longer than the box).
 */
export function fitText(node, text, sizes, fits) {
  node.textContent = text;
  for (const size of sizes) {
    node.style.setProperty("--text-size", String(size));
    if (fits()) return;
  }
  const words = text.split(/\s+/u);
  if (longest(words.length, (n) => (node.textContent = cutAt(words, n)), fits) > 0) return;
  const chars = [...text];
  longest(chars.length, (n) => (node.textContent = `${chars.slice(0, n).join("")}…`), fits);
}
