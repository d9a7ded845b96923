"""The air is the producer's, in Chromium against a real server: "next" walks
the queue onto the air and marks each question before answered live; skip
and back do what they say; undo restores the air as it was; two producers
pressing "next" at once still give one question on air; the officials'
"ready" and "in writing" reach the console at once; a choice of official is
saved at once and can be undone; the approved list sorts and counts askers;
on a closed or archived dialogue the air controls and queue places go."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.helpers import ServerProcess
from tests.support.browser import heard_live, pressed_on, signed_in, wait_for_drawn
from tests.support.questions import question_id

from ..air_pages import (
    air_key,
    console,
    on_air_ids,
    question,
    row,
    staff_page,
    wait_for,
    wait_queue,
)
from ..producer_seed import StaffClient, approved, submit

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

FIRST = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
SECOND = "Thủ tục hành chính trực tuyến còn rườm rà, thành phố có kế hoạch đơn giản hóa không?"
THIRD = "Doanh nghiệp nhỏ được hỗ trợ chuyển đổi số như thế nào trong năm tới?"
FOURTH = "Khi nào có wifi miễn phí ở các điểm du lịch của thành phố Huế?"
NEXT = "Câu hỏi tiếp theo"
OFFICIAL_1 = {"id": "o1", "name": "Nguyễn Văn An", "title": "Giám đốc Sở Khoa học và Công nghệ"}
OFFICIAL_2 = {"id": "o2", "name": "Trần Thị Bình", "title": "Phó Chủ tịch UBND thành phố"}


def queued(admin: StaffClient, site: ServerProcess, slug: str, *texts: str) -> list[str]:
    """Ask, approve and queue each of ``texts`` in order; their ids."""
    ids = []
    for text in texts:
        qid = approved(admin, site, slug, text)
        admin.act(slug, qid, "queue")
        ids.append(qid)
    return ids


def test_next_three_times_walks_three_questions_onto_the_air(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """Each "next" (button or N) puts the head of the queue on air and marks
    the question that was on air answered live, stamped with its moment."""
    a, b, c = queued(admin, site, slug, FIRST, SECOND, THIRD)
    page = console(chromium, site, slug)
    try:
        on_air = page.locator("#on-air-question")
        expect(page.locator("#next-preview")).to_contain_text(f"#{a}")
        page.get_by_role("button", name=NEXT).click()
        expect(on_air.locator(".q-text")).to_have_text(FIRST)
        expect(page.locator("#queue-list > li")).to_have_count(2)
        expect(page.locator("#next-preview")).to_contain_text(
            f"#{a} đang lên sóng sẽ được ghi là đã trả lời trực tiếp."
        )
        air_key(page, "n")
        expect(on_air.locator(".q-text")).to_have_text(SECOND)
        page.get_by_role("button", name=NEXT).click()
        expect(on_air.locator(".q-text")).to_have_text(THIRD)
        expect(page.locator("#queue-empty")).to_be_visible()
        for qid in (a, b):
            done = wait_for(admin, slug, qid, status="answered")
            assert done["answer"]["kind"] == "live"
            assert done["answer"]["text"] == ""
            assert done["on_air_at"]
        assert on_air_ids(admin, slug) == [c]
        expect(page.locator("#timer")).to_have_text(re.compile(r"^00:0[1-9]$"))
    finally:
        page.context.close()


def test_skip_back_and_in_writing_do_what_they_say(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """Skip: the question on air waits at the end of the queue and the head
    goes on air. Back (B): it goes to the head of the queue and nothing is on
    air. In writing, then next (W): it is owed a written answer."""
    a, b, c = queued(admin, site, slug, FIRST, SECOND, THIRD)
    page = console(chromium, site, slug)
    try:
        page.get_by_role("button", name=NEXT).click()
        expect(page.locator("#on-air-question .q-text")).to_have_text(FIRST)
        page.get_by_role("button", name="Bỏ qua").click()
        expect(page.locator("#on-air-question .q-text")).to_have_text(SECOND)
        expect(page.locator("#queue-list > li .q-text")).to_have_text([THIRD, FIRST])
        wait_queue(admin, slug, [c, a])
        wait_for(admin, slug, a, status="queued", answer=None)

        air_key(page, "b")
        expect(page.locator("#on-air-empty")).to_be_visible()
        expect(page.locator("#queue-list > li .q-text")).to_have_text([SECOND, THIRD, FIRST])
        wait_queue(admin, slug, [b, c, a])
        assert on_air_ids(admin, slug) == []
        expect(page.get_by_role("button", name="Bỏ qua")).to_be_disabled()
        expect(page.get_by_role("button", name="Trả về hàng chờ")).to_be_disabled()

        page.get_by_role("button", name=NEXT).click()
        expect(page.locator("#on-air-question .q-text")).to_have_text(SECOND)
        air_key(page, "w")
        expect(page.locator("#on-air-question .q-text")).to_have_text(THIRD)
        wait_for(admin, slug, b, status="deferred")
        expect(row(page, "deferred", SECOND)).to_be_visible()
    finally:
        page.context.close()


def test_undo_restores_the_air_as_it_was(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """After "next", undo (the button it offers, or U) puts back the question
    that was on air, unanswered, and the other at the head of the queue."""
    a, b = queued(admin, site, slug, FIRST, SECOND)
    page = console(chromium, site, slug)
    try:
        undo = page.get_by_role("button", name="Hoàn tác")
        expect(page.locator("#undo-box")).to_be_hidden()
        page.get_by_role("button", name=NEXT).click()
        expect(page.locator("#on-air-question .q-text")).to_have_text(FIRST)
        page.get_by_role("button", name=NEXT).click()
        expect(page.locator("#on-air-question .q-text")).to_have_text(SECOND)
        expect(page.locator("#undo-text")).to_have_text(
            f"#{a} đã được ghi là trả lời trực tiếp. #{b} đang lên sóng."
        )
        undo.click()
        expect(page.locator("#on-air-question .q-text")).to_have_text(FIRST)
        expect(page.locator("#queue-list > li .q-text")).to_have_text([SECOND])
        expect(page.locator("#undo-box")).to_be_hidden()
        wait_for(admin, slug, a, status="on_air", answer=None)
        wait_for(admin, slug, b, status="queued")
        wait_queue(admin, slug, [b])

        air_key(page, "b")
        expect(page.locator("#on-air-empty")).to_be_visible()
        expect(page.locator("#undo-box")).to_be_visible()
        air_key(page, "u")
        expect(page.locator("#on-air-question .q-text")).to_have_text(FIRST)
        wait_for(admin, slug, a, status="on_air")
        wait_queue(admin, slug, [b])
    finally:
        page.context.close()


def test_two_producers_pressing_next_at_once_give_one_question_on_air(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """Both consoles see the same air and press "next"; the one whose request
    arrives second is refused (the air changed), says so, and shows what the
    other put on air: one question on air, one answered."""
    a, b, c = queued(admin, site, slug, FIRST, SECOND, THIRD)
    admin.post(f"/api/v1/dialogues/{slug}/next", {"current": ""})
    first = console(chromium, site, slug, "producer")
    second = console(chromium, site, slug, "producer2")
    held: list[Route] = []
    try:
        for page in (first, second):
            expect(page.locator("#on-air-question .q-text")).to_have_text(FIRST)
        # The first press is held on its way to the server while the second goes through.
        first.route(re.compile(r".*/next$"), lambda route: held.append(route))
        with first.expect_request(re.compile(r".*/next$")):
            first.get_by_role("button", name=NEXT).click()
        second.get_by_role("button", name=NEXT).click()
        expect(second.locator("#on-air-question .q-text")).to_have_text(SECOND)
        assert len(held) == 1
        held[0].continue_()
        expect(first.locator("#notice")).to_have_text(
            "Câu hỏi đang lên sóng vừa thay đổi. Vui lòng xem lại."
        )
        expect(first.locator("#on-air-question .q-text")).to_have_text(SECOND)
        assert on_air_ids(admin, slug) == [b]
        assert question(admin, slug, a)["status"] == "answered"
        assert admin.queue(slug) == [c]
    finally:
        first.context.close()
        second.context.close()


def test_next_held_while_another_producer_moves_the_air_moves_it_once(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """A producer's "next" is pressed while another producer's lands: the
    page holds its drawing until the release, so the producer still sees the
    question they meant to move on from, and that is what the press sends:
    refused (the air changed), not a second move past a question nobody saw."""
    a, b, c = queued(admin, site, slug, FIRST, SECOND, THIRD)
    admin.post(f"/api/v1/dialogues/{slug}/next", {"current": ""})
    context = signed_in(chromium, site.url, "producer")
    try:
        page, frames = heard_live(context, f"{site.url}/console/{slug}/producer")
        on_air = page.locator("#on-air-question .q-text")
        expect(on_air).to_have_text(FIRST)
        with pressed_on(page, page.get_by_role("button", name=NEXT)):
            admin.post(f"/api/v1/dialogues/{slug}/next", {"current": a})
            wait_for_drawn(page, frames, '"question.on_air"')
        expect(page.locator("#notice")).to_have_text(
            "Câu hỏi đang lên sóng vừa thay đổi. Vui lòng xem lại."
        )
        expect(on_air).to_have_text(SECOND)
        assert on_air_ids(admin, slug) == [b]
        assert admin.queue(slug) == [c]
    finally:
        context.close()


def test_the_officials_ready_and_in_writing_reach_the_console(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """The official says "ready to answer #N" and "I will answer #M in
    writing" through the API: the console shows both at once, on the cards
    and as signals; the official cannot change the air."""
    a = approved(admin, site, slug, FIRST)
    b = approved(admin, site, slug, SECOND)
    admin.act(slug, a, "queue")
    for qid in (a, b):
        admin.act(slug, qid, "assign", official_id="o1")
    page = console(chromium, site, slug)
    try:
        expect(row(page, "queue", FIRST)).to_be_visible()
        with StaffClient(site.url, "official") as official:
            official.act(slug, a, "ready", version=question(admin, slug, a)["version"])
            expect(row(page, "queue", FIRST).locator(".pr-ready")).to_have_text(
                "Nguyễn Văn An sẵn sàng trả lời"
            )
            expect(page.locator("#signals li").first).to_have_text(
                f"#{a}: Nguyễn Văn An sẵn sàng trả lời."
            )
            official.act(slug, b, "defer", version=question(admin, slug, b)["version"])
            deferred = row(page, "deferred", SECOND)
            expect(deferred.locator(".pr-in-writing")).to_have_text(
                "Trả lời bằng văn bản: Nguyễn Văn An"
            )
            expect(row(page, "approved", SECOND)).to_have_count(0)
            expect(page.locator("#signals li").first).to_have_text(
                f"#{b}: Nguyễn Văn An sẽ trả lời bằng văn bản."
            )
            refused = official.post(f"/api/v1/dialogues/{slug}/next", {"current": ""})
            assert refused.status_code == 403
        assert on_air_ids(admin, slug) == []
    finally:
        page.context.close()


def test_a_click_is_kept_when_its_row_is_drawn_again_while_pressed(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """The official says "ready" (the row is drawn again) between the press
    and the release of the row's "queue" button: the click is not lost, the
    list is drawn once it is let go."""
    a = approved(admin, site, slug, FIRST)
    admin.act(slug, a, "assign", official_id="o1")
    context = signed_in(chromium, site.url, "producer")
    try:
        page, frames = heard_live(context, f"{site.url}/console/{slug}/producer")
        queue = row(page, "approved", FIRST).get_by_role("button", name="Đưa vào hàng chờ")
        with pressed_on(page, queue), StaffClient(site.url, "official") as official:
            official.act(slug, a, "ready", version=question(admin, slug, a)["version"])
            wait_for_drawn(page, frames, "question.ready")
        wait_queue(admin, slug, [a])
        expect(row(page, "queue", FIRST).locator(".pr-ready")).to_have_text(
            "Nguyễn Văn An sẵn sàng trả lời"
        )
    finally:
        context.close()


def test_choosing_an_official_assigns_at_once_with_undo(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """One choice in the select is saved; its undo gives the question back
    its official; the topic's suggestion is one click."""
    qid = approved(admin, site, slug, FIRST, topic="kinh-te-so")
    page = console(chromium, site, slug)
    try:
        card = row(page, "approved", FIRST)
        picker = card.get_by_label("Lãnh đạo trả lời")
        expect(picker.locator("option:checked")).to_have_text("Chưa chuyển cho ai")
        picker.select_option("o1")
        expect(card.locator(".pr-assigned")).to_contain_text("Đã chuyển cho Nguyễn Văn An.")
        wait_for(admin, slug, qid, official=OFFICIAL_1)
        card.locator(".pr-assigned").get_by_role("button", name="Hoàn tác").click()
        wait_for(admin, slug, qid, official=None)
        expect(picker.locator("option:checked")).to_have_text("Chưa chuyển cho ai")

        card.get_by_role("button", name="Chuyển cho Trần Thị Bình").click()
        wait_for(admin, slug, qid, official=OFFICIAL_2)
        expect(picker.locator("option:checked")).to_have_text("Trần Thị Bình")
    finally:
        page.context.close()


