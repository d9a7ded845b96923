// A windowed list for the moderation console: of a list of thousands of
// questions only the rows near the viewport are in the DOM (a screen above
// and below it, and never fewer than MIN_ROWS), with the list's padding
// standing in for the rows above and below the window, so that the page's
// height and scroll position are those of the whole list. The list's order,
// its search, filters and sorts are data (console.js); this module only
// decides which of those ids have a row and where.
//
// One row is always drawn, wherever it is: the current question (`keep`),
// so that it can hold the keyboard focus while the moderator scrolls away
// from it. Drawn outside the window, it stands at its own place in the list
// (a margin stands in for the rows between it and the window).
//
// Screen readers: the list stays a list (<ol>, its rows <li>) and each row
// says where it is in the whole list with aria-posinset and aria-setsize
// ("item 4,812 of 10,000"), as the ARIA practices ask of a list whose
// items are not all in the DOM. Not the feed pattern: a feed's reader moves
// article to article with Page Up/Down and the page loads more as it goes,
// while the console has its own keys (j/k, which move the selection and
// scroll it into the window) and its rows are list items, not articles.
//
// Row heights vary (a card's text, its flags and suggestions): each drawn
// row's height is measured and kept by id; rows never drawn count as the
// average of the first rows measured (a guess until they are drawn,
// corrected then: the row on screen is kept in place by scrolling the page
// by what the rows above it turned out to measure). The guess is fixed once
// made: an average that moved with each row measured would move every row
// above the window at each frame. The browser's own scroll anchoring is off
// for the lists (console.css): it took the window's padding for content and
// scrolled to follow it, back and forth at every frame.

// Rows drawn at least, around the viewport (a few screens of compact lines).
// Not at a list's first draw (nothing measured yet: the page's first, or
// after the density changed): that draws only the rows a screen above and
// below the viewport hold, and says so, and the page draws the rest of the
// window when the browser is idle. At 10,000 questions the first draw built,
// laid out and painted some 40 cards below the screen before showing any.
export const MIN_ROWS = 50;
// A row's height before any was measured, in px (a card; a compact line is less).
const FIRST_GUESS = 180;

