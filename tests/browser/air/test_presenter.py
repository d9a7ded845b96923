"""The presenter view (/console/<slug>/presenter) in Chromium: who may open
it (staff who may see the dialogue, or a screen on set with the overlay's
token), and that it follows the air live — the question on air (its on-air
text when set), the asker's name and locality, who answers, the next two in
the queue and a clock since it went on air — without a reload."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, expect

from server.domain.model import Status
from tests.helpers import ServerProcess
from tests.support.bulk import seed_dialogue

from ..air_pages import air_key, console, question, screen_token, staff_page
from ..producer_seed import StaffClient, approved

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

FIRST = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
SECOND = "Thủ tục hành chính trực tuyến còn rườm rà, thành phố có kế hoạch đơn giản hóa không?"
THIRD = "Doanh nghiệp nhỏ được hỗ trợ chuyển đổi số như thế nào trong năm tới?"
FOURTH = "Khi nào có wifi miễn phí ở các điểm du lịch của thành phố Huế?"


def test_who_may_open_the_presenter_view(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """Without a session: the login page. Staff who may see the dialogue
    (moderator, official, producer): the view. With the overlay's token and
    no session: the view; with a wrong token: a 403 page."""
    path = f"/console/{slug}/presenter"
    with httpx.Client(base_url=site.url, timeout=10) as anonymous:
        response = anonymous.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next=%2Fconsole%2F{slug}%2Fpresenter"
        assert anonymous.get(path, params={"token": "sai"}).status_code == 403
        unknown = anonymous.get("/console/khong-co/presenter", params={"token": "x"})
        assert unknown.status_code == 404
        token = screen_token(admin, slug)
        allowed = anonymous.get(path, params={"token": token})
        assert allowed.status_code == 200
        assert "presenter.js" in allowed.text
        assert token not in allowed.text  # the page reads it from its address, never echoes it
        assert allowed.headers["cache-control"] == "no-store"
        assert allowed.headers["referrer-policy"] == "same-origin"
    for username in ("moderator", "official", "producer"):
        with StaffClient(site.url, username) as staff:
            response = staff.client.get(path)
            assert response.status_code == 200, (username, response.status_code)
            assert "presenter.js" in response.text
    page = staff_page(chromium, site, "official", path)
    try:
        expect(page.locator("#presenter")).to_have_attribute("data-connection", "live")
        expect(page.locator("#pv-empty")).to_have_text("Chưa có câu hỏi nào đang lên sóng.")
    finally:
        page.context.close()


def test_the_presenter_view_follows_the_air_live(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """Opened with the token on a screen on set, it shows what the producer
    puts on air as it happens: text (or on-air text), asker, official, the
    next two, and a running clock."""
    a = approved(admin, site, slug, FIRST, name="Hồ Thị Lan", locality="Xã A Lưới 2")
    ids = [a] + [approved(admin, site, slug, text) for text in (SECOND, THIRD, FOURTH)]
    for qid in ids:
        admin.act(slug, qid, "queue")
    admin.act(slug, a, "assign", official_id="o1")
    context = chromium.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    view = context.new_page()
    view.goto(f"{site.url}/console/{slug}/presenter?token={screen_token(admin, slug)}")
    desk = console(chromium, site, slug)
    try:
        expect(view.locator("#presenter")).to_have_attribute("data-connection", "live")
        view.evaluate("window.__sameDocument = true")  # a reload would lose it
        expect(view.locator("#pv-empty")).to_be_visible()
        expect(view.locator("#pv-next-list .pv-next-text")).to_have_text(
            [f"#{ids[0]}{FIRST}", f"#{ids[1]}{SECOND}"]
        )

        desk.get_by_role("button", name="Câu hỏi tiếp theo").click()
        expect(view.locator("#pv-text")).to_have_text(FIRST)
        expect(view.locator("#pv-name")).to_have_text("Hồ Thị Lan")
        expect(view.locator("#pv-place")).to_have_text("Xã A Lưới 2")
        expect(view.locator("#pv-official")).to_have_text(
            "Trả lời: Nguyễn Văn An, Giám đốc Sở Khoa học và Công nghệ"
        )
        expect(view.locator("#pv-next-list .pv-next-text")).to_have_text(
            [f"#{ids[1]}{SECOND}", f"#{ids[2]}{THIRD}"]
        )
        expect(view.locator("#pv-clock")).to_have_text(re.compile(r"^00:0[1-9]$"))
        size = view.evaluate(
            "parseFloat(getComputedStyle(document.getElementById('pv-text')).fontSize)"
        )
        assert size >= 60, f"{size}px cannot be read from three metres"

        version = question(admin, slug, ids[1])["version"]
        short = "Đơn giản hóa thủ tục trực tuyến?"
        admin.act(slug, ids[1], "air_text", text=short, version=version)
        air_key(desk, "n")
        expect(view.locator("#pv-text")).to_have_text(short)
        expect(view.locator("#pv-official")).to_have_text(
            "Câu hỏi này chưa được chuyển cho lãnh đạo nào."
        )
        expect(view.locator("#pv-next-list .pv-next-text")).to_have_text(
            [f"#{ids[2]}{THIRD}", f"#{ids[3]}{FOURTH}"]
        )

        # "back" names what the desk shows on air: wait until it shows the new one.
        expect(desk.locator("#on-air-question .pr-air-text")).to_contain_text(short)
        air_key(desk, "b")
        expect(view.locator("#pv-empty")).to_be_visible()
        expect(view.locator("#pv-clock-box")).to_be_hidden()
        expect(view.locator("#pv-next-list .pv-next-text").first).to_have_text(f"#{ids[1]}{short}")
        assert view.evaluate("window.__sameDocument") is True
        expect(view.locator("button, input, select, textarea")).to_have_count(0)
    finally:
        context.close()
        desk.context.close()


def test_the_presenter_reads_the_next_questions_the_first_message_left_out(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient, redis_server: str
) -> None:
    """The public feed's first message carries the head of a long queue only
    (20) and the newest questions (here 71 to 120): when questions in between
    move up (those ahead leave the queue, and the feed names the new order by
    ids), the presenter reads them."""
    seed_dialogue(redis_server, slug, 120, mix=((Status.QUEUED, 1),), long_every=10**9)
    context = chromium.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    view = context.new_page()
    try:
        view.goto(f"{site.url}/console/{slug}/presenter?token={screen_token(admin, slug)}")
        expect(view.locator("#presenter")).to_have_attribute("data-connection", "live")
        expect(view.locator("#pv-next-list .pv-next-item")).to_have_count(2)
        for qid in range(1, 21):  # the 20 the first message carried leave the queue
            admin.act(slug, str(qid), "dequeue", version=1)
        expect(view.locator("#pv-next-list .pv-next-text")).to_have_text(
            [re.compile(r"^#21Câu hỏi số 21 "), re.compile(r"^#22Câu hỏi số 22 ")]
        )
    finally:
        context.close()
