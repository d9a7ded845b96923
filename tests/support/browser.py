"""Staff and viewers in Chromium: a browser context signed in as a staff
member, a page whose feed is live, and signing in through the login page.
Each wait is on the page's own state (the feed's ``data-state``, the URL),
never on time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Browser, BrowserContext, Cookie, Locator, Page, expect

from .staff import PASSWORD, SESSION

#: The cookies (session and device) of the last sign-in of each staff member
#: to each server in this process: (base URL, username) -> cookies.
_SESSIONS: dict[tuple[str, str], list[Cookie]] = {}


def signed_in(browser: Browser, base_url: str, username: str, **options: Any) -> BrowserContext:
    """A new context (Vietnamese unless ``options`` say otherwise) with
    ``username``'s session cookie, as after signing in.

    A sign-in checks the password with argon2, about 0.3 s of CPU on both
    cores, and most browser tests sign in only to reach a page. So the
    cookies of ``username``'s last sign-in to ``base_url`` are given to the
    new context when the server still takes them as ``username``'s session
    (``GET /api/v1/session``: not signed out, not ended by a password reset,
    not emptied from Redis, the account not disabled); otherwise the context
    signs in. Roles are read afresh on every request, so a reused session
    is the same as a new one. Tests of signing in itself use the login page
    (``through_login``) or the API, not this."""
    context = browser.new_context(**{"locale": "vi-VN", **options})
    key = (base_url, username)
    cookies = _SESSIONS.get(key)
    if cookies is not None:
        context.add_cookies(
            [
                {
                    "name": c["name"],
                    "value": c["value"],
                    "url": base_url,
                    "expires": c["expires"],
                    "httpOnly": c["httpOnly"],
                    "secure": c["secure"],
                    "sameSite": c["sameSite"],
                }
                for c in cookies
            ]
        )
        whoami = context.request.get(f"{base_url}{SESSION}")
        if whoami.ok and whoami.json().get("username") == username:
            return context
        context.clear_cookies()
    response = context.request.post(
        f"{base_url}{SESSION}",
        data={"username": username, "password": PASSWORD},
        headers={"Origin": base_url},
    )
    assert response.ok, response.text()
    _SESSIONS[key] = context.cookies(base_url)
    return context


def live_page(context: BrowserContext, url: str) -> Page:
    """A new page at ``url``, once its feed is live (its snapshot drawn)."""
    page = context.new_page()
    page.goto(url)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    return page


def through_login(page: Page, base_url: str, path: str, username: str) -> None:
    """Open ``path``, which sends an anonymous visitor to the login page, and
    sign in there as ``username``; back on ``path`` once its scripts ran."""
    page.goto(f"{base_url}{path}")
    expect(page).to_have_url(re.compile(re.escape(f"/login?next={quote(path, safe='')}")))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page).to_have_url(f"{base_url}{path}")
    # The URL changes before the page's module scripts run: wait for them.
    page.wait_for_load_state("load")


@contextmanager
def page_through_login(
    browser: Browser, base_url: str, path: str, username: str, **options: Any
) -> Iterator[Page]:
    """A page at ``path`` in a context of its own (Vietnamese unless
    ``options`` say otherwise), signed in as ``username`` through the login
    page; the context is closed after."""
    context = browser.new_context(**{"locale": "vi-VN", **options})
    try:
        page = context.new_page()
        through_login(page, base_url, path, username)
        yield page
    finally:
        context.close()


def expect_refused_field(field: Locator, error: Locator, message: str) -> None:
    """A form refused ``field``: ``message`` beside it, the field marked
    invalid and focused, as every form of the app shows an API's refusal."""
    expect(error).to_have_text(message)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()


#: How often a test looks again for a WebSocket frame it waits for.
POLL_MS = 50
#: Resolves once the page has drawn two more animation frames.
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def heard(page: Page) -> list[str]:
    """The frames ``page``'s WebSockets receive from now on (the list grows)."""
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    return frames


def heard_live(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """``live_page``, with the frames its feed receives from the first (``heard``)."""
    page = context.new_page()
    frames = heard(page)
    page.goto(url)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    return page, frames


def wait_for_frame(page: Page, frames: list[str], part: str) -> None:
    """Until a frame holding ``part`` has come on the page's feed."""
    while not any(part in frame for frame in frames):
        page.wait_for_timeout(POLL_MS)


def wait_for_drawn(page: Page, frames: list[str], part: str) -> None:
    """Until a frame holding ``part`` came and the page drew what it brought
    (a live page draws at the animation frame after a message: two more)."""
    wait_for_frame(page, frames, part)
    page.evaluate(TWO_FRAMES)


@contextmanager
def pressed_on(page: Page, control: Locator) -> Iterator[None]:
    """The pointer down on ``control`` while the block runs, let go after it:
    a click with whatever the block makes happen between its press and its
    release (a live redraw of the control, for one)."""
    control.scroll_into_view_if_needed()
    box = control.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    try:
        yield
    finally:
        page.mouse.up()
