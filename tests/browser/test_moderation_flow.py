"""The moderator's console and the public page, in a real Chromium against a
real server: sign in, moderate, and watch the public page follow live."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.helpers import ServerProcess
from tests.support.browser import (
    heard_live,
    page_through_login,
    pressed_on,
    signed_in,
    wait_for_drawn,
    wait_for_frame,
)
from tests.support.questions import question_id
from tests.support.staff import StaffClient
from tests.web.seed import SLUG, ask, server_env

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TEXT = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
OTHER = "Thủ tục hành chính trực tuyến còn nhiều bước rườm rà, Huế có kế hoạch đơn giản hóa không?"
XSS = '<img src=x onerror="window.__xss=1">'
EDITED = "Thành phố có kế hoạch đơn giản hóa thủ tục hành chính trực tuyến không?"


def open_public(page: Page, site: ServerProcess) -> None:
    page.goto(f"{site.url}/d/{SLUG}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    # Marks this document: a reload or navigation would lose it.
    page.evaluate("window.__sameDocument = true")


@pytest.fixture
def console(chromium: Browser, site: ServerProcess) -> Iterator[Page]:
    """The moderator's console, signed in through the login page it sends
    visitors to, its feed live."""
    with page_through_login(chromium, site.url, f"/console/{SLUG}", "moderator") as page:
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        yield page


@pytest.fixture
def public(chromium: Browser, site: ServerProcess) -> Iterator[Page]:
    """A viewer's public page, in a browser of its own, its feed live."""
    context = chromium.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        open_public(page, site)
        yield page
    finally:
        context.close()


def pending_card(page: Page, text: str) -> Any:
    return page.locator("#pending-list > li").filter(has=page.locator(".q-text", has_text=text))


def test_approved_question_appears_on_an_open_public_page(
    site: ServerProcess, console: Page, public: Page
) -> None:
    """A moderator approves a pending question in the console and the public
    page, opened before, shows it without a reload; unpublishing takes it off."""
    published = public.locator("#question-list .pq-text", has_text=TEXT)
    ask(site, TEXT, organization="Hợp tác xã Hồng Kim", locality="Xã A Lưới 2")
    card = pending_card(console, TEXT)
    expect(card).to_be_visible()
    expect(card).to_contain_text("Hợp tác xã Hồng Kim")
    expect(published).to_have_count(0)
    expect(console.locator('.count-value[data-count="pending"]')).to_have_text("1")
    card.get_by_role("button", name="Duyệt", exact=True).click()

    expect(console.locator("#published-list .q-text", has_text=TEXT)).to_be_visible()
    expect(console.locator('.count-value[data-count="approved"]')).to_have_text("1")
    expect(console.locator("#pending-empty")).to_be_visible()

    expect(published).to_be_visible()
    expect(public.locator("#questions-empty")).to_be_hidden()
    assert public.evaluate("window.__sameDocument") is True

    console.locator("#published-list > li").filter(has_text=TEXT).get_by_role(
        "button", name="Gỡ khỏi trang công khai"
    ).click()
    expect(pending_card(console, TEXT)).to_be_visible()
    expect(published).to_have_count(0)
    assert public.evaluate("window.__sameDocument") is True


def test_question_written_as_html_stays_text(
    site: ServerProcess, console: Page, public: Page
) -> None:
    """A question whose text is an HTML tag with a handler shows as literal
    text on the console and the public page (live and server-rendered) and
    never runs."""
    ask(site, XSS)

    card = pending_card(console, XSS)
    expect(card.locator(".q-text")).to_have_text(XSS)
    expect(console.locator("#console img")).to_have_count(0)
    card.get_by_role("button", name="Duyệt", exact=True).click()
    expect(console.locator("#published-list .q-text")).to_have_text(XSS)

    expect(public.locator("#question-list .pq-text")).to_have_text(XSS)
    expect(public.locator("#dialogue img")).to_have_count(0)
    public.reload()
    expect(public.locator("#question-list .pq-text")).to_have_text(XSS)
    expect(public.locator("#dialogue img")).to_have_count(0)

    assert console.evaluate("typeof window.__xss") == "undefined"
    assert public.evaluate("typeof window.__xss") == "undefined"


