"""The official's console in a real Chromium against a real server: who may
open it (the dialogue's officials, their aides, its secretary, admins), an
aide answering in writing for the official, and the asker's way from the
public page to their tracking page. What the console does during and after
the broadcast is in test_official_console.py."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect

from server.domain.model import Status
from tests.helpers import ServerProcess
from tests.web.seed import PASSWORD

from .owed_seed import Show, live_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MINE = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
WRITTEN = "Sở Khoa học và Công nghệ trả lời bằng văn bản: lộ trình chi tiết gửi kèm."


def test_aide_publishes_a_written_answer_for_the_official(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """An aide sees the official's questions and publishes a written answer
    under the official's name, once they confirm it (cancelled, nothing is
    sent); the tracking page shows it to the asker."""
    b = Show(redis_server, server.url, "tro-ly")
    code = b.ask(MINE)
    b.publish(code, "o1", queue=True)
    b.act(code, "defer", "producer")
    staff = signed_in(chromium, server, "aide")
    citizen = chromium.new_context(locale="vi-VN")
    try:
        console = live_page(staff, f"{server.url}/console/{b.slug}/official")
        expect(console.locator("#official-name")).to_have_text("Nguyễn Văn An")
        expect(console.get_by_text("Tài khoản này là trợ lý của lãnh đạo")).to_be_visible()
        owed = console.locator("#owed-list > li").filter(has_text=MINE)
        owed.get_by_label(
            "Câu trả lời bằng văn bản (đăng trên trang công khai và gửi đến người hỏi)"
        ).fill(WRITTEN)
        # Public and e-mailed at once, which cannot be recalled: asked first.
        publish = owed.get_by_role("button", name="Đăng câu trả lời")
        publish.click()
        dialog = console.get_by_role("dialog", name="Đăng câu trả lời bằng văn bản này?")
        expect(dialog).to_contain_text("gửi đến người hỏi")
        expect(dialog).to_contain_text("không thể thu hồi")
        dialog.get_by_role("button", name="Hủy").click()
        expect(dialog).to_be_hidden()
        expect(publish).to_be_focused()
        assert b.question(code).status is Status.DEFERRED
        expect(owed.get_by_role("textbox").first).to_have_value(WRITTEN)
        publish.click()
        dialog.get_by_role("button", name="Đăng và gửi").click()
        answered = console.locator("#answered-list > li").filter(has_text=MINE)
        expect(answered.locator(".answer-official")).to_have_text("Nguyễn Văn An")
        expect(answered.locator(".answer-kind")).to_have_text("Trả lời bằng văn bản")
        question = b.question(code)
        assert question.status is Status.ANSWERED and question.answer is not None
        answer = question.answer
        assert (answer.by, answer.official_id, answer.kind, answer.text) == (
            "aide",
            "o1",
            "written",
            WRITTEN,
        )
        tracking = citizen.new_page()
        tracking.goto(f"{server.url}/t/{code}")
        expect(tracking.locator("h1")).to_have_text("Câu hỏi của Ông/Bà đã được trả lời")
        expect(tracking.locator(".answer-text")).to_have_text(WRITTEN)
    finally:
        staff.close()
        citizen.close()


def test_console_is_for_the_dialogues_officials_secretaries_and_admins(
    server: ServerProcess, redis_server: str
) -> None:
    """Anonymous visitors sign in first; officials, aides, the secretary and
    admins get in; other staff get 403."""
    b = Show(redis_server, server.url, "quyen")
    path = f"/console/{b.slug}/official"

    @contextlib.contextmanager
    def client_of(username: str | None) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            if username:
                signed = client.post("/login", data={"username": username, "password": PASSWORD})
                assert signed.status_code == 303, signed.text
            yield client

    with client_of(None) as anonymous:
        response = anonymous.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next=%2Fconsole%2F{b.slug}%2Fofficial"
    for username in ("producer", "moderator"):
        with client_of(username) as staff:
            response = staff.get(path)
            assert response.status_code == 403, username
            assert "không phải lãnh đạo trả lời hay trợ lý" in response.text
    with client_of("producer") as producer:
        assert producer.get("/console/khong-co/official").status_code == 404
    for username, official in (("official", "o1"), ("aide", "o1"), ("official2", "o2")):
        with client_of(username) as client:
            html = client.get(path).text
            assert f'data-official="{official}"' in html, username
            assert 'data-secretary="false"' in html, username
            assert ('id="pick-official"' in html) is False
    with client_of("secretary") as secretary:
        html = secretary.get(path).text
        assert 'data-official=""' in html and 'data-secretary="true"' in html
        assert 'id="summaries-list"' in html and 'id="owed-list"' not in html
    with client_of("admin") as admin:
        html = admin.get(path).text
        assert 'data-official="o1"' in html
        assert '<option value="o2">Trần Thị Bình, Phó Chủ tịch UBND thành phố</option>' in html
        assert 'data-official="o2"' in admin.get(path, params={"official": "o2"}).text
        roles = re.search(r'data-roles="([^"]*)"', admin.get("/admin/users").text)
        assert roles is not None and "secretary" in roles.group(1).split(",")


def test_asker_follows_the_link_to_their_tracking_page(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """After asking on the public page, the thank-you box links to the question's tracking page."""
    b = Show(redis_server, server.url, "hoi-dap")
    citizen = chromium.new_context(locale="vi-VN")
    try:
        page = live_page(citizen, f"{server.url}/d/{b.slug}")
        expect(page.get_by_role("link", name="Tổng hợp câu trả lời")).to_have_attribute(
            "href", f"/d/{b.slug}/archive"
        )
        page.get_by_label("Họ và tên").fill("Hồ Thị Lan")
        page.get_by_label("Câu hỏi", exact=True).fill(MINE)
        page.get_by_role("button", name="Gửi câu hỏi", exact=True).click()
        code = page.locator("#ask-code")
        expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}$"))
        link = page.get_by_role("link", name="Theo dõi câu hỏi")
        expect(link).to_have_attribute("href", f"/t/{code.text_content()}")
        link.click()
        expect(page.locator("h1")).to_have_text(
            re.compile("Câu hỏi của Ông/Bà (đã được tiếp nhận|đang được xem xét)")
        )
        expect(page.locator(".tracking-text")).to_have_text(MINE)
    finally:
        citizen.close()
