"""The whole broadcast as a TV team runs it, in Chromium, each role in its own
browser: a citizen asks on the public page; a moderator approves in the
console; the producer routes, queues and presses "next"; the public page and
the overlay show the question; the official says "ready" for the next one and
the producer sees it; "next" again marks the first answered live, and the
public page points to its moment in the recording; a secretary writes its
summary, which the public page and the asker's tracking page then show."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from server.domain.model import Role, iso
from tests.helpers import ServerProcess
from tests.support.questions import question_id
from tests.web.record_seed import STREAM_URL

from ..air_pages import broadcast_site, console, overlay, row, staff_page, wait_for
from ..owed_seed import ensure_staff, live_page, signed_in
from ..producer_seed import StaffClient, fresh_slug, new_dialogue, submit

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

FIRST = "Khi nào người dân tra cứu được hồ sơ địa chính của mình trên mạng?"
SECOND = "Thành phố có hỗ trợ chi phí chữ ký số cho hộ kinh doanh nhỏ không?"
SUMMARY = "Từ tháng sau, người dân tra cứu hồ sơ địa chính trên Cổng dịch vụ công của thành phố."
NEXT = "Câu hỏi tiếp theo"


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    with broadcast_site(redis_server) as server:
        ensure_staff(redis_server)  # the secretary's account, among others
        yield server


def moderation_card(page: Page, text: str) -> Locator:
    """The moderation console's card of the pending question ``text``."""
    return page.locator("#pending-list > li").filter(has=page.locator(".q-text", has_text=text))


def opened(pages: list[Page], page: Page) -> Page:
    """``page``, kept in ``pages`` so that the test closes its context."""
    pages.append(page)
    return page


def moment(on_air_at: str, live_at: str) -> tuple[int, str]:
    """Seconds into the recording and the m:ss the pages write for them."""
    seconds = int(
        (datetime.fromisoformat(on_air_at) - datetime.fromisoformat(live_at)).total_seconds()
    )
    return seconds, f"{seconds // 60}:{seconds % 60:02d}"


