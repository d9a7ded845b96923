"""The moderation console as a windowed list (issue 16 item 3), in a real
Chromium on a queue of 2,000 pending questions: only the rows near the
viewport are in the DOM, in both views; j/k move the selection across the
window's edge and the keyboard focus stays on the selected row, also after
scrolling away from it; each row says where it is in the whole list
(aria-posinset, aria-setsize); the search, "select all that match" and the
counts work on the whole list, not on the rows drawn; axe finds nothing.

The questions are seeded straight into Redis (``tests.support.bulk``):
question k is "Câu hỏi số k …", and the pending list's own order (oldest
first) puts it at position k."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from server.domain.model import Status
from tests.helpers import ServerProcess
from tests.support.browser import signed_in
from tests.support.bulk import seed_dialogue
from tests.web.seed import seeded_site

from .producer_seed import fresh_slug, new_dialogue
from .test_accessibility import violations

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: Pending questions in the queue.
COUNT = 2000
#: The most rows the DOM may hold for a queue of COUNT: "far fewer".
MOST_ROWS = COUNT // 10
#: The rows a window holds at least once drawn (console_window.js).
MIN_ROWS = 50
#: j presses that take the selection well past the first window.
PRESSES = 120
CURRENT = re.compile(r"\bis-current\b")
SELECTED = re.compile(r"\bis-selected\b")
SCREEN = {"width": 1366, "height": 768}
DENSITY = "doithoai.console.density"


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    with seeded_site(redis_server) as server:
        yield server


@pytest.fixture(scope="module")
def slug(site: ServerProcess, redis_server: str) -> str:
    """A live dialogue with COUNT pending questions, ids 1..COUNT."""
    name = fresh_slug("cua-so")
    new_dialogue(redis_server, name)
    states = seed_dialogue(redis_server, name, COUNT, mix=((Status.PENDING, 1),), long_every=10**9)
    assert len(states) == COUNT
    return name


def open_console(browser: Browser, site: ServerProcess, slug: str, density: str) -> Page:
    context = signed_in(browser, site.url, "moderator", viewport=SCREEN, bypass_csp=True)
    context.add_init_script(f"localStorage.setItem('{DENSITY}', '{density}')")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    setattr(page, "script_errors", errors)  # noqa: B010
    page.goto(f"{site.url}/console/{slug}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator('[data-shown="pending"]')).to_have_text(str(COUNT))
    expect(page.locator("#pending-list > li").first).to_be_attached()
    return page


@pytest.fixture(params=["cards", "compact"])
def console(
    request: pytest.FixtureRequest, chromium: Browser, site: ServerProcess, slug: str
) -> Iterator[Page]:
    page = open_console(chromium, site, slug, request.param)
    try:
        yield page
        assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def rows(page: Page) -> Locator:
    return page.locator("#pending-list > li")


def card(page: Page, qid: int) -> Locator:
    return page.locator(f"#q-{qid}")


def drawn(page: Page) -> list[tuple[int, int, int]]:
    """(id, aria-posinset, aria-setsize) of each row in the pending list's DOM, in DOM order."""
    found: list[list[str]] = rows(page).evaluate_all(
        """nodes => nodes.map(n => [n.dataset.id, n.getAttribute("aria-posinset"),
            n.getAttribute("aria-setsize")])"""
    )
    return [(int(a), int(b), int(c)) for a, b, c in found]


def expect_window(page: Page) -> list[tuple[int, int, int]]:
    """The DOM holds far fewer rows than the queue, each saying its place in the whole list."""
    now = drawn(page)
    assert 0 < len(now) <= MOST_ROWS
    for qid, pos, size in now:
        assert size == COUNT
        assert pos == qid  # question k is k-th, oldest first
    positions = [pos for _, pos, _ in now]
    assert positions == sorted(positions)
    return now


