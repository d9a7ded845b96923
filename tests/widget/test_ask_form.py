"""The question form the public page and the widget share
(moderator_ui/static/lib/ask_form.js), in Chromium, on both: the same body
for the same input; every mistake shown at once, each beside its field, under
a summary that takes the focus; the text kept on the device across a reload,
a lost connection, a phase change and the dialogue closing while someone
types; long questions folded; and, on a phone, the way to the form first and
always in reach."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.helpers import ServerProcess
from tests.support.portal import HostServer

from .conftest import AXE, Site, StaffClient
from .test_phases import opened, set_phase, wrap_up
from .test_widget import open_widget

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TEXT = "Xin hỏi khi nào các xã vùng cao được phủ sóng 4G để người dân học trực tuyến?"
#: A device id both forms are given, as one browser would have on one origin.
DEVICE = "thiet-bi-chung-0001"
SEND = "Gửi câu hỏi"
CLOSED = "Cuộc đối thoại hiện không nhận câu hỏi."
LONG = (
    "Gia đình tôi ở thôn Hồng Hạ, xã A Lưới, con tôi học lớp 9 nhưng sóng điện thoại rất yếu, "
    "mỗi lần học trực tuyến phải đi bộ lên đồi mới có sóng. Mùa mưa đường trơn, các cháu đi "
    "lại rất nguy hiểm. Xin hỏi đến khi nào các thôn vùng cao được phủ sóng 4G ổn định, và "
    "trong lúc chờ đợi tỉnh có hỗ trợ gì cho học sinh như thiết bị hay điểm truy cập miễn phí "
    "tại nhà văn hóa thôn không ạ?"
)


def open_page(browser: Browser, site: Site, **context: Any) -> tuple[Page, Locator]:
    """The public page of the site's dialogue in a fresh context, once its feed is live."""
    page = browser.new_context(locale="vi-VN", **context).new_page()
    page.goto(f"{site.app.url}/d/{site.slug}")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    return page, page.locator("#dialogue")


def open_embedded(browser: Browser, site: Site, **context: Any) -> tuple[Page, Locator]:
    return open_widget(browser, site.page_url(), **context)


SURFACES: dict[str, Callable[..., tuple[Page, Locator]]] = {
    "page": open_page,
    "widget": open_embedded,
}


def reload(page: Page) -> None:
    """Reload the page, the public page or the portal; back once its feed is live."""
    page.reload()
    feed = page.locator("#connection, doithoai-widget .conn")
    expect(feed).to_have_attribute("data-state", "live")


def question(root: Locator) -> Locator:
    return root.get_by_label("Câu hỏi", exact=True)


def tracking_code(root: Locator) -> str:
    code = root.locator("#ask-code, p.code")
    expect(code).to_have_text(re.compile(r"^\S{16}$"))
    return str(code.text_content())


def fill_everything(root: Locator) -> None:
    root.get_by_label("Họ và tên").fill("Trần Văn Bình")
    root.get_by_label("Cơ quan, doanh nghiệp").fill("Hợp tác xã Hương Trà")
    root.get_by_label(re.compile("^Địa phương")).select_option("Xã A Lưới 2")
    root.get_by_label(re.compile("^Lĩnh vực")).select_option(label="Kinh tế số")
    question(root).fill(TEXT)
    root.get_by_label("Số điện thoại", exact=True).fill("0912 345 678")
    root.get_by_label("Địa chỉ email").fill("binh@example.vn")
    root.get_by_label(re.compile("^Tôi đồng ý")).check()


def sent_body(page: Page, root: Locator) -> dict[str, Any]:
    """Press send; the question's body as it left the browser, once accepted."""
    with page.expect_request(
        lambda r: r.method == "POST" and r.url.split("?")[0].endswith("/questions")
    ) as request:
        root.get_by_role("button", name=SEND, exact=True).click()
    tracking_code(root)
    body: dict[str, Any] = json.loads(request.value.post_data or "{}")
    return body