def test_approved_list_sorts_and_counts_askers_and_the_queue_shows_waits(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """Votes first by default (with "N people asked this" and the merged
    askers), newest first, or by topic; the queue shows each question's wait."""
    few = approved(admin, site, slug, FIRST, topic="kinh-te-so")
    many = approved(admin, site, slug, SECOND, topic="chinh-quyen-so")
    newest = approved(admin, site, slug, THIRD)
    for n, qid in enumerate([many, many, many, few]):
        vote = admin.client.post(
            f"/api/v1/dialogues/{slug}/questions/{qid}/votes", json={"voter": f"cu-tri-{n}"}
        )
        assert vote.status_code == 200, vote.text
    duplicate = question_id(site.env["REDIS_URL"], submit(site.url, slug, FOURTH), 15)
    admin.act(slug, duplicate, "merge", into=many)
    page = console(chromium, site, slug)
    try:
        texts = page.locator("#approved-list > li .q-text")
        expect(texts).to_have_text([SECOND, FIRST, THIRD])
        card = row(page, "approved", SECOND)
        expect(card.locator(".pr-votes")).to_have_text("3 lượt ủng hộ")
        expect(card.locator(".pr-asked")).to_have_text("2 người cùng hỏi")
        expect(card.locator(".pr-merged")).to_have_text("1 câu hỏi được gộp vào")
        page.get_by_label("Sắp xếp theo").select_option("newest")
        expect(texts).to_have_text([THIRD, SECOND, FIRST])
        page.get_by_label("Sắp xếp theo").select_option("topic")
        expect(texts).to_have_text([SECOND, FIRST, THIRD])  # Chính quyền số, Kinh tế số, none

        row(page, "approved", THIRD).get_by_role("button", name="Đưa vào hàng chờ").click()
        wait_queue(admin, slug, [newest])
        expect(row(page, "queue", THIRD).locator(".pr-wait")).to_have_text(
            re.compile(r"^Đang chờ 00:0\d$")
        )
    finally:
        page.context.close()


def test_keys_are_listed_on_question_mark(
    chromium: Browser, site: ServerProcess, slug: str
) -> None:
    """? opens the key help over the console; Esc closes it."""
    page = console(chromium, site, slug)
    try:
        help_box = page.get_by_role("dialog", name="Phím tắt")
        expect(help_box).to_be_hidden()
        page.locator("body").press("?")
        expect(help_box).to_be_visible()
        expect(help_box.locator("dt")).to_have_count(8)
        expect(help_box).to_contain_text("Câu hỏi tiếp theo: câu đang lên sóng được ghi là")
        page.keyboard.press("Escape")
        expect(help_box).to_be_hidden()
    finally:
        page.context.close()


def test_air_text_is_set_from_the_console(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient
) -> None:
    """The short on-air text is saved from a card (Enter), shown on it, and cleared."""
    (qid,) = queued(admin, site, slug, FIRST)
    page = console(chromium, site, slug)
    try:
        card = row(page, "queue", FIRST)
        card.get_by_role("button", name="Câu chữ lên sóng").click()
        field = card.get_by_label(re.compile("^Câu ngắn cho lớp phủ"))
        expect(field).to_be_focused()
        field.fill("Khi nào phủ sóng 4G ở A Lưới?")
        field.press("Enter")
        expect(card.locator(".pr-air-text")).to_have_text(
            "Lên sóng với câu: Khi nào phủ sóng 4G ở A Lưới?"
        )
        wait_for(admin, slug, qid, air_text="Khi nào phủ sóng 4G ở A Lưới?")
        card.get_by_role("button", name="Câu chữ lên sóng").click()
        card.get_by_role("button", name="Xóa").click()
        wait_for(admin, slug, qid, air_text=None)
        expect(card.locator(".pr-air-text")).to_have_count(0)
    finally:
        page.context.close()


@pytest.mark.parametrize("phase", ["closed", "archived"])
def test_an_ended_broadcast_has_no_air_controls_or_queue_places(
    chromium: Browser, site: ServerProcess, slug: str, admin: StaffClient, phase: str
) -> None:
    """Live, the console offers "End the broadcast" (the wrap-up page) and
    queue places; once the broadcast is wrapped up (then archived) the queue
    is owed in writing, the air controls and the places go, live, and the
    phase is said in words."""
    queued(admin, site, slug, FIRST, SECOND)
    page = console(chromium, site, slug)
    try:
        end = page.get_by_role("link", name="Kết thúc buổi phát sóng")
        expect(end).to_have_attribute("href", f"/console/{slug}/wrap-up")
        expect(page.locator(".pr-position")).to_have_count(2)
        ended = admin.post(f"/api/v1/dialogues/{slug}/wrap-up", {})
        assert ended.status_code == 200, ended.text
        if phase == "archived":
            changed = admin.post(f"/api/v1/dialogues/{slug}/status", {"status": "archived"})
            assert changed.status_code == 200, changed.text
        expect(page.locator("#phase-note")).to_be_visible()
        expect(page.locator("#air-controls")).to_be_hidden()
        expect(page.locator(".pr-position")).to_have_count(0)
        expect(page.locator("#queue-list > li")).to_have_count(0)
        expect(row(page, "deferred", FIRST)).to_be_visible()
        expect(page.get_by_role("button", name="↑")).to_have_count(0)
        if phase == "closed":
            expect(page.locator("#phase-note")).to_have_text(
                "Chương trình đã kết thúc: việc trả lời bằng văn bản vẫn tiếp tục. "
                "Không đưa câu hỏi nào lên sóng nữa."
            )
            expect(page.locator("#end-broadcast")).to_be_visible()
        else:
            expect(page.locator("#end-broadcast")).to_be_hidden()
        air_key(page, "n")
        assert on_air_ids(admin, slug) == []
        reloaded = staff_page(chromium, site, "producer", f"/console/{slug}/producer")
        try:
            expect(reloaded.locator("#connection")).to_have_attribute("data-state", "live")
            expect(reloaded.locator("#air-controls")).to_be_hidden()
            expect(reloaded.locator("#deferred-list > li")).to_have_count(2)
            expect(reloaded.locator("#queue-list > li")).to_have_count(0)
            expect(reloaded.locator(".pr-position")).to_have_count(0)
        finally:
            reloaded.context.close()
    finally:
        page.context.close()
