"""States citizens can read, on the public page in a real Chromium: the
dialogue's phase in words (before the broadcast, on air now, ended — written
answers continue, archived), followed live; the socket's state only while it
is lost; an answer given live points to its moment in the recording until
its summary is written; a written answer owed says when it is due; once the
broadcast has ended nothing waits in a queue and nobody votes, a vote the
server refuses says why, and one pressed while its card changes counts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from server.domain.wrapup import ICT
from server.web.templating import day
from tests.helpers import ServerProcess
from tests.support.browser import heard_live, pressed_on, wait_for_drawn
from tests.support.feed_link import FeedLink, deaf_feed, notice_follows_the_link
from tests.web.record_seed import LIVE_AT

from .owed_seed import Show, live_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ASKED = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
WAITING = (
    "Huế có chính sách gì thu hút doanh nghiệp công nghệ về khu công nghệ thông tin tập trung?"
)
OWED = "Người cao tuổi có được đào tạo kỹ năng số miễn phí tại phường, xã không ạ?"
SUMMARY = "Đến quý II năm 2027, toàn bộ các thôn vùng cao của xã A Lưới 2 sẽ có sóng 4G."
PHASES = {
    "open": "Trước buổi phát sóng: đang nhận câu hỏi",
    "live": "Đang lên sóng",
    "closed": "Đã kết thúc — tiếp tục trả lời bằng văn bản",
    "archived": "Đã lưu trữ",
}


def card(page: Page, qid: str) -> Any:
    return page.locator(f"#pq-{qid}")


def asked_and_published(
    server: ServerProcess, redis_server: str, prefix: str
) -> tuple[Show, str, str]:
    """A live show of its own with ``ASKED`` published (routed to o1): the
    show, the question's tracking code and its id."""
    b = Show(redis_server, server.url, prefix)
    code = b.ask(ASKED)
    b.publish(code, "o1")
    return b, code, b.question(code).id


def phase_is(page: Page, phase: str) -> None:
    badge = page.locator("#dialogue-status")
    expect(badge).to_have_text(PHASES[phase])
    expect(badge).to_have_attribute("data-phase", phase)


