"""``signed_in`` (tests/support/browser.py) gives a new context the session
of the staff member's last sign-in to the same server while the server
still takes it, and signs in again once it does not: the browser tests
reuse sessions to spare argon2, never a session that has ended."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.helpers import ServerProcess
from tests.support.browser import signed_in
from tests.support.staff import SESSION

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

COOKIE = "doithoai_session"


def _session(context: BrowserContext) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == COOKIE)


def _whoami(context: BrowserContext, site: ServerProcess) -> str:
    response = context.request.get(f"{site.url}{SESSION}")
    assert response.ok, response.text()
    return str(response.json()["username"])


def test_a_session_is_reused_until_it_ends(chromium: Browser, site: ServerProcess) -> None:
    first = signed_in(chromium, site.url, "moderator")
    second = signed_in(chromium, site.url, "moderator")
    try:
        assert _whoami(second, site) == "moderator"
        old = _session(first)
        assert _session(second) == old
        # Signing out ends the session both contexts hold.
        csrf = first.request.get(f"{site.url}{SESSION}").json()["csrf_token"]
        ended = first.request.delete(
            f"{site.url}{SESSION}", headers={"Origin": site.url, "X-CSRF-Token": csrf}
        )
        assert ended.status == 204, ended.text()
        assert first.request.get(f"{site.url}{SESSION}").status == 401
    finally:
        first.close()
        second.close()
    third = signed_in(chromium, site.url, "moderator")
    try:
        assert _whoami(third, site) == "moderator"
        assert _session(third) != old
    finally:
        third.close()
