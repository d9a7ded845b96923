"""The broadcast overlay and the producer console's door: the overlay's token
(and its rotation), its background variants and its fit for long text in a
real Chromium, and who may open the producer console."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect as ws_connect

from tests.browser.producer_seed import add_staff
from tests.helpers import ServerProcess
from tests.support.qr import decode
from tests.support.questions import question_id
from tests.support.staff import StaffClient

from .seed import PASSWORD, SLUG, TITLE, ask

pytestmark = pytest.mark.e2e

SCREEN = f"/d/{SLUG}/screen"
#: The longest question the API takes (LIMITS["text"]): it must fit on air.
LONGEST = 2000
#: Elements whose content is taller than their box (none may be, on air).
OVERFLOWING = """() => [...document.querySelectorAll("*")]
    .filter((e) => e.scrollHeight > e.clientHeight && e.clientHeight > 0)
    .map((e) => `${e.tagName}#${e.id}.${e.className} ${e.scrollHeight}>${e.clientHeight}`)"""


@pytest.fixture(scope="module")
def official_account(site: ServerProcess, redis_server: str) -> None:
    """The ``official`` account, beside the seed's moderator, producer and admin."""
    add_staff(redis_server)


@pytest.fixture
def client(site: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site.url, timeout=10) as c:
        yield c


def token(producer: StaffClient) -> str:
    """The overlay's current token, as the producer console reads it."""
    response = producer.client.get(f"/api/v1/dialogues/{SLUG}/screen")
    assert response.status_code == 200, response.text
    body = response.json()
    origin = str(producer.client.base_url).rstrip("/")
    assert body["url"] == f"{origin}{SCREEN}?token={body['token']}"
    return str(body["token"])


