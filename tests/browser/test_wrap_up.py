"""The wrap-up of a broadcast in a real Chromium against a real server: the
producer's "end the broadcast" page lists every question not answered live
with the official it will be owed by (the topic's default preselected) and
the due date; one action closes the dialogue and owes them all, then says
each question's result. After it nothing is left approved, queued or on air;
votes are refused in words; a question left without an official is flagged
on the admin and moderation pages until someone takes it; the officials'
consoles list what they owe."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from server.domain.model import DialogueStatus, Status
from server.web.templating import day
from tests.helpers import ServerProcess

from .owed_seed import Show, live_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

BY_TOPIC = "Doanh nghiệp khởi nghiệp công nghệ được hỗ trợ thuê văn phòng ở Huế thế nào?"
QUEUED = "Huế có chính sách gì thu hút doanh nghiệp công nghệ về khu công nghệ thông tin tập trung?"
ON_AIR = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
DEFERRED = "Người cao tuổi có được đào tạo kỹ năng số miễn phí tại phường, xã không ạ?"
NOBODYS = "Ai chịu trách nhiệm sửa đèn đường hỏng ở tổ dân phố 5 phường Vỹ Dạ?"
ANSWERED = "Cổng dịch vụ công của thành phố có ứng dụng trên điện thoại chưa?"
PENDING = "Câu hỏi này còn đang chờ ban tổ chức xem xét trước khi đăng lên."
OPEN = (Status.APPROVED, Status.QUEUED, Status.ON_AIR)


def row(page: Page, listing: str, qid: str) -> Locator:
    return page.locator(f"#{listing} > li[data-id='{qid}']")


def broadcast(server: ServerProcess, redis_server: str) -> tuple[Show, dict[str, str]]:
    """A live dialogue with a question in every state the wrap-up takes
    (and two it leaves): text -> question id."""
    b = Show(redis_server, server.url, "ket-thuc", topic_officials={"kinh-te-so": "o2"})
    codes = {text: b.ask(text) for text in (QUEUED, ON_AIR, DEFERRED, NOBODYS)}
    codes[BY_TOPIC] = b.ask(BY_TOPIC, topic="kinh-te-so")
    codes[ANSWERED] = b.ask(ANSWERED)
    codes[PENDING] = b.ask(PENDING)
    b.publish(codes[ANSWERED], "o2", queue=True)
    b.answer_live(codes[ANSWERED], "Ứng dụng Hue-S đã có trên cả hai kho ứng dụng.", "official2")
    b.publish(codes[BY_TOPIC], None)
    b.publish(codes[QUEUED], "o1", queue=True)
    b.publish(codes[ON_AIR], "o1", queue=True)
    b.act(codes[ON_AIR], "on_air", "producer")
    b.publish(codes[DEFERRED], "o1", queue=True)
    b.act(codes[DEFERRED], "defer", "producer")
    b.publish(codes[NOBODYS], None)
    return b, {text: b.question(code).id for text, code in codes.items()}


def test_end_the_broadcast_owes_every_question_and_flags_those_without_an_official(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b, ids = broadcast(server, redis_server)
    listed = [ids[t] for t in (QUEUED, ON_AIR, DEFERRED, NOBODYS, BY_TOPIC)]
    producer = signed_in(chromium, server, "producer")
    moderator = signed_in(chromium, server, "moderator")
    admin = signed_in(chromium, server, "admin")
    official = signed_in(chromium, server, "official")
    try:
        plan = producer.request.get(f"{server.url}/api/v1/dialogues/{b.slug}/wrap-up").json()
        page = producer.new_page()
        page.goto(f"{server.url}/console/{b.slug}/wrap-up")
        expect(page.locator("h1")).to_have_text("Kết thúc buổi phát sóng")
        expect(page.locator("#wu-due")).to_have_text(
            f"Hạn trả lời bằng văn bản: {day(plan['due'], 'vi')} (15 ngày làm việc)."
        )
        rows = page.locator("#wu-list > li")
        expect(rows).to_have_count(5)
        assert [rows.nth(n).get_attribute("data-id") for n in range(5)] == sorted(listed, key=int)
        chosen = {qid: row(page, "wu-list", qid).locator("select") for qid in listed}
        for text, official_id in ((BY_TOPIC, "o2"), (QUEUED, "o1"), (ON_AIR, "o1"),
                                  (DEFERRED, "o1"), (NOBODYS, "")):  # fmt: skip
            expect(chosen[ids[text]]).to_have_value(official_id)
        expect(row(page, "wu-list", ids[ON_AIR]).locator(".badge")).to_have_text("Đang trả lời")

        nobodys = row(page, "wu-list", ids[NOBODYS])
        flag = nobodys.locator(".wu-flag")
        expect(nobodys).to_have_class(re.compile(r"\bis-unowned\b"))
        expect(flag).to_have_text(
            "Chưa có lãnh đạo trả lời: được đánh dấu cho đến khi có người nhận."
        )
        expect(page.locator("#wu-unowned")).to_have_text(
            "1 câu hỏi chưa có lãnh đạo trả lời: "
            "câu này sẽ được đánh dấu cho đến khi có người nhận."
        )
        picker = f"Lãnh đạo trả lời câu hỏi #{ids[NOBODYS]} bằng văn bản"
        nobodys.get_by_label(picker).select_option("o1")
        expect(flag).to_be_hidden()
        expect(page.locator("#wu-unowned")).to_be_hidden()
        chosen[ids[NOBODYS]].select_option("")
        expect(flag).to_be_visible()
        chosen[ids[QUEUED]].select_option("o2")

        page.get_by_role("button", name="Kết thúc buổi phát sóng").click()
        page.locator("#confirm").get_by_role("button", name="Kết thúc buổi phát sóng").click()
        expect(page.locator("#wu-summary")).to_have_text(
            "Buổi phát sóng đã kết thúc. 5/5 câu hỏi đã chuyển sang trả lời bằng văn bản, "
            "1 câu hỏi chưa có lãnh đạo trả lời."
        )
        due = day(plan["due"], "vi")
        results = page.locator("#wu-result-list")
        expect(row(page, "wu-result-list", ids[QUEUED]).locator(".wu-outcome")).to_have_text(
            f"Trần Thị Bình trả lời bằng văn bản, hạn {due}"
        )
        expect(row(page, "wu-result-list", ids[NOBODYS]).locator(".wu-outcome")).to_have_text(
            f"Trả lời bằng văn bản, hạn {due}: chưa có lãnh đạo trả lời (đã đánh dấu)"
        )
        expect(results.locator("li.is-done")).to_have_count(5)

        # Nothing is left waiting for the air; each is owed, by someone or flagged.
        assert b.phase_now() is DialogueStatus.CLOSED
        owed = {q.id: q for q in b.all()}
        assert not [q.id for q in owed.values() if q.status in OPEN]
        assert owed[ids[ANSWERED]].status is Status.ANSWERED
        assert owed[ids[PENDING]].status is Status.PENDING
        expected: dict[str, str | None] = {
            BY_TOPIC: "o2",
            QUEUED: "o2",
            ON_AIR: "o1",
            DEFERRED: "o1",
            NOBODYS: None,
        }
        for text, owner in expected.items():
            q = owed[ids[text]]
            assert (q.status, q.official_id, q.due_at) == (
                Status.DEFERRED,
                owner,
                plan["due"],
            )

        # Votes are over: refused in words.
        refused = httpx.post(
            f"{server.url}/api/v1/dialogues/{b.slug}/questions/{ids[BY_TOPIC]}/votes",
            json={"voter": "nguoi-xem-sau-buoi-phat-song"},
            headers={"Accept-Language": "vi"},
            timeout=10,
        )
        assert refused.status_code == 409
        assert refused.json()["error"]["message"] == "Cuộc đối thoại đã ngừng nhận lượt ủng hộ."

        # Flagged on the moderation console and the admin page until someone takes it.
        console = live_page(moderator, f"{server.url}/console/{b.slug}")
        banner = console.locator("#unowned")
        expect(banner.locator(".unowned-item")).to_have_count(1)
        expect(banner.locator(".unowned-text")).to_have_text(NOBODYS)
        expect(banner.locator(".unowned-due")).to_have_text(f"hạn {due}")
        expect(console.locator(f"#q-{ids[NOBODYS]} .badge-unowned")).to_have_text(
            "Chưa có người trả lời"
        )
        settings = admin.new_page()
        settings.goto(f"{server.url}/admin/{b.slug}")
        flagged = settings.locator("#unowned")
        expect(flagged.locator(".unowned-item")).to_have_count(1)
        expect(flagged.locator(".unowned-text")).to_contain_text(NOBODYS)
        picker = f"Lãnh đạo trả lời câu hỏi #{ids[NOBODYS]} bằng văn bản"
        flagged.get_by_label(picker).select_option("o1")
        flagged.get_by_role("button", name="Chuyển").click()
        expect(settings.locator("#unowned-message")).to_have_text(
            f"Câu hỏi #{ids[NOBODYS]} đã được chuyển cho lãnh đạo vừa chọn."
        )
        expect(flagged.locator(".unowned-item")).to_have_count(0)
        expect(banner).to_be_hidden()
        expect(console.locator(f"#q-{ids[NOBODYS]} .badge-unowned")).to_have_count(0)
        assert b.question_by_id(ids[NOBODYS]).official_id == "o1"

        # The official owes them now, each with its due date.
        desk = live_page(official, f"{server.url}/console/{b.slug}/official")
        mine = desk.locator("#owed-list > li")
        expect(mine).to_have_count(3)
        expect(mine.locator(".oq-due-text")).to_have_text([f"Hạn trả lời {due}"] * 3)
        expect(desk.locator(".queue-position")).to_have_count(0)
    finally:
        for context in (producer, moderator, admin, official):
            context.close()


def test_the_wrap_up_page_is_the_producers(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """Moderators and officials may not end the broadcast; a dialogue that is
    not live (nor ended) has no broadcast to end."""
    b = Show(redis_server, server.url, "khong-duoc")
    for username in ("moderator", "official"):
        context = signed_in(chromium, server, username)
        try:
            response = context.request.get(f"{server.url}/console/{b.slug}/wrap-up")
            assert response.status == 403, username
            assert "không được kết thúc buổi phát sóng này" in response.text()
        finally:
            context.close()
    b.phase("open")
    producer = signed_in(chromium, server, "producer")
    try:
        page = producer.new_page()
        page.goto(f"{server.url}/console/{b.slug}/wrap-up")
        expect(page.locator("#wu-not-wrappable")).to_have_text(
            "Cuộc đối thoại đang ở trạng thái “Đang nhận câu hỏi”: "
            "không có buổi phát sóng nào để kết thúc."
        )
        expect(page.get_by_role("button", name="Kết thúc buổi phát sóng")).to_have_count(0)
    finally:
        producer.close()