def scroll_to_row(page: Page, position: int) -> None:
    """Scroll the page (not the selection) to where row ``position`` stands;
    wait until it is drawn."""
    page.evaluate(
        """(position) => {
            const list = document.getElementById("pending-list");
            // A row's height: the median step between drawn rows (the
            // current one, whole in the compact view, is taller).
            const rows = [...list.children];
            const steps = rows.slice(1).map((row, i) => row.offsetTop - rows[i].offsetTop);
            steps.sort((a, b) => a - b);
            const per = steps[steps.length >> 1];
            const top = list.getBoundingClientRect().top + window.scrollY;
            window.scrollTo(0, top + per * (position - 1));
        }""",
        position,
    )
    page.wait_for_function(
        "(p) => [...document.querySelectorAll('#pending-list > li')].some("
        "(n) => Math.abs(Number(n.getAttribute('aria-posinset')) - p) < 25)",
        arg=position,
    )


def test_the_dom_holds_a_window_of_the_queue_with_each_rows_place(console: Page) -> None:
    """Of 2,000 questions a window of rows is drawn, each with aria-posinset
    and aria-setsize in a list (<ol>); scrolled half way down the window
    moves there and stays small; the page is as tall as the whole list."""
    page = console
    assert page.locator("#pending-list").evaluate("n => n.tagName") == "OL"
    first = expect_window(page)
    assert first[0][0] == 1
    scroll_to_row(page, COUNT // 2)
    middle = expect_window(page)
    assert not card(page, 1).count()
    assert any(abs(pos - COUNT // 2) < 25 for _, pos, _ in middle)
    # The rows drawn stand where the whole list puts them: the list is as
    # tall as all 2,000 rows (the heights of those never drawn are guessed).
    scroll_to_row(page, COUNT)
    last = expect_window(page)
    assert last[-1][:2] == (COUNT, COUNT)
    offset, per = page.evaluate(
        """() => {
            const list = document.getElementById("pending-list");
            const rows = [...list.children];
            const first = rows[0], last = rows[rows.length - 1];
            const per = (last.offsetTop - first.offsetTop) / (rows.length - 1);
            const content = list.getBoundingClientRect().top + list.clientTop;
            return [last.getBoundingClientRect().top - content, per];
        }"""
    )
    assert abs(offset - (COUNT - 1) * per) < 0.05 * offset


@pytest.mark.parametrize("density", ["cards", "compact"])
def test_the_first_draw_holds_the_rows_near_the_screen_and_the_rest_follow(
    chromium: Browser, site: ServerProcess, slug: str, density: str
) -> None:
    """The first draw of the queue puts in only the rows a screen above and
    below the viewport hold, though their heights are a guess until drawn
    (a card's: compact lines measure far less, and the window then draws the
    rows their heights leave missing); the rest of the window (MIN_ROWS)
    follows once the browser is idle."""
    context = signed_in(chromium, site.url, "moderator", viewport=SCREEN, bypass_csp=True)
    context.add_init_script(f"localStorage.setItem('{DENSITY}', '{density}')")
    # What the first draw left in the list: seen when the count first says the queue's size.
    context.add_init_script(
        """document.addEventListener("DOMContentLoaded", () => {
            const count = document.querySelector('[data-shown="pending"]');
            const list = document.getElementById("pending-list");
            new MutationObserver((_, observer) => {
                if (count.textContent === "0") return;
                observer.disconnect();
                const rows = [...list.children];
                const last = rows[rows.length - 1].getBoundingClientRect().bottom;
                const gap = parseFloat(getComputedStyle(list).rowGap) || 0;
                window.firstDraw = [rows.length, last, gap, window.innerHeight];
            }).observe(count, { childList: true, characterData: true, subtree: true });
        });"""
    )
    page = context.new_page()
    try:
        page.goto(f"{site.url}/console/{slug}")
        page.wait_for_function("() => window.firstDraw !== undefined")
        count, bottom, gap, screen = page.evaluate("window.firstDraw")
        assert count < MIN_ROWS
        # The last row drawn ends where the next one would start, less the gap between rows.
        assert bottom + gap >= 2 * screen
        page.wait_for_function(
            "n => document.querySelectorAll('#pending-list > li').length >= n", arg=MIN_ROWS
        )
        positions = [pos for _, pos, _ in expect_window(page)]
        assert positions == list(range(1, len(positions) + 1))
    finally:
        context.close()


def test_j_and_k_cross_the_window_and_the_focus_stays_on_the_selected_row(console: Page) -> None:
    """j past the rows first drawn scrolls each selected question in and
    focuses it; scrolled away from with the mouse, the selected row stays
    drawn and focused, and the next j brings the selection back into view."""
    page = console
    first_window = {qid for qid, _, _ in expect_window(page)}
    assert len(first_window) < PRESSES
    for _ in range(PRESSES):
        page.keyboard.press("j")
    target = card(page, PRESSES)
    expect(target).to_have_class(CURRENT)
    expect(target).to_be_focused()
    expect(target).to_be_in_viewport()
    expect(target).to_have_attribute("aria-posinset", str(PRESSES))
    assert PRESSES not in first_window
    window = expect_window(page)
    assert 1 not in {qid for qid, _, _ in window}
    page.keyboard.press("k")
    page.keyboard.press("k")
    back = card(page, PRESSES - 2)
    expect(back).to_have_class(CURRENT)
    expect(back).to_be_focused()
    # The mouse scrolls far away: the selected row stays in the DOM, focused.
    scroll_to_row(page, COUNT)
    expect(back).to_be_focused()
    expect(back).to_have_attribute("aria-posinset", str(PRESSES - 2))
    expect_window(page)
    page.keyboard.press("j")
    again = card(page, PRESSES - 1)
    expect(again).to_have_class(CURRENT)
    expect(again).to_be_focused()
    expect(again).to_be_in_viewport()
    expect(page.locator(".q.is-current")).to_have_count(1)


def test_search_and_select_all_work_on_the_whole_list(console: Page) -> None:
    """The search finds a question far below the window (and Enter goes to
    it); Esc gives the whole list back with the selection on it, in place;
    "select all that match" counts all 2,000, and a row drawn later shows
    it selected."""
    page = console
    far = COUNT - 13
    assert far not in {qid for qid, _, _ in drawn(page)}
    page.keyboard.press("/")
    box = page.locator("#filter-search")
    box.fill(f"so {far}")
    expect(rows(page)).to_have_count(1)
    expect(card(page, far)).to_have_attribute("aria-setsize", "1")
    expect(card(page, far)).to_have_attribute("aria-posinset", "1")
    box.press("Enter")
    expect(card(page, far)).to_be_focused()
    page.keyboard.press("/")
    box.press("Escape")
    expect(box).to_have_value("")
    expect(page.locator('[data-shown="pending"]')).to_have_text(str(COUNT))
    found = card(page, far)
    expect(found).to_be_focused()
    expect(found).to_have_class(CURRENT)
    expect(found).to_have_attribute("aria-posinset", str(far))
    expect(found).to_have_attribute("aria-setsize", str(COUNT))
    page.locator("#select-matching").click()
    expect(page.locator("#bulk-count")).to_have_text(f"Đã chọn {COUNT} câu hỏi")
    scroll_to_row(page, 3)
    expect(card(page, 3)).to_have_class(SELECTED)
    page.keyboard.press("Escape")
    expect(page.locator("#bulk")).to_be_hidden()
    expect(card(page, 3)).not_to_have_class(SELECTED)


def test_axe_finds_no_violation_on_the_windowed_console(console: Page) -> None:
    """At the top, and scrolled into the middle with the selection left above."""
    page = console
    page.keyboard.press("j")
    expect(card(page, 1)).to_be_focused()
    assert violations(page) == []
    scroll_to_row(page, COUNT // 2)
    expect(card(page, 1)).to_be_focused()
    assert violations(page) == []
