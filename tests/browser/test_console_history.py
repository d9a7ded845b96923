"""The console opens on the questions that need work only (issue 16 item 3):
the staff snapshot leaves the finished ones out, and its history box loads
them on demand, a page at a time, newest first, into the published and
rejected lists, each once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Request, expect

from server.domain.lifecycle import FINISHED_STATES
from server.domain.model import Status
from tests.helpers import ServerProcess
from tests.support.browser import signed_in
from tests.support.bulk import seed_dialogue
from tests.web.seed import seeded_site

from .producer_seed import fresh_slug, new_dialogue

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MIX = (
    (Status.PENDING, 30),
    (Status.APPROVED, 30),
    (Status.ANSWERED, 20),
    (Status.REJECTED, 15),
    (Status.MERGED, 5),
)
COUNT = 300


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    with seeded_site(redis_server) as server:
        yield server


def test_finished_questions_load_on_demand_each_once(
    chromium: Browser, site: ServerProcess, redis_server: str
) -> None:
    slug = fresh_slug("lich-su")
    new_dialogue(redis_server, slug)
    states = seed_dialogue(redis_server, slug, COUNT, mix=MIX, long_every=10**9)
    counts = Counter(states.values())
    finished = sum(n for state, n in counts.items() if state in FINISHED_STATES)
    page = signed_in(chromium, site.url, "moderator").new_page()
    try:
        page.goto(f"{site.url}/console/{slug}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        # The lists are windowed (only the rows near the viewport are drawn):
        # what each holds is its count, which every drawn row repeats.
        pending = page.locator('[data-shown="pending"]')
        published = page.locator('[data-shown="published"]')
        rejected = page.locator('[data-shown="rejected"]')
        open_ = sum(counts[s] for s in (Status.APPROVED, Status.ON_AIR))
        expect(pending).to_have_text(str(counts[Status.PENDING]))
        expect(page.locator("#pending-list > li").first).to_have_attribute(
            "aria-setsize", str(counts[Status.PENDING])
        )
        expect(published).to_have_text(str(open_))
        expect(page.locator("#published-list > li.q-answered")).to_have_count(0)
        expect(rejected).to_have_text("0")
        # The header still counts them, as the snapshot did.
        expect(page.locator("[data-count='answered']")).to_have_text(str(counts[Status.ANSWERED]))
        button = page.locator("#history-more")
        expect(button).to_have_text(f"Tải các câu hỏi đã xong ({finished})")
        # Pages counted by their requests: on a loaded machine a click may land
        # while the windowed list moves the button, and is simply made again.
        pages: list[str] = []

        def history(request: Request) -> None:
            if "/history?" in request.url:
                pages.append(request.url)

        page.on("request", history)
        while button.is_visible():
            button.click()
            page.wait_for_function("() => !document.getElementById('history-more').disabled")
        assert len(pages) == -(-finished // 100), pages
        expect(page.locator("#history-status")).to_have_text(
            f"Đã tải đủ {finished} câu hỏi đã xong."
        )
        # Each once: a question loaded twice would count twice.
        expect(published).to_have_text(str(open_ + counts[Status.ANSWERED]))
        expect(rejected).to_have_text(str(counts[Status.REJECTED]))
        expect(page.locator("#published-list > li").first).to_have_attribute(
            "aria-setsize", str(open_ + counts[Status.ANSWERED])
        )
        ids = page.locator("li.q").evaluate_all("(cards) => cards.map((c) => c.id)")
        assert len(ids) == len(set(ids))
    finally:
        page.context.close()
