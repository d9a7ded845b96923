"""The overlay as a lower third, in Chromium: its geometry at 1920x1080 and
1280x720 for a short, a long and a very long question (with a link inside),
transparent unless asked otherwise, the dialogue's look, hidden and shown
while the same question stays on air, the phase in words when nothing is on
air, and a connection notice only while its socket is down."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.helpers import ServerProcess

from ..air_pages import console, on_air_ids, overlay, question, wait_for
from ..producer_seed import StaffClient, approved, fresh_dialogue

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

LINK = "https://dichvucong.thuathienhue.gov.vn/thu-tuc/cap-phep-xay-dung?ma=123&buoc=2"
SENTENCE = (
    "Người dân xã Hồng Kim đề nghị tỉnh sớm đầu tư hạ tầng viễn thông, phủ sóng 4G và cáp "
    "quang đến từng thôn bản vùng cao, hỗ trợ thiết bị cho học sinh học trực tuyến. "
)
#: A frame's title-safe area: 5% in from every edge (EBU R 95 for 16:9).
SAFE = 0.05
#: The most of the frame's height the lower third may take.
MOST_HEIGHT = 0.30
#: A 1x1 PNG, as the dialogue's logo.
LOGO = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M/wHwAEBgIApD5fRAAAAABJRU5ErkJggg=="
)
GEOMETRY = """() => {
    const box = (e) => e.getBoundingClientRect();
    const panel = document.getElementById("lower-third");
    const text = document.getElementById("lt-text");
    const p = box(panel);
    return {
        left: p.left, top: p.top, right: p.right, bottom: p.bottom, height: p.height,
        width: innerWidth, frame: innerHeight,
        overflowing: [...document.querySelectorAll("#screen *")]
            .filter((e) => e.clientHeight > 0 && e.scrollHeight > e.clientHeight)
            .map((e) => `${e.id || e.className} ${e.scrollHeight}>${e.clientHeight}`),
        text: text.textContent,
        textSize: parseFloat(getComputedStyle(text).fontSize),
        lines: Math.round(text.clientHeight / parseFloat(getComputedStyle(text).lineHeight)),
        background: [document.documentElement, document.body].map((e) => {
            const style = getComputedStyle(e);
            return style.backgroundColor + " " + style.backgroundImage;
        }),
        scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
    };
}"""


def on_air(admin: StaffClient, site: ServerProcess, slug: str, text: str, **fields: Any) -> str:
    """Ask ``text``, route it to o1, put it on air; its id."""
    qid = approved(admin, site, slug, text, **fields)
    admin.act(slug, qid, "assign", official_id="o1")
    admin.act(slug, qid, "queue")
    response = admin.post(f"/api/v1/dialogues/{slug}/next", {"current": ""})
    assert response.status_code == 200, response.text
    return qid


def question_of(length: int) -> str:
    """A question of exactly ``length`` characters with ``LINK`` in its first sentence."""
    text = f"Xem thủ tục tại {LINK} rồi cho biết: " + SENTENCE * 20
    return text[: length - 1].rstrip() + "?"


def settle(page: Page, size: str) -> dict[str, Any]:
    """The lower third's geometry once it is fitted to the window ``size``."""
    expect(page.locator("#screen")).to_have_attribute("data-fit", size)
    return dict(page.evaluate(GEOMETRY))


