"""The keyboard-first moderation console in a real Chromium, on a dialogue of
200 questions: every key (j k a r e m t o u x ? / n, Shift+A, Shift+R, Esc),
bulk actions with a partial failure, filters and search, live counts,
presence seen from a second console, and a question entered from the hotline.
Every action's effect is checked through the staff API as well as on screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Request, expect

from server.domain.model import Role
from tests.helpers import ServerProcess
from tests.support.browser import expect_refused_field
from tests.support.questions import question_id
from tests.support.staff import StaffClient, add_accounts
from tests.support.waiting import wait_for
from tests.web.seed import seeded_site

from .console_page import open_console
from .console_seed import LINKED, SOURCE, TARGET, Board, ask_all, by_hotline
from .producer_seed import fresh_slug, new_dialogue

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: The size of the queue the console must handle.
COUNT = 200
CURRENT = re.compile(r"\bis-current\b")
#: The console's request that sets a question's topic.
TOPIC_ACTION = re.compile(r"/actions/set_topic(\?|$)")


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    """One app for the module, on an emptied Redis, with a second moderator."""
    with seeded_site(redis_server, also=lambda url: add_accounts(url, ["moderator2"])) as server:
        yield server


@pytest.fixture(scope="module")
def board(site: ServerProcess, redis_server: str, admin: StaffClient) -> Board:
    """A live dialogue with 200 pending questions (two topics, two officials)."""
    slug = fresh_slug("ban-phim")
    new_dialogue(redis_server, slug, members={"moderator2": {Role.MODERATOR}})
    return ask_all(site, admin, slug, COUNT)


@pytest.fixture
def console(chromium: Browser, site: ServerProcess, board: Board) -> Iterator[Page]:
    """The moderator's console, in a context of its own."""
    page = open_console(chromium, site, f"/console/{board.slug}")
    try:
        yield page
        assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()


def question(admin: StaffClient, board: Board, qid: str) -> dict[str, Any]:
    return admin.question(board.slug, qid)


def card(page: Page, qid: str) -> Locator:
    return page.locator(f"#q-{qid}")


def current_id(page: Page) -> str | None:
    found = page.evaluate("document.querySelector('.q.is-current')?.dataset.id ?? null")
    return str(found) if found is not None else None


def go_to(page: Page, qid: str, query: str) -> None:
    """Find question ``qid`` by keyboard: / to search, Enter to go to the
    first found, j until it is the current one; then clear the search (Esc
    clears it and gives the keys back to the current question)."""
    page.keyboard.press("/")
    search = page.locator("#filter-search")
    expect(search).to_be_focused()
    search.fill(query)
    search.press("Enter")
    for _ in range(10):
        if current_id(page) == qid:
            break
        page.keyboard.press("j")
    expect(card(page, qid)).to_have_class(CURRENT)
    page.keyboard.press("/")
    search.press("Escape")
    expect(search).to_have_value("")
    expect(card(page, qid)).to_be_focused()


def show(page: Page, qid: str) -> None:
    """Search ``page``'s console for question ``qid`` ("#id"): the lists are
    windowed, so a question far down is drawn once the moderator goes to it."""
    page.locator("#filter-search").fill(f"#{qid}")
    expect(card(page, qid)).to_be_attached()


def status_line(page: Page) -> Locator:
    return page.locator("#console-status")