/** The window over list `node` (an <ol>): `set(ids)` the whole list's order, then `draw(keep, rowFor)`. */
export function createWindow(node) {
  let ids = [];
  let index = null; // id -> position in ids, made when first asked (a list of 10,000 is set at each draw)
  const heights = new Map(); // id -> measured height in px (this density)
  let measured = 0; // sum of heights' values
  let guessed = 0; // the height of a row never drawn (0: not yet guessed)
  let pinned = null; // the row drawn outside the window, whose margin was set

  function guess() {
    return guessed || FIRST_GUESS;
  }

  function heightOf(id, fallback) {
    const known = heights.get(id);
    return known === undefined ? fallback : known;
  }

  function remember(id, height) {
    const old = heights.get(id);
    if (old === height) return;
    if (old !== undefined) measured -= old;
    heights.set(id, height);
    measured += height;
  }

  /** The top of each row and the list's end, in px from the list's content top: tops[n] is the end plus a gap. */
  function offsets(gap) {
    const fallback = guess();
    const tops = new Float64Array(ids.length + 1);
    let y = 0;
    for (let i = 0; i < ids.length; i += 1) {
      tops[i] = y;
      y += heightOf(ids[i], fallback) + gap;
    }
    tops[ids.length] = y;
    return tops;
  }

  /** The viewport in the list's content coordinates: [top - a screen, bottom + a screen] (one layout read). */
  function viewport() {
    const screen = window.innerHeight || 800;
    // The list's padding-top is the rows above the window; a hidden list is read as at the top.
    const top = node.offsetParent !== null ? -node.getBoundingClientRect().top : 0;
    return [top - screen, top + 2 * screen];
  }

  /** [start, end): the rows of `tops` that meet the span [from, to), at least `least` of them. */
  function range(tops, [from, to], least) {
    const n = ids.length;
    if (n <= least) return [0, n];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      // The first row whose bottom edge (the next one's top) is below `from`.
      const mid = (lo + hi) >> 1;
      if (tops[mid + 1] <= from) lo = mid + 1;
      else hi = mid;
    }
    let start = Math.min(lo, n - 1);
    let end = start;
    while (end < n && tops[end] < to) end += 1;
    while (end - start < least && (end < n || start > 0)) {
      if (end < n) end += 1;
      if (end - start < least && start > 0) start -= 1;
    }
    return [start, end];
  }

  /** The place in `ids` of the i-th of `count` rows drawn for [start, end) and `outside` (the kept row's, or -1). */
  function positionOf(i, start, outside, count) {
    if (outside < 0) return start + i;
    if (outside < start) return i === 0 ? outside : start + i - 1;
    return i === count - 1 ? outside : start + i;
  }

  function place(row, at) {
    const pos = String(at + 1);
    const size = String(ids.length);
    if (row.getAttribute("aria-posinset") !== pos) row.setAttribute("aria-posinset", pos);
    if (row.getAttribute("aria-setsize") !== size) row.setAttribute("aria-setsize", size);
  }

  return {
    /** The list's ids in order (what the filters let through, sorted). */
    set(list) {
      ids = list;
      index = null;
    },
    get ids() {
      return ids;
    },
    indexOf(id) {
      if (index === null) {
        index = new Map();
        for (let at = 0; at < ids.length; at += 1) index.set(ids[at], at);
      }
      const at = index.get(id);
      return at === undefined ? -1 : at;
    },
    /** Forget the measured heights (the density changed: every row's height did). */
    forget() {
      heights.clear();
      measured = 0;
      guessed = 0;
    },
    /**
     * Put the window's rows (and `keep`'s, if it is in this list) in the
     * list; `rowFor(id)` gives a question's row element. Returns true if
     * rows of the window were left for a later draw (a first draw).
     */
    draw(keep, rowFor) {
      // A short list is drawn whole at once; a long one's first draw only near the viewport.
      const least = heights.size || ids.length <= MIN_ROWS ? MIN_ROWS : 0;
      const gap = parseFloat(getComputedStyle(node).rowGap) || 0;
      const span = viewport();
      const at = keep === null || keep === undefined ? -1 : this.indexOf(keep);
      const active = document.activeElement;
      // The first row staying that is on screen: it must not move on screen.
      let anchor = null;
      let anchorTop = 0;
      let tops = offsets(gap);
      let [start, end] = range(tops, span, least);
      // At a first draw, rows measured shorter than guessed (compact lines
      // against a card's guess) may not reach the viewport's end: a second
      // pass draws the rows the measured heights say are missing. Later
      // draws keep MIN_ROWS, and the next frame's draw corrects them.
      for (let pass = 0; pass < 2; pass += 1) {
        const outside = at >= 0 && (at < start || at >= end) ? at : -1;
        const order = ids.slice(start, end);
        if (outside >= 0) {
          if (outside < start) order.unshift(keep);
          else order.push(keep);
        }
        const rows = order.map(rowFor);
        const wanted = new Set(rows);
        if (pass === 0 && node.offsetParent !== null) {
          for (const child of node.children) {
            if (!wanted.has(child)) continue;
            const box = child.getBoundingClientRect();
            if (box.bottom > 0) {
              anchor = child;
              anchorTop = box.top;
              break;
            }
          }
        }
        // Rows leaving go first, so that those staying are not moved past them
        // (moving a row takes the keyboard focus from it).
        for (const child of [...node.children]) if (!wanted.has(child)) child.remove();
        let cursor = node.firstElementChild;
        for (const row of rows) {
          if (row === cursor) cursor = cursor.nextElementSibling;
          else node.insertBefore(row, cursor);
        }
        if (pinned) {
          pinned.style.marginTop = "";
          pinned.style.marginBottom = "";
        }
        for (let i = 0; i < rows.length; i += 1) place(rows[i], positionOf(i, start, outside, rows.length));
        // Measure what is drawn (one layout), then set the spacers from the corrected heights.
        for (let i = 0; i < rows.length; i += 1) remember(order[i], rows[i].offsetHeight);
        if (!guessed && heights.size) guessed = measured / heights.size;
        tops = offsets(gap);
        const last = ids.length ? tops[ids.length] - gap : 0;
        let padTop = start < ids.length ? tops[start] : 0;
        let padBottom = end > start ? last - (tops[end] - gap) : last;
        pinned = null;
        if (outside >= 0) {
          const row = rows[outside < start ? 0 : rows.length - 1];
          if (outside < start) {
            padTop = tops[outside];
            row.style.marginBottom = `${tops[start] - tops[outside + 1]}px`;
          } else {
            row.style.marginTop = `${tops[outside] - tops[end]}px`;
            padBottom = last - (tops[outside + 1] - gap);
          }
          pinned = row;
        }
        node.style.paddingTop = `${Math.max(0, padTop)}px`;
        node.style.paddingBottom = `${Math.max(0, padBottom)}px`;
        if (least === MIN_ROWS) break;
        const [wantStart, wantEnd] = range(tops, span, least);
        if (wantStart >= start && wantEnd <= end) break;
        [start, end] = [Math.min(start, wantStart), Math.max(end, wantEnd)];
      }
      if (anchor) {
        const moved = anchor.getBoundingClientRect().top - anchorTop;
        if (Math.abs(moved) >= 1) window.scrollBy(0, moved);
      }
      if (active && active !== document.activeElement && active.isConnected && node.contains(active)) {
        active.focus({ preventScroll: true });
      }
      return least < MIN_ROWS && end - start < Math.min(MIN_ROWS, ids.length);
    },
  };
}
