"""The producer console and the broadcast overlay in a real Chromium against a
real server: the login on the way in, queueing and reordering by keyboard and
by drag, text kept as text, and both in English. The air itself is in
test_air_control.py, the overlay's shape in test_overlay.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Position, expect

from tests.helpers import ServerProcess
from tests.web.seed import PASSWORD

from ..air_pages import row, wait_queue
from ..producer_seed import (
    StaffClient,
    approved,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

FIRST = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
SECOND = "Thủ tục hành chính trực tuyến còn nhiều bước rườm rà, Huế có kế hoạch đơn giản hóa không?"
THIRD = "Doanh nghiệp nhỏ được hỗ trợ chuyển đổi số như thế nào trong năm tới?"


def open_console(browser: Browser, site: ServerProcess, slug: str) -> Page:
    """The producer console, signed in through the login page it redirects to."""
    page = browser.new_context(locale="vi-VN").new_page()
    page.goto(f"{site.url}/console/{slug}/producer")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fconsole%2F"))
    page.get_by_label("Tên đăng nhập").fill("producer")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page).to_have_url(f"{site.url}/console/{slug}/producer")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    return page


def open_overlay(browser: Browser, producer: StaffClient, slug: str) -> Page:
    """The overlay page, in a context of its own with no session, as OBS opens it."""
    url = producer.client.get(f"/api/v1/dialogues/{slug}/screen").json()["url"]
    page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(url)
    page.evaluate("window.__sameDocument = true")  # a reload would lose it
    return page


def test_producer_queues_and_reorders_by_keyboard_and_drag(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """Queue, queue at head, Alt+Arrow and the move buttons, and drag and drop
    each change the server's queue order; the focus stays on the moved row."""
    a = approved(admin, site, slug, FIRST, topic="kinh-te-so", locality="Xã A Lưới 2")
    b = approved(admin, site, slug, SECOND)
    c = approved(admin, site, slug, THIRD)
    page = open_console(chromium, site, slug)
    try:
        row(page, "approved", FIRST).get_by_role("button", name="Đưa vào hàng chờ").click()
        expect(row(page, "queue", FIRST)).to_be_visible()
        wait_queue(admin, slug, [a])
        row(page, "approved", SECOND).get_by_role("button", name="Đưa vào hàng chờ").click()
        expect(row(page, "queue", SECOND)).to_be_visible()
        wait_queue(admin, slug, [a, b])
        row(page, "approved", THIRD).get_by_role("button", name="Đưa lên đầu hàng chờ").click()
        expect(page.locator("#queue-list > li").first).to_contain_text(THIRD)
        wait_queue(admin, slug, [c, a, b])
        expect(page.locator("#approved-empty")).to_be_visible()

        first = row(page, "queue", FIRST)
        first.focus()
        page.keyboard.press("Alt+ArrowUp")
        wait_queue(admin, slug, [a, c, b])
        expect(page.locator("#queue-list > li").first).to_contain_text(FIRST)
        expect(first).to_be_focused()
        expect(page.locator("#producer > [aria-live]")).to_have_text(
            f"Câu hỏi #{a} đã chuyển đến vị trí 1/3."
        )
        page.keyboard.press("Alt+ArrowDown")
        wait_queue(admin, slug, [c, a, b])
        expect(first).to_be_focused()

        row(page, "queue", THIRD).get_by_role("button", name=f"Chuyển xuống · Câu hỏi #{c}").click()
        wait_queue(admin, slug, [a, c, b])
        expect(page.locator("#queue-list > li").nth(1)).to_contain_text(THIRD)

        grip: Position = {"x": 12, "y": 12}  # the row itself, not its select or buttons
        row(page, "queue", SECOND).drag_to(
            row(page, "queue", FIRST), source_position=grip, target_position={"x": 60, "y": 4}
        )
        wait_queue(admin, slug, [b, a, c])
        expect(page.locator("#queue-list > li").first).to_contain_text(SECOND)
        target = row(page, "queue", THIRD)
        bottom = (target.bounding_box() or {"height": 0})["height"] - 4
        row(page, "queue", SECOND).drag_to(
            target, source_position=grip, target_position={"x": 60, "y": bottom}
        )
        wait_queue(admin, slug, [a, c, b])
        expect(page.locator(".pr-position")).to_have_text(["1", "2", "3"])
    finally:
        page.context.close()