def test_j_k_move_and_a_r_e_u_act_on_the_current_question(
    console: Page, admin: StaffClient, board: Board
) -> None:
    """j/k move a visible focus through the queue; a approves and r rejects
    with the reason picked by number, each undone by u; e edits (Enter
    saves, Esc cancels) and u puts the text back."""
    page = console
    first, second = page.locator("#pending-list > li").evaluate_all(
        "nodes => nodes.slice(0, 2).map(n => n.dataset.id)"
    )
    page.keyboard.press("j")
    expect(card(page, first)).to_have_class(CURRENT)
    expect(card(page, first)).to_be_focused()
    page.keyboard.press("j")
    expect(card(page, second)).to_have_class(CURRENT)
    expect(card(page, first)).not_to_have_class(CURRENT)
    page.keyboard.press("k")
    expect(card(page, first)).to_be_focused()

    page.keyboard.press("a")
    expect(page.locator(f"#published-list > #q-{first}")).to_be_visible()
    expect(card(page, second)).to_be_focused()
    expect(status_line(page)).to_have_text(f"Câu hỏi #{first}: đã duyệt. Nhấn u để hoàn tác.")
    assert question(admin, board, first)["status"] == "approved"
    page.keyboard.press("u")
    expect(page.locator(f"#pending-list > #q-{first}")).to_be_visible()
    assert question(admin, board, first)["status"] == "pending"

    expect(card(page, first)).to_be_focused()
    page.keyboard.press("j")
    expect(card(page, second)).to_have_class(CURRENT)
    page.keyboard.press("r")
    picker = page.get_by_role("dialog", name=f"Từ chối câu hỏi #{second}: lý do?")
    expect(picker).to_be_visible()
    expect(picker.get_by_role("button")).to_have_count(8)  # seven reasons and Cancel
    page.keyboard.press("2")
    expect(picker).to_have_count(0)
    expect(page.locator(f"#rejected-list > #q-{second}")).to_be_attached()
    rejected = question(admin, board, second)
    assert (rejected["status"], rejected["reason"]) == ("rejected", "duplicate")
    page.keyboard.press("u")
    expect(page.locator(f"#pending-list > #q-{second}")).to_be_visible()
    assert question(admin, board, second)["status"] == "pending"

    before = question(admin, board, second)["text"]
    expect(card(page, second)).to_be_focused()
    page.keyboard.press("e")
    editor = card(page, second).get_by_label("Nội dung câu hỏi (bản gốc vẫn được lưu)")
    expect(editor).to_be_focused()
    editor.press("Escape")
    expect(editor).to_have_count(0)
    expect(card(page, second)).to_be_focused()
    page.keyboard.press("e")
    edited = "Bao giờ có sóng 4G ổn định ở các thôn vùng cao?"
    editor.fill(edited)
    editor.press("Enter")
    expect(card(page, second).locator(".q-text")).to_have_text(edited)
    after = question(admin, board, second)
    assert (after["text"], after["original_text"]) == (edited, before)
    page.keyboard.press("u")
    expect(card(page, second).locator(".q-text")).to_have_text(before)
    assert question(admin, board, second)["text"] == before

    # Keys do not wait for the server: a, a approves two in a row; u, u takes both back.
    expect(card(page, second)).to_be_focused()
    third = page.locator(f"#q-{second} + li").get_attribute("data-id")
    assert third
    page.keyboard.press("a")
    page.keyboard.press("a")
    expect(page.locator(f"#published-list > #q-{third}")).to_be_visible()
    expect(page.locator(f"#published-list > #q-{second}")).to_be_visible()
    assert [question(admin, board, q)["status"] for q in (second, third)] == ["approved"] * 2
    page.keyboard.press("u")
    page.keyboard.press("u")
    expect(page.locator(f"#pending-list > #q-{second}")).to_be_visible()
    expect(page.locator(f"#pending-list > #q-{third}")).to_be_visible()
    assert [question(admin, board, q)["status"] for q in (second, third)] == ["pending"] * 2


def test_reject_picker_preselects_the_suggested_reason(
    console: Page, admin: StaffClient, board: Board
) -> None:
    """A question screening held shows its flag with the reason and the held
    marker; r preselects the suggested reason, and Enter takes it."""
    page = console
    qid = board.ids[LINKED]
    held = question(admin, board, qid)
    assert held["held"] and held["suggested_reason"] == "spam", held
    go_to(page, qid, "thietbiso")
    item = card(page, qid)
    expect(item.locator(".badge-held")).to_have_text("Giữ lại để xem xét")
    expect(item.locator(".flag").first).to_contain_text("Có đường dẫn")
    (link,) = held["flag_reasons"]["link"]["text"]
    expect(item.locator(".flag-reason").first).to_have_text(f"trong câu hỏi: “{link}”")
    page.keyboard.press("r")
    picker = page.get_by_role("dialog")
    chosen = picker.locator('.picker-option[aria-current="true"]')
    expect(chosen).to_contain_text("Tin rác, quảng cáo")
    expect(chosen).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(picker).to_have_count(0)  # closed at once; the rejection is still on its way
    rejected = wait_for(
        lambda: (q := question(admin, board, qid))["status"] == "rejected" and q, "the rejection"
    )
    assert rejected["reason"] == "spam"


