"""The audit trail names who did what in words: a staff account with its
roles translated ("moderator (Kiểm duyệt viên)", not "(moderator)"), and a
deletion of contact details by the asker as the asker's, not "citizen ()"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import ServerProcess

from .owed_seed import Show, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ASKED = "Khi nào phường An Cựu có thêm tuyến xe buýt đi qua chợ An Cựu vào buổi sáng?"


def test_the_audit_trail_names_roles_and_the_asker_in_words(
    chromium: Browser, server: ServerProcess, redis_server: str
) -> None:
    b = Show(redis_server, server.url, "nhat-ky")
    code = b.ask(ASKED, contact={"email": "nguoi.hoi@example.vn"}, consent=True)
    b.act(code, "approve", "moderator")
    citizen = chromium.new_context()
    moderator = signed_in(chromium, server, "moderator")
    try:
        forgotten = citizen.request.post(
            f"{server.url}/t/{code}/contact", headers={"Origin": server.url}, max_redirects=0
        )
        assert forgotten.status in (200, 303), forgotten.status
        page = moderator.new_page()
        for lang, role, asker in (
            ("vi", "Kiểm duyệt viên", "Người hỏi (qua mã tra cứu)"),
            ("en", "Moderator", "The asker (by tracking code)"),
        ):
            page.goto(f"{server.url}/console/{b.slug}/audit?lang={lang}")
            rows = page.locator(".audit-row")
            approved = rows.filter(has=page.locator("code", has_text=re.compile("^approve$")))
            expect(approved.locator("td").nth(2)).to_have_text(f"moderator ({role})")
            deleted = rows.filter(has=page.locator("code", has_text="contact.deleted"))
            expect(deleted.locator("td").nth(2)).to_have_text(asker)
            expect(page.locator(".audit-table")).not_to_contain_text("citizen")
            expect(page.locator(".audit-table")).not_to_contain_text("(moderator)")
    finally:
        moderator.close()
        citizen.close()
