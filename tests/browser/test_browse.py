"""Finding one's way among the published questions of the public page, in a
real Chromium against a real server: sort by most supported, newest or
answered first, filter by topic, search without marks ("chu ky so" finds
"chữ ký số"); the choice is kept in the URL (a reload or a shared link shows
the same list) and holds while the live feed adds questions and changes their
votes. And the share block: the address, its copy button and the QR code."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, LocatorAssertions, Page, expect

from server.actions import Services
from server.domain.model import Dialogue
from tests.helpers import ServerProcess
from tests.support.qr import decode
from tests.support.store import with_actions

from .owed_seed import Show, app_server, live_page

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SIGNATURE = "Khi nào người dân được cấp chữ ký số miễn phí để nộp hồ sơ trực tuyến?"
BUSINESS = "Doanh nghiệp nhỏ được hỗ trợ chuyển đổi số như thế nào trong năm tới?"
NETWORK = "Đường truyền internet ở các xã vùng cao còn yếu, bao giờ được nâng cấp?"
PHONE = "Người cao tuổi có dùng được chữ ký số trên điện thoại không?"
TOURISM = "Khi nào có wifi miễn phí ở các điểm du lịch của thành phố Huế?"
LIVE_ANSWER = "Từ quý III, người dân được cấp chữ ký số miễn phí tại bộ phận một cửa."


@pytest.fixture(scope="module")
def server(redis_server: str) -> Iterator[ServerProcess]:
    with app_server(redis_server) as process:
        yield process


@pytest.fixture
def viewer(chromium: Browser) -> Iterator[Page]:
    """A citizen's browser (Vietnamese), allowed to use the clipboard."""
    clipboard = ["clipboard-read", "clipboard-write"]
    context = chromium.new_context(locale="vi-VN", permissions=clipboard)
    try:
        yield context.new_page()
    finally:
        context.close()


def vote(show: Show, code: str, voters: int) -> None:
    """``voters`` citizens support the question of ``code``."""
    qid = show.question(code).id
    for n in range(voters):
        response = httpx.post(
            f"{show.base_url}/api/v1/dialogues/{show.slug}/questions/{qid}/votes",
            json={"voter": f"nguoi-ung-ho-{qid}-{n}"},
            timeout=20,
        )
        assert response.status_code == 200, response.text


def published(show: Show, text: str, topic: str, voters: int = 0) -> str:
    """``text`` asked on ``topic``, approved, and supported by ``voters``."""
    code = show.ask(text, topic=topic)
    show.publish(code)
    vote(show, code, voters)
    return code


def texts(page: Page) -> LocatorAssertions:
    """The published list's texts, top to bottom (for ``to_have_text``)."""
    return expect(page.locator("#question-list .pq-text"))


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_sort_filter_and_search_kept_in_the_url_and_live(
    server: ServerProcess, viewer: Page
) -> None:
    """Each sort orders the list as it says, the topic filter and a search
    without marks narrow it, the choice survives a reload through the URL,
    and questions the feed adds or re-votes take their place in the choice."""
    show = Show(server.env["REDIS_URL"], server.url, "tim-kiem")
    signature = published(show, SIGNATURE, "chinh-quyen-so", voters=1)
    published(show, BUSINESS, "kinh-te-so", voters=3)
    published(show, NETWORK, "kinh-te-so")
    show.act(signature, "queue", "producer")
    show.answer_live(signature, LIVE_ANSWER)

    page = live_page(viewer.context, f"{server.url}/d/{show.slug}")
    sort = page.get_by_label("Sắp xếp theo")
    topic = page.get_by_label("Lọc theo lĩnh vực")
    search = page.get_by_role("searchbox", name="Tìm câu hỏi")
    texts(page).to_have_text([NETWORK, BUSINESS, SIGNATURE])  # newest first

    sort.select_option(label="Nhiều lượt ủng hộ nhất")
    texts(page).to_have_text([BUSINESS, SIGNATURE, NETWORK])
    assert query(page) == {"sort": ["votes"]}
    sort.select_option(label="Đã trả lời trước")
    texts(page).to_have_text([SIGNATURE, NETWORK, BUSINESS])

    topic.select_option(label="Kinh tế số")
    texts(page).to_have_text([NETWORK, BUSINESS])
    expect(page.locator("#browse-count")).to_have_text("2/3 câu hỏi phù hợp.")
    topic.select_option(label="Tất cả lĩnh vực")
    search.fill("chu ky so")
    texts(page).to_have_text([SIGNATURE])
    assert query(page) == {"sort": ["answered"], "q": ["chu ky so"]}
    search.fill("CHUWX KYS")  # Telex typed with the input method off
    texts(page).to_have_text([SIGNATURE])
    search.fill("ky so chu")  # every word, in any order
    texts(page).to_have_text([SIGNATURE])
    search.fill("quý III")  # the answer is searched too
    texts(page).to_have_text([SIGNATURE])

    search.fill("chữ ký")
    sort.select_option(label="Nhiều lượt ủng hộ nhất")
    page.reload()
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    expect(search).to_have_value("chữ ký")
    expect(sort).to_have_value("votes")
    texts(page).to_have_text([SIGNATURE])
    page.evaluate("window.__sameDocument = true")

    # The feed brings a new question that matches and one that does not.
    phone = published(show, PHONE, "chinh-quyen-so")
    published(show, TOURISM, "kinh-te-so")
    texts(page).to_have_text([SIGNATURE, PHONE])
    expect(page.locator("#question-count")).to_have_text("5")
    expect(page.locator("#browse-count")).to_have_text("2/5 câu hỏi phù hợp.")
    vote(show, phone, 2)  # now more supported than the answered one
    texts(page).to_have_text([PHONE, SIGNATURE])
    assert page.evaluate("window.__sameDocument") is True


