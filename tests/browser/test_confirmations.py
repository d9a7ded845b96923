"""What cannot be taken back is confirmed first, in a dialog that says what
will happen: "End the broadcast" on the wrap-up page (it closes the dialogue
and owes every question not answered live in writing) and "Delete my phone
number and email" on the citizen's tracking page. Cancel does nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from server.domain.model import DialogueStatus, Status
from server.web.templating import day
from tests.helpers import ServerProcess

from .owed_seed import Show, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

QUEUED = "Huế có chính sách gì thu hút doanh nghiệp công nghệ về khu công nghệ thông tin tập trung?"
ASKED = "Khi nào phường Vỹ Dạ có thêm điểm thu gom rác thải phân loại tại nguồn?"
END = "Kết thúc buổi phát sóng"
DELETE = "Xóa số điện thoại và email của tôi"


def test_ending_the_broadcast_is_confirmed_first(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b = Show(redis_server, server.url, "xac-nhan")
    code = b.ask(QUEUED)
    b.publish(code, "o1", queue=True)
    producer = signed_in(chromium, server, "producer")
    try:
        plan = producer.request.get(f"{server.url}/api/v1/dialogues/{b.slug}/wrap-up").json()
        page = producer.new_page()
        page.goto(f"{server.url}/console/{b.slug}/wrap-up")
        expect(page.locator("#wu-list > li")).to_have_count(1)
        dialog = page.locator("#confirm")
        expect(dialog).to_be_hidden()

        page.get_by_role("button", name=END).click()
        expect(dialog).to_be_visible()
        title = dialog.locator("#confirm-title")
        expect(title).to_have_text("Kết thúc buổi phát sóng ngay bây giờ?")
        expect(dialog.locator("#confirm-text")).to_have_text(
            "Cuộc đối thoại sẽ kết thúc: không nhận thêm câu hỏi hay lượt ủng hộ, "
            "không còn câu hỏi nào lên sóng. Mọi câu hỏi chưa được trả lời trực tiếp (1) "
            f"sẽ chuyển sang trả lời bằng văn bản, hạn {day(plan['due'], 'vi')}. "
            "Sau đó chỉ quản trị viên mới có thể mở lại phát trực tiếp."
        )
        # Cancel (focused first, so Enter does not end the broadcast): nothing changes.
        expect(dialog.get_by_role("button", name="Hủy")).to_be_focused()
        dialog.get_by_role("button", name="Hủy").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#wu-results")).to_be_hidden()
        assert b.phase_now() is DialogueStatus.LIVE
        assert b.question(code).status is Status.QUEUED

        page.get_by_role("button", name=END).click()
        dialog.get_by_role("button", name=END).click()
        expect(page.locator("#wu-results")).to_be_visible()
        assert b.phase_now() is DialogueStatus.CLOSED
        assert b.question(code).status is Status.DEFERRED
    finally:
        producer.close()


def test_deleting_the_contact_details_is_confirmed_first(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b = Show(redis_server, server.url, "xoa-lien-he")
    code = b.ask(ASKED, contact={"email": "nguoi.hoi@example.vn"}, consent=True)
    context = chromium.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/t/{code}")
        dialog = page.locator("#confirm")
        page.get_by_role("button", name=DELETE).click()
        expect(dialog).to_be_visible()
        title = dialog.locator("#confirm-title")
        expect(title).to_have_text("Xóa số điện thoại và email của Ông/Bà?")
        expect(dialog.locator("#confirm-text")).to_contain_text(
            "Ban tổ chức sẽ không thể liên hệ với Ông/Bà về câu hỏi này"
        )
        dialog.get_by_role("button", name="Hủy").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#contact-notice")).to_have_count(0)
        # Still kept: the page, read again, still offers to delete it.
        page.reload()
        expect(page.get_by_role("button", name=DELETE)).to_be_visible()

        page.get_by_role("button", name=DELETE).click()
        dialog.get_by_role("button", name=DELETE).click()
        expect(page.locator("#contact-notice")).to_have_text(
            "Số điện thoại và email của Ông/Bà đã được xóa."
        )
        expect(page.get_by_role("button", name=DELETE)).to_have_count(0)
    finally:
        context.close()
