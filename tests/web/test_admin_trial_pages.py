"""The user trial's admin pages in a real Chromium: every field the API
refuses shows its error beside it (the settings, the create form and the
staff accounts' add form); every phase change asks first, saying what it
does to citizens and staff; a staff page loaded before another admin's
change of an account's roles does not undo it when it saves its own."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import ServerProcess
from tests.support.browser import page_through_login
from tests.support.staff import StaffClient

from .seed import SLUG

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SECRET = "mật khẩu đủ dài 2026"


def test_the_settings_and_create_forms_show_every_error(
    chromium: Browser, site: ServerProcess
) -> None:
    with StaffClient(site.url, "admin") as admin:
        made = admin.post("/api/v1/dialogues", {"slug": "moi-loi", "title": "Đối thoại mọi lỗi"})
        assert made.status_code == 201, made.text
    with page_through_login(chromium, site.url, "/admin/moi-loi", "admin") as page:
        page.get_by_label("Bắt đầu phát sóng").fill("2027-03-15T16:00")
        page.get_by_label("Kết thúc phát sóng").fill("2027-03-15T14:00")
        page.get_by_label("Địa phương", exact=True).fill("Phường An Cựu\nphường an cựu\n")
        page.get_by_role("button", name="Lưu cài đặt").click()
        expect(page.locator("#err-ends_at")).to_be_visible()
        expect(page.locator("#err-localities")).to_be_visible()
        expect(page.locator("#err-localities")).to_contain_text("phường an cựu")

        page.get_by_label("Địa phương", exact=True).fill("Phường An Cựu\n")
        page.get_by_label("Tiêu đề").fill("")
        page.get_by_label("Địa chỉ video phát sóng").fill("ftp://video.example.vn/ban-ghi")
        page.get_by_role("button", name="Lưu cài đặt").click()
        for field in ("title", "stream_url", "ends_at"):
            expect(page.locator(f"#err-{field}")).to_be_visible()
        expect(page.get_by_label("Tiêu đề")).to_be_focused()

        page.goto(f"{site.url}/admin")
        page.get_by_label("Tiêu đề").fill("x")
        page.get_by_label("Đường dẫn").fill("BAD SLUG!")
        page.get_by_role("button", name="Tạo bản nháp").click()
        expect(page.locator("#err-create-slug")).to_contain_text("chữ thường không dấu")
        expect(page.locator("#err-create-title")).to_be_visible()


def test_the_add_account_form_shows_every_error(chromium: Browser, site: ServerProcess) -> None:
    with page_through_login(chromium, site.url, "/admin/users", "admin") as page:
        page.locator("#add-username").fill("Bad User!")
        page.locator("#add-password").fill("x")
        page.locator("#add-submit").click()
        expect(page.locator("#err-add-username")).to_be_visible()
        expect(page.locator("#err-add-password")).to_be_visible()
        expect(page.locator("#add-username")).to_be_focused()


def test_every_phase_change_asks_first(chromium: Browser, site: ServerProcess) -> None:
    with StaffClient(site.url, "admin") as admin:
        made = admin.post(
            "/api/v1/dialogues", {"slug": "hoi-truoc", "title": "Đối thoại hỏi trước"}
        )
        assert made.status_code == 201, made.text
        with page_through_login(chromium, site.url, "/admin/hoi-truoc", "admin") as page:
            dialog = page.locator("#confirm")
            page.get_by_role("button", name="Mở nhận câu hỏi", exact=True).click()
            expect(dialog).to_be_visible()
            expect(page.locator("#confirm-title")).to_have_text("Mở nhận câu hỏi ngay bây giờ?")
            page.locator("#confirm-yes").click()
            expect(page.locator("#phase-badge")).to_have_text("Đang nhận câu hỏi")

            page.get_by_role("button", name="Trở lại bản nháp", exact=True).click()
            expect(dialog).to_be_visible()
            expect(page.locator("#confirm-title")).to_have_text("Đưa về bản nháp?")
            expect(page.locator("#confirm-text")).to_contain_text("Trang công khai biến mất")
            page.keyboard.press("Escape")
            expect(dialog).to_be_hidden()
            expect(page.locator("#phase-badge")).to_have_text("Đang nhận câu hỏi")
            settings = admin.get("/api/v1/dialogues/hoi-truoc/settings").json()
            assert settings["status"] == "open"


def test_a_stale_staff_page_keeps_another_admins_roles(
    chromium: Browser, site: ServerProcess
) -> None:
    with StaffClient(site.url, "admin") as admin:
        made = admin.post(
            "/api/v1/users",
            {"username": "cu-trang", "password": SECRET, "memberships": {SLUG: ["moderator"]}},
        )
        assert made.status_code == 201, made.text
        with page_through_login(chromium, site.url, "/admin/users", "admin") as page:
            row = page.locator('li[data-username="cu-trang"]')
            expect(row).to_be_visible()
            # Another admin, meanwhile: a role in the draft dialogue.
            other = admin.send(
                "PATCH", "/api/v1/users/cu-trang", {"memberships": {"nhap": ["producer"]}}
            )
            assert other.status_code == 200, other.text
            row.locator(f'tr[data-slug="{SLUG}"] input[value="producer"]').check()
            row.locator('[data-action="roles"]').click()
            expect(page.locator('li[data-username="cu-trang"] .admin-message')).to_have_attribute(
                "data-kind", "ok"
            )
        account = next(u for u in admin.get("/api/v1/users").json() if u["username"] == "cu-trang")
        assert account["memberships"] == {"nhap": ["producer"], SLUG: ["moderator", "producer"]}