def test_t_and_o_set_topic_and_official_and_u_undoes_them(
    console: Page, admin: StaffClient, board: Board
) -> None:
    """t picks a topic and o an official (the topic's default preselected);
    u takes back each in turn."""
    page = console
    text = board.texts[30]
    qid = board.ids[text]
    before = question(admin, board, qid)
    go_to(page, qid, text)
    page.keyboard.press("t")
    picker = page.get_by_role("dialog", name=f"Lĩnh vực của câu hỏi #{qid}")
    expect(picker).to_be_visible()
    page.keyboard.press("Escape")
    expect(picker).to_have_count(0)
    expect(card(page, qid)).to_be_focused()
    page.keyboard.press("t")
    expect(picker.locator(".picker-option")).to_have_text(
        [re.compile("Chưa có lĩnh vực"), re.compile("Chính quyền số"), re.compile("Kinh tế số")]
    )
    page.keyboard.press("3")
    expect(card(page, qid).locator(".q-meta")).to_contain_text("Kinh tế số")
    assert question(admin, board, qid)["topic"] == "kinh-te-so"

    page.keyboard.press("o")
    picker = page.get_by_role("dialog", name=f"Chuyển câu hỏi #{qid} cho")
    # The topic's default official is offered first.
    expect(picker.locator('.picker-option[aria-current="true"]')).to_contain_text("Trần Thị Bình")
    page.keyboard.press("2")
    expect(card(page, qid).locator(".q-meta")).to_contain_text("Nguyễn Văn An")
    assert question(admin, board, qid)["official"]["id"] == "o1"

    # The undo says what it did, not what it undid ("routed").
    page.keyboard.press("u")
    expect(status_line(page)).to_have_text(
        f"Đã hoàn tác việc chuyển câu hỏi #{qid}: câu hỏi được chuyển như trước."
    )
    expect(card(page, qid).locator(".q-meta")).not_to_contain_text("Nguyễn Văn An")
    assert question(admin, board, qid)["official"] is None
    page.keyboard.press("u")
    expect(status_line(page)).to_have_text(
        f"Đã hoàn tác việc đổi lĩnh vực của câu hỏi #{qid}: lĩnh vực trước đó đã trở lại."
    )
    assert question(admin, board, qid)["topic"] == before["topic"]
    page.keyboard.press("u")
    expect(status_line(page)).to_have_text("Không có gì để hoàn tác.")


def test_a_key_pressed_while_the_last_action_is_on_its_way_is_not_lost(
    console: Page, admin: StaffClient, board: Board
) -> None:
    """ "t 3" then "o" and an official at once, the topic's answer not yet
    back: the official waits for it and goes with the version it left,
    so both are set (the keys were dropped while the question was busy)."""
    page = console
    text = next(
        text
        for text in board.texts[40:]
        if (q := question(admin, board, board.ids[text]))["topic"] != "kinh-te-so"
        and q["official"] is None
    )
    qid = board.ids[text]
    held: list[Any] = []
    page.route(TOPIC_ACTION, lambda route: held.append(route))
    go_to(page, qid, text)
    page.keyboard.press("t")
    with page.expect_request(TOPIC_ACTION):
        page.keyboard.press("3")
    page.keyboard.press("o")
    picker = page.get_by_role("dialog", name=f"Chuyển câu hỏi #{qid} cho")
    options = picker.locator(".picker-option")
    expect(options.filter(has_text="Nguyễn Văn An")).to_have_count(1)
    names = options.all_inner_texts()
    digit = next(str(n + 1) for n, name in enumerate(names) if "Nguyễn Văn An" in name)
    page.keyboard.press(digit)
    expect(picker).to_have_count(0)
    assert len(held) == 1, "the topic's request was not held"
    held[0].continue_()
    meta = card(page, qid).locator(".q-meta")
    expect(meta).to_contain_text("Kinh tế số")
    expect(meta).to_contain_text("Nguyễn Văn An")
    found = question(admin, board, qid)
    assert found["topic"] == "kinh-te-so" and found["official"]["id"] == "o1"