@pytest.mark.parametrize("length", [200, 600, 1800])
def test_the_lower_third_fits_the_title_safe_area(
    chromium: Browser, site: ServerProcess, redis_server: str, admin: StaffClient, length: int
) -> None:
    """At 1920x1080 and 1280x720: inside the title-safe area, under 30% of
    the frame's height, its text in at most three lines that never overflow
    (cut at a word with "…" when too long), no link shown raw, and the page
    transparent."""
    slug = fresh_dialogue(redis_server, "lop-phu")
    text = question_of(length)
    assert len(text) == length
    on_air(
        admin,
        site,
        slug,
        text,
        name="Nguyễn Thị Phương Thảo Hoàng Anh Minh Châu Ngọc Bảo Trân",
        organization="Công ty trách nhiệm hữu hạn một thành viên dịch vụ viễn thông tỉnh Huế",
        locality="Huyện A Lưới",
        topic="kinh-te-so",
    )
    page = overlay(chromium, site, admin, slug)
    try:
        expect(page.locator("#lt-official-name")).to_have_text("Nguyễn Văn An")
        for width, height in ((1920, 1080), (1280, 720)):
            page.set_viewport_size({"width": width, "height": height})
            shape = settle(page, f"{width}x{height}")
            assert shape["left"] >= SAFE * width and shape["right"] <= (1 - SAFE) * width, shape
            assert shape["top"] >= SAFE * height and shape["bottom"] <= (1 - SAFE) * height, shape
            assert shape["height"] < MOST_HEIGHT * height, shape
            assert shape["overflowing"] == [], shape
            assert shape["scroll"] == [width, height]
            assert 1 <= shape["lines"] <= 3, shape
            assert shape["textSize"] >= 0.03 * height - 0.5, "too small to read on air"
            shown = shape["text"]
            assert "://" not in shown and "thu-tuc" not in shown and "www." not in shown
            assert "dichvucong.thuathienhue.gov.vn" in shown  # the host, readable
            if length == 200:
                assert shown == text.replace(LINK, "dichvucong.thuathienhue.gov.vn")
            else:
                assert shown.endswith("…") and len(shown) < length
                kept = shown[:-1]
                assert text.replace(LINK, "dichvucong.thuathienhue.gov.vn").startswith(kept)
                cut = text.replace(LINK, "dichvucong.thuathienhue.gov.vn")[len(kept)]
                assert cut in " ,." or kept.endswith(("?", ".")), "cut inside a word"
            for background in shape["background"]:
                assert background == "rgba(0, 0, 0, 0) none"
    finally:
        page.context.close()


def test_the_opaque_and_green_variants_and_the_dialogues_look(
    chromium: Browser, site: ServerProcess, redis_server: str, admin: StaffClient
) -> None:
    """?bg=opaque gives a dark backdrop and ?bg=green a chroma key; the band
    takes the dialogue's short name, colours and logo."""
    brand = {"name": "Đối thoại Huế 2026", "color": "#0b3d91", "accent": "#ffd400", "logo": LOGO}
    slug = fresh_dialogue(redis_server, "lop-phu", brand=brand)
    on_air(admin, site, slug, "Tỉnh có hỗ trợ chi phí chữ ký số cho hộ kinh doanh nhỏ không?")
    for variant, expected in (("opaque", "radial-gradient"), ("green", "rgb(0, 177, 64)")):
        page = overlay(chromium, site, admin, slug, query=f"&bg={variant}")
        try:
            expect(page.locator("html")).to_have_attribute("data-bg", variant)
            backdrop = page.evaluate(
                "[getComputedStyle(document.documentElement).backgroundColor,"
                " getComputedStyle(document.documentElement).backgroundImage].join(' ')"
            )
            assert expected in backdrop
            expect(page.locator("#lt-brand")).to_have_text("Đối thoại Huế 2026")
            expect(page.locator("#lt-logo")).to_be_visible()
            assert page.locator("#lt-logo").get_attribute("src") == LOGO
            expect(page.locator("#lower-third")).to_have_css(
                "border-left-color", "rgb(11, 61, 145)"
            )
            expect(page.locator("#lt-official")).to_have_css("color", "rgb(255, 212, 0)")
        finally:
            page.context.close()


def test_hide_and_show_while_the_same_question_stays_on_air(
    chromium: Browser, site: ServerProcess, redis_server: str, admin: StaffClient
) -> None:
    """The console's button and O key hide and show the lower third with a
    fade; the question on air does not change, in the overlay or the server."""
    slug = fresh_dialogue(redis_server, "lop-phu")
    qid = on_air(admin, site, slug, "Khi nào có wifi miễn phí ở các điểm du lịch của Huế?")
    page = overlay(chromium, site, admin, slug)
    desk = console(chromium, site, slug)
    try:
        band = page.locator("#lower-third")
        expect(band).to_be_visible()
        expect(band).to_have_css("opacity", "1")
        desk.get_by_role("button", name="Ẩn lớp phủ").click()
        expect(page.locator("#screen")).to_have_attribute("data-visible", "false")
        expect(band).to_have_css("opacity", "0")
        expect(band).to_be_hidden()
        assert "opacity" in band.evaluate("(e) => getComputedStyle(e).transitionProperty")
        expect(desk.locator("#overlay-state")).to_have_text(
            "Lớp phủ đang ẩn; câu hỏi vẫn đang lên sóng."
        )
        expect(page.locator("#lower-third")).to_have_attribute("data-id", qid)
        assert on_air_ids(admin, slug) == [qid]

        desk.locator("body").press("o")
        expect(page.locator("#screen")).to_have_attribute("data-visible", "true")
        expect(band).to_have_css("opacity", "1")
        expect(band).to_be_visible()
        expect(page.locator("#lt-text")).to_have_text(
            "Khi nào có wifi miễn phí ở các điểm du lịch của Huế?"
        )
        assert on_air_ids(admin, slug) == [qid]
        assert question(admin, slug, qid)["status"] == "on_air"

        # Opened while hidden, the overlay starts hidden.
        admin.post(f"/api/v1/dialogues/{slug}/overlay", {"visible": False})
        fresh = overlay(chromium, site, admin, slug)
        try:
            expect(fresh.locator("#screen")).to_have_attribute("data-visible", "false")
            expect(fresh.locator("#lower-third")).to_be_hidden()
        finally:
            fresh.context.close()
    finally:
        page.context.close()
        desk.context.close()


