"""The moderation console for volume, in a real Chromium (issue 16, items 1
and 2): a search that finds (folded words in any order, all required,
"quoted phrases" whole) combined with the filters of state, topic,
locality, channel, flag and official; the view kept in the URL and restored
by opening it; the sorts; the compact view's density at 1366x768;
"select all that match" with its count and confirmation; Esc leaving the
search box; and the undo of a bulk action saying what it undid.

What each list must show is worked out from the staff API with the search's
rules read in Python (``test_search_query.reference``), so the console is
checked against the server's state, not against itself."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.helpers import ServerProcess
from tests.support.browser import signed_in
from tests.support.dialogues import LOCALITIES, TOPICS
from tests.support.questions import question_ids
from tests.support.staff import StaffClient
from tests.web.seed import seeded_site

from .console_page import open_console
from .console_seed import texts as filler_texts
from .producer_seed import fresh_slug, new_dialogue
from .test_search_query import reference

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: The question the issue's search could not find by "camera a luoi".
CAMERA = "A Lưới, vấn đề camera giám sát ở các thôn còn thiếu, khi nào bổ sung?"
#: Questions for the phrase search: both have the words "ký số" and "hộ kinh doanh".
SIGNED = "Chữ ký số cho hộ kinh doanh có mất phí không?"
HOUSEHOLD = "Hộ kinh doanh cần những gì để được cấp chữ ký số?"
OTHERS = [
    "Camera giám sát giao thông ở phường Phú Xuân có ghi hình ban đêm không?",
    "Xã A Lưới 2 khi nào có cáp quang đến từng thôn?",
    "Người dân ở A Lưới có được hỗ trợ điện thoại thông minh không?",
]
#: A family of eight for the bulk actions: "trạm quan trắc" in each, nowhere else.
STATIONS = [
    f"Trạm quan trắc môi trường số {n} ở thôn {n} khi nào đưa vào vận hành?" for n in range(1, 9)
]
#: Fillers, so that the compact view has more rows than a screen.
FILLERS = 22
CURRENT = re.compile(r"\bis-current\b")
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    with seeded_site(redis_server) as server:
        yield server


@pytest.fixture(scope="module")
def board(site: ServerProcess, redis_server: str, admin: StaffClient) -> dict[str, Any]:
    """A live dialogue of 38 pending questions (topics, places, one by the
    hotline, two about A Lưới routed to an official); its slug and ids by text."""
    slug = fresh_slug("xem-nhieu")
    new_dialogue(redis_server, slug)
    all_texts = [
        CAMERA,
        SIGNED,
        HOUSEHOLD,
        *OTHERS,
        *STATIONS,
        *filler_texts(FILLERS + 3)[:FILLERS],
    ]
    codes: dict[str, str] = {}
    with httpx.Client(base_url=site.url, timeout=10) as client:
        for n, text in enumerate(all_texts):
            body: dict[str, Any] = {"text": text, "name": f"Người hỏi {n}"}
            if n % 3 < 2:
                body["topic"] = TOPICS[n % 3]["id"]
            if n % 4:
                body["locality"] = LOCALITIES[n % 2]
            if text == CAMERA:
                body.update(topic=TOPICS[0]["id"], locality=LOCALITIES[1])
            path = f"/api/v1/dialogues/{slug}/questions"
            if n == 4:
                response = admin.post(path, {**body, "channel": "hotline"})
            else:
                response = client.post(path, json=body)
            assert response.status_code == 202, response.text
            codes[response.json()["tracking_code"]] = text
    found = question_ids(site.env["REDIS_URL"], codes, 90.0)
    ids = {codes[code]: qid for code, qid in found.items()}
    for text in (CAMERA, OTHERS[2]):
        q = admin.question(slug, ids[text])
        admin.act(slug, ids[text], "assign", version=q["version"], official_id="o1")
    return {"slug": slug, "ids": ids}


@pytest.fixture
def console(chromium: Browser, site: ServerProcess, board: dict[str, Any]) -> Iterator[Page]:
    page = open_console(chromium, site, f"/console/{board['slug']}", viewport=SCREEN)
    try:
        yield page
        assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def fields(q: dict[str, Any]) -> list[str | None]:
    """What the console searches in a question, as the staff API gives it."""
    official = q.get("official") or {}
    return [
        q["text"],
        q.get("original_text") if q.get("edited") else None,
        q.get("name"),
        q.get("organization"),
        q.get("locality"),
        q.get("topic_name"),
        official.get("name"),
    ]


def found(
    admin: StaffClient, slug: str, query: str, keep: Callable[[dict[str, Any]], bool] = bool
) -> list[str]:
    """The ids of the pending questions ``query`` and ``keep`` let through, oldest first."""
    pending = admin.questions(slug, "pending")
    hits = [q for q in pending if keep(q) and reference(query, fields(q), q["id"])]
    return sorted((q["id"] for q in hits), key=int)


def shown(page: Page, key: str = "pending") -> list[str]:
    ids: list[str] = page.locator(f"#{key}-list > li").evaluate_all(
        "nodes => nodes.map(n => n.dataset.id)"
    )
    return ids


def expect_shown(page: Page, ids: list[str], key: str = "pending") -> None:
    """Wait until list ``key`` shows exactly ``ids``, in that order."""
    try:
        page.wait_for_function(
            """([key, want]) => want.join() === [...document.querySelectorAll(`#${key}-list > li`)]
                .map((n) => n.dataset.id).join()""",
            arg=[key, ids],
            timeout=10_000,
        )
    finally:
        assert shown(page, key) == ids


def search(page: Page, query: str) -> None:
    page.keyboard.press("/")
    box = page.locator("#filter-search")
    expect(box).to_be_focused()
    box.fill(query)


def test_folded_words_in_any_order_all_required(
    console: Page, admin: StaffClient, board: dict[str, Any]
) -> None:
    """ "camera a luoi" finds "A Lưới, vấn đề camera…" (and only what has
    all three words, the asker's place counting); the same words in another
    order, with marks or in capitals find the same; one more word narrows."""
    page, slug, ids = console, board["slug"], board["ids"]
    want = found(admin, slug, "camera a luoi")
    assert ids[CAMERA] in want and ids[OTHERS[2]] not in want
    for query in ("camera a luoi", "LƯỚI camera A", "a luoi  CAMERA"):
        search(page, query)
        expect_shown(page, want)
    search(page, "camera a luoi thon bo sung")
    expect_shown(page, [ids[CAMERA]])
    expect(page.locator("#filter-summary")).to_have_text(
        re.compile(r"^Đang hiện 1 trên \d+ câu hỏi\.$")
    )


def test_quoted_phrases_are_matched_whole(
    console: Page, admin: StaffClient, board: dict[str, Any]
) -> None:
    """Loose words find both questions about digital signatures for
    households; the phrase "ký số cho hộ" only the one that says so."""
    page, slug, ids = console, board["slug"], board["ids"]
    search(page, "ky so ho kinh doanh")
    expect_shown(page, found(admin, slug, "ky so ho kinh doanh"))
    assert {ids[SIGNED], ids[HOUSEHOLD]} <= set(shown(page))
    search(page, '"ky so cho ho" kinh doanh')
    expect_shown(page, [ids[SIGNED]])
    search(page, "“chữ ký số” “hộ kinh doanh”")
    expect_shown(page, sorted([ids[SIGNED], ids[HOUSEHOLD]], key=int))
    search(page, '"ho kinh doanh chu ky"')
    expect_shown(page, [])


def test_filters_combine_with_the_search_and_the_url_restores_the_view(
    chromium: Browser, site: ServerProcess, console: Page, admin: StaffClient, board: dict[str, Any]
) -> None:
    """The state, locality, topic, channel and official filters narrow the
    search's result together; the URL keeps them, the search and the sort,
    and opening it in another browser shows the same view."""
    page, slug, ids = console, board["slug"], board["ids"]
    search(page, "a luoi")
    page.locator("#filter-status").select_option("pending")
    page.locator("#filter-locality").select_option(LOCALITIES[1])
    in_place = found(admin, slug, "a luoi", lambda q: q["locality"] == LOCALITIES[1])
    expect_shown(page, in_place)
    expect_shown(page, [], "published")
    page.locator("#filter-official").select_option("o1")
    routed = found(
        admin,
        slug,
        "a luoi",
        lambda q: q["locality"] == LOCALITIES[1] and (q["official"] or {}).get("id") == "o1",
    )
    assert set(routed) == {ids[CAMERA], ids[OTHERS[2]]}
    expect_shown(page, routed)
    page.locator("#filter-official").select_option("__none")
    unrouted = found(
        admin, slug, "a luoi", lambda q: q["locality"] == LOCALITIES[1] and not q["official"]
    )
    expect_shown(page, unrouted)
    page.locator("#filter-official").select_option("")
    page.locator("#filter-topic").select_option(TOPICS[0]["id"])
    page.locator("#filter-channel").select_option("web")
    page.locator("#sort").select_option("newest")
    view = found(
        admin,
        slug,
        "a luoi",
        lambda q: (
            q["locality"] == LOCALITIES[1]
            and q["topic"] == TOPICS[0]["id"]
            and q["channel"] == "web"
        ),
    )[::-1]
    assert ids[CAMERA] in view
    expect_shown(page, view)
    params = dict(re.findall(r"[?&]([^=&]+)=([^&]*)", page.url))
    assert params == {
        "q": "a+luoi",
        "status": "pending",
        "locality": "X%C3%A3+A+L%C6%B0%E1%BB%9Bi+2",
        "topic": TOPICS[0]["id"],
        "channel": "web",
        "sort": "newest",
    }, page.url

    shared = open_console(chromium, site, page.url.removeprefix(site.url), viewport=SCREEN)
    try:
        expect_shown(shared, view)
        expect(shared.locator("#filter-search")).to_have_value("a luoi")
        expect(shared.locator("#filter-locality")).to_have_value(LOCALITIES[1])
        expect(shared.locator("#filter-status")).to_have_value("pending")
        expect(shared.locator("#sort")).to_have_value("newest")
        # Clearing the filters takes them out of the address (the sort stays).
        shared.locator("#filter-clear").click()
        expect(shared).to_have_url(re.compile(r"/console/[^?]+\?sort=newest$"))
        assert shared.script_errors == []  # type: ignore[attr-defined]
    finally:
        shared.context.close()


def test_sorts_by_support_newest_and_oldest(
    console: Page, admin: StaffClient, board: dict[str, Any]
) -> None:
    """Each sort orders every list: most supported first (votes, the oldest
    first among equals), newest first, oldest first; without one, pending
    questions come oldest first and published ones newest first."""
    page, slug = console, board["slug"]
    pending = found(admin, slug, "")
    chosen = pending[-6:-3]
    for qid, votes in zip(chosen, (1, 3, 2), strict=True):
        q = admin.question(slug, qid)
        admin.act(slug, qid, "approve", version=q["version"])
        for n in range(votes):
            response = httpx.post(
                f"{admin.client.base_url}/api/v1/dialogues/{slug}/questions/{qid}/votes",
                json={"voter": f"ung-ho-{qid}-{n}"},
                timeout=10,
            )
            assert response.status_code == 200, response.text
    published = admin.questions(slug, "approved")
    votes_of = {q["id"]: q["votes"] for q in published}
    assert [votes_of[qid] for qid in chosen] == [1, 3, 2]
    by_id = sorted(votes_of, key=int)
    pending = found(admin, slug, "")

    expect_shown(page, pending)
    expect_shown(page, by_id[::-1], "published")
    page.locator("#sort").select_option("support")
    expect_shown(page, sorted(by_id, key=lambda qid: (-votes_of[qid], int(qid))), "published")
    expect_shown(page, pending)
    page.locator("#sort").select_option("newest")
    expect_shown(page, pending[::-1])
    expect_shown(page, by_id[::-1], "published")
    page.locator("#sort").select_option("oldest")
    expect_shown(page, pending)
    expect_shown(page, by_id, "published")
    # The current question keeps its place in the new order: j moves on from it.
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"#q-{pending[1]}")).to_have_class(CURRENT)
    page.locator("#sort").select_option("newest")
    page.locator(f"#q-{pending[1]}").focus()
    page.keyboard.press("j")
    expect(page.locator(f"#q-{pending[0]}")).to_have_class(CURRENT)


def rows_on_screen(page: Page) -> int:
    """How many of the pending list's rows lie wholly inside the viewport."""
    count: int = page.evaluate(
        """() => [...document.querySelectorAll('#pending-list > li')].filter((n) => {
            const box = n.getBoundingClientRect();
            return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
        }).length"""
    )
    return count


def test_the_compact_view_shows_fifteen_questions_and_is_remembered(
    chromium: Browser, site: ServerProcess, console: Page, board: dict[str, Any]
) -> None:
    """At 1366x768 the card view shows a few questions; the compact view, one
    line each, at least 15 (the current one still whole, with its buttons).
    The choice is this browser's: a reload keeps it, another browser starts
    with cards."""
    page = console
    first = page.locator("#pending-list > li").first
    first.evaluate("node => node.scrollIntoView({block: 'start'})")
    cards = rows_on_screen(page)
    assert cards < 15
    page.locator("#density").select_option("compact")
    expect(page.locator("#console")).to_have_class(re.compile(r"\bis-compact\b"))
    first.evaluate("node => node.scrollIntoView({block: 'start'})")
    assert rows_on_screen(page) >= 15
    assert rows_on_screen(page) > 3 * cards
    # One line each: the text is cut, not wrapped, and the row stays in its
    # column (the published list beside it is not covered).
    line = first.locator(".q-text")
    assert line.evaluate("n => getComputedStyle(n).whiteSpace") == "nowrap"
    column, row = page.locator("#pending-list").evaluate_all(
        "([list]) => [list.closest('.column'), list.firstElementChild]"
        ".map((n) => n.getBoundingClientRect().right)"
    )
    assert row <= column
    page.keyboard.press("j")
    expect(first).to_have_class(CURRENT)
    expect(first.get_by_role("button", name="Duyệt")).to_be_visible()
    expect(
        page.locator("#pending-list > li").nth(1).get_by_role("button", name="Duyệt")
    ).to_be_hidden()

    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator("#density")).to_have_value("compact")
    expect(page.locator("#console")).to_have_class(re.compile(r"\bis-compact\b"))
    other = open_console(chromium, site, f"/console/{board['slug']}", viewport=SCREEN)
    try:
        expect(other.locator("#density")).to_have_value("cards")
        expect(other.locator("#console")).not_to_have_class(re.compile(r"\bis-compact\b"))
    finally:
        other.context.close()