def test_reject_needs_a_reason_and_edit_keeps_the_original(
    site: ServerProcess, console: Page
) -> None:
    """Rejecting asks for a reason first and then moves the question to the
    rejected list; an edit changes the text and keeps the original."""
    ask(site, TEXT)
    ask(site, OTHER)
    card = pending_card(console, TEXT)
    card.get_by_role("button", name="Từ chối", exact=True).click()
    expect(card.locator(".q-message")).to_have_text("Vui lòng chọn lý do trước khi từ chối.")
    card.get_by_label("Lý do từ chối").select_option("off_topic")
    card.get_by_role("button", name="Từ chối", exact=True).click()
    rejected = console.locator("#rejected-list > li").filter(has_text=TEXT)
    expect(rejected).to_contain_text("Đã từ chối: Không thuộc lĩnh vực của cuộc đối thoại")
    expect(console.locator('.count-value[data-count="rejected"]')).to_have_text("1")

    other = pending_card(console, OTHER)
    other.get_by_role("button", name="Biên tập", exact=True).click()
    editor = other.get_by_label("Nội dung câu hỏi (bản gốc vẫn được lưu)")
    expect(editor).to_be_focused()
    editor.fill(EDITED)
    other.get_by_role("button", name="Lưu", exact=True).click()
    edited = pending_card(console, "Thành phố có kế hoạch đơn giản hóa")
    expect(edited.locator(".badge-edited")).to_have_text("Đã biên tập")
    expect(edited.locator(".q-original p")).to_have_text(OTHER, use_inner_text=False)


def test_a_click_is_kept_when_its_card_is_drawn_again_while_pressed(
    site: ServerProcess, chromium: Browser
) -> None:
    """A live change to a card (another moderator starts handling it) that
    lands between the press and the release of its Save button does not
    lose the click: the card is drawn again only once the button is let go.
    (A console's own claim on the question it moves to, 250 ms after, used
    to do the same to a card whose edit had just been typed.)"""
    code = ask(site, OTHER)
    qid = question_id(site.env["REDIS_URL"], code)
    context = signed_in(chromium, site.url, "moderator")
    try:
        page, frames = heard_live(context, f"{site.url}/console/{SLUG}")
        card = pending_card(page, OTHER)
        card.get_by_role("button", name="Biên tập", exact=True).click()
        # The console's own claim on the question it moved to comes back first.
        wait_for_frame(page, frames, '"by":"moderator"')
        card.get_by_label("Nội dung câu hỏi (bản gốc vẫn được lưu)").fill(EDITED)
        with pressed_on(page, card.get_by_role("button", name="Lưu", exact=True)):
            with StaffClient(site.url, "admin") as admin:
                claimed = admin.post(f"/api/v1/dialogues/{SLUG}/questions/{qid}/handling")
                assert claimed.is_success, claimed.text
            wait_for_drawn(page, frames, '"by":"admin"')
        edited = pending_card(page, EDITED)
        expect(edited.locator(".badge-edited")).to_have_text("Đã biên tập")
        expect(edited.locator(".q-handling")).to_contain_text("admin")
    finally:
        context.close()


def test_a_click_is_kept_when_a_section_drawn_above_it_while_pressed_pushes_it(
    site: ServerProcess, chromium: Browser
) -> None:
    """A written answer owed without an official (the producer takes it off
    the air to answer in writing) shows its section above the lists between
    the press and the release of a card's button: the section would push the
    button from under the pointer, so the console is drawn once it is let go."""
    redis_url = site.env["REDIS_URL"]
    owed = question_id(redis_url, ask(site, TEXT))
    ask(site, OTHER)
    context = signed_in(chromium, site.url, "moderator")
    with StaffClient(site.url, "admin") as admin:
        admin.act(SLUG, owed, "approve")
        admin.act(SLUG, owed, "queue")
        assert admin.post(f"/api/v1/dialogues/{SLUG}/next", {"current": ""}).is_success
        try:
            page, frames = heard_live(context, f"{site.url}/console/{SLUG}")
            card = pending_card(page, OTHER)
            with pressed_on(page, card.get_by_role("button", name="Biên tập", exact=True)):
                deferred = admin.post(
                    f"/api/v1/dialogues/{SLUG}/next", {"then": "defer", "current": owed}
                )
                assert deferred.is_success, deferred.text
                wait_for_drawn(page, frames, "question.deferred")
            expect(page.locator("#unowned-list > li")).to_have_count(1)
            expect(card.get_by_label("Nội dung câu hỏi (bản gốc vẫn được lưu)")).to_be_focused()
        finally:
            context.close()


