"""Following one's questions in the widget, in Chromium on a portal's page:
"My questions" lists the questions sent from this device, with their state
and tracking code, after a reload of the portal page too, and follows the
feed; the tracking code is copied to the clipboard.

Expected words come from the Vietnamese catalog (the msgids the widget uses)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from server.web.catalogs import catalog

from .conftest import Site
from .test_widget import TEXT, fill_question, open_widget, tracking_code

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

vi = catalog("vi").gettext


def test_my_questions_survive_a_reload_and_follow_the_feed(chromium: Browser, site: Site) -> None:
    """Sent from the widget, a question is under "My questions" with its code,
    kept on the portal's origin across a reload, its state read from the
    tracking API and followed on the feed; its link opens its tracking page."""
    page, widget = open_widget(
        chromium, site.page_url(), permissions=["clipboard-read", "clipboard-write"]
    )
    mine = widget.get_by_role("region", name=vi("My questions"))
    expect(mine).to_be_hidden()
    fill_question(widget)
    widget.get_by_role("button", name=vi("Send question")).click()
    code = tracking_code(widget)

    widget.get_by_role("button", name=vi("Copy code")).click()
    expect(widget.get_by_text(vi("Tracking code copied."))).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == code
    assert widget.locator(".code").evaluate("n => getComputedStyle(n).whiteSpace") == "nowrap"

    item = mine.locator(f'li[data-code="{code}"]')
    expect(item.get_by_role("link")).to_contain_text(TEXT)
    page.reload()
    expect(widget.locator(".conn")).to_have_attribute("data-state", "live")
    expect(item.locator(".tracking-code")).to_have_text(code)
    link = item.get_by_role("link")
    expect(link).to_have_attribute("href", f"{site.app.url}/t/{code}")
    expect(link).to_have_attribute("target", "_blank")
    stored = page.evaluate(
        "k => JSON.parse(localStorage.getItem(k))",
        f"doithoai-widget:mine:{site.app.url}:{site.slug}",
    )
    assert [entry["code"] for entry in stored] == [code]

    page.evaluate("window.__sameDocument = true")
    site.publish(code)
    expect(item.locator(".mine-status")).to_have_text(vi("Published"))
    assert page.evaluate("window.__sameDocument") is True
    page.context.close()
