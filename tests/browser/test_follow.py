"""A citizen follows their question and the broadcast, in a real Chromium:
the tracking page follows the public feed from "being reviewed" to
"answered" without a reload and says each new state once; the public page
lists "My questions" (kept on the device, after a reload too) and copies a
tracking code to the clipboard; every public page's header leads to the
lookup; the public page's live region says an on-air change once, never
again on a vote, an edit or a lost and resumed connection; and its first Tab
reaches a skip link to the question form, in view at every width.

Expected words come from the Vietnamese catalog (the msgids the pages use),
so that rewording a sentence does not break what these tests check."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.web.catalogs import catalog
from tests.helpers import ServerProcess
from tests.support.feed_link import FeedLink
from tests.support.questions import question_id

from .owed_seed import Show, live_page

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

vi = catalog("vi").gettext
ASKED = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao ở xã A Lưới?"
OTHER = "Người cao tuổi có được đào tạo kỹ năng số miễn phí tại phường, xã không ạ?"
AIRED = "Khi nào có wifi miễn phí ở các điểm du lịch của thành phố Huế?"
SUMMARY = "Đến quý II năm 2027, toàn bộ các thôn vùng cao của xã A Lưới sẽ có sóng 4G."
CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{5}-[0-9A-Z]{5}$")
#: The tracking page's words for each state (tracking.html): its heading, and what it says aloud.
STATES = {
    "pending": (
        "Your question is being reviewed",
        "The organisers are reviewing it before it is published.",
    ),
    "rejected": ("Your question was not accepted", "The reason is below."),
    "approved": (
        "Your question is published",
        "It is on the dialogue's public page, where others can support it, and it may be "
        "put to the officials during the broadcast.",
    ),
    "queued": (
        "Your question is queued for the broadcast",
        "It is among the next questions to be put to the officials on air.",
    ),
    "on_air": (
        "Your question is on air now",
        "An official is answering it right now: watch the broadcast.",
    ),
    "answered": ("Your question has been answered", "The answer is below."),
}


def heading(status: str) -> str:
    return vi(STATES[status][0])


def said(status: str) -> str:
    title, explain = STATES[status]
    return f"{vi(title)}. {vi(explain)}"


@pytest.fixture
def citizen(chromium: Browser) -> Iterator[BrowserContext]:
    """A citizen's browser, which lets pages write to and read the clipboard."""
    context = chromium.new_context(
        locale="vi-VN", permissions=["clipboard-read", "clipboard-write"]
    )
    yield context
    context.close()


def tracking_page(context: BrowserContext, url: str) -> Page:
    """The tracking page at ``url`` once it follows the feed, marked so that a
    test can tell it was not reloaded since."""
    page = context.new_page()
    page.goto(url)
    expect(page.locator("#tracking")).to_have_attribute("data-feed", "live")
    page.evaluate("window.__sameDocument = true")
    return page


def test_a_question_is_followed_on_its_tracking_page_until_it_is_answered(
    citizen: BrowserContext, server: ServerProcess, redis_server: str
) -> None:
    """Being reviewed, published, queued, on air, answered: each step shows on
    the open page (its heading, the watch button while on air, the answer)
    and is said once in its live region; the page is never reloaded. A
    question given without a phone number or email offers nothing to delete."""
    b = Show(redis_server, server.url, "theo-doi")
    code = b.ask(ASKED)
    page = tracking_page(citizen, f"{server.url}/t/{code}")
    state = page.locator("#tracking-heading")
    news = page.locator("#tracking-news")
    expect(state).to_have_text(heading("pending"))
    expect(news).to_have_text("")
    expect(page.locator(".contact-forget")).to_have_count(0)
    expect(page.locator("#tracking-watch")).to_be_hidden()

    b.act(code, "approve")
    expect(state).to_have_text(heading("approved"))
    expect(news).to_have_text(said("approved"))
    b.act(code, "queue", "producer")
    expect(state).to_have_text(heading("queued"))
    expect(news).to_have_text(said("queued"))
    b.act(code, "on_air", "producer")
    expect(state).to_have_text(heading("on_air"))
    expect(news).to_have_text(said("on_air"))
    expect(page.locator("#tracking-watch")).to_be_visible()
    expect(page).to_have_title(f"{heading('on_air')} · {vi('Online dialogue')}")

    b.act(code, "answer", "producer")
    expect(state).to_have_text(heading("answered"))
    expect(news).to_have_text(said("answered"))
    expect(page.locator("#tracking-answer .answer-pending")).to_contain_text(
        vi("Answered live — watch at {moment}").split("{moment}")[0].strip()
    )
    b.act(code, "summarize", "producer", text=SUMMARY)
    expect(page.locator("#tracking-answer .answer-text")).to_have_text(SUMMARY)
    expect(page.locator("#tracking-watch")).to_be_hidden()
    expect(page.locator("#tracking")).to_have_attribute("data-status", "answered")
    # The summary changed the answer, not the state: nothing more was said.
    expect(news).to_have_text(said("answered"))
    assert page.evaluate("window.__sameDocument") is True