def test_no_match_says_so_and_shows_every_question_again(
    server: ServerProcess, viewer: Page
) -> None:
    """A search that finds nothing says so in words, with a button that
    brings every question back (and takes the search out of the URL); a
    shared link with a topic opens the list on that topic."""
    show = Show(server.env["REDIS_URL"], server.url, "khong-thay")
    published(show, SIGNATURE, "chinh-quyen-so")
    published(show, BUSINESS, "kinh-te-so")

    page = live_page(viewer.context, f"{server.url}/d/{show.slug}?topic=kinh-te-so&sort=bogus")
    expect(page.get_by_label("Lọc theo lĩnh vực")).to_have_value("kinh-te-so")
    expect(page.get_by_label("Sắp xếp theo")).to_have_value("new")
    texts(page).to_have_text([BUSINESS])
    page.get_by_role("searchbox", name="Tìm câu hỏi").fill("hộ chiếu")
    texts(page).to_have_count(0)
    none = page.locator("#browse-none")
    expect(none).to_contain_text("Không có câu hỏi nào phù hợp với lựa chọn này.")
    none.get_by_role("button", name="Xem tất cả câu hỏi").click()
    texts(page).to_have_text([BUSINESS, SIGNATURE])
    expect(none).to_be_hidden()
    assert query(page) == {}

    # The organisers rename a topic and drop the other: the filter follows.
    topic = page.get_by_label("Lọc theo lĩnh vực")
    topic.select_option("kinh-te-so")
    texts(page).to_have_text([BUSINESS])
    renamed = "Chính quyền số và dịch vụ công"
    retopic(show, [{"id": "chinh-quyen-so", "name": renamed}])
    expect(topic.locator("option")).to_have_text(["Tất cả lĩnh vực", renamed])
    expect(topic).to_have_value("")
    texts(page).to_have_text([BUSINESS, SIGNATURE])
    assert query(page) == {}


def retopic(show: Show, topics: list[dict[str, str]]) -> None:
    """An administrator gives the dialogue these topics."""

    async def work(actions: Services) -> Dialogue:
        dialogue = await actions.dialogues.get(show.slug)
        return await actions.dialogues.update(dialogue, {"topics": topics})

    with_actions(show.redis_url, work)


def test_share_block_copies_the_address_and_its_qr_code_opens_it(
    server: ServerProcess, viewer: Page
) -> None:
    """The share block shows the dialogue's public address; "Sao chép" puts
    it on the clipboard; the QR code, as Chromium draws it on the page,
    decodes to that address."""
    show = Show(server.env["REDIS_URL"], server.url, "chia-se")
    address = f"{server.url}/d/{show.slug}"
    page = live_page(viewer.context, address)
    expect(page.locator("#browse")).to_be_hidden()  # nothing published: nothing to search
    share = page.get_by_role("region", name="Chia sẻ cuộc đối thoại")
    expect(share.get_by_label("Địa chỉ của cuộc đối thoại")).to_have_value(address)

    share.get_by_role("button", name="Sao chép địa chỉ").click()
    expect(share.get_by_role("status")).to_have_text("Đã sao chép địa chỉ.")
    assert page.evaluate("navigator.clipboard.readText()") == address

    qr = share.get_by_role("img", name=f"Mã QR của địa chỉ {address}")
    expect(qr).to_be_visible()
    page.wait_for_function("document.getElementById('share-qr').complete")
    assert decode(qr.screenshot()) == [address]
