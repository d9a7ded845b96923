"""The official's console in a real Chromium against a real server: the
questions routed to me, live; notes; start answering; one action to publish;
an aide answering for the official; written answers after the broadcast; and
who may open the page at all."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from playwright.sync_api import BrowserContext, Page, Route, expect

from server.web.templating import when
from tests.helpers import ServerProcess
from tests.web.record_seed import STAFF, Broadcast, add_staff
from tests.web.seed import PASSWORD, server_env

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MINE = "Xin hỏi khi nào tỉnh hoàn thành phủ sóng 4G cho các thôn vùng cao huyện A Lưới?"
THEIRS = (
    "Tỉnh có chính sách gì thu hút doanh nghiệp công nghệ về khu công nghệ thông tin tập trung?"
)
LATER = "Người cao tuổi có được đào tạo kỹ năng số miễn phí tại phường, xã không ạ?"
NOTE = "Số liệu phủ sóng: 92% thôn đã có 4G (báo cáo Sở tháng 10)."
ANSWER = "Đến quý II năm 2027, toàn bộ các thôn vùng cao của huyện A Lưới sẽ có sóng 4G ổn định."
#: The accounts these tests sign in with (each costs a password hash to make).
ACCOUNTS = ("official", "official2", "aide", "producer", "admin")
WRITTEN = "Sở Thông tin và Truyền thông trả lời bằng văn bản: lộ trình chi tiết gửi kèm."


@pytest.fixture(scope="module")
def server(redis_server: str) -> Iterator[ServerProcess]:
    """One app for the module, on an emptied Redis with the staff accounts;
    each test makes a dialogue of its own."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    add_staff(redis_server, {name: STAFF[name] for name in ACCOUNTS})
    with ServerProcess(env=server_env(redis_server)) as process:
        yield process


def sign_in_api(context: BrowserContext, server: ServerProcess, username: str) -> None:
    """Open a session for ``username`` in ``context`` (its cookie jar)."""
    response = context.request.post(
        f"{server.url}/api/v1/session", data={"username": username, "password": PASSWORD}
    )
    assert response.ok, response.text()


