"""One long unbroken string (a question of 2,000 "x", a title without a
space) never makes a page wider than the window: the console's card and its
"repeated characters" flag (whose excerpt the server shortens), the
dialogue's title on the console, the public page, the asker's tracking page
and the audit trail, at a
phone's 360 px and a laptop's 1366 px. Nor does what people and admins type,
as long as the app takes it and without a space (a name, an organisation
written as its web domain, a locality, an official's name and title, a
topic, a username, a display name): the public page, the archive, the
tracking page, the official's and the producer's consoles, the dashboard
(whose tables scroll in their own named regions), a dialogue's settings
(its dropdowns of officials) and the accounts page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from server.domain.screening import EXCERPT
from tests.helpers import ServerProcess
from tests.support.store import with_actions
from tests.web.seed import PASSWORD

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


# What people and admins type, realistically long and without a space: an
# organisation written as its web domain (52 characters), a long name, a
# long locality, an official's long name and title, a long topic name, a
# username of 32 characters and a display name of 100.
ORGANISATION = "sokhoahocvacongnghe-thanhphohue.thuathienhue.gov.vn"
# Each as long as the app takes it, without a space.
NAME = ("Nguyễn" + "ThịMinhKhai" * 9)[:100]
LOCALITY = ("TổdânphốsốMườiHaiPhườngThuậnHóa" + "q" * 70)[:100]
OFFICIAL_NAME = ("TônNữ" + "HoàngPhươngThảo" * 14)[:200]
OFFICIAL_TITLE = ("GiámđốcSởKhoahọcvàCôngnghệ" + "t" * 300)[:300]
TOPIC = ("Chuyểnđổisốtronghànhchínhcông" + "c" * 70)[:100]
USERNAME = "nguyen.thi.minh.khai.truong-phon"
DISPLAY = "Đặng" + "VănThànhCông" * 8
ASKED = "Xin hỏi bao giờ phường có điểm phát wifi miễn phí ạ?"
WAITING = "Xin hỏi thủ tục đăng ký kinh doanh trực tuyến mất bao lâu ạ?"
OWED = "Xin hỏi khi nào cấp đổi căn cước cho người cao tuổi tại nhà ạ?"


@pytest.mark.parametrize("width", [360, 1366])
def test_long_names_organisations_places_titles_and_topics_fit_the_window(
    chromium: Browser, server: ServerProcess, redis_server: str, width: int
) -> None:
    """Every page that shows what people and admins typed (the public page,
    the archive and its report, the tracking page, the official's and the producer's
    consoles, the dashboard, a dialogue's settings and the accounts page)
    fits the window; a table too wide for it scrolls in its own region."""
    asker = {"name": NAME, "organization": ORGANISATION, "locality": LOCALITY, "topic": "dai"}
    b = Show(
        redis_server,
        server.url,
        "ten-dai",
        topics=[{"id": "dai", "name": TOPIC}, {"id": "ngan", "name": "Kinh tế số"}],
        officials=[
            {"id": "o1", "name": OFFICIAL_NAME, "title": OFFICIAL_TITLE, "username": "official"},
            {"id": "o2", "name": "Trần Thị Bình", "title": OFFICIAL_TITLE + "x"},
        ],
        localities=[LOCALITY, "Xã A Lưới 2"],
        topic_officials={"dai": "o1", "ngan": "o2"},
    )
    answered = b.ask(ASKED, **asker)
    b.publish(answered, "o1", queue=True)
    b.answer_live(answered, "Phường sẽ lắp đặt trong quý tới.")
    b.publish(b.ask(WAITING, **asker), "o1", queue=True)
    b.publish(b.ask(OWED, **asker), "o1")
    with_actions(
        redis_server,
        lambda actions: actions.accounts.add(USERNAME, PASSWORD, (), DISPLAY, dialogues=()),
    )
    viewport: ViewportSize = {"width": width, "height": 800}

    citizen = chromium.new_context(locale="vi-VN", viewport=viewport)
    try:
        public = citizen.new_page()
        public.goto(f"{server.url}/d/{b.slug}")
        expect(public.locator("#question-list").get_by_text(ORGANISATION).first).to_be_visible()
        fits(public)

        archive = citizen.new_page()
        archive.goto(f"{server.url}/d/{b.slug}/archive")
        expect(archive.get_by_text(OFFICIAL_NAME).first).to_be_visible()
        expect(archive.get_by_text(ORGANISATION).first).to_be_visible()
        fits(archive)

        report = citizen.new_page()
        report.goto(f"{server.url}/d/{b.slug}/report")
        expect(report.get_by_role("region", name="Bảng: Theo cơ quan trả lời")).to_contain_text(
            OFFICIAL_TITLE
        )
        fits(report)

        tracking = citizen.new_page()
        tracking.goto(f"{server.url}/t/{answered}")
        expect(tracking.locator(".answer-official")).to_contain_text(OFFICIAL_NAME)
        expect(tracking.locator(".tag").first).to_have_text(TOPIC)
        fits(tracking)
    finally:
        citizen.close()

    def seen(page: Page, text: str) -> None:
        expect(page.get_by_text(text).first).to_be_visible()

    for who, path, shown in (
        ("moderator", f"/console/{b.slug}", ORGANISATION),
        ("official", f"/console/{b.slug}/official", TOPIC),
        ("producer", f"/console/{b.slug}/producer", TOPIC),
        ("producer", f"/console/{b.slug}/wrap-up", WAITING),
        ("producer", f"/console/{b.slug}/dashboard", TOPIC),
        ("admin", f"/admin/{b.slug}", TOPIC),
        ("admin", "/admin/users", DISPLAY),
    ):
        staff = signed_in(chromium, server, who, viewport=viewport)
        try:
            live = "console" in path and not path.endswith("/wrap-up")
            page = live_page(staff, f"{server.url}{path}") if live else None
            if page is None:
                page = staff.new_page()
                page.goto(f"{server.url}{path}")
            if path.endswith("/official"):
                seen(page, OFFICIAL_NAME)
            if path.endswith("/dashboard"):
                # The tables shown too ("The numbers as a table"); each scrolls
                # in its own named region when it is wider than the window.
                for summary in page.locator("details.chart-table > summary").all():
                    summary.click()
                expect(page.locator("#topic-table")).to_contain_text(TOPIC)
                tables = page.locator("table")
                expect(tables).to_have_count(7)
                regions = page.locator(".table-scroll[role=region][aria-label][tabindex='0']")
                expect(regions.locator(":scope > table")).to_have_count(7)
            if path == "/admin/users":
                expect(page.locator(f'li[data-username="{USERNAME}"]')).to_contain_text(
                    f"Vai trò của {USERNAME}"
                )
            seen(page, shown) if path != f"/admin/{b.slug}" else None
            fits(page)
        finally:
            staff.close()