def test_m_merges_into_a_suggestion_and_u_unmerges(
    console: Page, admin: StaffClient, board: Board
) -> None:
    """The duplicate typed without diacritics shows its suggestion (text and
    score) beside it; m merges it into the suggestion (askers and votes move
    to the target), and u takes the merge back (both restored)."""
    page = console
    target, source = board.ids[TARGET], board.ids[SOURCE]
    dup = question(admin, board, source)
    assert target in [d["id"] for d in dup["duplicates"]], dup["duplicates"]
    for qid, voters in ((target, 1), (source, 2)):
        q = question(admin, board, qid)
        admin.act(board.slug, qid, "approve", version=q["version"])
        for n in range(voters):
            response = httpx.post(
                f"{admin.client.base_url}/api/v1/dialogues/{board.slug}/questions/{qid}/votes",
                json={"voter": f"voter-{qid}-{n}"},
                timeout=10,
            )
            assert response.status_code == 200, response.text
    beside = card(page, source).locator(".q-duplicate", has_text=f"#{target}")
    expect(beside).to_contain_text(TARGET)
    expect(beside.locator(".q-score")).to_have_text(re.compile(r"^\d+%$"))
    # The older question, asked first, learns of the newer one too.
    older = card(page, target).locator(".q-duplicate", has_text=f"#{source}")
    expect(older).to_contain_text(SOURCE)
    expect(older.locator(".q-score")).to_have_text(beside.locator(".q-score").inner_text())

    go_to(page, source, f"#{source}")
    page.keyboard.press("m")
    picker = page.get_by_role("dialog", name=f"Gộp câu hỏi #{source} vào câu hỏi nào?")
    options = picker.locator(".picker-option")
    expect(options.first).to_be_visible()
    labels = options.evaluate_all("nodes => nodes.map(n => n.textContent)")
    index = next(i for i, text in enumerate(labels) if f"#{target} ·" in text)
    expect(options.nth(index)).to_contain_text(TARGET)
    page.keyboard.press(str(index + 1))
    expect(picker).to_have_count(0)
    target_card = card(page, target)
    expect(target_card.locator(".asked-by")).to_have_text("2 người cùng hỏi")
    expect(target_card.locator(".q-merged")).to_contain_text(SOURCE, use_inner_text=False)
    expect(target_card.locator(".q-duplicate", has_text=f"#{source}")).to_have_count(0)
    merged, into = question(admin, board, source), question(admin, board, target)
    assert (merged["status"], merged["merged_into"]) == ("merged", target)
    assert (into["asked_by"], into["votes"]) == (2, 3)

    page.keyboard.press("u")
    expect(target_card.locator(".asked-by")).to_have_count(0)
    back, into = question(admin, board, source), question(admin, board, target)
    assert (back["status"], back["votes"]) == ("approved", 2)
    assert (into["asked_by"], into["votes"], into["merged_from"]) == (1, 1, [])


def test_help_overlay_lists_every_key_and_keys_wait_while_typing(
    console: Page, admin: StaffClient, board: Board
) -> None:
    """? opens the help dialog with every key, Esc closes it; keys typed in
    the search box or with Ctrl/Alt held do nothing to the questions."""
    page = console
    page.keyboard.press("?")
    help_dialog = page.get_by_role("dialog", name="Phím tắt")
    expect(help_dialog).to_be_visible()
    keys = help_dialog.locator("dt").all_text_contents()
    for key in ("j", "k", "a", "r", "e", "m", "t", "o", "u", "x", "/", "n", "?", "Esc"):
        assert key in keys, keys
    assert "Shift+A" in keys and "Shift+R" in keys, keys
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    text = board.texts[60]
    qid = board.ids[text]
    go_to(page, qid, text)
    page.keyboard.press("Control+a")
    page.keyboard.press("Alt+j")
    page.keyboard.press("/")
    page.locator("#filter-search").press_sequentially("ar")
    expect(page.locator("#filter-search")).to_have_value("ar")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(status_line(page)).to_be_empty()
    assert question(admin, board, qid)["status"] == "pending"


