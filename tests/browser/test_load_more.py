"""The public page loads older questions as the reader scrolls (issue 15 item
5): its first message is bounded, so a dialogue of hundreds of questions
arrives in pages, asked for by an IntersectionObserver as the end of the list
nears the screen, or by the "Load more questions" button from the keyboard;
in the end every published question is on the page once. The widget's twin
is tests/widget/test_load_more.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from server.domain.model import PUBLIC_STATUSES, Status
from tests.helpers import ServerProcess
from tests.support.bulk import seed_dialogue
from tests.support.dialogues import LOCALITIES, TITLE, TOPICS
from tests.support.staff import StaffClient, create_dialogue

from .owed_seed import app_server, ensure_staff, fresh_slug

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: Published questions and answers only: every one of them is the page's.
MIX = ((Status.APPROVED, 8), (Status.ANSWERED, 2), (Status.PENDING, 1))
COUNT = 320


@pytest.fixture(scope="module")
def server(redis_server: str) -> Iterator[ServerProcess]:
    with app_server(redis_server) as process:
        yield process


def dialogue_of(redis_url: str, count: int) -> tuple[str, set[str]]:
    """A live dialogue of ``count`` questions; its slug and its published ids."""
    slug = fresh_slug("trang")
    create_dialogue(
        redis_url, {}, slug=slug, title=TITLE, status="live", topics=TOPICS, localities=LOCALITIES
    )
    states = seed_dialogue(redis_url, slug, count, mix=MIX, long_every=10**9)
    return slug, {qid for qid, state in states.items() if state in PUBLIC_STATUSES}


#: How many cards the page shows, and whether no older page follows.
SHOWN = """() => ({
    cards: document.querySelectorAll("li.pq").length,
    done: document.querySelector(".load-more").hidden,
})"""
#: Whether the page shows more than ``before`` cards, or (the observer went
#: ahead) has no older page to load.
GREW = """(before) => document.querySelectorAll("li.pq").length > before
    || document.querySelector(".load-more").hidden"""


def shown_ids(page: Page) -> list[str]:
    ids: list[str] = page.locator("li.pq").evaluate_all("(cards) => cards.map((c) => c.dataset.id)")
    return ids


def test_scrolling_and_the_button_load_every_published_question_once(
    chromium: Browser, server: ServerProcess
) -> None:
    slug, published = dialogue_of(server.env["REDIS_URL"], COUNT)
    context = chromium.new_context(locale="vi-VN", viewport={"width": 1000, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/d/{slug}")
        cards = page.locator("li.pq")
        more = page.locator(".load-more")
        button = more.get_by_role("button", name="Tải thêm câu hỏi")
        expect(button).to_be_attached()
        first = cards.count()
        assert 0 < first < len(published)
        expect(page.locator("#question-count")).to_have_text(str(len(published) - 1))
        # From the keyboard: the button, focused and pressed.
        button.focus()
        page.keyboard.press("Enter")
        expect(cards).not_to_have_count(first)
        # By scrolling: the end of the list nears the screen, the next page comes.
        while True:
            before = page.evaluate(SHOWN)
            if before["done"]:
                break
            page.mouse.wheel(0, 100_000)
            page.wait_for_function(GREW, arg=before["cards"])
        expect(cards).to_have_count(len(published))
        ids = shown_ids(page)
        assert len(ids) == len(set(ids)) and set(ids) == published
        expect(more).to_be_hidden()
    finally:
        context.close()


def test_the_count_of_questions_follows_the_feed_past_the_first_message(
    chromium: Browser, server: ServerProcess
) -> None:
    """The count says every published question, most of them not loaded: a
    question approved adds one and one unpublished (not loaded either) takes
    one away, live, without a reload (it stayed at the snapshot's figure)."""
    redis_url = server.env["REDIS_URL"]
    slug = fresh_slug("dem")
    create_dialogue(
        redis_url, {}, slug=slug, title=TITLE, status="live", topics=TOPICS, localities=LOCALITIES
    )
    states = seed_dialogue(redis_url, slug, 160, mix=MIX, long_every=10**9)
    pending = next(qid for qid, state in states.items() if state is Status.PENDING)
    oldest = min((q for q, s in states.items() if s is Status.APPROVED), key=int)
    ensure_staff(redis_url)
    page = chromium.new_context(locale="vi-VN").new_page()
    try:
        page.goto(f"{server.url}/d/{slug}")
        count = page.locator("#question-count")
        expect(page.locator("li.pq").first).to_be_visible()
        before = int(count.inner_text())
        assert before > page.locator("li.pq").count()
        assert page.locator(f'li.pq[data-id="{oldest}"]').count() == 0
        with StaffClient(server.url, "admin") as admin:
            admin.act(slug, pending, "approve")
            expect(count).to_have_text(str(before + 1))
            expect(page.locator(f'li.pq[data-id="{pending}"]')).to_be_visible()
            admin.act(slug, oldest, "unpublish")
            expect(count).to_have_text(str(before))
    finally:
        page.context.close()
