"""The widget loads older questions as the reader scrolls (issue 15 item 5):
its first load is bounded, so once both of its lists show all they hold, the
"Load more questions" control brings the next page from the server, asked for
by an IntersectionObserver as it nears the screen or by its button from the
keyboard; in the end every published question is in the widget once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from server.domain.model import PUBLIC_STATUSES, Status
from tests.support.bulk import seed_dialogue

from .conftest import Site

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MIX = ((Status.APPROVED, 8), (Status.ANSWERED, 2), (Status.PENDING, 1))
COUNT = 260
#: How many questions the widget holds (drawn or behind its lists' "Show
#: more"): the counts in its lists' headings, and the question on air.
HELD = """() => {
    const root = document.querySelector("doithoai-widget").shadowRoot;
    const counts = [...root.querySelectorAll("section.sect h3 .badge")];
    return counts.reduce((sum, c) => sum + Number(c.textContent || 0), 0)
        + root.querySelectorAll(".air li.q").length;
}"""


#: What the reader does next: a list's own "Show more", the older questions'
#: control, or nothing (all is shown).
NEXT = """() => {
    const root = document.querySelector("doithoai-widget").shadowRoot;
    const local = [...root.querySelectorAll("section.sect > button")].some((b) => !b.hidden);
    return local ? "local" : root.querySelector(".load-more").hidden ? "done" : "more";
}"""
#: Whether the widget holds more than ``before`` questions, or (the observer
#: went ahead) has no more to load.
GREW = """(before) => {
    const root = document.querySelector("doithoai-widget").shadowRoot;
    const counts = [...root.querySelectorAll("section.sect h3 .badge")];
    const held = counts.reduce((sum, c) => sum + Number(c.textContent || 0), 0)
        + root.querySelectorAll(".air li.q").length;
    return held > before || root.querySelector(".load-more").hidden;
}"""


def read_all(page: Page, by_button: bool) -> int:
    """Show everything the widget holds, then the next page, until no page
    follows: by the control's button from the keyboard, or by scrolling to it;
    how many times the control was used."""
    widget = page.locator("doithoai-widget")
    local = widget.locator("section.sect > button:not(.load-more-button)")
    more = widget.locator(".load-more")
    used = 0
    while True:
        # Read at once: a page the observer asked for may land between two reads.
        step = page.evaluate(NEXT)
        if step == "done":
            return used
        if step == "local":  # the lists' own "Show more" first: what the widget holds, drawn
            local.filter(visible=True).first.click()
            continue
        before = page.evaluate(HELD)
        if by_button:
            more.get_by_role("button", name="Tải thêm câu hỏi").focus()
            page.keyboard.press("Enter")
        else:  # to the end of the host page: the control nears the screen
            page.mouse.wheel(0, 100_000)
        used += 1
        # More held, or (the observer went ahead) no more to load.
        page.wait_for_function(GREW, arg=before)


@pytest.mark.parametrize("observer", [True, False], ids=["scrolling", "keyboard"])
def test_every_published_question_loads_once(chromium: Browser, site: Site, observer: bool) -> None:
    """With the IntersectionObserver, scrolling brings the pages (the button
    is never pressed); without it (an old browser, or a keyboard user's
    choice), the button does."""
    states = seed_dialogue(site.redis_url, site.slug, COUNT, mix=MIX, long_every=10**9)
    published = {qid for qid, state in states.items() if state in PUBLIC_STATUSES}
    context = chromium.new_context(locale="vi-VN", viewport={"width": 800, "height": 700})
    if not observer:
        context.add_init_script("delete window.IntersectionObserver;")
    page = context.new_page()
    try:
        page.goto(site.page_url())
        widget = page.locator("doithoai-widget")
        expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
        held = page.evaluate(HELD)
        assert 0 < held < len(published)
        used = read_all(page, by_button=not observer)
        assert used >= (0 if observer else 1)
        cards = widget.locator("li.q")
        expect(cards).to_have_count(len(published))
        ids = cards.evaluate_all("(cards) => cards.map((c) => c.dataset.id)")
        assert len(ids) == len(set(ids)) and set(ids) == published
    finally:
        context.close()
