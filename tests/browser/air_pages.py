"""The broadcast's pages in Chromium, for the air control, overlay, presenter
and layout tests: a server of their own (an undo window long enough for a
loaded machine, no vote limits), each page opened signed in or with the
overlay's token, and the questions' state read back through the staff API.

Everything here waits on state (Playwright's expect, or the API polled until
it says so), never on time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from playwright.sync_api import Browser, Locator, Page, expect

from tests.helpers import ServerProcess
from tests.support.browser import signed_in
from tests.web.seed import seed, server_env

from .producer_seed import StaffClient, add_staff

#: Seconds the server keeps an air change for its undo: far longer than a
#: test needs between "next" and "undo", however loaded the machine.
AIR_UNDO = "300"
#: How long the server may take to show what a page sent.
STATE_TIMEOUT = 15.0
POLL_INTERVAL = 0.05


@contextmanager
def broadcast_site(redis_server: str) -> Iterator[ServerProcess]:
    """An app on the session's Redis (emptied first) with the seed's accounts
    and ``producer_seed.EXTRA_STAFF``; each test makes its own dialogue."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushall()
    seed(redis_server)
    add_staff(redis_server)
    env = {
        **server_env(redis_server),
        "DOITHOAI_AIR_UNDO": AIR_UNDO,
        "DOITHOAI_VOTE_LIMIT": "0",
        "DOITHOAI_VOTER_LIMIT": "0",
        "DOITHOAI_DEVICE_LIMIT": "0",
    }
    with ServerProcess(env=env) as server:
        yield server


def staff_page(
    browser: Browser,
    site: ServerProcess,
    username: str,
    path: str,
    width: int = 1366,
    height: int = 900,
) -> Page:
    """``path`` in a fresh context signed in as ``username``."""
    context = signed_in(browser, site.url, username, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{site.url}{path}")
    return page


def console(
    browser: Browser, site: ServerProcess, slug: str, username: str = "producer", **size: int
) -> Page:
    """The producer console of ``slug``, live (its feed's snapshot applied)."""
    page = staff_page(browser, site, username, f"/console/{slug}/producer", **size)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    return page


def air_key(page: Page, key: str) -> None:
    """Press an on-air key once the air controls are idle: a key pressed while
    an on-air change is still in flight is ignored, as a second click on the
    button would be (the air changes once per press, never twice)."""
    expect(page.locator("#air-controls [aria-busy]")).to_have_count(0)
    page.locator("body").press(key)


def screen_token(staff: StaffClient, slug: str) -> str:
    response = staff.client.get(f"/api/v1/dialogues/{slug}/screen")
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def overlay(
    browser: Browser,
    site: ServerProcess,
    staff: StaffClient,
    slug: str,
    width: int = 1920,
    height: int = 1080,
    query: str = "",
) -> Page:
    """The overlay of ``slug`` as OBS opens it: no session, only the token."""
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{site.url}/d/{slug}/screen?token={screen_token(staff, slug)}{query}")
    expect(page.locator("#screen")).to_have_attribute("data-connection", "live")
    return page


def row(page: Page, listing: str, text: str) -> Locator:
    """The card of the question whose text contains ``text`` in a list of the console."""
    return page.locator(f"#{listing}-list > li").filter(has=page.locator(".q-text", has_text=text))


def question(staff: StaffClient, slug: str, qid: str) -> dict[str, Any]:
    response = staff.client.get(f"/api/v1/dialogues/{slug}/questions/{qid}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_for(staff: StaffClient, slug: str, qid: str, **expected: Any) -> dict[str, Any]:
    """Poll the API until question ``qid`` has every field of ``expected``."""
    deadline = time.monotonic() + STATE_TIMEOUT
    while True:
        found = question(staff, slug, qid)
        if all(found.get(k) == v for k, v in expected.items()):
            return found
        shown = {k: found.get(k) for k in expected}
        assert time.monotonic() < deadline, f"#{qid} is {shown}, expected {expected}"
        time.sleep(POLL_INTERVAL)


def wait_queue(staff: StaffClient, slug: str, expected: list[str]) -> None:
    """Poll the API until the server's on-air queue is ``expected``."""
    deadline = time.monotonic() + STATE_TIMEOUT
    while (found := staff.queue(slug)) != expected:
        assert time.monotonic() < deadline, f"queue is {found}, expected {expected}"
        time.sleep(POLL_INTERVAL)


def on_air_ids(staff: StaffClient, slug: str) -> list[str]:
    return [q["id"] for q in staff.questions(slug, "on_air")]