def test_a_decision_on_a_question_under_review_shows_without_a_reload(
    citizen: BrowserContext, server: ServerProcess, redis_server: str
) -> None:
    """The feed says nothing of a question under review, so the page asks
    again while it is private: a rejection shows, and is said, with no reload."""
    b = Show(redis_server, server.url, "xem-xet")
    code = b.ask(ASKED)
    page = tracking_page(citizen, f"{server.url}/t/{code}")
    expect(page.locator("#tracking-heading")).to_have_text(heading("pending"))
    b.act(code, "reject", reason="off_topic")
    expect(page.locator("#tracking-heading")).to_have_text(heading("rejected"))
    expect(page.locator("#tracking-news")).to_contain_text(vi(STATES["rejected"][0]))
    expect(page.locator("#tracking")).to_have_attribute("data-status", "rejected")
    assert page.evaluate("window.__sameDocument") is True


def test_a_merged_question_follows_the_one_it_joined(
    citizen: BrowserContext, server: ServerProcess, redis_server: str
) -> None:
    """Published, then merged into another published question, the page
    shows that question, and its answer when it comes, without a reload."""
    b = Show(redis_server, server.url, "gop")
    target, code = b.ask(OTHER), b.ask(ASKED)
    b.publish(target, "o1", queue=True)
    b.act(code, "approve")
    page = tracking_page(citizen, f"{server.url}/t/{code}")
    b.act(code, "merge", into=b.question(target).id)
    merged = page.locator("#tracking-merged")
    expect(merged.locator(".pq-text")).to_have_text(OTHER)
    expect(page.locator("#tracking")).to_have_attribute("data-status", "merged")
    b.answer_live(target, SUMMARY)
    expect(merged.locator(".answer-text")).to_have_text(SUMMARY)
    assert page.evaluate("window.__sameDocument") is True


def test_a_tracking_page_offers_to_delete_contact_data_only_when_there_is_some(
    server: ServerProcess, redis_server: str
) -> None:
    """The API says whether contact data is kept, never what it is; the page
    offers the deletion only then."""
    b = Show(redis_server, server.url, "lien-he")
    phone = "0905123456"
    with_phone = b.ask(ASKED, contact={"phone": phone}, consent=True)
    without = b.ask(OTHER)
    for code, kept in ((with_phone, True), (without, False)):
        view = httpx.get(f"{server.url}/api/v1/tracking/{code}").json()
        assert view["has_contact"] is kept
        assert view["id"] == b.question(code).id
        assert phone not in str(view)
        page = httpx.get(f"{server.url}/t/{code}").text
        assert (f'action="/t/{code}/contact"' in page) is kept
        assert phone not in page


def test_every_public_page_leads_to_the_lookup_from_its_header(
    server: ServerProcess, redis_server: str
) -> None:
    """The index, the dialogue's page, the archive, the tracking page and the
    lookup itself link to the lookup of a tracking code from their header."""
    b = Show(redis_server, server.url, "tra-cuu")
    code = b.ask(ASKED)
    link = f'<a class="lookup-link" href="/t">{vi("Look up a question you sent")}</a>'
    for path in ("/", f"/d/{b.slug}", f"/d/{b.slug}/archive", f"/t/{code}", "/t"):
        page = httpx.get(f"{server.url}{path}").text
        header = page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
        assert link in header, path


def ask_on_the_page(page: Page, text: str) -> str:
    """Send ``text`` with the page's form; the tracking code it shows."""
    page.locator("#ask-name").fill("Trần Văn Bình")
    page.locator("#ask-text").fill(text)
    page.locator("#ask-submit").click()
    code = page.locator("#ask-code")
    expect(code).to_have_text(CODE)
    return str(code.text_content())