def test_the_broadcast_as_a_tv_team_runs_it(chromium: Browser, site: ServerProcess) -> None:
    slug = fresh_slug("toan-bo")
    live_at = iso(datetime.now(UTC))
    new_dialogue(
        site.env["REDIS_URL"],
        slug,
        members={"secretary": frozenset({Role.SECRETARY})},
        live_at=live_at,
        stream_url=STREAM_URL,
    )
    citizen = chromium.new_context(locale="vi-VN")
    pages: list[Page] = []
    with StaffClient(site.url, "producer") as staff:
        try:
            public = live_page(citizen, f"{site.url}/d/{slug}")
            moderator = opened(pages, staff_page(chromium, site, "moderator", f"/console/{slug}"))
            producer = opened(pages, console(chromium, site, slug))
            screen = opened(pages, overlay(chromium, site, staff, slug))
            desk = f"{site.url}/console/{slug}/official"
            official = opened(pages, live_page(signed_in(chromium, site, "official"), desk))
            secretary = opened(pages, live_page(signed_in(chromium, site, "secretary"), desk))
            expect(moderator.locator("#connection")).to_have_attribute("data-state", "live")
            expect(screen.locator("#on-air")).to_be_hidden()

            # A citizen asks on the public page; another asks through the API.
            public.get_by_label("Họ và tên").fill("Hồ Thị Lan")
            public.get_by_label("Câu hỏi", exact=True).fill(FIRST)
            public.get_by_role("button", name="Gửi câu hỏi", exact=True).click()
            asked = public.locator("#ask-code")
            expect(asked).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}$"))
            code = str(asked.text_content())
            redis_url = site.env["REDIS_URL"]
            first = question_id(redis_url, code)
            second = question_id(redis_url, submit(site.url, slug, SECOND))

            # The moderator approves both; the public page shows them at once.
            for text in (FIRST, SECOND):
                moderation_card(moderator, text).get_by_role(
                    "button", name="Duyệt", exact=True
                ).click()
                expect(public.locator("#question-list .pq-text", has_text=text)).to_be_visible()

            # The producer routes each to the official (saved by the select) and queues it.
            for text in (FIRST, SECOND):
                card = row(producer, "approved", text)
                card.get_by_label("Lãnh đạo trả lời").select_option("o1")
                expect(card.locator(".pr-assigned")).to_contain_text("Đã chuyển cho Nguyễn Văn An.")
                card.get_by_role("button", name="Đưa vào hàng chờ").click()
                expect(row(producer, "queue", text)).to_be_visible()
                expect(row(official, "queued", text)).to_be_visible()

            # "Next": the first goes on air, on the public page and the overlay.
            producer.get_by_role("button", name=NEXT).click()
            expect(producer.locator("#on-air-question .q-text")).to_have_text(FIRST)
            expect(public.locator("#on-air-list .pq-text")).to_have_text(FIRST)
            expect(screen.locator("#lt-text")).to_have_text(FIRST)
            expect(screen.locator("#lt-official-name")).to_have_text("Nguyễn Văn An")

            # The official is ready for the next one; the producer sees it at once.
            ready = row(official, "queued", SECOND).get_by_role(
                "button", name=f"Sẵn sàng trả lời câu hỏi #{second}"
            )
            ready.click()
            expect(ready).to_have_attribute("aria-pressed", "true")
            expect(row(producer, "queue", SECOND).locator(".pr-ready")).to_have_text(
                "Nguyễn Văn An sẵn sàng trả lời"
            )
            expect(producer.locator("#signals li").first).to_have_text(
                f"#{second}: Nguyễn Văn An sẵn sàng trả lời."
            )

            # "Next" again: the first is answered live, the second on air.
            producer.get_by_role("button", name=NEXT).click()
            expect(producer.locator("#on-air-question .q-text")).to_have_text(SECOND)
            expect(screen.locator("#lt-text")).to_have_text(SECOND)
            expect(public.locator("#on-air-list .pq-text")).to_have_text(SECOND)
            done = wait_for(staff, slug, first, status="answered")
            assert (done["answer"]["kind"], done["answer"]["text"]) == ("live", "")
            seconds, at = moment(done["on_air_at"], live_at)
            watch = public.locator(f"#pq-{first} .answer-pending")
            expect(watch).to_have_text(f"Đã trả lời trực tiếp — xem tại {at}")
            expect(watch.get_by_role("link")).to_have_attribute(
                "href", re.compile(rf"&t={seconds}s$")
            )
            tracking = citizen.new_page()
            tracking.goto(f"{site.url}/t/{code}")
            expect(tracking.locator(".answer-pending")).to_have_text(
                f"Đã trả lời trực tiếp — xem tại {at}"
            )

            # The secretary writes the summary; the public page shows it.
            summary = row(secretary, "summaries", FIRST)
            summary.get_by_label("Tóm tắt câu trả lời trực tiếp (đăng trên trang công khai)").fill(
                SUMMARY
            )
            summary.get_by_role("button", name="Đăng bản tóm tắt").click()
            expect(secretary.locator("#summaries-empty")).to_be_visible()
            expect(public.locator(f"#pq-{first} .answer-text")).to_have_text(SUMMARY)
            expect(public.locator(f"#pq-{first} .answer-pending")).to_have_count(0)
            tracking.reload()
            expect(tracking.locator(".answer-text")).to_have_text(SUMMARY)
            expect(tracking.locator(".answer-pending")).to_have_count(0)
            assert wait_for(staff, slug, first, status="answered")["answer"]["text"] == SUMMARY
            assert public.evaluate("window.__sameDocument") is True  # never reloaded
        finally:
            citizen.close()
            for page in pages:
                page.context.close()
