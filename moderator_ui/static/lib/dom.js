// The DOM helper of the pages and the widget: build elements from data, put
// a list's elements in order, read a page's JSON data block.
//
// Every piece of data goes in through textContent or a text node. This file
// must never assign HTML strings to an element, never touch the
// document when it is imported (the widget bundles it into portals' pages),
// and never hold state.

/**
 * An element. `props`: "class", "text" (textContent), "dataset", "value",
 * "on<event>" (a listener function), booleans (present or absent) and string
 * attributes. Children are nodes or strings (added as text).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "value") node.value = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * Put `ids`' elements into `container` in that order, moving only the ones
 * out of place (moving an element would take the keyboard focus from it),
 * and drop any other children.
 */
export function reconcile(container, ids, elementFor) {
  // A cursor, not container.children[i]: indexing the live collection after
  // each insertion walks it again, quadratic in a list of thousands.
  let cursor = container.firstElementChild;
  for (const id of ids) {
    const node = elementFor(id);
    if (node === cursor) cursor = cursor.nextElementSibling;
    else container.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}

/** The parsed JSON of a non-executable <script type="application/json" id="..."> block. */
export function readJSON(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

/** The number of characters of `text` as the server counts them (NFC code points). */
export function length(text) {
  return [...text.normalize("NFC")].length;
}

/** A link's address if it is http(s), else null (never a script URL). */
export function safeUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** `run(deadline)` once the browser is idle (at most `timeout` ms later, if
 * given), its deadline 8 ms at most (a key pressed meanwhile waits for it);
 * after 50 ms where there is no requestIdleCallback (Safari). */
export function whenIdle(run, timeout = 0) {
  const most = 8;
  const start = (remaining) => {
    const end = performance.now() + Math.min(most, remaining);
    run({ timeRemaining: () => Math.max(0, end - performance.now()) });
  };
  if (window.requestIdleCallback) requestIdleCallback((d) => start(d.timeRemaining()), timeout ? { timeout } : {});
  else setTimeout(() => start(most), 50);
}
