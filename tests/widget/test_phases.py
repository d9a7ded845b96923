"""States citizens can read, in the widget on a portal in Chromium: the
dialogue's phase in words (before the broadcast, on air now, ended — written
answers continue, archived), followed live; the socket's state only while it
is lost; an answer given live points to its moment until its summary is
written; a written answer owed says when it is due; once the broadcast has
ended nobody votes, and a vote the server refuses says why."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, expect

from server.actions import Services
from server.domain.access import actor_in
from server.domain.model import Role
from server.web.templating import day
from tests.helpers import ServerProcess
from tests.support.feed_link import FeedLink, deaf_feed, notice_follows_the_link
from tests.support.portal import HostServer
from tests.support.store import with_actions

from .conftest import OFFICIAL, Site, StaffClient, create

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ASKED = "Xin hỏi khi nào tỉnh hoàn thành phủ sóng 4G cho các thôn vùng cao huyện A Lưới?"
OWED = "Người cao tuổi có được đào tạo kỹ năng số miễn phí tại phường, xã không ạ?"
SUMMARY = "Sở sẽ phối hợp với các nhà mạng để phủ sóng toàn bộ các thôn trong quý II."
PHASES = {
    "open": "Trước buổi phát sóng: đang nhận câu hỏi",
    "live": "Đang lên sóng",
    "closed": "Đã kết thúc — tiếp tục trả lời bằng văn bản",
    "archived": "Đã lưu trữ",
}


def opened(
    app: ServerProcess,
    host: HostServer,
    redis_server: str,
    staff: dict[str, StaffClient],
    status: str,
) -> Site:
    """A dialogue of its own in phase ``status``, embeddable on ``host``."""
    site = Site(app, host, host, redis_server, staff)
    create(redis_server, site.slug, [host.origin], status=status)
    return site


def set_phase(site: Site, status: str) -> None:
    async def change(actions: Services) -> None:
        await actions.dialogues.set_status(await actions.dialogues.get(site.slug), status)

    with_actions(site.redis_url, change)


def wrap_up(site: Site) -> dict[str, Any]:
    """The producer ends the broadcast: every question not answered live is owed."""

    async def close(actions: Services) -> dict[str, Any]:
        dialogue = await actions.dialogues.get(site.slug)
        producer = actor_in(dialogue, "w-producer", frozenset({Role.PRODUCER}))
        return await actions.closing.close(dialogue, producer, None, dialogue.version)

    result: dict[str, Any] = with_actions(site.redis_url, close)
    return result


def phase_is(widget: Locator, phase: str) -> None:
    badge = widget.locator(".head .badge")
    expect(badge).to_have_text(PHASES[phase])
    expect(badge).to_have_attribute("data-phase", phase)


def item(widget: Locator, text: str) -> Locator:
    return widget.locator("li.q").filter(has_text=text)


def test_the_widget_follows_the_phases_in_words(
    chromium: Browser,
    app: ServerProcess,
    host: HostServer,
    redis_server: str,
    staff: dict[str, StaffClient],
) -> None:
    site = opened(app, host, redis_server, staff, "open")
    asked = site.publish(site.ask(ASKED))
    site.publish(site.ask(OWED))
    page = chromium.new_context(locale="vi-VN").new_page()
    page.goto(site.page_url())
    widget = page.locator("doithoai-widget")
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    page.evaluate("window.__sameDocument = true")
    phase_is(widget, "open")
    expect(widget.locator(".conn")).to_be_hidden()
    expect(widget.get_by_text("Trực tiếp", exact=True)).to_have_count(0)
    expect(item(widget, OWED).locator(".vote")).to_be_visible()

    set_phase(site, "live")
    phase_is(widget, "live")
    site.act("w-producer", asked["id"], "on_air")
    expect(widget.locator(".air li.q .q-text")).to_have_text(ASKED)
    site.act("w-producer", asked["id"], "answer")
    answered = item(widget, ASKED)
    expect(answered.locator(".a-wait")).to_have_text(
        re.compile(r"^Đã trả lời trực tiếp — xem tại \d+:\d\d$")
    )
    expect(answered.locator(".a-text")).to_have_count(0)

    due = wrap_up(site)["due"]
    phase_is(widget, "closed")
    expect(item(widget, OWED).locator(".tag")).to_have_text(
        f"Trả lời bằng văn bản, hạn {day(due, 'vi')}"
    )
    expect(widget.locator(".vote")).to_have_count(0)
    expect(widget.locator(".air")).to_be_hidden()
    site.act("w-official", asked["id"], "summarize", text=SUMMARY)
    expect(answered.locator(".a-text")).to_have_text(SUMMARY)
    expect(answered.locator(".a-wait")).to_have_count(0)
    assert OFFICIAL["name"] in str(answered.locator(".a-by").text_content())

    set_phase(site, "archived")
    phase_is(widget, "archived")
    expect(widget.locator(".vote")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True
    page.context.close()


def test_the_widget_says_the_connection_only_while_it_is_lost(
    chromium: Browser, site: Site
) -> None:
    """Up, the widget says nothing of its socket; cut (and every new one
    refused), it says it is reconnecting beside the phase; back, it is quiet."""
    page = chromium.new_context(locale="vi-VN").new_page()
    link = FeedLink(page)
    page.goto(site.page_url())
    widget = page.locator("doithoai-widget")
    notice_follows_the_link(
        link,
        widget.locator(".conn"),
        "Mất kết nối, đang kết nối lại…",
        lambda: phase_is(widget, "live"),
    )
    page.context.close()


def test_a_refused_vote_says_why_in_the_widget(chromium: Browser, site: Site) -> None:
    """A widget that has not heard yet that the broadcast ended still offers
    the vote; the server refuses it and the widget says why in words."""
    q = site.publish(site.ask(ASKED))

    page = chromium.new_context(locale="vi-VN").new_page()
    deaf_feed(page)
    page.goto(site.page_url())
    widget = page.locator("doithoai-widget")
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    mine = item(widget, ASKED)
    expect(mine).to_be_visible()
    wrap_up(site)
    mine.locator(".vote").click()
    expect(mine.get_by_role("alert")).to_have_text("Cuộc đối thoại đã kết thúc bình chọn.")
    expect(mine.locator(".vote")).to_have_attribute("aria-pressed", "false")
    assert [stored.votes for stored in site.stored() if stored.id == q["id"]] == [0]
    page.context.close()
