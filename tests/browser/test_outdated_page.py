"""A staff page loaded before an upgrade: its feed names the version of the
pages' code it was served with (``?ui=``), a node with other code closes it
(4426), and the page reloads once, then only says so with a link to reload,
so that nodes of two versions behind one address never make it loop."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, expect
from playwright.sync_api import Error as PlaywrightError

from server.web.templating import ui_build
from tests.helpers import ServerProcess
from tests.support.browser import signed_in
from tests.support.waiting import INTAKE_TIMEOUT, POLL
from tests.web.seed import SLUG

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

OLDER = "0" * 12
#: Makes the page name an older version of the pages' code than the node's,
#: as the parser puts its <meta> in (before the page's modules run), and
#: notes the version each load was served with.
AS_OLDER = """
new MutationObserver((changes, observer) => {
  const meta = document.querySelector('meta[name="ui-build"]');
  if (!meta) return;
  observer.disconnect();
  const loads = JSON.parse(sessionStorage.getItem("test-served") || "[]");
  sessionStorage.setItem("test-served", JSON.stringify([...loads, meta.content]));
  meta.content = "OLDER";
}).observe(document, { childList: true, subtree: true });
""".replace("OLDER", OLDER)


def test_a_console_older_than_the_node_reloads_once_then_offers_a_reload(
    chromium: Browser, site: ServerProcess
) -> None:
    context = signed_in(chromium, site.url, "moderator")
    page = context.new_page()
    try:
        page.add_init_script(AS_OLDER)
        page.goto(f"{site.url}/console/{SLUG}")
        connection, notice = page.locator("#connection"), page.locator("#notice")
        deadline = time.monotonic() + INTAKE_TIMEOUT
        while True:  # the second load, its feed closed as the first one's was
            try:
                served = page.evaluate("JSON.parse(sessionStorage.getItem('test-served') || '[]')")
                if len(served) == 2 and connection.get_attribute("data-state") == "ended":
                    break
            except PlaywrightError:  # asked while the page reloads
                served = []
            assert time.monotonic() < deadline, f"no second load, ended: {served}"
            page.wait_for_timeout(POLL * 1000)
        assert served == [ui_build(), ui_build()]
        expect(connection).to_have_text("Trang đã cũ")
        expect(notice).to_contain_text("dịch vụ vừa được cập nhật")
        assert page.evaluate("sessionStorage.getItem('doithoai-reloaded-from')") == OLDER
        # It reloaded once: the second load stays, as old, with the link.
        expect(notice.get_by_role("link", name="Tải lại")).to_be_visible()
        # A load that names the node's version (no init script) goes live.
        fresh = context.new_page()
        fresh.goto(f"{site.url}/console/{SLUG}")
        expect(fresh.locator("#connection")).to_have_attribute("data-state", "live")
        expect(fresh.locator("#notice")).to_be_hidden()
    finally:
        context.close()
