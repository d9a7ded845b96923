"""What a user trial of the moderation console on the demo found, in a real
Chromium: a merge offered into a question already merged (and a refused
merge worded as someone else's change); a bulk selection that kept a
question another moderator had approved; the entry form showing only the
first of the server's field errors, its consent error worded to the
citizen; a signed-out console retrying forever; and undo messages naming
the action undone as if it had just been done."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.helpers import ServerProcess
from tests.support.questions import question_ids
from tests.support.staff import StaffClient
from tests.web.seed import seeded_site

from .console_page import open_console
from .console_seed import SOURCE, TARGET
from .producer_seed import fresh_slug, new_dialogue

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: A family for the bulk actions: "thu gom pin cũ" in each, nowhere else.
FAMILY = [
    f"Điểm thu gom pin cũ số {n} ở tổ dân phố {n} phường Vỹ Dạ khi nào hoạt động?"
    for n in range(1, 5)
]
#: The question whose edit is undone.
EDITED = "Xin hỏi khi nào thành phố có bản đồ số các điểm wifi công cộng miễn phí?"
SELECTED = re.compile(r"\bis-selected\b")


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    with seeded_site(redis_server) as server:
        yield server


@pytest.fixture(scope="module")
def board(site: ServerProcess, redis_server: str) -> dict[str, Any]:
    """A live dialogue: the duplicate pair, the family and the question to
    edit, all pending; its slug and ids by text."""
    slug = fresh_slug("dung-thu")
    new_dialogue(redis_server, slug)
    codes: dict[str, str] = {}
    with httpx.Client(base_url=site.url, timeout=10) as client:
        for n, text in enumerate([TARGET, SOURCE, *FAMILY, EDITED]):
            body = {"text": text, "name": f"Người hỏi {n}"}
            response = client.post(f"/api/v1/dialogues/{slug}/questions", json=body)
            assert response.status_code == 202, response.text
            codes[response.json()["tracking_code"]] = text
    found = question_ids(site.env["REDIS_URL"], codes, 90.0)
    return {"slug": slug, "ids": {codes[code]: qid for code, qid in found.items()}}


@pytest.fixture
def console(chromium: Browser, site: ServerProcess, board: dict[str, Any]) -> Iterator[Page]:
    page = open_console(chromium, site, f"/console/{board['slug']}")
    try:
        yield page
        assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def go_to(page: Page, qid: str) -> None:
    """Make question ``qid`` the current one (found by its number, clicked)."""
    page.locator("#filter-search").fill(f"#{qid}")
    page.locator(f"#q-{qid} .q-text").click()
    expect(page.locator(f"#q-{qid}")).to_have_class(re.compile(r"\bis-current\b"))


def test_a_merged_question_is_never_offered_and_merging_into_it_says_why(
    chromium: Browser, site: ServerProcess, admin: StaffClient, board: dict[str, Any]
) -> None:
    """The older of the pair merged into the newer (by another moderator):
    a console opened since (whose snapshot leaves merged questions out)
    offers no merge into it on the newer's card; merging into it anyway by
    its number is refused, and the console says it is already merged, not
    that someone changed the question."""
    slug, ids = board["slug"], board["ids"]
    older, newer = ids[TARGET], ids[SOURCE]
    assert older in [d["id"] for d in admin.question(slug, newer)["duplicates"]]
    admin.act(slug, older, "merge", version=admin.question(slug, older)["version"], into=newer)

    page = open_console(chromium, site, f"/console/{slug}")
    try:
        go_to(page, newer)
        newer_card = page.locator(f"#q-{newer}")
        expect(newer_card).to_contain_text(f"#{older}")  # listed as merged into it
        expect(newer_card.locator(".q-duplicates")).to_have_count(0)
        expect(newer_card.locator(f'[data-focus="merge-{older}"]')).to_have_count(0)

        page.keyboard.press("m")
        typed = page.locator(f"#merge-into-{newer}")
        typed.fill(older)
        typed.press("Enter")
        said = f"Câu hỏi #{newer}: Câu hỏi #{older} đã được gộp vào một câu hỏi khác."
        expect(page.locator("#console-status")).to_have_text(said)
        assert admin.question(slug, newer)["status"] == "pending"
        assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_a_question_another_moderator_approves_leaves_the_selection(
    console: Page, admin: StaffClient, board: dict[str, Any]
) -> None:
    """ "Select all" the four of the family; another moderator approves one:
    three stay selected, and Shift+R asks about, confirms and rejects
    exactly those three (no failure for the approved one)."""
    page, slug, ids = console, board["slug"], board["ids"]
    family = sorted((ids[text] for text in FAMILY), key=int)
    page.locator("#filter-search").fill("thu gom pin cu")
    page.locator("#select-matching").click()
    expect(page.locator("#bulk-count")).to_have_text("Đã chọn 4 câu hỏi")

    taken = family[1]
    admin.act(slug, taken, "approve", version=admin.question(slug, taken)["version"])
    expect(page.locator(f"#published-list > #q-{taken}")).to_be_attached()
    expect(page.locator("#bulk-count")).to_have_text("Đã chọn 3 câu hỏi")
    expect(page.locator(f"#q-{taken}")).not_to_have_class(SELECTED)

    page.locator("#select-matching").focus()
    page.keyboard.press("Shift+R")
    expect(page.get_by_role("dialog", name="Từ chối 3 câu hỏi đã chọn: lý do?")).to_be_visible()
    page.keyboard.press("4")
    confirm = page.get_by_role("dialog", name="Từ chối 3 câu hỏi?")
    confirm.get_by_role("button", name="Từ chối 3 câu hỏi").click()
    expect(page.locator("#bulk-result")).to_have_text("Đã từ chối 3 câu hỏi")
    rest = [qid for qid in family if qid != taken]
    assert {admin.question(slug, qid)["status"] for qid in rest} == {"rejected"}
    assert admin.question(slug, taken)["status"] == "approved"


@pytest.mark.parametrize(
    ("lang", "consent", "fix"),
    [
        (
            "vi",
            "Hãy xác nhận người dân đã đồng ý để ban tổ chức dùng thông tin liên hệ của họ.",
            "Hãy sửa 3 trường được đánh dấu bên dưới.",
        ),
        (
            "en",
            "Confirm that the citizen agreed that the organisers may use their contact details.",
            "Correct the 3 fields marked below.",
        ),
    ],
)
def test_the_entry_form_shows_every_field_error_and_words_consent_for_staff(
    chromium: Browser,
    site: ServerProcess,
    board: dict[str, Any],
    lang: str,
    consent: str,
    fix: str,
) -> None:
    """A question from the hotline with no text, no name and a phone number
    without the citizen's consent: all three errors beside their fields at
    once, the consent's addressed to the moderator, the first field focused."""
    page = open_console(chromium, site, f"/console/{board['slug']}?lang={lang}")
    try:
        page.keyboard.press("n")
        expect(page.locator("#entry-text")).to_be_focused()
        page.locator("#entry-phone").fill("0905 123 456")
        page.locator("#entry-form button[type=submit]").click()
        expect(page.locator("#entry-status")).to_have_text(fix)
        for name in ("text", "name", "consent"):
            expect(page.locator(f"#entry-err-{name}")).to_be_visible()
            expect(page.locator(f"#entry-{name}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#entry-err-consent")).to_have_text(consent)
        expect(page.locator("#entry-text")).to_be_focused()
        assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_a_signed_out_console_says_so_alone_and_stops_reconnecting(
    chromium: Browser, site: ServerProcess, board: dict[str, Any]
) -> None:
    """The session ended elsewhere: the console shows only that, with the
    link to sign in again (no "reconnecting", no "Signed in as …" left in
    its header), and a minute later it has
    opened no socket and asked for the session no more."""
    page = open_console(chromium, site, f"/console/{board['slug']}", clock=True)
    sockets: list[str] = []
    asked: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.on(
        "request",
        lambda r: asked.append(r.url) if r.method == "GET" and "/api/v1/session" in r.url else None,
    )
    try:
        account = page.locator(".site-header .account")
        expect(account).to_contain_text("moderator")
        csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
        gone = page.context.request.delete(
            f"{site.url}/api/v1/session", headers={"X-CSRF-Token": csrf, "Origin": site.url}
        )
        assert gone.status == 204
        notice = page.locator("#notice")
        expect(notice).to_contain_text("Phiên làm việc đã kết thúc")
        expect(notice.get_by_role("link")).to_be_visible()
        expect(page.locator("#connection")).to_be_hidden()
        # The header no longer says who is signed in, nor offers to sign out.
        expect(account).to_be_hidden()
        seen = (len(sockets), len(asked))
        page.clock.run_for(60_000)
        # A request made after the minute: any socket or session check the
        # minute started was reported before its answer.
        assert page.evaluate("fetch('/healthz').then((r) => r.status)") == 200
        assert (len(sockets), len(asked)) == seen
        expect(page.locator("#connection")).to_be_hidden()
        assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def test_undoing_an_edit_says_what_the_undo_did(
    console: Page, admin: StaffClient, board: dict[str, Any]
) -> None:
    """e, a new text, Enter; then u: the message says the edit was undone
    and the original text is back, and the question is unedited again."""
    page, slug = console, board["slug"]
    qid = board["ids"][EDITED]
    go_to(page, qid)
    page.keyboard.press("e")
    editor = page.locator(f"#q-{qid} textarea")
    editor.fill("Bao giờ có bản đồ số các điểm wifi công cộng?")
    editor.press("Enter")
    expect(page.locator(f"#q-{qid} .q-text")).to_have_text(
        "Bao giờ có bản đồ số các điểm wifi công cộng?"
    )
    page.keyboard.press("u")
    expect(page.locator("#console-status")).to_have_text(
        f"Đã hoàn tác việc sửa câu hỏi #{qid}: nội dung gốc đã trở lại."
    )
    expect(page.locator(f"#q-{qid} .q-text")).to_have_text(EDITED)
    after = admin.question(slug, qid)
    assert (after["text"], after["original_text"], after["edited"]) == (EDITED, None, False)
