"""The widget across a restart of the app: it reconnects with backoff and
resumes from the last event it got, so what happened while the app was down
appears once, in order, without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from server.actions import Services
from server.domain.access import actor_in
from server.domain.model import Role
from tests.helpers import ServerProcess
from tests.support.store import with_actions

from .conftest import HostServer, Site, add_staff, app_env, create, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: Long enough for the slowest reconnect: the widget's backoff is capped at 30 s.
RECONNECT_TIMEOUT = 40_000


def test_answer_published_during_a_restart_appears_once_in_order(
    chromium: Browser, redis_url: str
) -> None:
    """The app restarts while the widget is open; an answer published while it
    is down (through Services) appears once, between the answers before and
    after, as the widget resumes with after=<last id>."""
    add_staff(redis_url)
    app = ServerProcess(env=app_env(redis_url)).start()
    host = HostServer(app.url).__enter__()
    site = Site(app, host, host, redis_url, sign_in(app.url))
    try:
        create(redis_url, site.slug, [host.origin])
        texts = [f"Câu hỏi số {n} về chuyển đổi số của thành phố?" for n in (1, 2, 3)]
        ids = [site.publish(site.ask(text))["id"] for text in texts]
        page = chromium.new_context(locale="vi-VN").new_page()
        urls: list[str] = []
        page.on("websocket", lambda ws: urls.append(ws.url))
        page.goto(site.page_url())
        widget = page.locator("doithoai-widget")
        conn = widget.locator(".conn")
        answered = widget.locator("section[aria-labelledby='dw-answered'] li.q .q-text")
        expect(conn).to_have_attribute("data-state", "live")
        page.evaluate("window.__sameDocument = true")
        site.answer_live(ids[0], "Trả lời thứ nhất.")
        expect(answered).to_have_text([texts[0]])

        app.stop()
        expect(conn).to_have_attribute("data-state", "waiting")
        expect(conn).to_have_text("Mất kết nối, đang kết nối lại…")

        async def answer_while_down(actions: Services) -> None:
            dialogue = await actions.dialogues.get(site.slug)
            producer = actor_in(dialogue, "w-producer", frozenset({Role.PRODUCER}))
            official = actor_in(dialogue, "w-official", frozenset({Role.OFFICIAL}))
            await actions.moderation.act(dialogue, ids[1], "on_air", {}, producer)
            await actions.moderation.act(dialogue, ids[1], "answer", {}, producer)
            await actions.moderation.act(
                dialogue, ids[1], "summarize", {"text": "Trả lời thứ hai."}, official
            )

        with_actions(redis_url, answer_while_down)
        app = site.app = ServerProcess(env=app_env(redis_url), port=app.port).start()
        expect(conn).to_have_attribute("data-state", "live", timeout=RECONNECT_TIMEOUT)
        expect(answered).to_have_text([texts[1], texts[0]])
        for client in site.staff.values():  # their connections went with the old process
            client.close()
        site.staff = sign_in(app.url)
        site.answer_live(ids[2], "Trả lời thứ ba.")
        expect(answered).to_have_text([texts[2], texts[1], texts[0]])
        expect(widget.locator(".a-text", has_text="Trả lời thứ hai.")).to_have_count(1)
        assert any("after=" in url for url in urls[1:])
        assert page.evaluate("window.__sameDocument") is True
        page.context.close()
    finally:
        for client in site.staff.values():
            client.close()
        host.__exit__(None, None, None)
        app.stop()