def test_alt_arrow_pressed_twice_at_once_moves_two_places(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """Alt+ArrowDown twice while the first move's request is still on its
    way: the second waits for it (it was dropped, the question busy), and
    the question ends two places down, on the page and on the server."""
    ids = [approved(admin, site, slug, text) for text in (FIRST, SECOND, THIRD)]
    for qid in ids:
        admin.act(slug, qid, "queue")
    wait_queue(admin, slug, ids)
    page = open_console(chromium, site, slug)
    held: list[Any] = []
    moves = re.compile(r"/actions/move(\?|$)")

    def hold(route: Any) -> None:  # the first move only
        if held:
            route.continue_()
        else:
            held.append(route)

    try:
        page.route(moves, hold)
        row(page, "queue", FIRST).focus()
        with page.expect_request(moves):
            page.keyboard.press("Alt+ArrowDown")
        expect(page.locator("#queue-list > li").nth(1)).to_contain_text(FIRST)
        page.keyboard.press("Alt+ArrowDown")
        expect(page.locator("#queue-list > li").last).to_contain_text(FIRST)
        assert len(held) == 1, "the first move was not held"
        held[0].continue_()
        # Waiting in the page lets Playwright pass the second move through ``hold``.
        expect(page.locator("#producer > [aria-live]")).to_have_text(
            f"Câu hỏi #{ids[0]} đã chuyển đến vị trí 3/3."
        )
        wait_queue(admin, slug, [ids[1], ids[2], ids[0]])
        expect(page.locator("#queue-list > li").last).to_contain_text(FIRST)
        expect(row(page, "queue", FIRST)).to_be_focused()
    finally:
        page.context.close()


def test_console_keeps_text_as_text(
    chromium: Browser,
    site: ServerProcess,
    slug: str,
    admin: StaffClient,
    producer: StaffClient,
) -> None:
    """A question written as HTML shows literally in the console, the overlay
    and the presenter view, and so does its on-air text."""
    markup = '<img src=x onerror="window.__xss=1"> có được hỗ trợ không?'
    qid = approved(admin, site, slug, markup, name="<b>Tên</b>")
    admin.act(slug, qid, "queue")
    admin.post(f"/api/v1/dialogues/{slug}/next", {"current": ""})
    overlay = open_overlay(chromium, producer, slug)
    presenter = overlay.context.new_page()
    presenter.goto(overlay.url.replace("/d/", "/console/").replace("/screen?", "/presenter?"))
    page = open_console(chromium, site, slug)
    try:
        expect(page.locator("#on-air-question .q-text")).to_have_text(markup)
        expect(overlay.locator("#lt-text")).to_have_text(markup)
        expect(overlay.locator("#lt-name")).to_have_text("<b>Tên</b>")
        expect(presenter.locator("#pv-text")).to_have_text(markup)
        expect(presenter.locator("#pv-name")).to_have_text("<b>Tên</b>")
        version = admin.client.get(f"/api/v1/dialogues/{slug}/questions/{qid}").json()["version"]
        air = "<script>window.__xss=1</script>"
        admin.act(slug, qid, "air_text", text=air, version=version)
        expect(overlay.locator("#lt-text")).to_have_text(air)
        expect(presenter.locator("#pv-text")).to_have_text(air)
        expect(page.locator("#on-air-question .pr-air-text")).to_have_text(
            f"Lên sóng với câu: {air}"
        )
        for view in (page, overlay, presenter):
            hostile = "main img:not(#lt-logo), main script:not([type='application/json'])"
            expect(view.locator(hostile)).to_have_count(0)
            assert view.evaluate("typeof window.__xss") == "undefined"
    finally:
        page.context.close()
        overlay.context.close()


def test_console_and_overlay_in_english(
    chromium: Browser,
    site: ServerProcess,
    slug: str,
    admin: StaffClient,
    producer: StaffClient,
) -> None:
    """?lang=en gives the console and the overlay's labels in English."""
    qid = approved(admin, site, slug, FIRST)
    admin.act(slug, qid, "queue")
    page = open_console(chromium, site, slug)
    overlay = open_overlay(chromium, producer, slug)
    try:
        page.goto(f"{page.url}?lang=en")
        expect(page.locator("#connection")).to_have_text("Live: changes appear as they happen")
        page.get_by_role("button", name="Next question").click()
        expect(page.locator(".pr-speaking")).to_have_text(
            "This question is not routed to an official."
        )
        for name in ("Skip", "Back to queue", "In writing, then next", "Hide the overlay"):
            expect(page.get_by_role("button", name=name)).to_be_visible()
        overlay.goto(f"{overlay.url}&lang=en")
        expect(overlay.locator(".lt-live")).to_have_text("Now answering")
        expect(overlay.locator("#lt-text")).to_have_text(FIRST)
        page.get_by_role("button", name="Next question").click()
        expect(page.locator("#undo-text")).to_have_text(
            f"#{qid} was marked answered live. Nothing is on air."
        )
        expect(overlay.locator("#idle-phase")).to_have_text("On air now")
    finally:
        page.context.close()
        overlay.context.close()
