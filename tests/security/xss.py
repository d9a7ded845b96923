"""The XSS corpus and the in-page probes that tell whether any of it ran or
became markup.

Every payload calls ``xss('<mark>')`` (or ``alert``) when it runs; the probe
script defines ``xss`` to record the mark. Marks say where a string was put
(``t3``: the text of payload 3, ``n3`` its name, ``o3`` its organisation,
``a3`` its answer, ``d-title`` the dialogue's title, ...), so a page that
shows a string literally shows exactly that mark's text.
"""

from __future__ import annotations

from server.domain.text import normalize, normalize_line

#: ``MARK`` is replaced by the mark. Kept under 90 characters: names take 100.
PAYLOADS = (
    "<script>xss('MARK')</script>",
    "<img src=x onerror=xss('MARK')>",
    "<svg onload=xss('MARK')>",
    "javascript:xss('MARK')//",
    "\"><img src=x onerror=xss('MARK')>",
    "' autofocus onfocus='xss(`MARK`)' x='",
    "{{7*7}} ${7*7} {% if 1 %}MARK{% endif %} #{7*7}",
    "</textarea><script>xss('MARK')</script>",
    "</title><svg/onload=xss('MARK')>",
    "<iframe srcdoc=\"<script>parent.xss('MARK')</script>\"></iframe>",
    "<a href=\"javascript:xss('MARK')\">MARK</a>",
    "\uff1cscript\uff1exss('MARK')\uff1c/script\uff1e",  # fullwidth < >
    "<scr\u200bipt>xss('MARK')</scr\u200bipt>",  # a zero-width space inside the tag
    "\u202e<img src=x onerror=xss('MARK')>",  # right-to-left override
    "<math><mtext><table><mglyph><style><img src=x onerror=xss('MARK')>",
    "<details open ontoggle=xss('MARK')>",
)


def payload(n: int, mark: str) -> str:
    return PAYLOADS[n].replace("MARK", mark)


def shown(value: str, *, multiline: bool = False) -> str:
    """How the app stores (and so must show) ``value``: normalised as it does."""
    return normalize(value) if multiline else normalize_line(value)


#: Runs in every page before its own scripts: the ``xss`` hook and the probes.
PROBES = r"""
window.__xss = [];
window.xss = (mark) => { window.__xss.push(String(mark)); };
const roots = () => {
  const found = [document];
  for (let i = 0; i < found.length; i++) {
    for (const el of found[i].querySelectorAll("*")) if (el.shadowRoot) found.push(el.shadowRoot);
  }
  return found;
};
// The text a person can read: text nodes outside script, style and template,
// and the values of form fields (settings forms show data in them).
window.__text = () => {
  const parts = [];
  for (const root of roots()) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement?.closest("script, style, template, noscript")) parts.push(node.data);
    }
    for (const field of root.querySelectorAll("input, textarea")) parts.push(field.value);
  }
  return parts.join("\n");
};
// A script element the browser would run (data blocks, such as a page's
// initial state as application/json, are never run).
const runnable = (el) =>
  ["", "module", "text/javascript", "application/javascript"].includes(el.type.toLowerCase());
// Markup a payload would have made: event handler attributes, script URLs,
// inline frames with a document, runnable scripts with the hook in them.
window.__injected = () => {
  const bad = [];
  for (const root of roots()) {
    for (const el of root.querySelectorAll("*")) {
      for (const attr of el.attributes) {
        const value = attr.value.trim().toLowerCase();
        const url = ["href", "src", "action", "formaction"].includes(attr.name);
        if (attr.name.startsWith("on") || attr.name === "srcdoc" ||
            (url && value.startsWith("javascript:"))) {
          bad.push(`<${el.localName} ${attr.name}="${attr.value}">`);
        }
      }
      if (el.localName === "script" && runnable(el) && el.textContent.includes("xss(")) {
        bad.push(`<script type="${el.type}">${el.textContent.slice(0, 80)}`);
      }
    }
  }
  return bad;
};
"""