def test_the_air_text_goes_on_air_instead_of_the_question(
    chromium: Browser, site: ServerProcess, redis_server: str, admin: StaffClient
) -> None:
    """When staff set a short on-air text, the overlay shows it (live)."""
    slug = fresh_dialogue(redis_server, "lop-phu")
    qid = on_air(admin, site, slug, question_of(600))
    page = overlay(chromium, site, admin, slug)
    try:
        expect(page.locator("#lt-text")).to_have_text(re.compile("…$"))
        version = question(admin, slug, qid)["version"]
        admin.act(slug, qid, "air_text", text="Khi nào phủ sóng 4G ở A Lưới?", version=version)
        expect(page.locator("#lt-text")).to_have_text("Khi nào phủ sóng 4G ở A Lưới?")
        wait_for(admin, slug, qid, air_text="Khi nào phủ sóng 4G ở A Lưới?")
    finally:
        page.context.close()


def test_the_phase_in_words_when_nothing_is_on_air(
    chromium: Browser, site: ServerProcess, redis_server: str, admin: StaffClient
) -> None:
    """Before the broadcast, on air now, ended — written answers continue,
    archived: said live as the dialogue moves through its phases."""
    slug = fresh_dialogue(redis_server, "lop-phu", status="open")
    page = overlay(chromium, site, admin, slug)
    try:
        phase = page.locator("#idle-phase")
        expect(page.locator("#idle")).to_be_visible()
        expect(page.locator("#on-air")).to_be_hidden()
        expect(phase).to_have_text("Trước giờ phát sóng")
        words = {
            "live": "Đang lên sóng",
            "closed": "Đã kết thúc — tiếp tục trả lời bằng văn bản",
            "archived": "Đã lưu trữ",
        }
        for status, said in words.items():
            if status == "closed":  # a live dialogue ends with the wrap-up
                changed = admin.post(f"/api/v1/dialogues/{slug}/wrap-up", {})
            else:
                changed = admin.post(f"/api/v1/dialogues/{slug}/status", {"status": status})
            assert changed.status_code == 200, changed.text
            expect(phase).to_have_text(said)
            expect(page.locator("#screen")).to_have_attribute("data-phase", status)
    finally:
        page.context.close()


def test_the_connection_notice_shows_only_while_the_socket_is_down(
    chromium: Browser, site: ServerProcess, redis_server: str, admin: StaffClient
) -> None:
    """Live: no notice. The socket dropped and refused: "reconnecting". Let
    through again: the notice goes, and the overlay follows the air again."""
    slug = fresh_dialogue(redis_server, "lop-phu")
    sockets: list[WebSocketRoute] = []
    blocked = {"now": False}

    def through(ws: WebSocketRoute) -> None:
        if blocked["now"]:
            ws.close(code=1011)
            return
        sockets.append(ws)
        ws.connect_to_server()

    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.route_web_socket(re.compile(r"/ws/v1/dialogues/.*/feed"), through)
        token = admin.client.get(f"/api/v1/dialogues/{slug}/screen").json()["token"]
        page.goto(f"{site.url}/d/{slug}/screen?token={token}")
        notice = page.locator("#connection-notice")
        expect(page.locator("#screen")).to_have_attribute("data-connection", "live")
        expect(notice).to_be_hidden()

        blocked["now"] = True
        sockets[-1].close(code=1011)
        expect(notice).to_be_visible()
        expect(notice).to_have_text("Mất kết nối; đang kết nối lại…")
        on_air(admin, site, slug, "Tỉnh có kế hoạch số hóa hồ sơ đất đai trong năm nay không?")

        blocked["now"] = False
        expect(notice).to_be_hidden(timeout=30_000)  # the next retry, after its backoff
        expect(page.locator("#screen")).to_have_attribute("data-connection", "live")
        expect(page.locator("#lt-text")).to_have_text(
            "Tỉnh có kế hoạch số hóa hồ sơ đất đai trong năm nay không?"
        )
    finally:
        context.close()
