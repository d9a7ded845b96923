"""The staff accounts page (/admin/users) in a real Chromium against a real
server: reached from the admin page's navigation; add an account (and see a
refused one's reason beside its field); change its roles in each dialogue
and make it an administrator of the system; disable, enable it
and reset its password; every change checked through the API; the admin's own
row cannot lock them out; names are shown as text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from server.actions.accounts import MIN_PASSWORD
from tests.helpers import ServerProcess
from tests.support.browser import signed_in, through_login
from tests.support.staff import StaffClient, sign_in_status
from tests.web.seed import SLUG

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NEW_PASSWORD = "mật khẩu của Lan 2026"
RESET_PASSWORD = "mật khẩu mới của Lan 2027"
#: A display name that would be markup if the page wrote HTML.
DISPLAY_NAME = "Nguyễn Thị <b>Lan</b>"


class AdminApi(StaffClient):
    """An admin's API session, to check what the page did."""

    def user(self, username: str) -> dict[str, Any] | None:
        response = self.client.get("/api/v1/users")
        assert response.status_code == 200, response.text
        return next((u for u in response.json() if u["username"] == username), None)

    def account(self, username: str) -> dict[str, Any]:
        """The account ``username``, which must exist."""
        found = self.user(username)
        assert found is not None, f"no account {username}"
        return found


@pytest.fixture
def api(site: ServerProcess) -> Iterator[AdminApi]:
    with AdminApi(site.url, "admin") as session:
        yield session


def open_users_page(page: Page, site: ServerProcess) -> None:
    """Sign in as the admin through the login page, then follow the navigation."""
    through_login(page, site.url, "/admin", "admin")
    page.get_by_role("navigation", name="Quản trị").get_by_role(
        "link", name="Tài khoản cán bộ"
    ).click()
    expect(page).to_have_url(f"{site.url}/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản cán bộ")


def row(page: Page, username: str) -> Locator:
    return page.locator(f'#user-list > li[data-username="{username}"]')


def role_in(scope: Locator, role: str, slug: str = SLUG) -> Locator:
    """The checkbox of ``role`` (its Vietnamese name) for dialogue ``slug``."""
    return scope.locator(f'tr[data-slug="{slug}"]').get_by_label(re.compile(f"^{role} trong"))


def test_admin_adds_changes_and_disables_an_account(
    chromium: Browser, site: ServerProcess, api: AdminApi
) -> None:
    """Add Lan (after a refused short password), change her roles, disable,
    enable her and reset her password, each confirmed by the API."""
    context = chromium.new_context()
    page = context.new_page()
    try:
        open_users_page(page, site)
        for name in ("admin", "moderator", "producer"):
            expect(row(page, name)).to_be_visible()
        own = row(page, "admin")
        expect(own.get_by_role("button", name="Khóa tài khoản")).to_be_disabled()
        expect(own.get_by_label(re.compile("^Quản trị viên hệ thống"))).to_be_disabled()
        expect(own).to_contain_text("(tài khoản đang dùng)")

        # -- add: refused first (short password), then made
        form = page.locator("#add-form")
        form.get_by_label("Tên đăng nhập").fill("lan")
        form.get_by_label("Tên hiển thị (không bắt buộc)").fill(DISPLAY_NAME)
        form.get_by_label("Mật khẩu", exact=True).fill("ngắn")
        role_in(form, "Kiểm duyệt viên").check()
        role_in(form, "Đạo diễn chương trình").check()
        form.get_by_role("button", name="Thêm tài khoản").click()
        password = form.get_by_label("Mật khẩu", exact=True)
        expect(password).to_have_attribute("aria-invalid", "true")
        expect(form.locator("#err-add-password")).to_have_text(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự."
        )
        assert api.user("lan") is None
        password.fill(NEW_PASSWORD)
        form.get_by_role("button", name="Thêm tài khoản").click()
        expect(page.locator("#add-message")).to_have_text("Đã thêm tài khoản lan.")
        lan = row(page, "lan")
        expect(lan).to_be_visible()
        expect(lan.locator(".meta")).to_contain_text(DISPLAY_NAME)
        assert lan.locator("b").count() == 0
        made = api.user("lan")
        assert made is not None and made["memberships"] == {SLUG: ["moderator", "producer"]}
        assert made["admin"] is False
        assert made["display_name"] == DISPLAY_NAME
        assert sign_in_status(site.url, "lan", NEW_PASSWORD) == 200

        # -- roles
        role_in(lan, "Đạo diễn chương trình").uncheck()
        role_in(lan, "Lãnh đạo trả lời").check()
        role_in(lan, "Kiểm duyệt viên", "nhap").check()
        lan.get_by_role("button", name="Lưu vai trò").click()
        lan = row(page, "lan")
        expect(lan.locator(".admin-message")).to_have_text("Đã lưu vai trò.")
        expect(role_in(lan, "Lãnh đạo trả lời")).to_be_checked()
        assert api.account("lan")["memberships"] == {
            SLUG: ["moderator", "official"],
            "nhap": ["moderator"],
        }
        role_in(lan, "Kiểm duyệt viên", "nhap").uncheck()
        lan.get_by_label(re.compile("^Quản trị viên hệ thống")).check()
        lan.get_by_role("button", name="Lưu vai trò").click()
        expect(row(page, "lan").locator(".admin-message")).to_have_text("Đã lưu vai trò.")
        state = api.user("lan")
        assert state is not None and state["admin"] is True
        assert state["memberships"] == {SLUG: ["moderator", "official"]}

        # -- disable (after confirming), then enable
        lan.get_by_role("button", name="Khóa tài khoản").click()
        expect(page.locator("#confirm")).to_be_visible()
        expect(page.locator("#confirm-title")).to_have_text("Khóa tài khoản lan?")
        page.locator("#confirm-yes").click()
        lan = row(page, "lan")
        expect(lan).to_have_attribute("data-state", "disabled")
        expect(lan.locator(".admin-message")).to_have_text(
            "Đã khóa tài khoản. Các phiên đăng nhập của tài khoản đã kết thúc."
        )
        state = api.user("lan")
        assert state is not None and state["disabled"] is True and state["sessions"] == 0
        assert sign_in_status(site.url, "lan", NEW_PASSWORD) == 401
        lan.get_by_role("button", name="Mở khóa").click()
        expect(row(page, "lan")).to_have_attribute("data-state", "active")
        assert api.account("lan")["disabled"] is False

        # -- reset the password
        lan = row(page, "lan")
        lan.get_by_text("Đặt lại mật khẩu").click()
        lan.get_by_label("Mật khẩu mới cho lan").fill(RESET_PASSWORD)
        lan.get_by_role("button", name="Lưu mật khẩu mới").click()
        expect(row(page, "lan").locator(".admin-message")).to_have_text(
            "Đã đổi mật khẩu. Các phiên đăng nhập của tài khoản đã kết thúc."
        )
        assert sign_in_status(site.url, "lan", NEW_PASSWORD) == 401
        assert sign_in_status(site.url, "lan", RESET_PASSWORD) == 200
    finally:
        context.close()


def test_users_page_is_for_admins_only(chromium: Browser, site: ServerProcess) -> None:
    """A moderator opening /admin/users gets the access-denied page, and no account list."""
    context = signed_in(chromium, site.url, "moderator")
    page = context.new_page()
    try:
        answer = page.goto(f"{site.url}/admin/users")
        assert answer is not None and answer.status == 403
        expect(page.get_by_role("heading", level=1)).to_have_text("Không có quyền truy cập")
        expect(page.locator("#user-list")).to_have_count(0)
    finally:
        context.close()
