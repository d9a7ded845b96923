"""axe-core (tests/vendor/axe-core-4.14.1.min.js) finds no violation, of any
impact, on any page of the app, in Vietnamese and in English: the public
pages (the index, the dialogue's page, the tracking page and its lookup, the
archive), the login page, and every staff page (the moderation console, the
producer's console, the presenter view, the official's console, the
administration, the accounts, the audit trail, the wrap-up) and the
broadcast overlay, each with questions in every state on it. The widget and
its demo portal page are checked in tests/widget/test_widget.py.

Each page is checked once its script has drawn what it loads (its feed
live, its list filled): axe then sees what a reader meets."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from server.actions import Services
from tests.helpers import ServerProcess
from tests.support.store import with_actions

from .owed_seed import Show, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core-4.14.1.min.js"
ASKED = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao ở xã A Lưới?"
ANSWER = "Đến quý II năm 2027, toàn bộ các thôn vùng cao của xã A Lưới sẽ có sóng 4G."


@dataclass
class World:
    """The app, a broadcast with a question in each state, and what the pages need."""

    server: ServerProcess
    slug: str
    answered: str
    pending: str
    rejected: str
    owed: str
    token: str


@pytest.fixture(scope="module")
def world(redis_server: str, server: ServerProcess) -> Iterator[World]:
    b = Show(redis_server, server.url, "axe")
    answered = b.answered(ASKED, ANSWER)
    rejected = b.ask("Quảng cáo: mua sim số đẹp giá rẻ tại đây!")
    b.act(rejected, "reject", reason="spam")
    owed = b.ask("Người cao tuổi có được đào tạo kỹ năng số miễn phí tại phường không?")
    b.publish(owed, "o1")
    b.act(owed, "defer", "producer")
    for text in ("Khi nào có wifi miễn phí ở các điểm du lịch?", "Thủ tục đất đai trực tuyến?"):
        b.publish(b.ask(text), "o1", queue=True)
    aired = b.ask("Doanh nghiệp nhỏ được hỗ trợ gì khi chuyển đổi số?")
    b.publish(aired, "o1", queue=True)
    b.act(aired, "on_air", "producer")
    pending = b.ask(
        "Xin hỏi về chữ ký số cho hộ kinh doanh?", contact={"phone": "0905123456"}, consent=True
    )

    async def screen_token(actions: Services) -> str:
        return await actions.broadcast.screen_token(await actions.dialogues.get(b.slug))

    token = with_actions(redis_server, screen_token)
    yield World(server, b.slug, answered, pending, rejected, owed, token)


def live(selector: str, attribute: str = "data-state") -> Callable[[Page], None]:
    return lambda page: expect(page.locator(selector)).to_have_attribute(attribute, "live")


def shown(selector: str) -> Callable[[Page], None]:
    return lambda page: expect(page.locator(selector).first).to_be_attached()


def filled(selector: str) -> Callable[[Page], None]:
    return lambda page: expect(page.locator(selector)).not_to_have_value("")


#: name -> (who signs in, path, what shows once the page is ready).
PAGES: dict[str, tuple[str | None, str, Callable[[Page], None]]] = {
    "index": (None, "/", shown("main h1")),
    "dialogue": (None, "/d/{slug}", live("#connection")),
    "tracking, answered": (None, "/t/{answered}", live("#tracking", "data-feed")),
    "tracking, pending, with contact data": (None, "/t/{pending}", live("#tracking", "data-feed")),
    "tracking, rejected": (None, "/t/{rejected}", live("#tracking", "data-feed")),
    "tracking, owed in writing": (None, "/t/{owed}", live("#tracking", "data-feed")),
    "lookup": (None, "/t", shown("#code")),
    "lookup, unknown code": (None, "/t/ZZZZ-ZZZZZ-ZZZZZ", shown("#lookup-error")),
    "archive": (None, "/d/{slug}/archive", shown("main h1")),
    "report": (None, "/d/{slug}/report", shown("main h1")),
    "login": (None, "/login", shown("#username")),
    "console": ("moderator", "/console/{slug}", live("#connection")),
    "producer": ("producer", "/console/{slug}/producer", live("#connection")),
    "presenter": ("producer", "/console/{slug}/presenter", live("#presenter", "data-connection")),
    "official": ("official", "/console/{slug}/official", live("#connection")),
    "admin": ("admin", "/admin", shown("#admin")),
    "admin, dialogue": ("admin", "/admin/{slug}", filled("#f-title")),
    "users": ("admin", "/admin/users", shown("#user-list > *")),
    "audit": ("moderator", "/console/{slug}/audit", shown("#chain-status")),
    "dashboard": ("producer", "/console/{slug}/dashboard", live("#connection")),
    "wrap-up": ("producer", "/console/{slug}/wrap-up", shown("#wu-list > *")),
    "overlay": (None, "/d/{slug}/screen?token={token}", live("#screen", "data-connection")),
}


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on ``page`` (every rule it runs by default, any impact)."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target)}));
        }"""
    )
    return found


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violation_on_the_page(chromium: Browser, world: World, name: str) -> None:
    who, path, ready = PAGES[name]
    url = world.server.url + path.format(
        slug=world.slug,
        answered=world.answered,
        pending=world.pending,
        rejected=world.rejected,
        owed=world.owed,
        token=world.token,
    )
    for lang in ("vi", "en"):
        options: dict[str, Any] = {"locale": "vi-VN", "bypass_csp": True}
        context = (
            signed_in(chromium, world.server, who, **options)
            if who
            else chromium.new_context(**options)
        )
        try:
            page = context.new_page()
            page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            ready(page)
            assert violations(page) == [], (name, lang)
        finally:
            context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_no_violation_after_asking_on_the_public_page(
    chromium: Browser, world: World, width: int
) -> None:
    """After a question is sent from the public page (its code, the copy
    button, "My questions" shown), on a phone and on a desktop."""
    context = chromium.new_context(
        locale="vi-VN",
        bypass_csp=True,
        viewport={"width": width, "height": 800},
        permissions=["clipboard-read", "clipboard-write"],
    )
    try:
        page = context.new_page()
        page.goto(f"{world.server.url}/d/{world.slug}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        page.locator("#ask-name").fill("Trần Văn Bình")
        page.locator("#ask-text").fill(ASKED)
        page.locator("#ask-submit").click()
        page.locator("#ask-copy").click()
        expect(page.locator("#ask-copied")).not_to_be_empty()
        expect(page.locator(".mine .mine-status")).not_to_be_empty()
        assert violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_axe_finds_no_violation_on_the_compact_console_asking_to_confirm(
    chromium: Browser, world: World, lang: str
) -> None:
    """The moderation console in its compact view, opened on a shared view
    (a search and a state in the URL), with "select all that match" used and
    the confirmation of the bulk approval open."""
    context = signed_in(
        chromium,
        world.server,
        "moderator",
        locale="vi-VN",
        bypass_csp=True,
        viewport={"width": 1366, "height": 768},
    )
    context.add_init_script("localStorage.setItem('doithoai.console.density', 'compact')")
    try:
        page = context.new_page()
        page.goto(f"{world.server.url}/console/{world.slug}?q=chu+ky+so&status=pending&lang={lang}")
        expect(page.locator("#connection")).to_have_attribute("data-state", "live")
        expect(page.locator("#console")).to_have_class(re.compile(r"\bis-compact\b"))
        expect(page.locator("#pending-list > li")).to_have_count(1)
        assert violations(page) == []
        page.locator("#select-matching").click()
        expect(page.locator("#bulk")).to_be_visible()
        page.keyboard.press("Shift+A")
        expect(page.locator("#confirm")).to_be_visible()
        assert violations(page) == []
        page.keyboard.press("Escape")
        expect(page.locator("#confirm")).to_be_hidden()
    finally:
        context.close()