def test_stale_action_shows_conflict_and_refreshes(site: ServerProcess, console: Page) -> None:
    """When another moderator acts first, the console says so in words and
    shows the question as it now is."""
    ask(site, TEXT)
    card = pending_card(console, TEXT)
    expect(card).to_be_visible()
    question_id = str(card.get_attribute("id")).removeprefix("q-")

    def approve_elsewhere_first(route: Route) -> None:
        with StaffClient(site.url, "admin") as other:
            other.act(SLUG, question_id, "edit", text=OTHER)
        route.continue_()

    console.route(re.compile(r".*/actions/approve$"), approve_elsewhere_first)
    card.get_by_role("button", name="Duyệt", exact=True).click()
    refreshed = console.locator("#pending-list > li", has_text=OTHER)
    expect(refreshed.locator(".q-message")).to_have_text(
        "Người khác vừa thay đổi câu hỏi này. Nội dung đã được cập nhật lại."
    )
    expect(refreshed.locator(".q-text")).to_have_text(OTHER)


def test_question_asked_on_public_page_reaches_the_console(
    site: ServerProcess, console: Page, public: Page
) -> None:
    """The public form shows the API's error next to the field, then the
    tracking code on success; the question appears live in the console."""
    public.get_by_label("Câu hỏi", exact=True).fill(TEXT)
    expect(public.locator("#ask-count")).to_have_text(f"{len(TEXT)}/2000 ký tự")
    public.get_by_role("button", name="Gửi câu hỏi", exact=True).click()
    name = public.get_by_label("Họ và tên")
    expect(public.locator("#ask-e-name")).to_have_text("Vui lòng nhập họ và tên.")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(public.locator("#ask-summary")).to_be_focused()

    name.fill("Hồ Thị Lan")
    public.get_by_label(re.compile("^Địa phương")).select_option("Xã A Lưới 2")
    public.get_by_label(re.compile("^Lĩnh vực")).select_option(label="Kinh tế số")
    public.get_by_role("button", name="Gửi câu hỏi", exact=True).click()
    code = public.locator("#ask-code")
    expect(code).to_have_text(re.compile(r"\S{6,}"))
    expect(public.locator("#ask-e-name")).to_be_hidden()

    card = pending_card(console, TEXT)
    expect(card).to_contain_text("Xã A Lưới 2")
    expect(card).to_contain_text("Kinh tế số")
    tracking = httpx.get(f"{site.url}/api/v1/tracking/{code.text_content()}", timeout=10)
    assert tracking.json()["text"] == TEXT


def approve_all_pending(site: ServerProcess) -> None:
    """Approve every pending question through the staff API, as another console would."""
    with StaffClient(site.url, "admin") as staff:
        for question in staff.questions(SLUG, "pending"):
            staff.act(SLUG, question["id"], "approve", version=question["version"])


def test_public_page_resumes_after_a_server_restart(
    site: ServerProcess, public: Page, redis_url: str
) -> None:
    """When the server restarts, the open public page shows it is reconnecting,
    reconnects by itself and shows what was published meanwhile, without a reload."""
    ask(site, TEXT)
    site.stop()
    expect(public.locator("#connection")).to_have_attribute("data-state", "waiting")
    expect(public.locator("#connection")).to_contain_text("Đang kết nối lại")
    with ServerProcess(env=server_env(redis_url), port=site.port) as again:
        approve_all_pending(again)
        expect(public.locator("#question-list .pq-text")).to_have_text(TEXT)
        expect(public.locator("#connection")).to_have_attribute("data-state", "live")
        assert public.evaluate("window.__sameDocument") is True


def test_an_open_console_says_when_its_session_ends(site: ServerProcess, console: Page) -> None:
    """Signing out elsewhere closes the console's feed; the console then says the
    session has ended and links back to the login page."""
    csrf = console.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    gone = console.context.request.delete(
        f"{site.url}/api/v1/session", headers={"X-CSRF-Token": csrf, "Origin": site.url}
    )
    assert gone.status == 204
    notice = console.locator("#notice")
    expect(notice).to_contain_text("Phiên làm việc đã kết thúc")
    expect(notice.get_by_role("link")).to_have_attribute("href", f"/login?next=%2Fconsole%2F{SLUG}")
