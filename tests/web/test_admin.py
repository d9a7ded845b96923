"""The admin's pages in a real Chromium against a real server: create a
dialogue, edit its topics, officials and routing defaults, see the API's field
errors beside the fields, switch its phases one step at a time (and see
submissions refused outside open and live; a live dialogue ends through the
wrap-up, never the switch), and rotate the overlay token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.helpers import ServerProcess
from tests.support.browser import page_through_login
from tests.support.staff import StaffClient

from .seed import PASSWORD, SLUG

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

NOT_YET_VI = "Cuộc đối thoại chưa bắt đầu nhận câu hỏi."
NOT_YET_EN = "This dialogue is not taking questions yet."
ENDED_VI = "Cuộc đối thoại đã kết thúc, không nhận thêm câu hỏi."
ENDED_EN = "This dialogue has ended and takes no more questions."


class Admin(StaffClient):
    """An admin's API session (cookie, Origin, CSRF), to set up and check data."""

    def create(self, slug: str, title: str) -> None:
        response = self.post("/api/v1/dialogues", {"slug": slug, "title": title})
        assert response.status_code == 201, response.text

    def settings(self, slug: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/dialogues/{slug}/settings")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def status(self, slug: str, status: str) -> httpx.Response:
        """The phase switch, as the page calls it (in Vietnamese)."""
        return self.client.post(
            f"/api/v1/dialogues/{slug}/status",
            json={"status": status},
            headers={"X-CSRF-Token": self.csrf, "Accept-Language": "vi"},
        )

    def screen_token(self, slug: str) -> str:
        return str(self.client.get(f"/api/v1/dialogues/{slug}/screen").json()["token"])


@pytest.fixture
def admin(site: ServerProcess) -> Iterator[Admin]:
    with Admin(site.url, "admin") as session:
        yield session


def ask(site: ServerProcess, slug: str, lang: str = "vi") -> httpx.Response:
    """A citizen's question to dialogue ``slug``."""
    return httpx.post(
        f"{site.url}/api/v1/dialogues/{slug}/questions",
        json={"text": "Xin hỏi khi nào Huế mở dịch vụ công trực tuyến mới?", "name": "Lê Thị Hoa"},
        headers={"Accept-Language": lang},
        timeout=10,
    )


def test_admin_pages_are_for_admins_only(site: ServerProcess) -> None:
    """Anonymous visitors go to login, other staff get 403; admins see every dialogue's phase."""
    with httpx.Client(base_url=site.url, timeout=10) as anonymous:
        for path in ("/admin", f"/admin/{SLUG}"):
            response = anonymous.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == "/login?next=" + path.replace("/", "%2F")
    for username in ("moderator", "producer"):
        with httpx.Client(base_url=site.url, timeout=10) as staff:
            staff.post("/login", data={"username": username, "password": PASSWORD})
            for path in ("/admin", f"/admin/{SLUG}"):
                response = staff.get(path)
                assert response.status_code == 403
                assert "Chỉ quản trị viên mới được mở trang này." in response.text
                assert 'name="csrf-token"' not in response.text
    with httpx.Client(base_url=site.url, timeout=10) as staff:
        staff.post("/login", data={"username": "admin", "password": PASSWORD})
        listing = staff.get("/admin")
        assert listing.status_code == 200
        assert 'href="/admin/chuyen-doi-so"' in listing.text
        assert 'href="/admin/nhap"' in listing.text
        assert re.search(r'data-phase="draft">Bản nháp<', listing.text)
        assert re.search(r'data-phase="live">Đang diễn ra<', listing.text)
        assert staff.get("/admin/khong-co").status_code == 404
        english = staff.get(f"/admin/{SLUG}", params={"lang": "en"})
        assert "Dialogue settings" in english.text and "Broadcast overlay" in english.text


def test_create_a_dialogue_and_edit_topics_officials_and_defaults(
    chromium: Browser, site: ServerProcess, admin: Admin
) -> None:
    """The admin creates a draft and edits its topics, officials and routing defaults."""
    for name in ("official", "tro-ly-1", "tro-ly-2"):  # the accounts the settings name
        made = admin.post("/api/v1/users", {"username": name, "password": "mật khẩu đủ dài 2026"})
        assert made.status_code in (201, 409), made.text
    with page_through_login(chromium, site.url, "/admin", "admin") as page:
        page.get_by_label("Tiêu đề").fill("Đối thoại về du lịch số năm 2027")
        slug = page.get_by_label("Đường dẫn")
        expect(slug).to_have_value("doi-thoai-ve-du-lich-so-nam-2027")
        slug.fill("du-lich-so")
        page.get_by_role("button", name="Tạo bản nháp").click()
        expect(page).to_have_url(f"{site.url}/admin/du-lich-so")
        page.wait_for_load_state("load")
        expect(page.locator("#phase-badge")).to_have_text("Bản nháp")
        expect(page.get_by_label("Tiêu đề")).to_have_value("Đối thoại về du lịch số năm 2027")

        page.get_by_role("button", name="Thêm lĩnh vực").click()
        expect(page.get_by_label("Lĩnh vực 1", exact=True)).to_be_focused()
        page.keyboard.type("Du lịch thông minh")
        page.get_by_role("button", name="Thêm lĩnh vực").click()
        page.get_by_label("Lĩnh vực 2", exact=True).fill("Lưu trú và ẩm thực")
        page.get_by_role("button", name="Thêm lĩnh vực").click()
        page.get_by_label("Lĩnh vực 3", exact=True).fill("Vé điện tử")
        page.get_by_role("button", name="Thêm lãnh đạo").click()
        official = page.locator("#officials > li").nth(0)
        official.get_by_label("Họ tên hoặc chức danh").fill("Giám đốc Sở Du lịch")
        official.get_by_label("Chức vụ và cơ quan").fill("Sở Du lịch thành phố Huế")
        official.get_by_label("Tài khoản trả lời").fill("official")
        official.get_by_label("Tài khoản trợ lý (cách nhau bằng dấu phẩy)").fill(
            "tro-ly-1, tro-ly-2"
        )
        page.get_by_role("combobox", name="Du lịch thông minh").select_option(
            label="Giám đốc Sở Du lịch"
        )
        page.get_by_role("combobox", name="Vé điện tử").select_option(label="Giám đốc Sở Du lịch")
        page.get_by_label("Bắt đầu phát sóng").fill("2027-03-15T14:00")
        page.get_by_label("Kết thúc phát sóng").fill("2027-03-15T16:30")
        page.get_by_label("Địa chỉ video phát sóng").fill("https://video.example.vn/du-lich-so")
        page.get_by_label("Địa phương", exact=True).fill("Phường Thuận Hóa\n\nXã Phú Lộc\n")
        page.get_by_label("Các trang được phép nhúng khung hỏi đáp").fill(
            "https://dulich.example.vn"
        )
        page.get_by_label("Từ bị chặn thêm").fill("cá độ\n\nxổ số lậu\n")
        page.get_by_role("button", name="Lưu cài đặt").click()
        expect(page.locator("#settings-message")).to_have_text("Đã lưu cài đặt.")

        saved = admin.settings("du-lich-so")
        assert saved["topics"] == [
            {"id": "du-lich-thong-minh", "name": "Du lịch thông minh"},
            {"id": "luu-tru-va-am-thuc", "name": "Lưu trú và ẩm thực"},
            {"id": "ve-dien-tu", "name": "Vé điện tử"},
        ]
        assert saved["officials"] == [
            {
                "id": "giam-doc-so-du-lich",
                "name": "Giám đốc Sở Du lịch",
                "title": "Sở Du lịch thành phố Huế",
                "username": "official",
                "aides": ["tro-ly-1", "tro-ly-2"],
            }
        ]
        assert saved["topic_officials"] == {
            "du-lich-thong-minh": "giam-doc-so-du-lich",
            "ve-dien-tu": "giam-doc-so-du-lich",
        }
        assert saved["starts_at"] == "2027-03-15T14:00:00+07:00"
        assert saved["ends_at"] == "2027-03-15T16:30:00+07:00"
        assert saved["stream_url"] == "https://video.example.vn/du-lich-so"
        assert saved["localities"] == ["Phường Thuận Hóa", "Xã Phú Lộc"]
        assert saved["widget_origins"] == ["https://dulich.example.vn"]
        assert saved["policy"]["extra_blocked"] == ["cá độ", "xổ số lậu"]
        assert saved["status"] == "draft"

        page.reload()
        expect(page.get_by_label("Lĩnh vực 2", exact=True)).to_have_value("Lưu trú và ẩm thực")
        expect(page.get_by_label("Bắt đầu phát sóng")).to_have_value("2027-03-15T14:00")
        for topic in ("Du lịch thông minh", "Vé điện tử"):
            chosen = page.get_by_role("combobox", name=topic).locator("option:checked")
            expect(chosen).to_have_text("Giám đốc Sở Du lịch")
        chosen = page.get_by_role("combobox", name="Lưu trú và ẩm thực").locator("option:checked")
        expect(chosen).to_have_text("Không có mặc định")
        page.get_by_label("Lĩnh vực 1", exact=True).fill("Du lịch thông minh và số hóa di sản")
        page.get_by_role("button", name="Xóa lĩnh vực Lưu trú và ẩm thực").click()
        expect(page.get_by_label("Lĩnh vực 2", exact=True)).to_be_focused()
        page.get_by_role("button", name="Lưu cài đặt").click()
        expect(page.locator("#settings-message")).to_have_text("Đã lưu cài đặt.")
        saved = admin.settings("du-lich-so")
        assert saved["topics"] == [
            {"id": "du-lich-thong-minh", "name": "Du lịch thông minh và số hóa di sản"},
            {"id": "ve-dien-tu", "name": "Vé điện tử"},
        ]
        assert saved["topic_officials"] == {
            "du-lich-thong-minh": "giam-doc-so-du-lich",
            "ve-dien-tu": "giam-doc-so-du-lich",
        }
        page.get_by_role("button", name="Lưu cài đặt").click()
        expect(page.locator("#settings-message")).to_have_text("Không có thay đổi nào cần lưu.")


def test_the_api_field_errors_show_beside_their_fields(
    chromium: Browser, site: ServerProcess, admin: Admin
) -> None:
    """The API's field errors show beside the field they name, which gets the focus."""
    admin.create("loi-nhap-lieu", "Đối thoại kiểm tra lỗi nhập liệu")
    with page_through_login(chromium, site.url, "/admin/loi-nhap-lieu", "admin") as page:
        page.get_by_role("button", name="Thêm lãnh đạo").click()
        page.get_by_role("button", name="Thêm lãnh đạo").click()
        second = page.locator("#officials > li").nth(1)
        page.locator("#officials > li").nth(0).get_by_label("Họ tên hoặc chức danh").fill(
            "Chủ tịch UBND thành phố"
        )
        name = second.get_by_label("Họ tên hoặc chức danh")
        name.fill("A")
        page.get_by_role("button", name="Lưu cài đặt").click()
        error = second.locator(".field-error").first
        expect(error).to_be_visible()
        expect(error).to_contain_text("quá ngắn")
        expect(name).to_have_attribute("aria-invalid", "true")
        expect(name).to_be_focused()
        expect(page.locator("#settings-message")).to_have_text(
            "Chưa lưu: hãy sửa ô được đánh dấu đỏ."
        )
        assert admin.settings("loi-nhap-lieu")["officials"] == []
        name.fill("Giám đốc Sở Nội vụ")
        expect(error).to_be_hidden()
        expect(name).not_to_have_attribute("aria-invalid", "true")

        video = page.get_by_label("Địa chỉ video phát sóng")
        video.fill("ftp://video.example.vn/ban-ghi")
        page.get_by_role("button", name="Lưu cài đặt").click()
        expect(page.locator("#err-stream_url")).to_be_visible()
        expect(page.locator("#err-stream_url")).to_contain_text("http(s)")
        expect(video).to_be_focused()
        video.fill("https://video.example.vn/ban-ghi")
        page.get_by_role("button", name="Lưu cài đặt").click()
        expect(page.locator("#settings-message")).to_have_text("Đã lưu cài đặt.")
        assert [o["name"] for o in admin.settings("loi-nhap-lieu")["officials"]] == [
            "Chủ tịch UBND thành phố",
            "Giám đốc Sở Nội vụ",
        ]

        page.goto(f"{site.url}/admin")
        page.get_by_label("Tiêu đề").fill("Một cuộc đối thoại khác")
        slug = page.get_by_label("Đường dẫn")
        slug.fill("loi-nhap-lieu")
        page.get_by_role("button", name="Tạo bản nháp").click()
        expect(page.locator("#err-create-slug")).to_have_text(
            "Đường dẫn “loi-nhap-lieu” đã được dùng."
        )
        expect(slug).to_be_focused()
        slug.fill("Có Dấu")
        page.get_by_role("button", name="Tạo bản nháp").click()
        expect(page.locator("#err-create-slug")).to_contain_text("chữ thường không dấu")
        expect(page).to_have_url(f"{site.url}/admin")


def test_a_title_typed_before_the_script_runs_still_gets_its_slug(
    chromium: Browser, site: ServerProcess
) -> None:
    """On a slow connection the admin may type the title before admin.js has
    run: the slug is derived when the script starts, not only on later input."""
    with page_through_login(chromium, site.url, "/admin", "admin") as page:
        held = hold_script(page, "admin")
        title = page.get_by_label("Tiêu đề")
        title.fill("Chuyển đổi số năm 2027")
        slug = page.get_by_label("Đường dẫn")
        expect(slug).to_have_value("")
        release(page, held, "admin")
        expect(slug).to_have_value("chuyen-doi-so-nam-2027")


def hold_script(page: Page, script: str) -> list[Route]:
    """Reload ``page`` with its ``script`` held back (the list gets its request)."""
    held: list[Route] = []
    page.route(re.compile(rf"/static/{script}[^/]*\.js"), lambda route: held.append(route))
    page.reload(wait_until="commit")
    return held


def release(page: Page, held: list[Route], script: str) -> None:
    """Let the held script through, once the page has asked for it."""
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, f"{script}.js was never requested"
    held[0].continue_()


@pytest.mark.parametrize(
    ("path", "script", "button"),
    [
        ("/admin", "admin", "Tạo bản nháp"),
        (f"/admin/{SLUG}", "admin", "Lưu cài đặt"),
        ("/admin/users", "users", "Thêm tài khoản"),
        (f"/console/{SLUG}/wrap-up", "wrapup", "Kết thúc buổi phát sóng"),
    ],
)
def test_a_form_cannot_be_sent_before_its_script_runs(
    chromium: Browser, site: ServerProcess, path: str, script: str, button: str
) -> None:
    """On a slow connection (or a loaded machine) a click may come before the
    page's script: the form's button waits for the script, rather than send
    the form to the page's own address (a reload, or a 405, and nothing done)."""
    with page_through_login(chromium, site.url, path, "admin") as page:
        held = hold_script(page, script)
        send = page.get_by_role("button", name=button, exact=True)
        expect(send).to_be_disabled()
        release(page, held, script)
        expect(send).to_be_enabled()


def test_two_admins_editing_at_once_lose_nothing(
    chromium: Browser, site: ServerProcess, admin: Admin
) -> None:
    """Two admins have the same dialogue open. Changes to different settings
    both land; a change to a setting the other changed meanwhile is refused
    with a readable message, keeps the admin's text on the page, and lands on
    a second save. The admin's own phase change does not count as a conflict."""
    admin.create("hai-nguoi-sua", "Đối thoại hai người cùng sửa")
    url = f"{site.url}/admin/hai-nguoi-sua"
    path = "/admin/hai-nguoi-sua"
    with (
        page_through_login(chromium, site.url, path, "admin") as a,
        page_through_login(chromium, site.url, path, "admin") as b,
    ):
        for page in (a, b):
            expect(page.get_by_label("Tiêu đề")).to_have_value("Đối thoại hai người cùng sửa")

        a.get_by_label("Tiêu đề").fill("Tiêu đề do An sửa")
        a.get_by_role("button", name="Lưu cài đặt").click()
        expect(a.locator("#settings-message")).to_have_text("Đã lưu cài đặt.")

        # Bình's page is a version behind, but he changes another setting.
        b.get_by_label("Mô tả").fill("Mô tả do Bình viết")
        b.get_by_role("button", name="Lưu cài đặt").click()
        expect(b.locator("#settings-message")).to_have_text("Đã lưu cài đặt.")
        expect(b.get_by_label("Tiêu đề")).to_have_value("Tiêu đề do An sửa")
        saved = admin.settings("hai-nguoi-sua")
        assert (saved["title"], saved["description"]) == ("Tiêu đề do An sửa", "Mô tả do Bình viết")

        # An, a version behind now, changes the description Bình just wrote.
        a.get_by_label("Mô tả").fill("Mô tả do An viết")
        a.get_by_role("button", name="Lưu cài đặt").click()
        expect(a.locator("#settings-error")).to_contain_text("một quản trị viên khác")
        expect(a.get_by_label("Mô tả")).to_have_value("Mô tả do An viết")
        assert admin.settings("hai-nguoi-sua")["description"] == "Mô tả do Bình viết"
        a.get_by_role("button", name="Lưu cài đặt").click()
        expect(a.locator("#settings-message")).to_have_text("Đã lưu cài đặt.")
        expect(a.locator("#settings-error")).to_be_hidden()
        assert admin.settings("hai-nguoi-sua")["description"] == "Mô tả do An viết"

        # An's own phase change, then an edit: no conflict.
        a.get_by_role("button", name="Mở nhận câu hỏi").click()
        a.locator("#confirm-yes").click()
        expect(a.locator("#phase-badge")).to_have_text("Đang nhận câu hỏi")
        a.get_by_label("Tiêu đề").fill("Tiêu đề sau khi mở")
        a.get_by_role("button", name="Lưu cài đặt").click()
        expect(a.locator("#settings-message")).to_have_text("Đã lưu cài đặt.")
        settings = admin.settings("hai-nguoi-sua")
        assert (settings["title"], settings["status"]) == ("Tiêu đề sau khi mở", "open")
        assert url == a.url

        # Through the API: a stale version is a 409 naming the field.
        stale = admin.client.patch(
            "/api/v1/dialogues/hai-nguoi-sua",
            json={"title": "Cũ", "version": settings["version"] - 1},
            headers={"X-CSRF-Token": admin.csrf},
        )
        assert stale.status_code == 409, stale.text
        assert stale.json()["error"]["field"] == "version"


def step(page: Page, name: str, phase: str) -> None:
    """A phase step, confirmed: every one asks first (what it does to citizens and staff)."""
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.locator("#confirm")).to_be_visible()
    page.locator("#confirm-yes").click()
    expect(page.locator("#phase-badge")).to_have_text(phase)
    expect(page.locator("#phase-message")).to_have_text(
        f"Cuộc đối thoại hiện ở giai đoạn: {phase}."
    )