def test_x_selects_and_bulk_actions_act_on_what_the_bar_counts(
    console: Page, admin: StaffClient, board: Board
) -> None:
    """x, a card's checkbox and Shift+click select questions; Shift+A approves them all,
    Shift+R rejects them with one reason; a question another moderator
    rejects meanwhile leaves the selection (it can no longer be approved),
    and x does not select a question already approved: what the bar counts
    is what is acted on."""
    page = console
    ids = [board.ids[board.texts[n]] for n in (40, 41, 42, 43, 44)]
    for n, qid in zip((40, 41), ids, strict=False):
        go_to(page, qid, board.texts[n])
        page.keyboard.press("x")
        expect(card(page, qid)).to_have_class(re.compile(r"\bis-selected\b"))
    card(page, ids[2]).get_by_label(f"Chọn câu hỏi #{ids[2]}").check()
    expect(page.locator("#bulk-count")).to_have_text("Đã chọn 3 câu hỏi")

    other = question(admin, board, ids[1])
    admin.act(board.slug, ids[1], "reject", version=other["version"], reason="off_topic")
    expect(page.locator("#bulk-count")).to_have_text("Đã chọn 2 câu hỏi")
    expect(card(page, ids[1])).not_to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("Shift+A")
    result = page.locator("#bulk-result")
    expect(result).to_have_text("Đã duyệt 2 câu hỏi")
    assert [question(admin, board, q)["status"] for q in ids[:3]] == [
        "approved",
        "rejected",
        "approved",
    ]
    expect(page.locator("#bulk")).to_be_hidden()

    for n, qid in ((43, ids[3]), (40, ids[0])):
        go_to(page, qid, board.texts[n])
        page.keyboard.press("x")
    card(page, ids[4]).locator(".q-text").click(modifiers=["Shift"])
    expect(page.locator("#bulk-count")).to_have_text("Đã chọn 2 câu hỏi")
    expect(card(page, ids[0])).not_to_have_class(re.compile(r"\bis-selected\b"))
    page.keyboard.press("Shift+R")
    picker = page.get_by_role("dialog", name="Từ chối 2 câu hỏi đã chọn: lý do?")
    expect(picker).to_be_visible()
    page.keyboard.press("4")
    expect(result).to_have_text("Đã từ chối 2 câu hỏi")
    for qid in ids[3:]:
        q = question(admin, board, qid)
        assert (q["status"], q["reason"]) == ("rejected", "spam")
    assert question(admin, board, ids[0])["status"] == "approved"


def test_filters_and_search_narrow_the_list_and_counts_follow_live(
    console: Page, admin: StaffClient, board: Board
) -> None:
    """Topic, flag, locality and channel filters and the diacritic-free
    search show exactly the matching questions; the state counts change as
    another moderator acts through the API."""
    page = console
    shown = page.locator('[data-shown="pending"]')
    pending = admin.questions(board.slug, "pending")
    expect(page.locator('.count-value[data-count="pending"]')).to_have_text(str(len(pending)))

    def narrowed(select: str, value: str, keep: Any) -> None:
        page.locator(select).select_option(value)
        expect(shown).to_have_text(str(sum(1 for q in pending if keep(q))))
        page.locator(select).select_option("")

    narrowed("#filter-topic", "kinh-te-so", lambda q: q["topic"] == "kinh-te-so")
    narrowed("#filter-topic", "__none", lambda q: not q["topic"])
    narrowed("#filter-locality", "Xã A Lưới 2", lambda q: q["locality"] == "Xã A Lưới 2")
    narrowed("#filter-channel", "hotline", lambda q: q["channel"] == "hotline")
    narrowed("#filter-flag", "__held", lambda q: q["held"])
    hotline = [n for n in range(COUNT) if by_hotline(n)]
    assert sum(1 for q in pending if q["channel"] == "hotline") == len(hotline)
    page.locator("#filter-channel").select_option("hotline")
    expect(page.locator("#pending-list .badge-channel").first).to_have_text("Đường dây nóng")
    page.locator("#filter-channel").select_option("")

    page.keyboard.press("/")
    page.locator("#filter-search").fill("tram sac xe dien")
    matching = [q for q in pending if "trạm sạc xe điện" in q["text"]]
    assert matching
    expect(shown).to_have_text(str(len(matching)))
    expect(page.locator("#pending-list .q-text").first).to_contain_text("trạm sạc xe điện")
    expect(page.locator("#filter-summary")).to_contain_text("Đang hiện")
    page.locator("#filter-search").press("Escape")
    expect(shown).to_have_text(str(len(pending)))

    approved = int(page.locator('.count-value[data-count="approved"]').inner_text())
    first = pending[-4]
    admin.act(board.slug, first["id"], "approve", version=first["version"])
    expect(page.locator('.count-value[data-count="pending"]')).to_have_text(str(len(pending) - 1))
    expect(page.locator('.count-value[data-count="approved"]')).to_have_text(str(approved + 1))


