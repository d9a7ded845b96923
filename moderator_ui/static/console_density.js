// The console's density: full cards, or one line per question (the current
// question still shows whole, with its buttons), for a queue of hundreds on
// a laptop's screen. Remembered by this browser (localStorage), not put in
// the URL: it suits a screen, not a view to share.

const KEY = "doithoai.console.density";
const DENSITIES = ["cards", "compact"];

function remembered() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // storage refused (private mode, a policy): the default
  }
}

function remember(value) {
  try {
    localStorage.setItem(KEY, value);
  } catch {
    // Not remembered; the choice still holds on this page.
  }
}

/** The density `select` (values of DENSITIES) applied to `root` as its is-compact class. */
export function createDensity({ root, select, onChange }) {
  function apply() {
    root.classList.toggle("is-compact", select.value === "compact");
  }
  const saved = remembered();
  select.value = DENSITIES.includes(saved) ? saved : DENSITIES[0];
  apply();
  select.addEventListener("change", () => {
    remember(select.value);
    apply();
    onChange();
  });
}