def open_console(page: Page, server: ServerProcess, slug: str) -> None:
    page.goto(f"{server.url}/console/{slug}/official")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def open_public(page: Page, server: ServerProcess, slug: str) -> None:
    page.goto(f"{server.url}/d/{slug}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    page.evaluate("window.__sameDocument = true")


def card(page: Page, section: str, text: str) -> Any:
    return page.locator(f"#{section}-list > li").filter(has=page.locator(".q-text", has_text=text))


def test_official_prepares_and_answers_live(
    chromium: Any, server: ServerProcess, redis_server: str
) -> None:
    """An official sees only their questions, notes, answers on air; the public page follows."""
    b = Broadcast(redis_server, server.url, "truc-tiep")
    mine = b.ask(MINE, locality="Huyện A Lưới")
    b.publish(mine, "o1", queue=True)
    theirs = b.ask(THEIRS)
    b.publish(theirs, "o2", queue=True)
    question_id = b.question(mine).id
    citizen = chromium.new_context(locale="vi-VN")
    staff = chromium.new_context(locale="vi-VN")
    try:
        public = citizen.new_page()
        open_public(public, server, b.slug)

        console = staff.new_page()
        console.goto(f"{server.url}/console/{b.slug}/official")
        expect(console).to_have_url(re.compile(r"/login\?next=%2Fconsole%2Ftruc-tiep%2Fofficial"))
        console.get_by_label("Tên đăng nhập").fill("official")
        console.get_by_label("Mật khẩu").fill(PASSWORD)
        console.get_by_role("button", name="Đăng nhập", exact=True).click()
        expect(console).to_have_url(f"{server.url}/console/{b.slug}/official")
        expect(console.locator("#connection")).to_have_attribute("data-state", "live")

        queued = card(console, "queued", MINE)
        expect(queued).to_be_visible()
        expect(queued).to_contain_text("Thứ 1 trong hàng chờ lên sóng")
        expect(console.get_by_text(THEIRS)).to_have_count(0)

        # A question routed to me while the page is open appears by itself; routed away, it goes.
        b.act(theirs, "assign", official_id="o1")
        expect(card(console, "queued", THEIRS)).to_contain_text("Thứ 2 trong hàng chờ lên sóng")
        b.act(theirs, "assign", official_id="o2")
        expect(console.get_by_text(THEIRS)).to_have_count(0)

        queued.get_by_text("Viết ghi chú", exact=True).click()
        queued.get_by_label("Ghi chú mới").fill(NOTE)
        queued.get_by_role("button", name="Lưu ghi chú").click()
        note = queued.locator(".notes-list .note")
        expect(note.locator(".note-text")).to_have_text(NOTE)
        expect(note.locator(".note-actor")).to_have_text("official")
        expect(queued.get_by_label("Ghi chú mới")).to_have_value("")

        queued.get_by_role("button", name="Bắt đầu trả lời").click()
        on_air = card(console, "on_air", MINE)
        area = on_air.get_by_label("Tóm tắt câu trả lời (đăng trên trang công khai)")
        expect(area).to_be_focused()
        expect(on_air).to_contain_text("Lên sóng từ")
        expect(public.locator("#on-air-list .pq-text")).to_have_text(MINE)

        area.fill(ANSWER)
        expect(on_air.locator(".answer-box .char-count")).to_have_text(f"{len(ANSWER)}/10000 ký tự")
        on_air.get_by_role("button", name="Đăng câu trả lời").click()

        answered = card(console, "answered", MINE)
        expect(answered.locator(".answer-text")).to_have_text(ANSWER)
        expect(answered.locator(".answer-kind")).to_have_text("Trả lời trực tiếp")
        expect(console.locator("#on_air-empty")).to_be_visible()
        expect(answered.locator(".note-text")).to_have_text(NOTE)

        shown = public.locator(f"#pq-{question_id}")
        expect(shown.locator(".answer-text")).to_have_text(ANSWER)
        expect(shown.locator(".answer-official")).to_contain_text("Nguyễn Văn An")
        link = shown.get_by_role("link", name="Xem lại phần trả lời này trong video")
        expect(link).to_have_attribute(
            "href", re.compile(r"^https://www\.youtube\.com/watch\?v=.*&t=\d+s$")
        )
        expect(public.locator("#on-air-empty")).to_be_visible()
        assert public.evaluate("window.__sameDocument") is True
        expect(public.get_by_text(NOTE)).to_have_count(0)
    finally:
        citizen.close()
        staff.close()


def test_aide_publishes_an_answer_for_the_official(
    chromium: Any, server: ServerProcess, redis_server: str
) -> None:
    """An aide sees the official's questions and publishes an answer under the official's name."""
    b = Broadcast(redis_server, server.url, "tro-ly")
    code = b.ask(MINE)
    b.publish(code, "o1", queue=True)
    b.act(code, "on_air", "producer")
    staff = chromium.new_context(locale="vi-VN")
    try:
        sign_in_api(staff, server, "aide")
        console = staff.new_page()
        open_console(console, server, b.slug)
        expect(console.locator("#official-name")).to_have_text("Nguyễn Văn An")
        expect(console.get_by_text("Bạn là trợ lý của lãnh đạo này")).to_be_visible()
        on_air = card(console, "on_air", MINE)
        on_air.get_by_label("Tóm tắt câu trả lời (đăng trên trang công khai)").fill(ANSWER)
        on_air.get_by_role("button", name="Đăng câu trả lời").click()
        expect(card(console, "answered", MINE).locator(".answer-official")).to_have_text(
            "Nguyễn Văn An"
        )
        answer = b.question(code).answer
        assert answer is not None
        assert (answer.by, answer.official_id, answer.kind, answer.text) == (
            "aide",
            "o1",
            "live",
            ANSWER,
        )
    finally:
        staff.close()


def test_written_answers_owed_after_the_broadcast(
    chromium: Any, server: ServerProcess, redis_server: str
) -> None:
    """After closing, answers owed lead (oldest first, dated); a written answer reaches tracking."""
    b = Broadcast(redis_server, server.url, "sau-buoi")
    first, second = b.ask(MINE), b.ask(LATER)
    for code in (first, second):
        b.publish(code, "o1", queue=True)
        b.act(code, "defer", "producer")
    b.phase("closed")
    owed_since = b.question(first).deferred_at
    assert owed_since
    staff = chromium.new_context(locale="vi-VN")
    citizen = chromium.new_context(locale="vi-VN")
    try:
        sign_in_api(staff, server, "official")
        console = staff.new_page()
        open_console(console, server, b.slug)
        expect(console.locator("#closed-note")).to_be_visible()
        expect(console.locator("#sections > section").first).to_have_id("sec-deferred")
        owed = console.locator("#deferred-list > li")
        expect(owed).to_have_count(2)
        expect(owed.nth(0).locator(".q-text")).to_have_text(MINE)
        expect(owed.nth(0).locator(".oq-owed")).to_have_text(
            f"Chờ trả lời bằng văn bản từ {when(owed_since, 'vi')}"
        )
        expect(owed.nth(0).get_by_role("button", name="Bắt đầu trả lời")).to_have_count(0)

        box = owed.nth(0).get_by_label(
            "Câu trả lời bằng văn bản (đăng trên trang công khai và gửi đến người hỏi)"
        )
        box.fill(WRITTEN)
        owed.nth(0).get_by_role("button", name="Đăng câu trả lời").click()
        answered = card(console, "answered", MINE)
        expect(answered.locator(".answer-kind")).to_have_text("Trả lời bằng văn bản")
        expect(console.locator('[data-count="deferred"]')).to_have_text("1")

        def answered_meanwhile(route: Route) -> None:
            b.act(second, "answer", "aide", text="Trợ lý đã trả lời câu này trước.")
            route.continue_()

        later = card(console, "deferred", LATER)
        later.get_by_role("textbox").first.fill("Câu trả lời thứ hai, gửi muộn hơn.")
        console.route(re.compile(r".*/actions/answer$"), answered_meanwhile)
        later.get_by_role("button", name="Đăng câu trả lời").click()
        message = card(console, "answered", LATER).locator(".q-message")
        expect(message).to_have_text(
            "Câu hỏi vừa thay đổi, hiện ở trạng thái: Đã trả lời. "
            "Thao tác chưa được thực hiện: hãy kiểm tra rồi thử lại."
        )
        expect(console.locator("#deferred-empty")).to_be_visible()

        tracking = citizen.new_page()
        tracking.goto(f"{server.url}/t/{first}")
        expect(tracking.locator("h1")).to_have_text("Câu hỏi của bạn đã được trả lời")
        expect(tracking.locator(".answer-text")).to_have_text(WRITTEN)
        expect(tracking.locator(".answer-kind")).to_have_text("Trả lời bằng văn bản")
    finally:
        staff.close()
        citizen.close()


def test_console_is_for_the_dialogues_officials_and_admins(
    server: ServerProcess, redis_server: str
) -> None:
    """Anonymous visitors sign in first; officials, aides and admins get in; other staff get 403."""
    b = Broadcast(redis_server, server.url, "quyen")
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
        assert response.headers["location"] == "/login?next=%2Fconsole%2Fquyen%2Fofficial"
    with client_of("producer") as producer:
        response = producer.get(path)
        assert response.status_code == 403
        assert "không phải lãnh đạo trả lời hay trợ lý" in response.text
        assert producer.get("/console/khong-co/official").status_code == 404
    for username, official in (("official", "o1"), ("aide", "o1"), ("official2", "o2")):
        with client_of(username) as client:
            html = client.get(path).text
            assert f'data-official="{official}"' in html, username
            assert ('id="pick-official"' in html) is False
    with client_of("admin") as admin:
        html = admin.get(path).text
        assert 'data-official="o1"' in html
        assert '<option value="o2">Trần Thị Bình, Phó Chủ tịch UBND tỉnh</option>' in html
        assert 'data-official="o2"' in admin.get(path, params={"official": "o2"}).text


def test_asker_follows_the_link_to_their_tracking_page(
    chromium: Any, server: ServerProcess, redis_server: str
) -> None:
    """After asking on the public page, the thank-you box links to the question's tracking page."""
    b = Broadcast(redis_server, server.url, "hoi-dap")
    citizen = chromium.new_context(locale="vi-VN")
    try:
        page = citizen.new_page()
        open_public(page, server, b.slug)
        expect(page.get_by_role("link", name="Lưu trữ câu trả lời")).to_have_attribute(
            "href", f"/d/{b.slug}/archive"
        )
        page.get_by_label("Họ và tên").fill("Hồ Thị Lan")
        page.get_by_label("Câu hỏi của bạn").fill(MINE)
        page.get_by_role("button", name="Gửi câu hỏi", exact=True).click()
        code = page.locator("#ask-code")
        expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}$"))
        link = page.get_by_role("link", name="Theo dõi câu hỏi của bạn")
        expect(link).to_have_attribute("href", f"/t/{code.text_content()}")
        link.click()
        expect(page.locator("h1")).to_have_text(
            re.compile("Câu hỏi của bạn (đã được tiếp nhận|đang được xem xét)")
        )
        expect(page.locator(".tracking-text")).to_have_text(MINE)
    finally:
        citizen.close()
