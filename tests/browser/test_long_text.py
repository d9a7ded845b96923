"""One long unbroken string (a question of 2,000 "x", a title without a
space) never makes a page wider than the window: the console's card and its
"repeated characters" flag (whose excerpt the server shortens), the
dialogue's title on the console, the public page, the asker's tracking page
and the audit trail, at a
phone's 360 px and a laptop's 1366 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from server.domain.screening import EXCERPT
from tests.helpers import ServerProcess

from .owed_seed import Show, live_page, no_horizontal_scroll, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

RUN = "x" * 2000
WORD = "Xin hỏi khi nào sửa đường Lê Duẩn ạ " + "abcdefghij" * 150
TITLE = "Đối thoại " + "y" * 300


def fits(page: Page) -> None:
    """Nothing is wider than the window (the page scrolls only down)."""
    document, body, window = no_horizontal_scroll(page)
    assert document <= window and body <= window, (page.url, document, body, window)


@pytest.mark.parametrize("width", [360, 1366])
def test_a_long_unbroken_question_and_title_fit_the_window(
    chromium: Browser, server: ServerProcess, redis_server: str, width: int
) -> None:
    b = Show(redis_server, server.url, "dai", title=TITLE)
    code = b.ask(RUN, name="Nguyễn " + "z" * 90)
    published = b.ask(WORD)
    b.act(published, "approve")
    context = signed_in(chromium, server, "moderator", viewport={"width": width, "height": 800})
    try:
        console = live_page(context, f"{server.url}/console/{b.slug}")
        card = console.locator("#pending-list > li").first
        expect(console.locator("#published-list .q-text")).to_have_text(WORD)
        expect(card.locator(".q-text")).to_have_text(RUN)
        reason = card.locator(".flag-reason")
        expect(reason).to_have_text(f"trong câu hỏi: “{'x' * EXCERPT}…”")
        fits(console)
        box = card.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, box

        public = context.new_page()
        public.goto(f"{server.url}/d/{b.slug}")
        expect(public.locator("h1")).to_have_text(TITLE)
        expect(public.locator("#question-list .pq-text")).to_contain_text(WORD[:60])
        fits(public)

        index = context.new_page()
        index.goto(f"{server.url}/")
        expect(index.get_by_text(TITLE).first).to_be_visible()
        fits(index)

        tracking = context.new_page()
        tracking.goto(f"{server.url}/t/{code}")
        expect(tracking.locator(".tracking-text")).to_have_text(RUN)
        fits(tracking)

        audit = context.new_page()
        audit.goto(f"{server.url}/console/{b.slug}/audit")
        expect(audit.locator(".audit-row").first).to_be_visible()
        fits(audit)
    finally:
        context.close()
    for who, paths in (
        ("producer", ("producer", "wrap-up", "dashboard")),
        ("official", ("official",)),
        ("admin", ("/admin", f"/admin/{b.slug}")),
    ):
        staff = signed_in(chromium, server, who, viewport={"width": width, "height": 800})
        try:
            for path in paths:
                page = staff.new_page()
                page.goto(f"{server.url}{path if path[0] == '/' else f'/console/{b.slug}/{path}'}")
                expect(page.get_by_text(TITLE).first).to_be_visible()
                fits(page)
        finally:
            staff.close()