def test_esc_clears_the_search_and_j_moves_the_selection(
    console: Page, board: dict[str, Any]
) -> None:
    """Esc in the search box clears it and gives the keys back to the list:
    the next j moves the selection from the current question instead of
    being typed into the search."""
    page = console
    page.keyboard.press("j")
    page.keyboard.press("j")
    second = shown(page)[1]
    expect(page.locator(f"#q-{second}")).to_have_class(CURRENT)
    search(page, "camera")
    box = page.locator("#filter-search")
    box.press("Escape")
    expect(box).to_have_value("")
    expect(page.locator(f"#q-{second}")).to_be_focused()
    page.keyboard.press("j")
    third = shown(page)[2]
    expect(page.locator(f"#q-{third}")).to_have_class(CURRENT)
    expect(box).to_have_value("")
    assert "q=" not in page.url
    # Esc in an empty box leaves it too; Enter goes to the first question found.
    search(page, "")
    box.press("Escape")
    expect(page.locator(f"#q-{third}")).to_be_focused()
    search(page, "camera a luoi")
    box.press("Enter")
    expect(page.locator(f"#q-{board['ids'][CAMERA]}")).to_be_focused()


def test_select_all_that_match_confirms_with_its_count_and_undo_says_what_it_undid(
    console: Page, admin: StaffClient, board: dict[str, Any]
) -> None:
    """ "Select all that match" selects the eight pending questions the
    search finds and says so; acting on them asks first, with the count
    (cancelling changes nothing); u then undoes the bulk approval of all
    eight and says exactly that."""
    page, slug, ids = console, board["slug"], board["ids"]
    family = sorted((ids[text] for text in STATIONS), key=int)
    search(page, "tram quan trac")
    expect_shown(page, family)
    button = page.locator("#select-matching")
    expect(button).to_have_text("Chọn cả 8 câu hỏi chờ duyệt khớp bộ lọc")
    button.click()
    expect(page.locator("#bulk-count")).to_have_text("Đã chọn 8 câu hỏi")
    for qid in family:
        expect(page.locator(f"#q-{qid}")).to_have_class(re.compile(r"\bis-selected\b"))

    confirm = page.get_by_role("dialog", name="Duyệt 8 câu hỏi?")
    page.keyboard.press("Shift+A")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Cả 8 câu hỏi đã chọn sẽ được đăng lên trang công khai.")
    confirm.get_by_role("button", name="Hủy").click()
    expect(confirm).to_be_hidden()
    assert {admin.question(slug, qid)["status"] for qid in family} == {"pending"}

    page.keyboard.press("Shift+A")
    confirm.get_by_role("button", name="Duyệt 8 câu hỏi").click()
    expect(page.locator("#bulk-result")).to_have_text("Đã duyệt 8 câu hỏi")
    expect_shown(page, family[::-1], "published")
    assert {admin.question(slug, qid)["status"] for qid in family} == {"approved"}
    expect(page.locator("#bulk")).to_be_hidden()

    page.keyboard.press("u")
    expect(page.locator("#console-status")).to_have_text("Đã hoàn tác duyệt 8 câu hỏi.")
    expect_shown(page, family)
    assert {admin.question(slug, qid)["status"] for qid in family} == {"pending"}