def buttons(page: Page) -> list[str]:
    return page.locator("#phase-steps button").all_inner_texts()


def refused(site: ServerProcess, slug: str, vi: str, en: str) -> None:
    """A citizen's question is refused with 409 not_accepting and a whole sentence."""
    for lang, message in (("vi", vi), ("en", en)):
        response = ask(site, slug, lang)
        assert response.status_code == 409, response.text
        assert response.json() == {
            "error": {"code": "not_accepting", "message": message, "field": None, "errors": []}
        }


def test_phases_step_by_step_with_confirmation(
    chromium: Browser, site: ServerProcess, admin: Admin
) -> None:
    """Phases switch step by step, going live confirmed, ending live through the wrap-up;
    citizens ask only open/live."""
    admin.create("cac-giai-doan", "Đối thoại qua các giai đoạn")
    with page_through_login(chromium, site.url, "/admin/cac-giai-doan", "admin") as page:
        expect(page.locator("#phase-badge")).to_have_text("Bản nháp")
        assert buttons(page) == ["Mở nhận câu hỏi"]
        refused(site, "cac-giai-doan", NOT_YET_VI, NOT_YET_EN)

        step(page, "Mở nhận câu hỏi", "Đang nhận câu hỏi")
        assert buttons(page) == ["Bắt đầu phát trực tiếp", "Trở lại bản nháp"]
        assert ask(site, "cac-giai-doan").status_code == 202

        page.get_by_role("button", name="Bắt đầu phát trực tiếp").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("heading")).to_have_text("Bắt đầu phát trực tiếp ngay?")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(page.get_by_role("button", name="Bắt đầu phát trực tiếp")).to_be_focused()
        expect(page.locator("#phase-badge")).to_have_text("Đang nhận câu hỏi")
        assert admin.settings("cac-giai-doan")["status"] == "open"

        # By keyboard: Enter on the step, then Shift+Tab from "Cancel" to the confirmation.
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        expect(dialog.get_by_role("button", name="Hủy")).to_be_focused()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        expect(page.locator("#phase-badge")).to_have_text("Đang diễn ra")
        assert admin.settings("cac-giai-doan")["live_at"]
        assert ask(site, "cac-giai-doan").status_code == 202

        # Live, the dialogue ends only through the wrap-up: a link to it, not a switch.
        assert buttons(page) == ["Trở lại giai đoạn nhận câu hỏi"]
        end = page.locator("#phase-steps").get_by_role("link", name="Kết thúc buổi phát sóng")
        expect(end).to_have_attribute("href", "/console/cac-giai-doan/wrap-up")
        expect(page.locator("#wrap-up-hint")).to_have_text(
            "Cuộc đối thoại đang diễn ra chỉ kết thúc qua bước tổng kết buổi phát sóng: "
            "mọi câu hỏi chưa được trả lời trực tiếp trở thành câu trả lời bằng văn bản mà "
            "một lãnh đạo phải thực hiện. Đạo diễn và quản trị viên thực hiện bước này tại đó."
        )
        switched = admin.status("cac-giai-doan", "closed")
        assert switched.status_code == 409, switched.text
        assert switched.json()["error"]["field"] == "status"
        assert switched.json()["error"]["message"].startswith(
            "Cuộc đối thoại đang diễn ra chỉ kết thúc qua bước tổng kết (“Kết thúc buổi phát sóng”)"
        )
        assert admin.settings("cac-giai-doan")["status"] == "live"

        end.click()
        expect(page).to_have_url(f"{site.url}/console/cac-giai-doan/wrap-up")
        page.get_by_role("button", name="Kết thúc buổi phát sóng").click()
        page.locator("#confirm").get_by_role("button", name="Kết thúc buổi phát sóng").click()
        results = page.locator("#wu-results")
        expect(results).to_be_visible()
        results.get_by_role("link", name="Quản trị").click()
        expect(page).to_have_url(f"{site.url}/admin/cac-giai-doan")
        expect(page.locator("#phase-badge")).to_have_text("Đã kết thúc")
        expect(page.locator("#wrap-up-link")).to_have_count(0)
        expect(page.locator("#phase-steps button")).to_have_count(2)
        assert buttons(page) == ["Lưu trữ cuộc đối thoại", "Mở lại phát trực tiếp"]
        refused(site, "cac-giai-doan", ENDED_VI, ENDED_EN)

        step(page, "Lưu trữ cuộc đối thoại", "Đã lưu trữ")
        assert buttons(page) == ["Đưa ra khỏi lưu trữ"]
        refused(site, "cac-giai-doan", ENDED_VI, ENDED_EN)
        assert admin.settings("cac-giai-doan")["status"] == "archived"

        public = page.context.new_page()
        public.goto(f"{site.url}/d/cac-giai-doan")
        expect(public.locator("#ask-closed")).to_have_text(
            "Cuộc đối thoại hiện không nhận câu hỏi."
        )
        expect(public.locator("#ask-form")).to_be_hidden()

        page.goto(f"{site.url}/admin")
        item = page.locator(".admin-item", has_text="Đối thoại qua các giai đoạn")
        expect(item.locator(".badge")).to_have_text("Đã lưu trữ")