def test_presence_shows_in_another_moderators_console(
    chromium: Browser, site: ServerProcess, console: Page, board: Board
) -> None:
    """The question a moderator is on shows as being handled by them in
    another moderator's console, live, and stops when they move on."""
    other = open_console(chromium, site, f"/console/{board.slug}", username="moderator2")
    try:
        text = board.texts[80]
        qid = board.ids[text]
        handled = card(other, qid).locator(".q-handling")
        show(other, qid)
        expect(handled).to_have_count(0)
        go_to(console, qid, text)
        expect(handled).to_have_text("Đang được moderator xử lý")
        console.keyboard.press("j")
        next_id = current_id(console)
        assert next_id and next_id != qid
        expect(handled).to_have_count(0)
        show(other, next_id)
        expect(card(other, next_id).locator(".q-handling")).to_have_text(
            "Đang được moderator xử lý"
        )
        expect(card(console, next_id).locator(".q-handling")).to_have_count(0)
    finally:
        other.context.close()


def set_hidden(page: Page, hidden: bool) -> None:
    """The page's tab hidden (another tab in front) or shown again."""
    page.evaluate(
        """(hidden) => {
            Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        hidden,
    )


def is_claim(request: Request) -> bool:
    """A console claiming the question its moderator is on."""
    return request.method == "POST" and "/handling" in request.url


def test_a_claim_lapses_when_its_tab_stays_hidden(
    chromium: Browser, site: ServerProcess, board: Board
) -> None:
    """A hidden console stops renewing its claim; the other console drops the
    claim when its minute is up; the tab shown again claims the question anew."""
    console = open_console(chromium, site, f"/console/{board.slug}", clock=True)
    other = open_console(
        chromium, site, f"/console/{board.slug}", username="moderator2", clock=True
    )
    try:
        claims: list[str] = []
        console.on("request", lambda r: claims.append(r.url) if is_claim(r) else None)
        text = board.texts[90]
        qid = board.ids[text]
        handled = card(other, qid).locator(".q-handling")
        show(other, qid)
        go_to(console, qid, text)
        expect(handled).to_have_text("Đang được moderator xử lý")
        assert len(claims) == 1

        set_hidden(console, True)
        console.clock.run_for(95_000)  # three renewals' worth
        assert len(claims) == 1
        other.clock.run_for(61_000)
        expect(handled).to_have_count(0)

        # (The other console's clock is a minute ahead now: it would take the
        # new claim for lapsed, so the request itself is what is checked.)
        with console.expect_request(is_claim):
            set_hidden(console, False)
        assert len(claims) == 2
        for page in (console, other):
            assert page.script_errors == []  # type: ignore[attr-defined]
    finally:
        console.context.close()
        other.context.close()


def test_n_enters_a_question_from_another_channel(
    console: Page, admin: StaffClient, board: Board, site: ServerProcess
) -> None:
    """n opens the entry form; the API's errors show beside their fields in
    Vietnamese; the question entered reaches the queue through the feed,
    with its channel."""
    page = console
    page.keyboard.press("n")
    text = page.locator("#entry-text")
    expect(text).to_be_focused()
    entered = "Bà con thôn Hạ ở xã A Lưới 2 hỏi qua đường dây nóng: bao giờ có internet cáp quang?"
    text.fill(entered)
    page.locator("#entry-channel").select_option("paper")
    page.get_by_role("button", name="Gửi vào hàng chờ duyệt").click()
    name = page.locator("#entry-name")
    expect_refused_field(name, page.locator("#entry-err-name"), "Vui lòng nhập họ và tên.")

    name.fill("Hồ Văn Sáu")
    page.locator("#entry-phone").fill("0905 123 456")
    page.get_by_role("button", name="Gửi vào hàng chờ duyệt").click()
    expect(page.locator("#entry-err-consent")).to_be_visible()
    page.locator("#entry-consent").check()
    page.get_by_role("button", name="Gửi vào hàng chờ duyệt").click()
    status = page.locator("#entry-status")
    expect(status).to_contain_text("Đã nhận câu hỏi (mã tra cứu ")
    code = re.search(r"mã tra cứu (\S+)\)", status.inner_text())
    assert code
    # At the end of a windowed list of 200: found by its channel, as a moderator would.
    page.locator("#filter-channel").select_option("paper")
    arrived = page.locator("#pending-list > li").filter(
        has=page.locator(".q-text", has_text=entered)
    )
    expect(arrived.locator(".badge-channel")).to_have_text("Văn bản giấy")
    found = [q for q in admin.questions(board.slug, "pending") if q["text"] == entered]
    assert len(found) == 1
    assert question_id(site.env["REDIS_URL"], code.group(1)) == found[0]["id"]
    assert "tracking_code" not in found[0]
    assert found[0]["channel"] == "paper"
    assert found[0]["contact"]["phone"]
