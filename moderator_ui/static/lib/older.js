// Older questions, page by page, on the public page and in the widget: the
// first message of the public feed is bounded (docs/api.md), so a list ends
// with this control while more pages follow (`node.hidden` otherwise). An
// IntersectionObserver asks for the next page as the control nears the
// viewport; its real button, "Load more questions", does the same for the
// keyboard, screen readers and browsers without the observer, and a status
// line says when a page failed.
//
// It only asks: `load()` fetches a page, hands it to the state (lib/state.js
// `older`) and resolves whether it worked. Nothing touches the document when
// this module is imported.

import { h } from "./dom.js";

export class LoadMore {
  /** `t`: the translator (msgids); `load()`: resolves true once a page is in; `classes`: the button's. */
  constructor(t, load, classes = "") {
    this.t = t;
    this.load = load;
    this.button = h("button", { type: "button", class: `load-more-button ${classes}`, text: t("Load more questions"), onclick: () => this.more() });
    this.status = h("p", { class: "load-more-status", role: "status" });
    this.node = h("div", { class: "load-more", hidden: true }, this.button, this.status);
    if (window.IntersectionObserver) {
      // From 600 px below the screen on.
      this.observer = new IntersectionObserver((seen) => seen[0].isIntersecting && this.more(), { rootMargin: "600px 0px" });
      this.observer.observe(this.node);
    }
  }

  /** The next page, unless one is on its way or none follows. */
  async more() {
    if (this.button.disabled || this.node.hidden) return;
    this.button.disabled = true;
    const ok = await this.load().catch(() => false);
    this.button.disabled = false;
    this.status.textContent = ok ? "" : this.t("Could not load more; please try again.");
    // Still in view after the page (a short page, a tall screen): observing
    // it anew reports where it is now, so the next page follows.
    if (ok && this.observer) {
      this.observer.unobserve(this.node);
      this.observer.observe(this.node);
    }
  }
}
