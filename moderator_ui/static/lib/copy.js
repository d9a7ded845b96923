// Copying a tracking code, for the public page, the tracking page and the
// widget: to the clipboard when the browser lets the page write to it, else
// the code is selected so that the citizen copies it by hand.
//
// It never reads the clipboard, never touches the document when imported,
// and changes nothing but the selection (on the fallback). Its sentences are
// msgids passed to the caller's `t`.

/** Copy `code`, which `node` shows; resolves to the sentence that says what happened. */
export async function copyCode(code, node, t) {
  try {
    await navigator.clipboard.writeText(code);
    return t("Tracking code copied.");
  } catch {
    // No clipboard here (an http page, a permission refused): select the code.
    getSelection().selectAllChildren(node);
    return t("Could not copy. The code is selected; copy it by hand.");
  }
}
