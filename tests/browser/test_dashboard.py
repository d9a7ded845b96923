"""The live dashboard in a real Chromium against a real server: its charts
are drawn (SVG, no script from elsewhere) with the figures also in tables,
and when a moderator approves a question the page, listening to the staff
feed, fetches the figures again and redraws the chart and the table without
a reload. Its feed starts after the figures' event, so the server sends no
staff snapshot (every open question) to a page that does not show them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import ServerProcess

from .owed_seed import Show, live_page, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: The funnel's rows, in dashboard.html's order: pending second, approved third.
APPROVED_ROW = 2


def test_the_charts_render_and_follow_an_approval(
    chromium: Browser, redis_server: str, server: ServerProcess
) -> None:
    b = Show(redis_server, server.url, "bang-so-lieu")
    b.publish(b.ask("Khi nào phường Thuận Hóa có điểm phát wifi miễn phí ở các công viên?"), None)
    waiting = b.ask("Thủ tục đăng ký hộ kinh doanh trực tuyến ở Huế gồm những bước nào?")
    context = signed_in(chromium, server, "producer", locale="vi-VN")
    sockets: list[str] = []
    context.on("page", lambda opened: opened.on("websocket", lambda ws: sockets.append(ws.url)))
    try:
        page = live_page(context, f"{server.url}/console/{b.slug}/dashboard")
        # The feed starts from the figures' event: no staff snapshot of every open question.
        assert len(sockets) == 1 and "&after=" in sockets[0], sockets
        assert "/console?ui=" in sockets[0], sockets
        page.evaluate("window.__sameDocument = true")
        funnel = page.locator("#status-chart .bar-row")
        expect(funnel).to_have_count(9)
        approved_bar = funnel.nth(APPROVED_ROW)
        approved_cell = page.locator("#status-table tbody tr").nth(APPROVED_ROW).locator("td")
        expect(approved_bar.locator(".bar-value")).to_have_text("1")
        expect(approved_cell).to_have_text("1")
        expect(page.locator("#dash-total")).to_have_text("2")
        received = page.locator("#minutes-chart .line-received")
        expect(received).to_have_attribute("points", re.compile(r"\d+(\.\d+)?,\d+"))
        assert page.locator("#minutes-chart").bounding_box()["height"] > 100  # type: ignore[index]
        pending_bar = funnel.nth(APPROVED_ROW - 1).locator("rect")
        expect(pending_bar).to_have_attribute("width", "520")  # one pending, one approved

        b.act(waiting, "approve")

        expect(approved_bar.locator(".bar-value")).to_have_text("2")
        expect(approved_cell).to_have_text("2")
        expect(pending_bar).to_have_attribute("width", "0")
        assert page.evaluate("window.__sameDocument") is True
    finally:
        context.close()
