"""The whole broadcast in Chromium, each role in its own browser: the producer
routes, queues and puts the next question on air; the overlay shows it; the
official answers; viewers and the asker see the answer; after the dialogue
closes, a deferred question is answered in writing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.helpers import ServerProcess
from tests.support.browser import live_page, signed_in
from tests.support.questions import tracking_code
from tests.support.staff import StaffClient
from tests.web.seed import seeded_site

from .producer_seed import add_staff, approved, fresh_slug, new_dialogue

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

LIVE = "Khi nào người dân tra cứu được hồ sơ địa chính của mình trên mạng?"
LATER = "Tỉnh có hỗ trợ chi phí chữ ký số cho hộ kinh doanh nhỏ không?"
ANSWER = "Từ tháng sau, người dân tra cứu hồ sơ địa chính trên Cổng dịch vụ công của tỉnh."
WRITTEN = "Hộ kinh doanh nhỏ được hỗ trợ chữ ký số miễn phí trong năm đầu."


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    with seeded_site(redis_server, also=add_staff) as server:
        yield server


def row(page: Page, listing: str, text: str) -> Locator:
    return page.locator(f"#{listing}-list > li").filter(has=page.locator(".q-text", has_text=text))


def test_the_whole_broadcast_in_the_browser(chromium: Browser, site: ServerProcess) -> None:
    """assign -> queue -> next -> overlay -> answer -> public and tracking pages;
    then a deferred question answered in writing after the dialogue closes."""
    slug = fresh_slug("toan-bo")
    new_dialogue(site_redis(site), slug)
    with StaffClient(site.url, "admin") as admin, StaffClient(site.url, "producer") as producer:
        live_id = approved(admin, site, slug, LIVE)
        later_id = approved(admin, site, slug, LATER)
        codes = {qid: tracking_code(site_redis(site), slug, qid) for qid in (live_id, later_id)}
        overlay_url = producer.client.get(f"/api/v1/dialogues/{slug}/screen").json()["url"]

        contexts = [signed_in(chromium, site.url, name) for name in ("producer", "official")]
        viewer_context = chromium.new_context(locale="vi-VN")
        overlay_context = chromium.new_context(viewport={"width": 1920, "height": 1080})
        contexts += [viewer_context, overlay_context]
        try:
            console = live_page(contexts[0], f"{site.url}/console/{slug}/producer")
            official = live_page(contexts[1], f"{site.url}/console/{slug}/official")
            public = live_page(viewer_context, f"{site.url}/d/{slug}")
            public.evaluate("window.__sameDocument = true")  # a reload would lose it
            overlay = overlay_context.new_page()
            overlay.goto(overlay_url)
            expect(overlay.locator("#on-air")).to_be_hidden()

            for text in (LIVE, LATER):  # route both to the official, then queue them
                card = row(console, "approved", text)
                card.get_by_label("Lãnh đạo trả lời").select_option("o1")  # saved at once
                expect(row(official, "approved", text)).to_be_visible()
                row(console, "approved", text).get_by_role(
                    "button", name="Đưa vào hàng đợi"
                ).click()
                expect(row(console, "queue", text)).to_be_visible()
            assert admin.queue(slug) == [live_id, later_id] or admin.queue(slug) == [
                live_id,
                later_id,
            ]

            console.get_by_role("button", name=re.compile("^Câu hỏi tiếp theo")).click()
            expect(console.locator("#on-air-question .q-text")).to_have_text(LIVE)
            expect(overlay.locator("#lt-text")).to_have_text(LIVE)
            expect(overlay.locator("#lt-official-name")).to_have_text("Nguyễn Văn An")
            expect(public.locator("#on-air-list .pq-text")).to_have_text(LIVE)

            on_air = row(official, "on_air", LIVE)
            on_air.get_by_label("Tóm tắt câu trả lời (đăng trên trang công khai)").fill(ANSWER)
            on_air.get_by_role("button", name="Đăng câu trả lời").click()
            expect(public.locator(f"#pq-{live_id} .answer-text")).to_have_text(ANSWER)
            expect(overlay.locator("#on-air")).to_be_hidden()

            row(official, "queued", LATER).get_by_role(
                "button", name="Chuyển sang trả lời bằng văn bản"
            ).click()
            expect(row(official, "deferred", LATER)).to_be_visible()
            closed = admin.post(f"/api/v1/dialogues/{slug}/status", {"status": "closed"})
            assert closed.status_code == 200, closed.text
            expect(official.locator("#closed-note")).to_be_visible()
            owed = row(official, "deferred", LATER)
            owed.get_by_role("textbox").first.fill(WRITTEN)
            owed.get_by_role("button", name="Đăng câu trả lời").click()
            expect(public.locator(f"#pq-{later_id} .answer-text")).to_have_text(WRITTEN)

            tracking = viewer_context.new_page()
            tracking.goto(f"{site.url}/t/{codes[live_id]}")
            expect(tracking.get_by_text(ANSWER)).to_be_visible()
            tracking.goto(f"{site.url}/t/{codes[later_id]}")
            expect(tracking.get_by_text(WRITTEN)).to_be_visible()
            expect(tracking.get_by_text("Trả lời bằng văn bản").first).to_be_visible()
            assert public.evaluate("window.__sameDocument") is True  # never reloaded
        finally:
            for context in contexts:
                context.close()


def site_redis(site: ServerProcess) -> str:
    return site.env["REDIS_URL"]