def test_in_english_a_bulk_rejection_confirms_and_its_undo_names_what_failed(
    chromium: Browser, site: ServerProcess, admin: StaffClient, board: dict[str, Any]
) -> None:
    """In English: the eight selected with "select all that match" and
    rejected for one reason (the confirmation names it); another moderator
    restores one of them meanwhile; u undoes the rejection of the seven
    others and names the one it could not undo."""
    slug, ids = board["slug"], board["ids"]
    family = sorted((ids[text] for text in STATIONS), key=int)
    page = open_console(
        chromium, site, f"/console/{slug}?q=tram+quan+trac&lang=en", viewport=SCREEN
    )
    try:
        expect_shown(page, family)
        page.get_by_role(
            "button", name="Select all 8 matching questions waiting for moderation"
        ).click()
        expect(page.locator("#bulk-count")).to_have_text("8 selected")
        page.keyboard.press("Shift+R")
        picker = page.get_by_role("dialog", name="Reject the 8 selected questions: why?")
        expect(picker).to_be_visible()
        picker.get_by_role("button", name=re.compile("Spam or advertising")).click()
        confirm = page.get_by_role("dialog", name="Reject 8 questions?")
        expect(confirm).to_contain_text(
            "All 8 selected questions will be rejected: Spam or advertising."
        )
        confirm.get_by_role("button", name="Reject 8 questions").click()
        expect(page.locator("#bulk-result")).to_have_text("8 rejected")
        assert {admin.question(slug, qid)["reason"] for qid in family} == {"spam"}

        moved = family[3]
        admin.act(slug, moved, "restore", version=admin.question(slug, moved)["version"])
        expect(page.locator(f"#pending-list > #q-{moved}")).to_be_attached()
        page.keyboard.press("u")
        expect(page.locator("#console-status")).to_have_text(
            f"Undid rejecting 7 questions. 1 could not be undone: #{moved}."
        )
        expect_shown(page, family)
        assert {admin.question(slug, qid)["status"] for qid in family} == {"pending"}
        assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


