"""The producer console at any desk, in Chromium: from 1024 to 1920 px wide
the page never scrolls sideways and no control of a card (the official's
select, the assign, queue and move buttons) is cut off, with long questions,
long names, an unbreakable link, a question on air, the undo on offer, an
official's signal, an on-air text editor open and a question owed in writing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.helpers import ServerProcess

from ..air_pages import console, question, row
from ..producer_seed import StaffClient, approved, fresh_slug, new_dialogue

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

WIDTHS = (1024, 1280, 1366, 1920)
LONG = (
    "Đề nghị tỉnh cho biết lộ trình số hóa toàn bộ hồ sơ đất đai, cấp giấy chứng nhận quyền "
    "sử dụng đất trực tuyến, kết nối dữ liệu dân cư và thuế để người dân không phải nộp lại "
    "giấy tờ đã có: https://dichvucong.thuathienhue.gov.vn/" + "thu-tuc-hanh-chinh-" * 8
)
NAME = "Nguyễn Thị Phương Thảo Hoàng Anh Minh Châu Ngọc Bảo Trân"
ORGANIZATION = "Công ty trách nhiệm hữu hạn một thành viên dịch vụ viễn thông tỉnh Huế"
#: Every control of a card that must be whole: inside the window, inside its card.
CUT_OFF = """() => {
    const width = innerWidth;
    const cut = [];
    const controls = ".pr-row select, .pr-row button, .pr-row input, .pr-air button";
    for (const control of document.querySelectorAll(controls)) {
        const box = control.getBoundingClientRect();
        if (!box.width) continue;
        const card = control.closest(".pr-row, .pr-on-air").getBoundingClientRect();
        const outside = box.left < 0 || box.right > width;
        if (outside || box.left < card.left - 0.5 || box.right > card.right + 0.5) {
            const name = control.textContent || control.id;
            cut.push(`${name} ${box.left}-${box.right} in ${card.left}-${card.right}`);
        }
    }
    return cut;
}"""


def test_no_horizontal_scroll_and_no_control_cut_off(
    chromium: Browser, site: ServerProcess, redis_server: str
) -> None:
    slug = fresh_slug("ban-lam-viec")
    new_dialogue(redis_server, slug, title="Đối thoại trực tuyến " * 6)
    with StaffClient(site.url, "admin") as admin:
        ids = [
            approved(
                admin, site, slug, f"{n}. {LONG}", name=NAME, organization=ORGANIZATION,
                locality="Huyện A Lưới", topic="kinh-te-so" if n % 2 else "chinh-quyen-so",
            )
            for n in range(6)
        ]  # fmt: skip
        for qid in ids[:4]:
            admin.act(slug, qid, "queue")
        admin.act(slug, ids[1], "assign", official_id="o1")
        admin.act(slug, ids[5], "defer")
        page = console(chromium, site, slug, width=WIDTHS[0], height=900)
        try:
            page.get_by_role("button", name="Câu hỏi tiếp theo").click()
            expect(page.locator("#undo-box")).to_be_visible()
            with StaffClient(site.url, "official") as official:
                version = question(admin, slug, ids[1])["version"]
                official.act(slug, ids[1], "ready", version=version)
            expect(page.locator("#signals li")).to_have_count(1)
            card = row(page, "approved", f"4. {LONG[:40]}")
            card.get_by_label("Lãnh đạo trả lời").select_option("o2")
            expect(card.locator(".pr-assigned")).to_be_visible()
            row(page, "queue", f"2. {LONG[:40]}").get_by_role(
                "button", name="Câu chữ lên sóng"
            ).click()
            expect(page.locator(".pr-air-editor")).to_be_visible()
            expect(page.locator("#deferred-list > li")).to_have_count(1)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.wait_for_function(f"innerWidth === {width}")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"scrolls sideways at {width}px: {scroll}"
                assert page.evaluate(CUT_OFF) == [], width
        finally:
            page.context.close()
