// What the pages shown on set or on air (the presenter view, the broadcast
// overlay) do alike: follow the PUBLIC feed with the overlay's token, say so
// only while the socket is lost, and fit their text again when the window or
// the loaded font changes its size.

import { Feed } from "./feed.js";

// Opened with the overlay's token, the socket names it: rotating the token
// closes it (4403) and the page reloads into its "link not valid" page.
const TOKEN_ROTATED = 4403;

/**
 * Follow the public feed of `slug` from `after` (an event id, or null):
 * each message to `onMessage`; the socket's state in `root`'s
 * data-connection, with `notice` shown while a socket that was live is lost.
 */
export function followAir(root, notice, { slug, token, after, onMessage }) {
  let wasLive = false;
  const onStatus = (state) => {
    root.dataset.connection = state;
    if (state === "live") wasLive = true;
    notice.hidden = !(state === "waiting" || (state === "connecting" && wasLive));
    if (state === "ended") location.reload();
  };
  new Feed(`/ws/v1/dialogues/${encodeURIComponent(slug)}/feed`, {
    after,
    params: token === null ? {} : { screen: token },
    finalCodes: token === null ? [] : [TOKEN_ROTATED],
    onMessage,
    onStatus,
  }).start();
}

/**
 * Call `schedule` when the window's size changes; once the page's fonts have
 * loaded, `forget` what was measured (the text may take another size in the
 * loaded font) and `schedule` again.
 */
export function refitOnResize(schedule, forget) {
  addEventListener("resize", schedule);
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(() => {
      forget();
      schedule();
    });
  }
}