#: Before the console's script reads it, the page's bulk limit made 3 (the
#: server's is 200): the eight questions then go in three calls.
SMALL_BATCHES = """new MutationObserver((_, observer) => {
  const root = document.getElementById("console");
  if (root) {
    root.dataset.bulkMax = "3";
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });"""


def test_a_selection_larger_than_the_bulk_limit_goes_in_several_calls(
    chromium: Browser, site: ServerProcess, admin: StaffClient, board: dict[str, Any]
) -> None:
    """With a bulk limit of 3, approving the eight selected sends three calls
    of at most three ids; the report and the undo count all eight."""
    slug, ids = board["slug"], board["ids"]
    family = sorted((ids[text] for text in STATIONS), key=int)
    context = signed_in(chromium, site.url, "moderator", viewport=SCREEN)
    context.add_init_script(SMALL_BATCHES)
    page = context.new_page()
    calls: list[list[str]] = []

    def sent(request: Request) -> None:
        body = request.post_data_json if request.url.endswith("/bulk") else None
        if body is not None:
            calls.append(body["ids"])

    page.on("request", sent)
    try:
        page.goto(f"{site.url}/console/{slug}?q=%22tram+quan+trac%22")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        expect_shown(page, family)
        page.locator("#select-matching").click()
        page.keyboard.press("Shift+A")
        page.get_by_role("dialog", name="Duyệt 8 câu hỏi?").get_by_role(
            "button", name="Duyệt 8 câu hỏi"
        ).click()
        expect(page.locator("#bulk-result")).to_have_text("Đã duyệt 8 câu hỏi")
        assert calls == [family[:3], family[3:6], family[6:]]
        assert {admin.question(slug, qid)["status"] for qid in family} == {"approved"}
        page.keyboard.press("u")
        expect(page.locator("#console-status")).to_have_text("Đã hoàn tác duyệt 8 câu hỏi.")
        assert {admin.question(slug, qid)["status"] for qid in family} == {"pending"}
    finally:
        context.close()
