"""The official's console in a real Chromium against a real server, as the
producer owns the air: the official says "ready to answer #N" and "I will
answer #N in writing" (the producer's feed hears both at once) and nothing
the console does changes the air; after the broadcast it lists only what the
official owes, overdue first and marked, with due dates and no queue
positions; a secretary writes the summaries of every official's live
answers; and the page never scrolls sideways at a desk's widths."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Route, expect

from server.domain.model import Status
from server.domain.wrapup import ICT
from server.web.templating import day
from tests.helpers import ServerProcess
from tests.support.browser import heard_live, pressed_on, wait_for_drawn

from .owed_seed import Show, live_page, no_horizontal_scroll, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ON_AIR = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
NEXT = "Huế có chính sách gì thu hút doanh nghiệp công nghệ về khu công nghệ thông tin tập trung?"
LATER = "Người cao tuổi có được đào tạo kỹ năng số miễn phí tại phường, xã không ạ?"
THEIRS = "Khi nào thành phố Huế triển khai thanh toán không dùng tiền mặt ở các chợ truyền thống?"
SOON = "Hồ sơ đăng ký kinh doanh qua mạng được giải quyết trong bao nhiêu ngày làm việc?"
UNDATED = "Phường, xã có bố trí người hướng dẫn dùng dịch vụ công trực tuyến không?"
LIVE = "Thành phố có kế hoạch gì để số hoá hồ sơ đất đai của người dân trong năm tới?"
NOTE = "Số liệu phủ sóng: 92% thôn đã có 4G (báo cáo Sở tháng 10)."
WRITTEN = "Sở Khoa học và Công nghệ trả lời bằng văn bản: lộ trình chi tiết gửi kèm."
SUMMARY = "Đến năm 2027 toàn bộ hồ sơ đất đai được số hoá và tra cứu trực tuyến."
#: What a request that changes the air looks like: the producer's calls, and
#: the question actions that put a question on air, back, or answer it there.
AIR_CHANGE = re.compile(r"/(next|air/\w+|overlay)$|/actions/(on_air|back|skip)$")
#: The producer's feed, opened in a page of the producer's own session: the
#: console messages it hears are kept in window.__heard.
LISTEN = """slug => {
    window.__heard = [];
    const socket = new WebSocket(`ws://${location.host}/ws/v1/dialogues/${slug}/console`);
    socket.onmessage = (event) => window.__heard.push(JSON.parse(event.data));
    return new Promise((resolve) => (socket.onopen = resolve));
}"""
HEARD = """([type, id, field]) => window.__heard.some(
    (m) => m.type === type && m.data && m.data.id === id && (!field || m.data[field])
)"""


def card(page: Page, section: str, text: str) -> Locator:
    return page.locator(f"#{section}-list > li").filter(has=page.locator(".q-text", has_text=text))


def console_url(server: ServerProcess, b: Show) -> str:
    return f"{server.url}/console/{b.slug}/official"


def test_ready_and_in_writing_reach_the_producer_and_never_change_the_air(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """The official marks a queued question ready (and takes it back), prepares
    a note, and promises another in writing: the producer's feed hears each at
    once; the question on air stays on air, untouched, and the console offers
    no control of the air. When the producer ends the broadcast, the open
    console turns to what the official owes."""
    b = Show(redis_server, server.url, "san-sang")
    on_air, queued, approved = b.ask(ON_AIR), b.ask(NEXT), b.ask(LATER)
    b.publish(on_air, "o1", queue=True)
    b.publish(queued, "o1", queue=True)
    b.publish(approved, "o1")
    b.publish(b.ask(THEIRS), "o2", queue=True)
    b.act(on_air, "on_air", "producer")
    aired = b.question(on_air)
    ids = {code: b.question(code).id for code in (queued, approved)}
    producer = signed_in(chromium, server, "producer")
    official = signed_in(chromium, server, "official")
    try:
        ears = producer.new_page()
        ears.goto(f"{server.url}/d/{b.slug}")
        ears.evaluate(LISTEN, b.slug)
        console = live_page(official, console_url(server, b))
        posts: list[str] = []
        console.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

        live = card(console, "on_air", ON_AIR)
        expect(live).to_contain_text("Đang lên sóng: đạo diễn sẽ chuyển câu khi phần trả lời xong.")
        expect(live.locator(".oq-actions button")).to_have_count(0)
        expect(live.locator(".answer-box")).to_be_hidden()
        expect(console.get_by_text(THEIRS)).to_have_count(0)

        waiting = card(console, "queued", NEXT)
        expect(waiting.locator(".queue-position")).to_have_text("Thứ 1 trong hàng chờ lên sóng")
        waiting.get_by_text("Viết ghi chú", exact=True).click()
        waiting.get_by_label("Ghi chú mới").fill(NOTE)
        waiting.get_by_role("button", name="Lưu ghi chú").click()
        expect(waiting.locator(".note-text")).to_have_text(NOTE)

        ready = waiting.get_by_role("button", name=f"Sẵn sàng trả lời câu hỏi #{ids[queued]}")
        expect(ready).to_have_attribute("aria-pressed", "false")
        ready.click()
        expect(ready).to_have_attribute("aria-pressed", "true")
        expect(ready).to_be_focused()
        expect(console.locator("#status-line")).to_have_text(
            f"Câu hỏi #{ids[queued]}: đạo diễn đã thấy lãnh đạo sẵn sàng trả lời."
        )
        ears.wait_for_function(HEARD, arg=["question.ready", ids[queued], "ready_at"])
        assert b.question(queued).ready_at is not None
        ready.click()
        expect(ready).to_have_attribute("aria-pressed", "false")
        assert b.question(queued).ready_at is None

        later = card(console, "approved", LATER)
        later.get_by_role(
            "button", name=f"Tôi sẽ trả lời câu hỏi #{ids[approved]} bằng văn bản"
        ).click()
        expect(later.locator(".oq-confirm")).to_have_text(
            f"Câu hỏi #{ids[approved]} sẽ rời buổi phát sóng "
            "và được trả lời bằng văn bản. Xác nhận?"
        )
        later.get_by_role("button", name="Đồng ý, trả lời bằng văn bản").click()
        owed = card(console, "owed", LATER)
        expect(owed.locator(".oq-no-due")).to_contain_text("Chưa có hạn trả lời")
        expect(owed.get_by_label(re.compile("^Câu trả lời bằng văn bản"))).to_be_visible()
        ears.wait_for_function(HEARD, arg=["question.deferred", ids[approved], None])
        assert b.question(approved).status is Status.DEFERRED

        # The air is as the producer left it: the same question, not even touched.
        assert b.on_air_id() == aired.id
        assert b.question(on_air).version == aired.version
        assert posts and not [url for url in posts if AIR_CHANGE.search(url)], posts
        air_names = re.compile("Bắt đầu trả lời|Trở lại hàng đợi|Câu hỏi tiếp theo|Bỏ qua")
        expect(console.get_by_role("button", name=air_names)).to_have_count(0)

        # The producer ends the broadcast: the open console turns to what is owed.
        due = day(str(b.wrap_up()["due"]), "vi")
        expect(console.locator("#closed-note")).to_be_visible()
        expect(console.locator("#owed-list > li")).to_have_count(3)
        expect(console.locator("#owed-list .oq-due-text")).to_have_text([re.compile(due)] * 3)
        for section in ("on_air", "queued", "approved"):
            expect(console.locator(f"#sec-{section}")).to_be_hidden()
        expect(console.locator(".queue-position")).to_have_count(0)
        expect(console.locator(".oq-actions button")).to_have_count(0)
        assert console.evaluate("window.__sameDocument") is True
    finally:
        producer.close()
        official.close()


def test_a_click_is_kept_when_its_buttons_are_drawn_again_while_pressed(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """The producer notes a queued question (a new version: its buttons are
    drawn again) between the press and the release of the official's "ready"
    button: the click is not lost, the card is drawn once it is let go."""
    b = Show(redis_server, server.url, "nhan-giu")
    queued = b.ask(NEXT)
    b.publish(queued, "o1", queue=True)
    qid = b.question(queued).id
    official = signed_in(chromium, server, "official")
    try:
        page, frames = heard_live(official, console_url(server, b))
        waiting = card(page, "queued", NEXT)
        ready = waiting.get_by_role("button", name=f"Sẵn sàng trả lời câu hỏi #{qid}")
        expect(ready).to_have_attribute("aria-pressed", "false")
        with pressed_on(page, ready):
            b.act(queued, "note", "producer", text=NOTE)
            wait_for_drawn(page, frames, "question.noted")
        expect(ready).to_have_attribute("aria-pressed", "true")
        expect(waiting.locator(".note-text")).to_have_text(NOTE)
        assert b.question(queued).ready_at is not None
    finally:
        official.close()


def test_after_the_broadcast_the_console_lists_what_is_owed_overdue_first(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """Closed: only the written answers the official owes (overdue first and
    marked, then by due date, then those not yet dated) and the summaries
    still to write; no queue position anywhere. Answering one takes it off
    the list; one answered meanwhile by the aide is said, not overwritten."""
    b = Show(redis_server, server.url, "no-van-ban")
    today = datetime.now(ICT).date()
    due = {LATER: today - timedelta(days=20), NEXT: today - timedelta(days=5)}
    due[SOON] = today + timedelta(days=10)
    codes = {text: b.ask(text) for text in (LATER, NEXT, SOON, UNDATED, THEIRS, LIVE, ON_AIR)}
    b.publish(codes[LIVE], "o1", queue=True)
    b.act(codes[LIVE], "on_air", "producer")
    b.act(codes[LIVE], "answer", "producer")
    for text in due:
        b.publish(codes[text], "o1")
    b.publish(codes[THEIRS], "o2")
    b.phase("closed")  # the wrap-up owes them all; each then gets a due day of its own
    for text, when in due.items():
        b.owe(codes[text], "o1", when)
    b.owe(codes[THEIRS], "o2", today)
    # Back into play after the wrap-up: one promised in writing, one published
    # (nothing can be queued for a broadcast that is over).
    b.publish(codes[UNDATED], "o1")
    b.act(codes[UNDATED], "defer", "producer")
    b.publish(codes[ON_AIR], "o1")
    ids = {text: b.question(code).id for text, code in codes.items()}
    official = signed_in(chromium, server, "official")
    try:
        console = live_page(official, console_url(server, b))
        expect(console.locator("#closed-note")).to_be_visible()
        owed = console.locator("#owed-list > li")
        expect(owed.locator(".q-text")).to_have_text([LATER, NEXT, SOON, UNDATED])
        for n, text in enumerate((LATER, NEXT)):
            expect(owed.nth(n)).to_have_class(re.compile(r"\bis-overdue\b"))
            expect(owed.nth(n).locator(".oq-due-text")).to_have_text(
                f"Quá hạn: hạn trả lời {day(due[text].isoformat(), 'vi')}"
            )
        expect(owed.nth(2)).not_to_have_class(re.compile(r"\bis-overdue\b"))
        expect(owed.nth(2).locator(".oq-due-text")).to_have_text(
            f"Hạn trả lời {day(due[SOON].isoformat(), 'vi')}"
        )
        expect(owed.nth(3).locator(".oq-no-due")).to_contain_text("Chưa có hạn trả lời")
        expect(console.locator('[data-count="owed"]')).to_have_text("4")
        expect(card(console, "summaries", LIVE)).to_be_visible()
        # Only what is owed: nothing of the broadcast, no place in any queue.
        for section in ("on_air", "queued", "approved", "answered"):
            expect(console.locator(f"#sec-{section}")).to_be_hidden()
        expect(console.locator(".queue-position")).to_have_count(0)
        expect(console.get_by_text(ON_AIR)).to_have_count(0)
        expect(console.get_by_text(THEIRS)).to_have_count(0)

        first = card(console, "owed", LATER)
        first.get_by_label(
            "Câu trả lời bằng văn bản (đăng trên trang công khai và gửi đến người hỏi)"
        ).fill(WRITTEN)
        first.get_by_role("button", name="Đăng câu trả lời").click()
        console.get_by_role("dialog").get_by_role("button", name="Đăng và gửi").click()
        expect(console.locator("#status-line")).to_have_text(
            f"Câu hỏi #{ids[LATER]}: câu trả lời đã được đăng."
        )
        expect(owed.locator(".q-text")).to_have_text([NEXT, SOON, UNDATED])
        answer = b.question(codes[LATER]).answer
        assert answer is not None and (answer.kind, answer.text) == ("written", WRITTEN)

        def answered_meanwhile(route: Route, request: Request) -> None:
            b.act(codes[NEXT], "answer", "aide", text="Trợ lý đã trả lời câu này trước.")
            route.continue_()

        second = card(console, "owed", NEXT)
        second.get_by_role("textbox").first.fill("Câu trả lời thứ hai, gửi muộn hơn.")
        console.route(re.compile(r".*/actions/answer$"), answered_meanwhile)
        second.get_by_role("button", name="Đăng câu trả lời").click()
        console.get_by_role("dialog").get_by_role("button", name="Đăng và gửi").click()
        expect(console.locator("#status-line")).to_have_text(
            "Câu hỏi vừa thay đổi, hiện ở trạng thái: Đã trả lời. "
            "Thao tác chưa được thực hiện: hãy kiểm tra rồi thử lại."
        )
        expect(owed.locator(".q-text")).to_have_text([SOON, UNDATED])
        assert b.question(codes[NEXT]).answer.text == "Trợ lý đã trả lời câu này trước."  # type: ignore[union-attr]

        summary = card(console, "summaries", LIVE)
        summary.get_by_label("Tóm tắt câu trả lời trực tiếp (đăng trên trang công khai)").fill(
            SUMMARY
        )
        summary.get_by_role("button", name="Đăng bản tóm tắt").click()
        expect(console.locator("#summaries-empty")).to_be_visible()
        assert b.question(codes[LIVE]).answer.text == SUMMARY  # type: ignore[union-attr]
        assert console.evaluate("window.__sameDocument") is True
    finally:
        official.close()


def test_a_secretary_writes_the_summaries_of_every_official(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """The secretary's console lists every official's answers given live
    without a summary (and nothing else); a summary written there reaches the
    public page, which until then points to the moment in the recording."""
    b = Show(redis_server, server.url, "thu-ky")
    mine, theirs, owed = b.ask(LIVE), b.ask(THEIRS), b.ask(LATER)
    for code, official_id in ((mine, "o1"), (theirs, "o2")):
        b.publish(code, official_id, queue=True)
        b.act(code, "on_air", "producer")
        b.act(code, "answer", "producer")
    b.publish(owed, "o1", queue=True)
    b.act(owed, "defer", "producer")
    theirs_id = b.question(theirs).id
    secretary = signed_in(chromium, server, "secretary")
    citizen = chromium.new_context(locale="vi-VN")
    try:
        public = live_page(citizen, f"{server.url}/d/{b.slug}")
        shown = public.locator(f"#pq-{theirs_id}")
        expect(shown.locator(".answer-pending")).to_have_text(
            re.compile(r"^Đã trả lời trực tiếp — xem tại \d+:\d\d$")
        )
        console = live_page(secretary, console_url(server, b))
        expect(console.locator(".answering-as")).to_contain_text("Thư ký của cuộc đối thoại")
        rows = console.locator("#summaries-list > li")
        expect(rows.locator(".q-text")).to_have_text([LIVE, THEIRS])
        expect(card(console, "summaries", THEIRS).locator(".oq-official")).to_have_text(
            "Người trả lời: Trần Thị Bình"
        )
        expect(console.locator("#sec-owed")).to_have_count(0)
        expect(console.get_by_text(LATER)).to_have_count(0)
        row = card(console, "summaries", THEIRS)
        row.get_by_label("Tóm tắt câu trả lời trực tiếp (đăng trên trang công khai)").fill(SUMMARY)
        row.get_by_role("button", name="Đăng bản tóm tắt").click()
        expect(rows.locator(".q-text")).to_have_text([LIVE])
        expect(shown.locator(".answer-text")).to_have_text(SUMMARY)
        expect(shown.locator(".answer-pending")).to_have_count(0)
        expect(
            shown.get_by_role("link", name="Xem lại phần trả lời này trong video")
        ).to_be_visible()
        assert public.evaluate("window.__sameDocument") is True
    finally:
        secretary.close()
        citizen.close()


@pytest.mark.parametrize("phase", ["live", "closed"])
def test_the_console_never_scrolls_sideways_at_a_desk(
    chromium: Browser, server: ServerProcess, redis_server: str, phase: str
) -> None:
    """At 1024, 1280, 1366 and 1920 px, with long unbroken text in every kind
    of card, the console is no wider than the window."""
    b = Show(redis_server, server.url, "be-ngang")
    long = "https://dichvucong.thuathienhue.gov.vn/" + "x" * 300
    texts = [f"{text} {long}" for text in (ON_AIR, NEXT, LATER, SOON, LIVE)]
    codes = [b.ask(text, name="N" * 100, organization="Công ty " + "T" * 150) for text in texts]
    for code in codes:
        b.publish(code, "o1", queue=True)
    b.act(codes[0], "on_air", "producer")
    b.act(codes[2], "ready", "official")
    b.act(codes[3], "defer", "producer")
    b.act(codes[4], "note", "official", text=long)
    owed = b.ask(UNDATED + " " + long)
    b.publish(owed, "o1")
    b.owe(owed, "o1", datetime.now(ICT).date() - timedelta(days=3))
    if phase == "closed":
        b.phase("closed")
    context = signed_in(chromium, server, "official", viewport={"width": 1024, "height": 800})
    try:
        console = live_page(context, console_url(server, b))
        # Closed, the wrap-up has owed every question in writing.
        expect(console.locator("#owed-list > li")).to_have_count(2 if phase == "live" else 6)
        if phase == "live":
            expect(console.locator("#queued-list > li")).to_have_count(3)
        for width in (1024, 1280, 1366, 1920):
            console.set_viewport_size({"width": width, "height": 900})
            widths: Any = no_horizontal_scroll(console)
            assert max(widths[:2]) <= widths[2], (width, widths)
    finally:
        context.close()