def test_rotate_and_copy_the_overlay_address(
    chromium: Browser, site: ServerProcess, admin: Admin
) -> None:
    """The overlay address copies to the clipboard; rotating it makes the old one stop opening."""
    old = admin.screen_token(SLUG)
    with page_through_login(
        chromium,
        site.url,
        f"/admin/{SLUG}",
        "admin",
        permissions=["clipboard-read", "clipboard-write"],
    ) as page:
        address = page.get_by_label("Địa chỉ lớp phủ")
        expect(address).to_have_value(f"{site.url}/d/{SLUG}/screen?token={old}")
        page.get_by_role("button", name="Sao chép địa chỉ").click()
        expect(page.locator("#screen-message")).to_have_text("Đã sao chép địa chỉ.")
        assert page.evaluate("navigator.clipboard.readText()") == address.input_value()

        page.get_by_role("button", name="Đổi mã truy cập").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_role("heading")).to_have_text("Đổi mã truy cập lớp phủ?")
        dialog.get_by_role("button", name="Đổi mã truy cập").click()
        expect(page.locator("#screen-message")).to_have_text(
            "Đã tạo mã truy cập mới. Địa chỉ lớp phủ cũ không còn mở được."
        )
        new = admin.screen_token(SLUG)
        assert new != old
        expect(address).to_have_value(f"{site.url}/d/{SLUG}/screen?token={new}")
        overlay = httpx.get(f"{site.url}/d/{SLUG}/screen", params={"token": old}, timeout=10)
        assert overlay.status_code == 403
        overlay = httpx.get(f"{site.url}/d/{SLUG}/screen", params={"token": new}, timeout=10)
        assert overlay.status_code == 200
