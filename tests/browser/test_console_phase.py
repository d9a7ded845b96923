"""The console says why a key's action cannot be taken: in a dialogue whose
phase rules the action out (archived: its questions change no more), the
phase, not the question's state; otherwise the state, as before."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from server.web.catalogs import catalog
from tests.helpers import ServerProcess

from .owed_seed import Show, live_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

WAITING = "Xin hỏi khi nào phường sẽ sửa xong tuyến đường bị sụt lún trước chợ?"
OWED = "Thủ tục xin cấp phép xây dựng nhà ở riêng lẻ có được làm trực tuyến không?"


def current(page: Page, qid: str) -> None:
    """Make question ``qid`` the console's current one (its text clicked)."""
    page.locator(f"#q-{qid} .q-text").click()
    expect(page.locator(f"#q-{qid}")).to_have_class(re.compile(r"\bis-current\b"))


def test_a_key_the_phase_rules_out_says_the_phase_not_the_state(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b = Show(redis_server, server.url, "phim-luu-tru")
    waiting = b.ask(WAITING)
    owed = b.ask(OWED)
    b.publish(owed, None)
    b.phase("closed")  # the approved one is owed in writing (deferred)
    waiting_id, owed_id = b.question(waiting).id, b.question(owed).id
    vi = catalog("vi")
    moderator = signed_in(chromium, server, "moderator")
    try:
        console = live_page(moderator, f"{server.url}/console/{b.slug}")
        expect(console.locator(f"#q-{waiting_id} [data-focus='edit']")).to_have_count(1)
        status = console.locator("#console-status")

        # Closed: approving a deferred question is ruled out by its state.
        current(console, owed_id)
        console.keyboard.press("a")
        state = vi.gettext("That cannot be done to question #{id} while it is “{status}”.")
        expect(status).to_have_text(re.compile(re.escape(state.split("{")[0])))
        expect(status).to_contain_text(f"#{owed_id}")

        # Archived: approving the waiting question, which its state allows,
        # is ruled out by the phase, and said so.
        b.phase("archived")
        # Known archived once its buttons go (the feed's snapshot in the new phase).
        expect(console.locator(f"#q-{waiting_id} [data-focus='edit']")).to_have_count(0)
        phase = vi.gettext(
            "The dialogue is archived: its questions change no more (an admin may step"
            " it back to closed)."
        )
        current(console, waiting_id)
        console.keyboard.press("a")
        expect(status).to_have_text(phase)
        console.keyboard.press("r")
        expect(status).to_have_text(phase)
        expect(console.get_by_role("dialog")).to_have_count(0)
        assert b.question(waiting).status.value == "pending"
        assert console.evaluate("window.__sameDocument") is True
    finally:
        moderator.close()
