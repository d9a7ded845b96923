"""The wrap-up and what follows it, as the user trial found them: the
producer owes only the questions shown (one approved meanwhile is shown
first, never owed unseen); after the end the page lists only what is still
to owe; an archived dialogue's console offers no routing, and a refusal
that is not about the question's state is said in the server's words."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import Browser, Route, expect

from server.domain.model import DialogueStatus, Status
from server.web.catalogs import catalog
from tests.helpers import ServerProcess

from .owed_seed import Show, live_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

FIRST = "Xin hỏi lộ trình số hóa hồ sơ đất đai của thành phố đến năm nào hoàn thành?"
SECOND = "Doanh nghiệp nhỏ có được hỗ trợ chi phí chữ ký số trong năm đầu tiên không?"
LATE = "Trường học vùng cao có được trang bị máy tính và đường truyền mới không ạ?"
NOBODYS = "Ai phụ trách sửa cổng thông tin điện tử của phường khi bị lỗi truy cập?"
ARCHIVED = (
    "the dialogue is archived: its questions change no more (an admin may step it back to closed)"
)


def test_a_question_approved_meanwhile_is_shown_before_it_is_owed(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b = Show(redis_server, server.url, "danh-sach-cu")
    first, second = b.ask(FIRST), b.ask(SECOND)
    b.publish(first, "o1", queue=True)
    b.publish(second, "o2")
    late = b.ask(LATE)
    producer = signed_in(chromium, server, "producer")
    try:
        page = producer.new_page()
        page.goto(f"{server.url}/console/{b.slug}/wrap-up")
        rows = page.locator("#wu-list > li")
        expect(rows).to_have_count(2)
        page.locator(f"#wu-list > li[data-id='{b.question(second).id}'] select").select_option("o1")
        # Meanwhile a moderator approves one more.
        b.publish(late, None)

        page.get_by_role("button", name="Kết thúc buổi phát sóng").click()
        page.locator("#confirm").get_by_role("button", name="Kết thúc buổi phát sóng").click()
        expect(page.locator("#wu-error")).to_have_text(
            "Các câu hỏi cần trả lời bằng văn bản đã thay đổi kể từ khi danh sách được hiển thị "
            "(thêm 1, bớt 0): hãy kiểm tra lại danh sách rồi xác nhận."
        )
        # The list is read again: the late one is shown, the choice made kept.
        expect(rows).to_have_count(3)
        expect(page.locator("#wu-count")).to_have_text("3")
        expect(
            page.locator(f"#wu-list > li[data-id='{b.question(second).id}'] select")
        ).to_have_value("o1")
        assert b.phase_now() is DialogueStatus.LIVE
        assert b.question(late).status is Status.APPROVED

        page.get_by_role("button", name="Kết thúc buổi phát sóng").click()
        expect(page.locator("#confirm")).to_contain_text("(3)")
        page.locator("#confirm").get_by_role("button", name="Kết thúc buổi phát sóng").click()
        expect(page.locator("#wu-summary")).to_contain_text("3/3")
        owed = {q.id: q for q in b.all()}
        for code in (first, second, late):
            assert owed[b.question(code).id].status is Status.DEFERRED
        assert owed[b.question(second).id].official_id == "o1"
    finally:
        producer.close()


def test_after_the_end_the_wrap_up_lists_only_what_is_still_to_owe(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b = Show(redis_server, server.url, "da-no-het")
    for text in (FIRST, SECOND):
        b.publish(b.ask(text), "o1", queue=True)
    b.phase("closed")  # the wrap-up: both owed, with their due day
    producer = signed_in(chromium, server, "producer")
    try:
        page = producer.new_page()
        page.goto(f"{server.url}/console/{b.slug}/wrap-up")
        expect(page.locator("#wu-lead")).to_have_text(
            "Buổi phát sóng đã kết thúc và mọi câu hỏi chưa được trả lời trực tiếp đều đã được "
            "chuyển sang trả lời bằng văn bản: không còn câu hỏi nào cần chuyển."
        )
        expect(page.locator("#wu-empty")).to_be_visible()
        expect(page.locator("#wu-count")).to_have_text("0")
        expect(page.locator("#wu-list > li")).to_have_count(0)
        expect(page.locator("#wu-submit")).to_be_hidden()
    finally:
        producer.close()


def test_an_archived_dialogue_offers_no_routing_and_a_refusal_says_why(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b = Show(redis_server, server.url, "da-luu-tru")
    code = b.ask(NOBODYS)
    b.publish(code, None)
    b.phase("closed")  # owed by nobody yet: flagged
    qid = b.question(code).id
    moderator = signed_in(chromium, server, "moderator")
    try:
        console = live_page(moderator, f"{server.url}/console/{b.slug}")
        item = console.locator(f"#unowned .unowned-item[data-id='{qid}']")
        expect(item).to_have_count(1)
        expect(item.get_by_role("button")).to_have_text(f"Chọn lãnh đạo trả lời câu hỏi #{qid}")

        # The dialogue is archived while the moderator picks an official: the
        # server refuses for the phase, not for the question's state.
        def archive_then_send(route: Route) -> None:
            worker = threading.Thread(target=b.phase, args=("archived",))
            worker.start()
            worker.join()
            route.continue_()

        console.route("**/actions/assign", archive_then_send)
        item.locator("button").click()
        picker = console.get_by_role("dialog")
        picker.locator(".picker-option").nth(1).click()
        said = catalog("vi").gettext(ARCHIVED)
        said = said[:1].upper() + said[1:]
        message = console.locator(f"#q-{qid} .q-message")
        expect(message).to_have_text(said)
        assert b.question(code).official_id is None

        # Opened again, the archived console offers no routing at all.
        again = live_page(moderator, f"{server.url}/console/{b.slug}")
        item = again.locator(f"#unowned .unowned-item[data-id='{qid}']")
        expect(item).to_have_count(1)
        expect(item.locator("button")).to_have_count(0)
    finally:
        moderator.close()