def test_my_questions_are_kept_on_the_device_and_followed(
    citizen: BrowserContext, server: ServerProcess, redis_server: str
) -> None:
    """A question sent from the page is listed under "My questions" with its
    state and tracking code, still after a reload, and its state follows the
    feed; the code is copied to the clipboard and never breaks across lines."""
    b = Show(redis_server, server.url, "cua-toi")
    url = f"{server.url}/d/{b.slug}"
    page = live_page(citizen, url)
    expect(page.locator(".mine")).to_be_hidden()
    code = ask_on_the_page(page, ASKED)

    page.get_by_role("button", name=vi("Copy"), exact=True).click()
    expect(page.locator("#ask-copied")).to_have_text(vi("Tracking code copied."))
    assert page.evaluate("navigator.clipboard.readText()") == code
    assert page.locator("#ask-code").evaluate("n => getComputedStyle(n).whiteSpace") == "nowrap"

    mine = page.get_by_role("region", name=vi("My questions"))
    item = mine.locator(f'li[data-code="{code}"]')
    expect(item.get_by_role("link")).to_have_text(ASKED)
    expect(item.get_by_role("link")).to_have_attribute("href", f"/t/{code}")

    question_id(redis_server, code)  # screened: pending
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(item.locator(".tracking-code")).to_have_text(code)
    expect(item.locator(".mine-status")).to_have_text(vi("Pending"))
    page.evaluate("window.__sameDocument = true")

    b.act(code, "approve")
    expect(item.locator(".mine-status")).to_have_text(vi("Published"))
    b.act(code, "queue", "producer")
    expect(item.locator(".mine-status")).to_have_text(vi("In the on-air queue"))
    assert page.evaluate("window.__sameDocument") is True
    # Another dialogue's page lists none of them.
    other = Show(redis_server, server.url, "cua-toi-khac")
    elsewhere = live_page(citizen, f"{server.url}/d/{other.slug}")
    expect(elsewhere.locator(".mine")).to_be_hidden()


def test_the_live_region_says_an_on_air_change_once(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    """A question put on air is said once: not again when it is voted for or
    its on-air wording changes, nor when the connection comes back; the changes missed while
    offline are said once each after the resume, and what was already so when
    the page opened is not said at all."""
    b = Show(redis_server, server.url, "loa")
    first, second, aired = b.ask(ASKED), b.ask(OTHER), b.ask(AIRED)
    for code in (first, second, aired):
        b.publish(code, "o1", queue=True)
    b.act(aired, "on_air", "producer")
    context = chromium.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        link = FeedLink(page)
        page.goto(f"{server.url}/d/{b.slug}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        region = page.locator("#dialogue > div[aria-live='polite']")
        region.evaluate(
            """(node) => {
                window.__said = [];
                new MutationObserver(() => node.textContent && window.__said.push(node.textContent))
                    .observe(node, {childList: true, characterData: true, subtree: true});
            }"""
        )
        now = vi("Now answering: {text}")
        ids = {code: b.question(code).id for code in (first, second, aired)}

        b.act(aired, "answer", "producer")
        b.act(first, "on_air", "producer")
        expect(page.locator(f"#on-air-list #pq-{ids[first]}")).to_be_visible()
        expect(region).to_contain_text(now.format(text=ASKED))

        # An edit, then a vote, of the question on air: the page draws the vote (after the edit).
        b.act(first, "air_text", "producer", text="Phủ sóng 4G vùng cao")
        httpx.post(
            f"{server.url}/api/v1/dialogues/{b.slug}/questions/{ids[first]}/votes",
            json={"voter": "voter-of-the-test-01"},
        ).raise_for_status()
        expect(page.locator(f"#pq-{ids[first]} .vote-count")).to_have_text("1")

        link.cut()
        expect(page.locator("#connection")).to_be_visible()
        b.act(first, "answer", "producer")
        b.act(second, "on_air", "producer")
        link.restore()
        expect(page.locator(f"#on-air-list #pq-{ids[second]}")).to_be_visible()
        expect(region).to_contain_text(now.format(text=OTHER))

        heard: list[str] = page.evaluate("window.__said")
        assert sum(now.format(text=ASKED) in text for text in heard) == 1, heard
        assert sum(now.format(text=OTHER) in text for text in heard) == 1, heard
        # On air already when the page opened: not news (its answer was).
        assert not any(now.format(text=AIRED) in text for text in heard), heard
        assert any(vi("New answer: {text}").format(text=AIRED) in text for text in heard), heard
    finally:
        context.close()


@pytest.mark.parametrize("width", [320, 768, 1280])
def test_the_first_tab_reaches_a_skip_link_to_the_form(
    chromium: Browser, server: ServerProcess, redis_server: str, width: int
) -> None:
    """The first Tab on the public page focuses the skip link to the question
    form, in view at every width; following it, the next Tab is in the form."""
    b = Show(redis_server, server.url, f"bo-qua-{width}")
    context = chromium.new_context(locale="vi-VN", viewport={"width": width, "height": 720})
    try:
        page = live_page(context, f"{server.url}/d/{b.slug}")
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        expect(skip).to_have_text(vi("Skip to the question form"))
        box = skip.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["y"] >= 0, box
        assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= 720, box
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        expect(page.locator("aside.ask :focus")).to_have_count(1)
    finally:
        context.close()