def test_the_page_and_the_widget_send_the_same_body_for_the_same_input(
    chromium: Browser, site: Site
) -> None:
    """The same input, typed into the public page and into the widget on a
    portal, leaves both as the same body. Two fields differ by design and are
    compared apart: `submission_id`, a new random id for each question (sent
    again only when that same question is retried, so two questions never
    share it), and `channel`, which says where the question was asked (web,
    widget) for the organisers. The device id is the browser's, kept per
    origin; both origins are given the same one here, as one browser has."""
    seed = f"localStorage.setItem('doithoai.voter', JSON.stringify({json.dumps(DEVICE)}))"
    bodies = {}
    for name, surface in SURFACES.items():
        page, root = surface(chromium, site)
        page.context.add_init_script(seed)
        reload(page)
        fill_everything(root)
        bodies[name] = sent_body(page, root)
        page.context.close()
    web, widget = bodies["page"], bodies["widget"]
    assert re.fullmatch(r"[0-9a-f-]{36}", web.pop("submission_id"))
    assert re.fullmatch(r"[0-9a-f-]{36}", widget.pop("submission_id"))
    assert (web.pop("channel"), widget.pop("channel")) == ("web", "widget")
    assert (
        web
        == widget
        == {
            "text": TEXT,
            "name": "Trần Văn Bình",
            "organization": "Hợp tác xã Hương Trà",
            "locality": "Xã A Lưới 2",
            "topic": "kinh-te-so",
            "contact": {"phone": "0912 345 678", "email": "binh@example.vn"},
            "consent": True,
            "device": DEVICE,
        }
    )
    assert sorted(q.channel for q in site.stored()) == ["web", "widget"]


