"""The moderator's console and the public page, in a real Chromium against a
real server: sign in, moderate, and watch the public page follow live."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.helpers import ServerProcess
from tests.web.seed import PASSWORD, SLUG, ask, server_env

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TEXT = "Xin hỏi khi nào tỉnh hoàn thành phủ sóng 4G cho các thôn vùng cao huyện A Lưới?"
OTHER = "Thủ tục hành chính trực tuyến còn nhiều bước rườm rà, tỉnh có kế hoạch đơn giản hóa không?"
XSS = '<img src=x onerror="window.__xss=1">'


def sign_in(page: Page, site: ServerProcess) -> None:
    """Open the console as the moderator, through the login page it redirects to."""
    page.goto(f"{site.url}/console/{SLUG}")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fconsole%2F"))
    page.get_by_label("Tên đăng nhập").fill("moderator")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page).to_have_url(f"{site.url}/console/{SLUG}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")


def open_public(page: Page, site: ServerProcess) -> None:
    page.goto(f"{site.url}/d/{SLUG}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    # Marks this document: a reload or navigation would lose it.
    page.evaluate("window.__sameDocument = true")


def pending_card(page: Page, text: str) -> Any:
    return page.locator("#pending-list > li").filter(has=page.locator(".q-text", has_text=text))


def test_approved_question_appears_on_an_open_public_page(
    chromium: Any, site: ServerProcess
) -> None:
    """A moderator approves a pending question in the console and the public
    page, opened before, shows it without a reload; unpublishing takes it off."""
    ask(site.url, TEXT, organization="Hợp tác xã Hồng Kim", locality="Huyện A Lưới")
    viewer = chromium.new_context(locale="vi-VN")
    staff = chromium.new_context(locale="vi-VN")
    try:
        public = viewer.new_page()
        open_public(public, site)
        published = public.locator("#question-list .pq-text", has_text=TEXT)
        expect(published).to_have_count(0)

        console = staff.new_page()
        sign_in(console, site)
        card = pending_card(console, TEXT)
        expect(card).to_be_visible()
        expect(card).to_contain_text("Hợp tác xã Hồng Kim")
        expect(console.locator('.count-value[data-count="pending"]')).to_have_text("1")
        card.get_by_role("button", name="Duyệt", exact=True).click()

        expect(console.locator("#published-list .q-text", has_text=TEXT)).to_be_visible()
        expect(console.locator('.count-value[data-count="approved"]')).to_have_text("1")
        expect(console.locator("#pending-empty")).to_be_visible()

        expect(published).to_be_visible()
        expect(public.locator("#questions-empty")).to_be_hidden()
        assert public.evaluate("window.__sameDocument") is True

        console.locator("#published-list > li").filter(has_text=TEXT).get_by_role(
            "button", name="Gỡ khỏi trang công khai"
        ).click()
        expect(pending_card(console, TEXT)).to_be_visible()
        expect(published).to_have_count(0)
        assert public.evaluate("window.__sameDocument") is True
    finally:
        viewer.close()
        staff.close()


def test_question_written_as_html_stays_text(chromium: Any, site: ServerProcess) -> None:
    """A question whose text is an HTML tag with a handler shows as literal
    text on the console and the public page (live and server-rendered) and
    never runs."""
    ask(site.url, XSS)
    viewer = chromium.new_context(locale="vi-VN")
    staff = chromium.new_context(locale="vi-VN")
    try:
        public = viewer.new_page()
        open_public(public, site)
        console = staff.new_page()
        sign_in(console, site)

        card = pending_card(console, XSS)
        expect(card.locator(".q-text")).to_have_text(XSS)
        expect(console.locator("#console img")).to_have_count(0)
        card.get_by_role("button", name="Duyệt", exact=True).click()
        expect(console.locator("#published-list .q-text")).to_have_text(XSS)

        expect(public.locator("#question-list .pq-text")).to_have_text(XSS)
        expect(public.locator("#dialogue img")).to_have_count(0)
        public.reload()
        expect(public.locator("#question-list .pq-text")).to_have_text(XSS)
        expect(public.locator("#dialogue img")).to_have_count(0)

        assert console.evaluate("typeof window.__xss") == "undefined"
        assert public.evaluate("typeof window.__xss") == "undefined"
    finally:
        viewer.close()
        staff.close()


def test_reject_needs_a_reason_and_edit_keeps_the_original(
    chromium: Any, site: ServerProcess
) -> None:
    """Rejecting asks for a reason first and then moves the question to the
    rejected list; an edit changes the text and keeps the original."""
    ask(site.url, TEXT)
    ask(site.url, OTHER)
    staff = chromium.new_context(locale="vi-VN")
    try:
        console = staff.new_page()
        sign_in(console, site)
        card = pending_card(console, TEXT)
        card.get_by_role("button", name="Từ chối", exact=True).click()
        expect(card.locator(".q-message")).to_have_text("Vui lòng chọn lý do trước khi từ chối.")
        card.get_by_label("Lý do từ chối").select_option("off_topic")
        card.get_by_role("button", name="Từ chối", exact=True).click()
        rejected = console.locator("#rejected-list > li").filter(has_text=TEXT)
        expect(rejected).to_contain_text("Đã từ chối: Không đúng chủ đề")
        expect(console.locator('.count-value[data-count="rejected"]')).to_have_text("1")

        other = pending_card(console, OTHER)
        other.get_by_role("button", name="Sửa", exact=True).click()
        editor = other.get_by_label("Nội dung câu hỏi (bản gốc vẫn được lưu)")
        expect(editor).to_be_focused()
        editor.fill("Tỉnh có kế hoạch đơn giản hóa thủ tục hành chính trực tuyến không?")
        other.get_by_role("button", name="Lưu", exact=True).click()
        edited = pending_card(console, "Tỉnh có kế hoạch đơn giản hóa")
        expect(edited.locator(".badge-edited")).to_have_text("Đã sửa")
        expect(edited.locator(".q-original p")).to_have_text(OTHER, use_inner_text=False)
    finally:
        staff.close()


def test_stale_action_shows_conflict_and_refreshes(chromium: Any, site: ServerProcess) -> None:
    """When another moderator acts first, the console says so in words and
    shows the question as it now is."""
    ask(site.url, TEXT)
    staff = chromium.new_context(locale="vi-VN")
    try:
        console = staff.new_page()
        sign_in(console, site)
        card = pending_card(console, TEXT)
        expect(card).to_be_visible()
        question_id = card.get_attribute("id").removeprefix("q-")  # type: ignore[union-attr]

        def approve_elsewhere_first(route: Route) -> None:
            with httpx.Client(base_url=site.url, headers={"Origin": site.url}) as other:
                session = other.post(
                    "/api/v1/session", json={"username": "admin", "password": PASSWORD}
                )
                other.post(
                    f"/api/v1/dialogues/{SLUG}/questions/{question_id}/actions/edit",
                    json={"text": OTHER},
                    headers={"X-CSRF-Token": session.json()["csrf_token"]},
                ).raise_for_status()
            route.continue_()

        console.route(re.compile(r".*/actions/approve$"), approve_elsewhere_first)
        card.get_by_role("button", name="Duyệt", exact=True).click()
        refreshed = console.locator("#pending-list > li", has_text=OTHER)
        expect(refreshed.locator(".q-message")).to_have_text(
            "Người khác vừa thay đổi câu hỏi này; nội dung đã được cập nhật lại."
        )
        expect(refreshed.locator(".q-text")).to_have_text(OTHER)
    finally:
        staff.close()


def test_question_asked_on_public_page_reaches_the_console(
    chromium: Any, site: ServerProcess
) -> None:
    """The public form shows the API's error next to the field, then the
    tracking code on success; the question appears live in the console."""
    viewer = chromium.new_context(locale="vi-VN")
    staff = chromium.new_context(locale="vi-VN")
    try:
        console = staff.new_page()
        sign_in(console, site)
        public = viewer.new_page()
        open_public(public, site)

        public.get_by_label("Câu hỏi của bạn").fill(TEXT)
        expect(public.locator("#ask-count")).to_have_text(f"{len(TEXT)}/2000 ký tự")
        public.get_by_role("button", name="Gửi câu hỏi", exact=True).click()
        name = public.get_by_label("Họ và tên")
        expect(public.locator("#err-name")).to_have_text("Vui lòng nhập họ và tên.")
        expect(name).to_have_attribute("aria-invalid", "true")
        expect(name).to_be_focused()

        name.fill("Hồ Thị Lan")
        public.get_by_label("Nơi bạn sinh sống").select_option("Huyện A Lưới")
        public.get_by_label("Lĩnh vực").select_option(label="Kinh tế số")
        public.get_by_role("button", name="Gửi câu hỏi", exact=True).click()
        code = public.locator("#ask-code")
        expect(code).to_have_text(re.compile(r"\S{6,}"))
        expect(public.locator("#err-name")).to_be_hidden()

        card = pending_card(console, TEXT)
        expect(card).to_contain_text("Huyện A Lưới")
        expect(card).to_contain_text("Kinh tế số")
        tracking = httpx.get(f"{site.url}/api/v1/tracking/{code.text_content()}", timeout=10)
        assert tracking.json()["text"] == TEXT
    finally:
        viewer.close()
        staff.close()


def approve_all_pending(site: ServerProcess) -> None:
    """Approve every pending question through the staff API, as another console would."""
    with httpx.Client(base_url=site.url, headers={"Origin": site.url}, timeout=10) as staff:
        session = staff.post("/api/v1/session", json={"username": "admin", "password": PASSWORD})
        headers = {"X-CSRF-Token": session.json()["csrf_token"]}
        pending = staff.get(f"/api/v1/dialogues/{SLUG}/questions", params={"status": "pending"})
        for question in pending.json()["items"]:
            staff.post(
                f"/api/v1/dialogues/{SLUG}/questions/{question['id']}/actions/approve",
                json={"version": question["version"]},
                headers=headers,
            ).raise_for_status()


def test_public_page_resumes_after_a_server_restart(
    chromium: Any, site: ServerProcess, redis_url: str
) -> None:
    """When the server restarts, the open public page shows it is reconnecting,
    reconnects by itself and shows what was published meanwhile, without a reload."""
    ask(site.url, TEXT)
    viewer = chromium.new_context(locale="vi-VN")
    try:
        public = viewer.new_page()
        open_public(public, site)
        site.stop()
        expect(public.locator("#connection")).to_have_attribute("data-state", "waiting")
        expect(public.locator("#connection")).to_contain_text("Đang kết nối lại")
        with ServerProcess(env=server_env(redis_url), port=site.port) as again:
            approve_all_pending(again)
            expect(public.locator("#question-list .pq-text")).to_have_text(TEXT)
            expect(public.locator("#connection")).to_have_attribute("data-state", "live")
            assert public.evaluate("window.__sameDocument") is True
    finally:
        viewer.close()


def test_an_open_console_says_when_its_session_ends(chromium: Any, site: ServerProcess) -> None:
    """Signing out elsewhere closes the console's feed; the console then says the
    session has ended and links back to the login page."""
    context = chromium.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        sign_in(page, site)
        csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
        gone = context.request.delete(
            f"{site.url}/api/v1/session", headers={"X-CSRF-Token": csrf, "Origin": site.url}
        )
        assert gone.status == 204
        notice = page.locator("#notice")
        expect(notice).to_contain_text("Phiên làm việc đã kết thúc", timeout=20_000)
        expect(notice.get_by_role("link")).to_have_attribute(
            "href", f"/login?next=%2Fconsole%2F{SLUG}"
        )
    finally:
        context.close()