def sign_in(client: httpx.Client, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 303, response.text


def test_overlay_needs_its_token(client: httpx.Client, producer: StaffClient) -> None:
    """Without the token, or with a wrong one, the overlay is a 403 page; with
    the right one it is the overlay, never stored by a cache."""
    for params in ({}, {"token": ""}, {"token": "not-the-token"}):
        refused = client.get(SCREEN, params=params)
        assert refused.status_code == 403
        assert "Đường dẫn lớp phủ phát sóng không hợp lệ" in refused.text
        assert "screen.js" not in refused.text
    response = client.get(SCREEN, params={"token": token(producer)})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert re.search(r'<script type="module" src="/static/screen\.js\?v=[0-9a-f]{12}">', html)
    assert f'data-slug="{SLUG}"' in html
    assert TITLE in html
    assert "site-header" not in html and "lang-switch" not in html and "site-footer" not in html


def test_overlay_of_an_unknown_dialogue_is_404(client: httpx.Client) -> None:
    """An unknown slug is a 404 page, whatever the token."""
    response = client.get("/d/khong-co/screen", params={"token": "x"})
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.text


def test_rotated_token_stops_the_old_link(
    client: httpx.Client, producer: StaffClient, admin: StaffClient
) -> None:
    """After an admin rotates the token, the old link gets 403 and the new one 200;
    a producer may read the token but not rotate it."""
    old = token(producer)
    assert producer.post(f"/api/v1/dialogues/{SLUG}/screen/rotate").status_code == 403
    rotated = admin.post(f"/api/v1/dialogues/{SLUG}/screen/rotate")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    assert new != old
    assert client.get(SCREEN, params={"token": old}).status_code == 403
    assert client.get(SCREEN, params={"token": new}).status_code == 200
    assert token(producer) == new


def _feed_url(site: ServerProcess, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return site.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/feed?{query}"


def test_rotating_the_token_closes_the_open_overlays(
    site: ServerProcess, producer: StaffClient, admin: StaffClient
) -> None:
    """An overlay's socket names its token: rotating the token closes every
    overlay open with the old one (4403), and the old one no longer opens the
    feed (403) while the new one does; a viewer's socket stays open."""
    old = token(producer)
    with (
        ws_connect(_feed_url(site, screen=old), open_timeout=20) as overlay,
        ws_connect(_feed_url(site), open_timeout=20) as viewer,
    ):
        for socket in (overlay, viewer):
            assert '"snapshot"' in str(socket.recv(timeout=20))
        rotated = admin.post(f"/api/v1/dialogues/{SLUG}/screen/rotate")
        assert rotated.status_code == 200, rotated.text
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                overlay.recv(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
        with (
            pytest.raises(InvalidStatus) as refused,
            ws_connect(_feed_url(site, screen=old), open_timeout=20),
        ):
            pass
        assert refused.value.response.status_code == 403
        with ws_connect(_feed_url(site, screen=rotated.json()["token"])) as fresh:
            assert '"snapshot"' in str(fresh.recv(timeout=20))
        assert viewer.ping().wait(timeout=20)  # still open


def test_an_open_overlay_page_says_its_link_stopped_working(
    chromium: Browser, site: ServerProcess, producer: StaffClient, admin: StaffClient
) -> None:
    """In Chromium: the overlay open in OBS shows the denied page as soon as
    an admin rotates its token."""
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{site.url}{SCREEN}?token={token(producer)}")
        expect(page.locator("#screen")).to_have_attribute("data-connection", "live")
        assert admin.post(f"/api/v1/dialogues/{SLUG}/screen/rotate").status_code == 200
        expect(page.get_by_text("Đường dẫn lớp phủ phát sóng không hợp lệ")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 303), ("moderator", 403), ("official", 403), ("producer", 200), ("admin", 200)],
)
def test_producer_console_access(
    client: httpx.Client, official_account: None, username: str | None, status: int
) -> None:
    """Anonymous visitors go to the login page; moderators and officials get a
    403 page; producers and admins get the console with its CSRF token."""
    if username:
        sign_in(client, username)
    response = client.get(f"/console/{SLUG}/producer")
    assert response.status_code == status
    if status == 303:
        assert response.headers["location"] == f"/login?next=%2Fconsole%2F{SLUG}%2Fproducer"
    elif status == 403:
        assert "vai trò đạo diễn chương trình" in response.text
        assert "producer.js" not in response.text
    else:
        html = response.text
        assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
        assert re.search(r'<script type="module" src="/static/producer\.js\?v=[0-9a-f]{12}">', html)
        assert f'data-slug="{SLUG}"' in html
        assert "Câu hỏi tiếp theo" in html


def test_producer_console_of_an_unknown_dialogue_is_404(client: httpx.Client) -> None:
    """A producer asking for an unknown dialogue's console gets a 404 page."""
    sign_in(client, "producer")
    assert client.get("/console/khong-co/producer").status_code == 404


def overlay(browser: Browser, url: str, width: int = 1920, height: int = 1080) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(url)
    return page


@pytest.mark.browser
def test_background_variants(chromium: Browser, site: ServerProcess, producer: StaffClient) -> None:
    """By default the page is transparent for compositing; bg=opaque gives a
    dark backdrop and bg=green a chroma green; an unknown variant is the default."""
    base = f"{site.url}{SCREEN}?token={token(producer)}"
    backgrounds = {}
    for variant, query in (
        ("transparent", ""),
        ("transparent", "&bg=nonsense"),
        ("opaque", "&bg=opaque"),
        ("green", "&bg=green"),
    ):
        page = overlay(chromium, base + query)
        try:
            expect(page.locator("html")).to_have_attribute("data-bg", variant)
            backgrounds[query] = page.evaluate(
                "() => [document.documentElement, document.body].map((e) =>"
                " getComputedStyle(e).backgroundColor + ' ' + getComputedStyle(e).backgroundImage)"
            )
        finally:
            page.context.close()
    transparent = ["rgba(0, 0, 0, 0) none", "rgba(0, 0, 0, 0) none"]
    assert backgrounds[""] == backgrounds["&bg=nonsense"] == transparent
    assert "radial-gradient" in backgrounds["&bg=opaque"][0]
    assert backgrounds["&bg=green"][0] == "rgb(0, 177, 64) none"


@pytest.mark.browser
def test_overlay_shows_the_qr_code_when_asked(
    chromium: Browser, site: ServerProcess, producer: StaffClient
) -> None:
    """With qr=1 the overlay shows, in its corner, the public page's address and
    a QR code that decodes to it; without it, neither."""
    base = f"{site.url}{SCREEN}?token={token(producer)}"
    address = f"{site.url}/d/{SLUG}"
    page = overlay(chromium, base + "&qr=1")
    try:
        card = page.locator("#share-card")
        expect(card.locator("p")).to_have_text(["Gửi câu hỏi tại", address])
        page.wait_for_function("document.querySelector('#share-card img').complete")
        assert decode(card.locator("img").screenshot()) == [address]
    finally:
        page.context.close()
    page = overlay(chromium, base)
    try:
        expect(page.locator("#lower-third")).to_be_visible()
        expect(page.locator("#share-card")).to_have_count(0)
    finally:
        page.context.close()


@pytest.mark.browser
def test_longest_question_fits_on_air(
    chromium: Browser, site: ServerProcess, producer: StaffClient, admin: StaffClient
) -> None:
    """A 2000-character question on air, with a long name, organization and
    official title, fits the overlay at 1920x1080 and 1280x720: nothing
    overflows, no scrollbar, and the text is cut at a word with "…" in
    three lines of a size still readable on air."""
    sentence = (
        "Người dân xã Hồng Kim đề nghị tỉnh sớm đầu tư hạ tầng viễn thông, phủ sóng 4G "
        "và cáp quang đến từng thôn bản vùng cao, hỗ trợ thiết bị cho học sinh học trực tuyến. "
    )
    text = (sentence * 20)[: LONGEST - 1] + "?"
    code = ask(
        site,
        text,
        name="Nguyễn Thị Phương Thảo Hoàng Anh Minh Châu Ngọc Bảo Trân",
        organization="Công ty trách nhiệm hữu hạn một thành viên dịch vụ viễn thông và "
        "công nghệ thông tin tỉnh Thừa Thiên Huế",
        locality="Huyện A Lưới",
        topic="kinh-te-so",
    )
    qid = question_id(site.env["REDIS_URL"], code)
    question = next(q for q in admin.questions(SLUG, "pending") if q["id"] == qid)
    assert len(question["text"]) == LONGEST
    admin.act(SLUG, qid, "approve")
    admin.act(SLUG, qid, "assign", official_id="o1")
    admin.act(SLUG, qid, "on_air")
    page = overlay(chromium, f"{site.url}{SCREEN}?token={token(producer)}")
    try:
        shown = page.locator("#lt-text")
        cut = re.compile(r"^Người dân xã Hồng Kim .*[^ ,]…$")
        expect(shown).to_have_text(cut)
        expect(page.locator("#lt-official-name")).to_have_text("Nguyễn Văn An")
        for width, height in ((1920, 1080), (1280, 720)):
            page.set_viewport_size({"width": width, "height": height})
            expect(page.locator("#screen")).to_have_attribute("data-fit", f"{width}x{height}")
            expect(shown).to_have_text(cut)
            assert question["text"].startswith((shown.text_content() or "")[:-1])
            assert page.evaluate(OVERFLOWING) == []
            size = page.evaluate(
                "parseFloat(getComputedStyle(document.getElementById('lt-text')).fontSize)"
            )
            assert size >= 0.03 * height - 0.5, f"the text shrank to {size}px: too small on air"
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert page.evaluate("getComputedStyle(document.body).cursor") == "none"
    finally:
        page.context.close()
        admin.act(SLUG, qid, "defer")