def test_every_mistake_is_shown_at_once_beside_its_field_on_the_page(
    chromium: Browser, site: Site
) -> None:
    """On the public page, one press of "Gửi câu hỏi" with four mistakes sends
    one request and shows all four: each beside its field (aria-invalid, its
    message in the field's description), all in a summary at the top that
    takes the focus, whose links lead to the fields; axe finds nothing
    serious. Fixed, the question is accepted and the errors are gone."""
    page, root = open_page(chromium, site, bypass_csp=True)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    question(root).fill("Xin hỏi")
    root.get_by_label("Số điện thoại", exact=True).fill("0912")
    root.get_by_label("Địa chỉ email").fill("binh@")
    root.get_by_role("button", name=SEND, exact=True).click()
    summary = page.locator("#ask-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name("Câu hỏi chưa được gửi. Xin Ông/Bà xem lại:")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Vui lòng nhập họ và tên.",
            re.compile("^Câu hỏi quá ngắn"),
            re.compile("^Số điện thoại không hợp lệ"),
            re.compile("^Địa chỉ email không hợp lệ"),
            re.compile("[Vv]ui lòng đồng ý"),
        ]
    )
    assert len(posts) == 1
    fields: dict[str, str | re.Pattern[str]] = {
        "Họ và tên": "Vui lòng nhập họ và tên.",
        "Số điện thoại": re.compile("Số điện thoại không hợp lệ"),
        "Địa chỉ email": re.compile("Địa chỉ email không hợp lệ"),
    }
    for label, said in fields.items():
        field = root.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(said)
    expect(question(root)).to_have_accessible_description(re.compile("Câu hỏi quá ngắn"))
    expect(root.get_by_label(re.compile("^Tôi đồng ý"))).to_have_attribute("aria-invalid", "true")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => ["serious", "critical"].includes(v.impact)).map(v => v.id)"""
    )
    assert found == []
    summary.get_by_role("link", name=re.compile("^Địa chỉ email")).click()
    expect(root.get_by_label("Địa chỉ email")).to_be_focused()
    fill_everything(root)
    root.get_by_role("button", name=SEND, exact=True).click()
    tracking_code(root)
    root.get_by_role("button", name="Gửi câu hỏi khác").click()
    expect(summary).to_be_hidden()
    expect(root.get_by_label("Họ và tên")).not_to_have_attribute("aria-invalid", "true")
    page.context.close()


@pytest.mark.parametrize("surface", SURFACES)
def test_the_text_survives_a_reload_a_phase_change_and_the_dialogue_closing(
    chromium: Browser,
    app: ServerProcess,
    host: HostServer,
    redis_server: str,
    staff: dict[str, StaffClient],
    surface: str,
) -> None:
    """What someone types is kept on the device: a reload brings it back, the
    broadcast going on air leaves it where it is, and when the dialogue
    closes while they type the form stays, read-only under the notice, with
    their text to copy, also after a reload, until they delete it."""
    site = opened(app, host, redis_server, staff, "open")
    page, root = SURFACES[surface](chromium, site)
    root.get_by_label("Họ và tên").fill("Hồ Thị Lan")
    root.get_by_label(re.compile("^Lĩnh vực")).select_option(label="Kinh tế số")
    question(root).fill(TEXT)
    reload(page)
    expect(question(root)).to_have_value(TEXT)
    expect(root.get_by_label("Họ và tên")).to_have_value("Hồ Thị Lan")
    expect(root.get_by_label(re.compile("^Lĩnh vực"))).to_have_value("kinh-te-so")

    set_phase(site, "live")
    expect(root.get_by_text("Đang lên sóng", exact=True).first).to_be_visible()
    expect(question(root)).to_have_value(TEXT)
    expect(question(root)).to_be_editable()
    question(root).fill(f"{TEXT} Xin cảm ơn.")

    wrap_up(site)
    expect(root.get_by_text(CLOSED, exact=True)).to_be_visible()
    kept = f"{TEXT} Xin cảm ơn."
    for _ in range(2):  # as it closes, and after a reload
        expect(question(root)).to_be_visible()
        expect(question(root)).to_have_value(kept)
        expect(question(root)).not_to_be_editable()
        expect(root.get_by_text("Nội dung Ông/Bà đã soạn vẫn được giữ")).to_be_visible()
        expect(root.get_by_role("button", name=SEND, exact=True)).to_be_hidden()
        reload(page)
    question(root).select_text()  # readable and copyable: selected, not disabled
    root.get_by_role("button", name="Xóa nội dung đã soạn").click()
    expect(question(root)).to_be_hidden()
    expect(root.get_by_text(CLOSED, exact=True)).to_be_visible()
    reload(page)
    expect(question(root)).to_be_hidden()
    page.context.close()


def test_the_text_survives_a_lost_connection_on_the_page(chromium: Browser, site: Site) -> None:
    """Sent without a connection, the question stays in the form with a
    sentence saying so; back online, the same press sends it."""
    page, root = open_page(chromium, site)
    root.get_by_label("Họ và tên").fill("Hồ Thị Lan")
    question(root).fill(TEXT)
    page.context.set_offline(True)
    root.get_by_role("button", name=SEND, exact=True).click()
    expect(root.locator(".ask-alert")).to_have_text(re.compile("không có kết nối"))
    expect(question(root)).to_have_value(TEXT)
    page.context.set_offline(False)
    root.get_by_role("button", name=SEND, exact=True).click()
    tracking_code(root)
    assert [q.text for q in site.stored()] == [TEXT]
    page.context.close()


@pytest.mark.parametrize("surface", SURFACES)
def test_long_questions_fold_with_a_real_button(
    chromium: Browser, site: Site, surface: str
) -> None:
    """A long question shows its beginning and a "Xem thêm" button
    (aria-expanded, aria-controls its text) that unfolds it in place and then
    says "Thu gọn"; unfolded, it stays so when its card is drawn again (a
    vote); a short question has no button."""
    site.publish(site.ask(LONG))
    site.publish(site.ask(TEXT))
    page, root = SURFACES[surface](chromium, site)
    long_card = root.locator("li").filter(has_text=LONG[:40])
    text = long_card.locator(".pq-text, .q-text")
    expect(text).to_have_text(re.compile(r"…$"))
    assert len(str(text.text_content())) < 260
    more = long_card.get_by_role("button", name="Xem thêm")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(more).to_have_attribute("aria-controls", str(text.get_attribute("id")))
    more.click()
    expect(text).to_have_text(LONG)
    less = long_card.get_by_role("button", name="Thu gọn")
    expect(less).to_have_attribute("aria-expanded", "true")
    long_card.get_by_role("button", name=re.compile("Tôi cũng muốn hỏi")).click()
    expect(long_card.get_by_role("button", name=re.compile("Tôi cũng muốn hỏi"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(text).to_have_text(LONG)
    less.click()
    expect(text).to_have_text(re.compile(r"…$"))
    short = root.locator("li").filter(has_text=TEXT)
    expect(short.get_by_role("button", name="Xem thêm")).to_have_count(0)
    page.context.close()


PHONE = {"viewport": {"width": 390, "height": 740}, "has_touch": True, "is_mobile": True}


@pytest.mark.parametrize("surface", SURFACES)
def test_on_a_phone_the_way_to_the_form_comes_first_and_stays_in_reach(
    chromium: Browser, site: Site, surface: str
) -> None:
    """On a phone, "Gửi câu hỏi" is on screen from the start (the widget's
    first thing once the portal shows it) and while the questions scroll by;
    one tap puts the keyboard in the form's first field. The page's bar then
    keeps out of the form's way."""
    for n in range(6):
        site.publish(site.ask(f"{TEXT} ({n + 1})"))
    page, root = SURFACES[surface](chromium, site, **PHONE)
    root.scroll_into_view_if_needed()  # the portal's own text comes before the widget
    jump = root.get_by_role("link", name=SEND, exact=True)

    def on_screen() -> bool:
        box = jump.bounding_box()
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740

    expect(jump).to_be_visible()
    assert on_screen()
    root.locator("li").filter(has_text="(4)").scroll_into_view_if_needed()  # among the questions
    expect(jump).to_be_visible()
    assert on_screen()
    jump.click()
    expect(root.get_by_label("Họ và tên")).to_be_focused()
    if surface == "page":  # the bar over the bottom of the screen leaves the form alone
        expect(jump).to_be_hidden()
    page.context.close()