def test_the_public_page_follows_the_phases_in_words(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b = Show(redis_server, server.url, "giai-doan", status="open")
    asked, waiting, owed = b.ask(ASKED), b.ask(WAITING), b.ask(OWED)
    for code in (asked, waiting, owed):
        b.publish(code, "o1", queue=True)
    ids = {code: b.question(code).id for code in (asked, waiting, owed)}
    due = datetime.now(ICT).date() + timedelta(days=21)
    citizen = chromium.new_context(locale="vi-VN")
    try:
        page = live_page(citizen, f"{server.url}/d/{b.slug}")
        phase_is(page, "open")
        expect(page.locator("#connection")).to_be_hidden()
        expect(page.get_by_text("Trực tiếp", exact=True)).to_have_count(0)
        expect(
            card(page, ids[waiting]).get_by_role("button", name=re.compile("Tôi cũng muốn hỏi"))
        ).to_be_visible()

        b.phase("live")
        phase_is(page, "live")
        b.act(asked, "on_air", "producer")
        expect(page.locator("#on-air-list .pq-text")).to_have_text(ASKED)
        b.act(asked, "answer", "producer")
        aired = b.question(asked).on_air_at
        assert aired is not None
        seconds = int((datetime.fromisoformat(aired) - LIVE_AT).total_seconds())
        watch = card(page, ids[asked]).locator(".answer-pending")
        expect(watch).to_have_text(
            f"Đã trả lời trực tiếp — xem tại {seconds // 60}:{seconds % 60:02d}"
        )
        expect(watch.get_by_role("link")).to_have_attribute("href", re.compile(rf"&t={seconds}s$"))
        expect(card(page, ids[asked]).locator(".answer-text")).to_have_count(0)
        b.owe(owed, "o1", due)
        expect(card(page, ids[owed]).locator(".pq-due")).to_have_text(
            f"Trả lời bằng văn bản, hạn {day(due.isoformat(), 'vi')}"
        )
        expect(card(page, ids[waiting]).locator(".badge")).to_have_text("Trong hàng chờ lên sóng")

        # The producer ends the broadcast: what waited for the air is owed in writing.
        ended = f"Trả lời bằng văn bản, hạn {day(str(b.wrap_up()['due']), 'vi')}"
        phase_is(page, "closed")
        expect(page.locator(".vote")).to_have_count(0)
        expect(card(page, ids[waiting]).locator(".badge")).to_have_text("Sẽ trả lời bằng văn bản")
        expect(card(page, ids[waiting]).locator(".pq-due")).to_have_text(ended)
        expect(page.get_by_text("Trong hàng chờ lên sóng")).to_have_count(0)
        expect(page.locator("#on-air-section")).to_be_hidden()
        b.act(asked, "summarize", "official", text=SUMMARY)
        expect(card(page, ids[asked]).locator(".answer-text")).to_have_text(SUMMARY)
        expect(card(page, ids[asked]).locator(".answer-pending")).to_have_count(0)

        b.phase("archived")
        phase_is(page, "archived")
        expect(page.locator(".vote")).to_have_count(0)
        assert page.evaluate("window.__sameDocument") is True

        # A fresh load says the same as the live page did.
        page.reload()
        phase_is(page, "archived")
        expect(page.locator(".vote")).to_have_count(0)
        expect(card(page, ids[waiting]).locator(".badge")).to_have_text("Sẽ trả lời bằng văn bản")
        expect(card(page, ids[waiting]).locator(".pq-due")).to_have_text(ended)
        # Owed before the wrap-up, it keeps the day it was promised.
        expect(card(page, ids[owed]).locator(".pq-due")).to_have_text(
            f"Trả lời bằng văn bản, hạn {day(due.isoformat(), 'vi')}"
        )
        expect(page.locator("#connection")).to_be_hidden()
    finally:
        citizen.close()


def test_the_connection_shows_only_while_the_socket_is_lost(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """While the feed's socket is up the page says nothing of it; when it is
    cut (and every new one refused) it says it is reconnecting, beside the
    phase; back up, the notice goes."""
    b = Show(redis_server, server.url, "mat-ket-noi")
    citizen = chromium.new_context(locale="vi-VN")
    try:
        page = citizen.new_page()
        link = FeedLink(page)
        page.goto(f"{server.url}/d/{b.slug}")
        notice_follows_the_link(
            link,
            page.locator("#connection"),
            re.compile("Đang kết nối lại"),
            lambda: phase_is(page, "live"),
        )
    finally:
        citizen.close()


def test_a_refused_vote_says_why(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """A page that has not heard yet that the broadcast ended still shows the
    vote button; the server refuses the vote and the page says why in words."""
    b, _, qid = asked_and_published(server, redis_server, "het-binh-chon")

    citizen = chromium.new_context(locale="vi-VN")
    try:
        page = citizen.new_page()
        deaf_feed(page)
        page.goto(f"{server.url}/d/{b.slug}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        b.phase("closed")
        card(page, qid).get_by_role("button", name=re.compile("Tôi cũng muốn hỏi")).click()
        expect(card(page, qid).locator(".vote-error")).to_have_text(
            "Cuộc đối thoại đã ngừng nhận lượt ủng hộ."
        )
        expect(card(page, qid).locator(".vote-count")).to_have_text("0")
    finally:
        citizen.close()


def test_a_vote_pressed_while_its_card_changes_counts(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """The card is drawn again when its question changes (its votes, every
    second in a storm): a press begun on the old card and let go on a new one
    would be no click. Drawing waits for the release; then the change shows."""
    b, code, qid = asked_and_published(server, redis_server, "bam-giu")
    citizen = chromium.new_context(locale="vi-VN")
    try:
        page, frames = heard_live(citizen, f"{server.url}/d/{b.slug}")
        vote = card(page, qid).get_by_role("button", name=re.compile("Tôi cũng muốn hỏi"))
        edited = ASKED.replace("4G", "5G")
        with pressed_on(page, vote):
            b.act(code, "edit", text=edited, version=b.question(code).version)
            wait_for_drawn(page, frames, "5G")
        expect(vote).to_have_attribute("aria-pressed", "true")
        expect(card(page, qid).locator(".vote-count")).to_have_text("1")
        expect(card(page, qid)).to_contain_text(edited)
    finally:
        citizen.close()


def test_a_console_offers_what_the_new_phase_allows_without_a_reload(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """A moderator's console stays open while the dialogue changes phase (the
    first change since the page was served): once it is archived (its
    questions take notes only) a pending question's "Duyệt" goes, in the same
    page, with nothing reloaded; the question stays."""
    b = Show(redis_server, server.url, "nut-theo-giai-doan", status="live")
    pending = b.question(b.ask(WAITING)).id
    b.phase("closed")
    moderator = signed_in(chromium, server, "moderator")
    try:
        page = live_page(moderator, f"{server.url}/console/{b.slug}")
        row = page.locator(f"#q-{pending}")
        expect(row.get_by_role("button", name="Duyệt", exact=True)).to_be_visible()
        b.phase("archived")
        expect(row.get_by_role("button", name="Duyệt", exact=True)).to_have_count(0)
        expect(row).to_contain_text(WAITING)
        assert page.evaluate("window.__sameDocument") is True
    finally:
        moderator.close()
