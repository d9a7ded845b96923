// The public page's share block (templates/_share.html): the dialogue's
// address, the button that copies it, and the QR code the server drew.
// The button shows only with a script to run it; where the browser refuses
// to copy, the address is left selected for the reader to copy, and the page
// says so.

import { t } from "./common.js";

const field = document.getElementById("share-url");
const button = document.getElementById("share-copy");
const status = document.getElementById("share-status");

async function copy() {
  field.focus();
  field.select();
  let done = false;
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(field.value);
      done = true;
    }
  } catch {
    done = false;
  }
  // Without the clipboard API (not a secure context), the older command
  // copies the selection, where the browser still allows it.
  if (!done) done = document.execCommand("copy");
  status.textContent = "";
  status.textContent = t(done ? "copied" : "copy_failed");
}

field.addEventListener("focus", () => field.select());
button.addEventListener("click", copy);
button.hidden = false;
