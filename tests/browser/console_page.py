"""Opening the moderation console in a browser test, once it is live and drawn."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from tests.helpers import ServerProcess
from tests.support.browser import signed_in


def open_console(
    browser: Browser,
    site: ServerProcess,
    path: str,
    *,
    username: str = "moderator",
    clock: bool = False,
    **options: Any,
) -> Page:
    """``username``'s console at ``path`` (its query kept), once live and
    its queue drawn; its script errors in ``page.script_errors``. With
    ``clock``, on Playwright's clock, so that a test can move time forward;
    ``options`` go to the browser context (a viewport)."""
    page = signed_in(browser, site.url, username, **options).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    setattr(page, "script_errors", errors)  # noqa: B010
    if clock:
        page.clock.install()
    page.goto(f"{site.url}{path}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(page.locator("#pending-list > li").first).to_be_attached()
    return page
