"""A page's feed socket under a test's hand in Chromium: relayed to the
server until the test cuts it (then every new socket is refused), restored on
the test's word; or one that connects and then hears nothing. The public page
and the widget both show the same socket state, so the scenario that checks
their notice is here once."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, WebSocketRoute, expect

#: The address of a dialogue's public feed socket.
FEED = re.compile(r"/ws/v1/dialogues/[^/]+/feed")


class FeedLink:
    """The feed sockets of ``page`` relayed to the server while the link is up."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.down = False
        self.open: list[WebSocketRoute] = []
        page.route_web_socket(FEED, self._relay)

    def _relay(self, ws: WebSocketRoute) -> None:
        if self.down:
            ws.close()
            return
        ws.connect_to_server()
        self.open.append(ws)

    def cut(self) -> None:
        """Close the socket in use and refuse every new one."""
        self.down = True
        self.open.pop().close()

    def restore(self) -> None:
        """Let sockets through again and tell the page the network is back."""
        self.down = False
        self.page.evaluate("dispatchEvent(new Event('online'))")


def deaf_feed(page: Page) -> None:
    """The feed sockets of ``page`` connect, then hear nothing from the server."""

    def deaf(ws: WebSocketRoute) -> None:
        server_side = ws.connect_to_server()
        server_side.on_message(lambda message: None)

    page.route_web_socket(FEED, deaf)


def notice_follows_the_link(
    link: FeedLink, notice: Locator, says: str | re.Pattern[str], steady: Callable[[], None]
) -> None:
    """``notice`` is hidden while the feed is live, shows ``says`` while the
    link is cut and goes once it is back; ``steady`` (what the page shows
    besides) holds before and while the link is cut."""
    expect(notice).to_have_attribute("data-state", "live")
    expect(notice).to_be_hidden()
    steady()

    link.cut()
    expect(notice).to_be_visible()
    expect(notice).to_have_text(says)
    steady()

    link.restore()
    expect(notice).to_have_attribute("data-state", "live")
    expect(notice).to_be_hidden()
