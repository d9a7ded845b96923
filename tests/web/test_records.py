"""The citizen's tracking page and the archive on a real server: the state of
a question in plain words through its whole life, codes typed loosely, the
archive's groups, counts and recording moments, and no contact data or
moderator note on any public page after a full broadcast."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
import redis
from playwright.sync_api import Browser, expect
from starlette.testclient import TestClient
from websockets.sync.client import connect as ws_connect

from server.app import create_app
from server.config import Settings
from server.web.pages import youtube_embed
from server.web.record_pages import normalise_code
from server.web.templating import moment
from tests.helpers import ServerProcess
from tests.support.app import on_app_loop, services_of

from .record_seed import LIVE_AT, STREAM_URL, Broadcast

pytestmark = pytest.mark.e2e

ASKED = "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?"
LIVE_ANSWER = "Đến quý II năm 2027, toàn bộ các thôn vùng cao sẽ có sóng 4G ổn định."
WRITTEN_ANSWER = "Sở đã phối hợp với các nhà mạng; lộ trình chi tiết gửi kèm văn bản này."
#: Strings that exist only in private fields: they must never reach a public page.
CANARY_PHONE = "0905 318 274"
CANARY_DIGITS = "905318274"
CANARY_EMAIL = "canary.lan@example.vn"
CANARY_NOTE = "GHI-CHU-NOI-BO-7741: người hỏi là cán bộ phường, đã gọi lại"


@pytest.fixture(scope="module")
def staffed(site: ServerProcess) -> ServerProcess:
    """The module's server. Staff steps go through ``Services`` in the test
    (as the API's handlers call them), so no staff account is needed."""
    return site


@pytest.fixture
def client(staffed: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=staffed.url, timeout=10) as c:
        yield c


def broadcast(site: ServerProcess, redis_server: str, slug: str) -> Broadcast:
    return Broadcast(redis_server, site.url, slug)


def page_of(client: httpx.Client, code: str) -> httpx.Response:
    response = client.get(f"/t/{code}")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    return response


#: A page's data blocks: its script's strings and the view it starts from.
DATA_BLOCK = re.compile(r'<script type="application/json"[^>]*>.*?</script>', re.S)


def shown(client: httpx.Client, code: str) -> str:
    """The tracking page as a reader sees it: without its data blocks (its
    script's strings for every state, the view as JSON)."""
    return DATA_BLOCK.sub("", page_of(client, code).text)


def seconds_on_air(b: Broadcast, code: str) -> int:
    on_air_at = b.question(code).on_air_at
    assert on_air_at
    return int((datetime.fromisoformat(on_air_at) - LIVE_AT).total_seconds())


# -- tracking -----------------------------------------------------------------------


def test_tracking_page_says_each_state_in_plain_words(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """From review to live answer, the page names each state in plain words, then the answer."""
    b = broadcast(staffed, redis_server, "theo-doi")
    code = b.ask(ASKED, topic="chinh-quyen-so")
    html = shown(client, code)
    assert "Câu hỏi của Ông/Bà đang được xem xét" in html
    assert b.dialogue.title in html
    assert f'href="/d/{b.slug}"' in html
    assert ASKED in html
    assert "Chính quyền số" in html
    assert code in html

    steps = [
        ("approve", "moderator", {}, "Câu hỏi của Ông/Bà đã được đăng"),
        ("assign", "moderator", {"official_id": "o1"}, "Câu hỏi của Ông/Bà đã được đăng"),
        ("queue", "producer", {}, "Câu hỏi của Ông/Bà đang chờ lên sóng"),
        ("on_air", "producer", {}, "Câu hỏi của Ông/Bà đang được trả lời trực tiếp"),
        ("answer", "producer", {}, "Câu hỏi của Ông/Bà đã được trả lời"),
        ("summarize", "official", {"text": LIVE_ANSWER}, "Câu hỏi của Ông/Bà đã được trả lời"),
    ]
    for action, by, body, words in steps:
        b.act(code, action, by, **body)
        assert f'class="tracking-state">{words}</h1>' in shown(client, code), action

    html = shown(client, code)
    assert LIVE_ANSWER in html
    assert "Trả lời trực tiếp" in html
    assert "Nguyễn Văn An, Giám đốc Sở Khoa học và Công nghệ" in html
    answered_at = b.question(code).answer
    assert answered_at is not None
    assert f'datetime="{answered_at.answered_at}"' in html
    moment = f"{STREAM_URL}&amp;t={seconds_on_air(b, code)}s"
    assert f'href="{moment}"' in html
    assert "Xem lại phần trả lời này trong video" in html

    english = client.get(f"/t/{code}", params={"lang": "en"}).text
    assert "Your question has been answered" in english
    assert "Watch this answer in the recording" in english


def test_tracking_page_for_a_written_answer(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """A deferred question promises a written answer, then shows it (with no recording link)."""
    b = broadcast(staffed, redis_server, "van-ban")
    code = b.ask(ASKED)
    b.publish(code, "o2", queue=True)
    b.act(code, "defer", "producer")
    html = shown(client, code)
    assert 'class="tracking-state">Câu hỏi của Ông/Bà sẽ được trả lời bằng văn bản</h1>' in html
    b.phase("closed")
    b.act(code, "answer", "official2", text=WRITTEN_ANSWER)
    html = shown(client, code)
    assert 'class="tracking-state">Câu hỏi của Ông/Bà đã được trả lời</h1>' in html
    assert WRITTEN_ANSWER in html
    assert "Trả lời bằng văn bản" in html
    assert "Trần Thị Bình, Phó Chủ tịch UBND thành phố" in html
    assert "Xem lại phần trả lời này trong video" not in html


REASONS = {
    "off_topic": "Câu hỏi không thuộc các lĩnh vực của cuộc đối thoại này.",
    "duplicate": "Câu hỏi trùng với một câu hỏi đã có.",
    "abusive": "Câu hỏi có từ ngữ chưa phù hợp với một cuộc đối thoại công khai.",
    "spam": "Nội dung có dấu hiệu quảng cáo hoặc tin nhắn gửi hàng loạt,",
    "personal_case": "Câu hỏi liên quan đến vụ việc cá nhân.",
    "no_content": "Câu hỏi chưa có nội dung, chỉ có lời chào, dấu câu hoặc biểu tượng.",
    "other": "Ban tổ chức không thể tiếp nhận câu hỏi vì lý do khác.",
}


def test_rejected_question_gives_its_reason_in_plain_words(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """Each reject reason reads as a sentence to the asker, under "not accepted"."""
    b = broadcast(staffed, redis_server, "tu-choi")
    for n, (reason, sentence) in enumerate(REASONS.items()):
        code = b.ask(f"{ASKED} (lần {n})")
        b.act(code, "reject", reason=reason)
        html = shown(client, code)
        assert 'class="tracking-state">Câu hỏi của Ông/Bà không được tiếp nhận</h1>' in html
        assert sentence in html, reason


def test_a_question_not_yet_screened_reads_received(redis_server: str, tmp_path: Path) -> None:
    """A question intake has not screened yet (no intake worker here) reads "received"."""
    url = redis_server.rsplit("/", 1)[0] + "/1"  # a database the module's server does not use
    with redis.Redis.from_url(url) as r:
        r.flushdb()
    settings = Settings.from_env({}, redis_url=url, data_dir=tmp_path, submit_limit=(0, 1.0))
    app = create_app(settings, run_workers=False)
    with TestClient(app) as client:
        make = functools.partial(
            services_of(client).dialogues.create,
            slug="chua-sang-loc",
            title="Đối thoại thử",
            status="live",
        )
        on_app_loop(client, make)
        sent = client.post(
            "/api/v1/dialogues/chua-sang-loc/questions", json={"text": ASKED, "name": "Hồ Thị Lan"}
        )
        assert sent.status_code == 202
        html = client.get(f"/t/{sent.json()['tracking_code']}").text
    assert 'class="tracking-state">Câu hỏi của Ông/Bà đã được tiếp nhận</h1>' in html
    assert "Câu hỏi đang chờ ban tổ chức xem xét." in html
    with redis.Redis.from_url(url) as r:
        r.flushdb()


def test_merged_question_shows_the_one_it_joined_and_its_answer(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """A merged question shows the one it joined with its answer, or says it is not out yet."""
    b = broadcast(staffed, redis_server, "gop")
    target = b.answered(ASKED, LIVE_ANSWER)
    mine = b.ask("Bao giờ thì vùng cao A Lưới có sóng 4G vậy ạ?")
    b.act(mine, "merge", into=b.question(target).id)
    html = shown(client, mine)
    merged = "Câu hỏi của Ông/Bà đã được gộp với một câu hỏi tương tự"
    assert f'class="tracking-state">{merged}</h1>' in html
    assert "Bao giờ thì vùng cao A Lưới có sóng 4G vậy ạ?" in html
    joined = html.split('id="merged-heading"', 1)[1].split('id="yours-heading"', 1)[0]
    assert ASKED in joined
    assert LIVE_ANSWER in joined
    assert f"t={seconds_on_air(b, target)}s" in joined

    unpublished = b.ask("Câu hỏi chờ duyệt về sóng 4G ở vùng cao xã A Lưới 2")
    other = b.ask("Sóng 4G ở A Lưới khi nào mới có ạ, thưa lãnh đạo?")
    b.act(other, "merge", into=b.question(unpublished).id)
    html = shown(client, other)
    assert "Câu hỏi đó chưa được đăng" in html
    assert "Câu hỏi chờ duyệt về sóng 4G" not in html


#: How a browser posts the tracking page's forms: the page is sent with
#: Referrer-Policy: no-referrer, so Origin is null and Sec-Fetch-Site decides.
FROM_THE_PAGE = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}


def look_up(client: httpx.Client, typed: str, **headers: str) -> httpx.Response:
    return client.post("/t", data={"code": typed}, headers=headers or FROM_THE_PAGE)


def test_unknown_code_is_a_404_page_with_the_lookup_form(client: httpx.Client) -> None:
    """An unknown or malformed code is a 404 page that offers the lookup form again."""
    pages = [
        client.get("/t/ABCD-EFGHJ-KMNPQ"),
        client.get("/t/khong-phai-ma"),
        look_up(client, "abcd-efghj-kmnpq"),
    ]
    for response in pages:
        response = client.get(response.headers["location"]) if response.is_redirect else response
        assert response.status_code == 404, response.url
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "Không có câu hỏi nào có mã tra cứu" in response.text
        assert '<form class="form lookup-form" method="post" action="/t">' in response.text
    unreadable = look_up(client, "khong-phai-ma")
    assert unreadable.status_code == 404
    assert "khong-phai-ma" in unreadable.text
    empty = look_up(client, " ")
    assert empty.status_code == 400
    assert "Vui lòng nhập mã tra cứu." in empty.text
    blank = client.get("/t")
    assert blank.status_code == 200
    assert '<label for="code">Mã tra cứu</label>' in blank.text


def test_the_lookup_posts_and_never_takes_a_code_from_the_query(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """A code looked up travels in a POST body, never in a URL's query: GET
    /t?code= is only the empty form, and a post from another site is refused."""
    code = broadcast(staffed, redis_server, "tra-cuu-post").ask(ASKED)
    old_link = client.get("/t", params={"code": code})
    assert old_link.status_code == 200 and 'id="lookup-error"' not in old_link.text
    assert f'value="{code}"' not in old_link.text
    found = look_up(client, code)
    assert found.status_code == 303 and found.headers["location"] == f"/t/{code}"
    assert found.headers["cache-control"] == "no-store"
    assert look_up(client, code, Origin=staffed.url).status_code == 303
    assert look_up(client, code, Origin="http://evil.example").status_code == 403
    framed = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    assert look_up(client, code, **framed).status_code == 403
    not_a_form = client.post("/t", json={"code": code}, headers=FROM_THE_PAGE)
    assert not_a_form.status_code == 400


def test_codes_typed_loosely_find_the_question(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """Lower case, spaces, other dashes or O for 0 redirect once to the code's own page."""
    b = broadcast(staffed, redis_server, "ma-long")
    code = b.ask(ASKED)
    loose = [
        code.lower(),
        code.replace("-", " "),
        f"  {code.replace('-', '').lower()} ",
        code.replace("-", "\u2013"),  # an en dash, as phones type it
    ]
    for typed in loose:
        for response in (client.get(f"/t/{typed}"), look_up(client, typed)):
            assert response.status_code == 303, typed
            assert response.headers["location"] == f"/t/{code}"
            assert response.headers["referrer-policy"] == "no-referrer"
    assert (
        "Câu hỏi của Ông/Bà đang được xem xét"
        in client.get(f"/t/{code.lower()}", follow_redirects=True).text
    )
    assert normalise_code("7yfw-0o1il-q9tk2") == "7YFW-00111-Q9TK2"
    assert normalise_code("7YFW-0U1IL-Q9TK2") is None  # U is never in a code
    assert normalise_code("7YFW-X32XD-Q9TK") is None


def test_the_lookup_form_works_in_a_browser(
    staffed: ServerProcess, redis_server: str, chromium: Browser
) -> None:
    """In Chromium (which posts the no-referrer page's form with Origin: null),
    typing a code on /t opens its page, and the code is in no query string."""
    code = broadcast(staffed, redis_server, "tra-cuu-trinh-duyet").ask(ASKED)
    context = chromium.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{staffed.url}/t")
        page.get_by_label("Mã tra cứu").fill(code.lower())
        page.get_by_role("button", name="Tra cứu").click()
        expect(page).to_have_url(f"{staffed.url}/t/{code}")
        expect(page.locator(".tracking-code")).to_have_text(code)
    finally:
        context.close()


# -- archive ------------------------------------------------------------------------


def group(html: str, anchor: str) -> str:
    found = re.search(rf'<section class="archive-group" id="{anchor}".*?</section>', html, re.S)
    assert found, anchor
    return found.group(0)


def test_archive_groups_and_counts(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """The archive counts and groups answers by topic and official; live ones link their moment."""
    b = broadcast(staffed, redis_server, "luu-tru")
    texts = {
        "cqs": "Khi nào thành phố đơn giản hóa thủ tục hành chính trực tuyến cho người dân?",
        "kts": "Doanh nghiệp nhỏ được hỗ trợ gì khi chuyển đổi số trong năm tới?",
        "none": "Người cao tuổi có được đào tạo kỹ năng số miễn phí không ạ?",
        "owed": "Khi nào cổng dịch vụ công tích hợp thanh toán phí trước bạ?",
        "rejected": "Mua bán đất nền giá rẻ, liên hệ ngay để có giá tốt nhất.",
        "pending": "Thành phố có kế hoạch phủ wifi miễn phí tại các điểm du lịch không?",
    }
    codes = {key: b.ask(text) for key, text in texts.items()}
    b.act(codes["cqs"], "set_topic", topic="chinh-quyen-so")
    b.act(codes["kts"], "set_topic", topic="kinh-te-so")
    for key, official in (("cqs", "o1"), ("kts", "o2"), ("none", "o1"), ("owed", "o2")):
        b.publish(codes[key], official, queue=True)
    b.answer_live(codes["cqs"], "Trả lời trực tiếp về thủ tục hành chính.")
    b.answer_live(codes["kts"], "Trả lời trực tiếp về hỗ trợ doanh nghiệp.", by="official2")
    b.act(codes["none"], "defer", "producer")
    b.act(codes["owed"], "defer", "producer")
    b.act(codes["rejected"], "reject", reason="spam")
    b.phase("closed")
    b.act(codes["none"], "answer", "official", text="Trả lời bằng văn bản về kỹ năng số.")
    ids = {key: b.question(code).id for key, code in codes.items()}

    response = client.get(f"/d/{b.slug}/archive")
    assert response.status_code == 200
    html = response.text
    counts = {
        "received": 6,
        "live": 2,
        "written": 1,
        "owed": 1,
    }
    for name, value in counts.items():
        assert f'<dd id="count-{name}">{value}</dd>' in html, name
    cqs, kts, other = (
        group(html, "topic-chinh-quyen-so"),
        group(html, "topic-kinh-te-so"),
        group(html, "topic-other"),
    )
    assert html.index('id="topic-chinh-quyen-so"') < html.index('id="topic-kinh-te-so"')
    assert f'id="q-{ids["cqs"]}"' in cqs and texts["cqs"] in cqs
    assert f'id="q-{ids["kts"]}"' in kts and texts["kts"] in kts
    assert f'id="q-{ids["none"]}"' in other and "Trả lời bằng văn bản về kỹ năng số." in other
    for key in ("rejected", "pending"):
        assert texts[key] not in html, key
    owed = owed_section(html)
    assert texts["owed"] in owed and texts["owed"] not in html.replace(owed, "")
    assert f'href="{STREAM_URL}&amp;t={seconds_on_air(b, codes["cqs"])}s"' in cqs
    assert f'href="{STREAM_URL}&amp;t={seconds_on_air(b, codes["kts"])}s"' in kts
    assert "recording-link" not in other
    assert 'href="#topic-chinh-quyen-so"' in html

    by_official = client.get(f"/d/{b.slug}/archive", params={"by": "official"}).text
    o1, o2 = group(by_official, "official-o1"), group(by_official, "official-o2")
    assert texts["cqs"] in o1 and texts["none"] in o1 and texts["kts"] not in o1
    assert texts["kts"] in o2 and "Phó Chủ tịch UBND thành phố" in o2
    assert '<a href="/d/luu-tru/archive?by=official" aria-current="page">' in by_official

    assert client.get("/d/khong-co/archive").status_code == 404
    assert client.get("/d/nhap/archive").status_code == 404


def owed_section(html: str) -> str:
    found = re.search(
        r'<section class="archive-group archive-owed" id="owed".*?</section>', html, re.S
    )
    assert found, "no section of written answers owed"
    return found.group(0)


@pytest.mark.parametrize(
    ("seconds", "said"), [(0, "0:00"), (5, "0:05"), (754, "12:34"), (3725, "1:02:05")]
)
def test_a_moment_of_the_recording_reads_as_the_public_page_writes_it(
    seconds: int, said: str
) -> None:
    """m:ss, then h:mm:ss past the hour (lib/time.js's clockOffset)."""
    assert moment(seconds) == said


def moment_of(b: Broadcast, code: str) -> str:
    """The recording's moment of the question's answer, as m:ss (under an hour)."""
    seconds = seconds_on_air(b, code)
    assert seconds < 3600
    return f"{seconds // 60}:{seconds % 60:02d}"


def test_an_answer_given_live_points_to_its_moment_until_its_summary(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """Answered live and not yet summarised: the tracking page and the archive
    say "answered live — watch at m:ss", linked to that moment of the
    recording (plain text without a video), in Vietnamese and English; once
    the summary is written they show it instead."""
    b = broadcast(staffed, redis_server, "xem-tai")
    code = b.ask(ASKED, topic="chinh-quyen-so")
    b.publish(code, "o1", queue=True)
    b.act(code, "on_air", "producer")
    b.act(code, "answer", "producer")
    moment, qid = moment_of(b, code), b.question(code).id
    link = f'href="{STREAM_URL}&amp;t={seconds_on_air(b, code)}s"'
    pages = {
        "tracking": lambda lang: DATA_BLOCK.sub(
            "", client.get(f"/t/{code}", params={"lang": lang}).text
        ),
        "archive": lambda lang: client.get(f"/d/{b.slug}/archive", params={"lang": lang}).text,
    }
    for where, page in pages.items():
        for lang, words in (
            ("vi", f"Đã trả lời trực tiếp — xem tại {moment}"),
            ("en", f"Answered live — watch at {moment}"),
        ):
            html = page(lang)
            pending = re.search(r'<p class="answer-pending">(.*?)</p>', html, re.S)
            assert pending, (where, lang)
            assert f"{link} rel=" in pending.group(1) and f">{words}</a>" in pending.group(1)
            assert "answer-text" not in html, (where, lang)
    assert f'id="q-{qid}"' in group(pages["archive"]("vi"), "topic-chinh-quyen-so")

    b.act(code, "summarize", "official", text=LIVE_ANSWER)
    for where, page in pages.items():
        html = page("vi")
        assert "answer-pending" not in html and "xem tại" not in html, where
        assert f'<p class="answer-text">{LIVE_ANSWER}</p>' in html, where
        assert link in html, where

    unrecorded = Broadcast(redis_server, staffed.url, "khong-video", stream_url=None)
    plain = unrecorded.ask(ASKED)
    unrecorded.publish(plain, "o1", queue=True)
    unrecorded.act(plain, "on_air", "producer")
    unrecorded.act(plain, "answer", "producer")
    html = shown(client, plain)
    words = f"Đã trả lời trực tiếp — xem tại {moment_of(unrecorded, plain)}"
    said = f'<p class="answer-pending">{words}</p>'
    assert said in html and "recording-link" not in html


def test_a_written_answer_owed_says_its_due_day(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """A question owed in writing: its tracking page says the day the answer
    is due (or that none is set yet), in Vietnamese and English; the archive
    lists the answers still owed, the soonest due first, undated ones last."""
    b = broadcast(staffed, redis_server, "han-tra-loi")
    texts = {
        "later": "Khi nào cổng dịch vụ công tích hợp thanh toán phí trước bạ?",
        "undated": "Người cao tuổi có được đào tạo kỹ năng số miễn phí không ạ?",
        "sooner": "Doanh nghiệp nhỏ được hỗ trợ gì khi chuyển đổi số trong năm tới?",
    }
    codes = {key: b.ask(text) for key, text in texts.items()}
    for code in codes.values():
        b.publish(code, "o2", queue=True)
        b.act(code, "defer", "producer")
    b.owe(codes["later"], "o2", date(2026, 12, 21))
    b.owe(codes["sooner"], "o2", date(2026, 12, 4))

    for lang, words in (("vi", "Trả lời bằng văn bản, hạn 21/12/2026"),
                        ("en", "Answer in writing due 21 Dec 2026")):  # fmt: skip
        html = client.get(f"/t/{codes['later']}", params={"lang": lang}).text
        assert f'<p class="pq-due">{words}</p>' in html, lang
    undated = client.get(f"/t/{codes['undated']}", params={"lang": "vi"}).text
    assert '<p class="pq-due">Trả lời bằng văn bản, chưa có hạn trả lời</p>' in undated
    english = client.get(f"/t/{codes['undated']}", params={"lang": "en"}).text
    assert '<p class="pq-due">Answer in writing; its due date is not set yet</p>' in english

    html = client.get(f"/d/{b.slug}/archive", params={"lang": "vi"}).text
    owed = owed_section(html)
    assert [m.group(1) for m in re.finditer(r'<p class="aq-text">(.*?)</p>', owed)] == [
        texts["sooner"],
        texts["later"],
        texts["undated"],
    ]
    assert re.findall(r'<p class="pq-due">(.*?)</p>', owed) == [
        "Trả lời bằng văn bản, hạn 04/12/2026",
        "Trả lời bằng văn bản, hạn 21/12/2026",
        "Trả lời bằng văn bản, chưa có hạn trả lời",
    ]
    assert "Trần Thị Bình, Phó Chủ tịch UBND thành phố" in owed
    assert '<dd id="count-owed">3</dd>' in html
    english = client.get(f"/d/{b.slug}/archive", params={"lang": "en"}).text
    assert "Answer in writing due 4 Dec 2026" in owed_section(english)

    b.act(codes["sooner"], "answer", "official2", text=WRITTEN_ANSWER)
    after = owed_section(client.get(f"/d/{b.slug}/archive", params={"lang": "vi"}).text)
    assert texts["sooner"] not in after and texts["later"] in after
    html = shown(client, codes["sooner"])
    assert "pq-due" not in html and WRITTEN_ANSWER in html


# -- nothing private on a public page ------------------------------------------------


def feed_snapshot(site: ServerProcess, slug: str) -> str:
    url = site.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{slug}/feed"
    with ws_connect(url, open_timeout=10) as socket:
        message = socket.recv(timeout=10)
    assert isinstance(message, str)
    assert json.loads(message)["type"] == "snapshot"
    return message


def test_contact_and_notes_never_reach_public_pages(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """After a full broadcast no contact data or staff note is on any public page, feed or API."""
    b = broadcast(staffed, redis_server, "rieng-tu")
    contact = {"phone": CANARY_PHONE, "email": CANARY_EMAIL}
    live = b.ask(ASKED, contact=contact, consent=True, locality="Xã A Lưới 2")
    written = b.ask(
        "Khi nào cổng dịch vụ công tích hợp thanh toán phí trước bạ?", contact=contact, consent=True
    )
    merged = b.ask("Bao giờ vùng cao A Lưới có sóng 4G ạ?", contact=contact, consent=True)
    for code in (live, written):
        b.publish(code, "o1", queue=True)
        b.act(code, "note", "moderator", text=CANARY_NOTE)
        b.act(code, "note", "official", text=CANARY_NOTE)
    b.act(merged, "note", "moderator", text=CANARY_NOTE)
    b.act(merged, "merge", into=b.question(live).id)
    b.answer_live(live, LIVE_ANSWER)
    b.act(written, "defer", "official")
    b.phase("closed")
    b.act(written, "answer", "aide", text=WRITTEN_ANSWER)
    assert b.question(live).notes and b.question(written).notes

    bodies = {
        "tracking pages": "".join(page_of(client, c).text for c in (live, written, merged)),
        "tracking API": "".join(
            client.get(f"/api/v1/tracking/{c}").text for c in (live, written, merged)
        ),
        "archive": client.get(f"/d/{b.slug}/archive").text,
        "archive by official": client.get(f"/d/{b.slug}/archive?by=official").text,
        "archive API": client.get(f"/api/v1/dialogues/{b.slug}/archive").text,
        "public page": client.get(f"/d/{b.slug}").text,
        "feed API": client.get(f"/api/v1/dialogues/{b.slug}/feed").text,
        "feed socket": feed_snapshot(staffed, b.slug),
    }
    assert LIVE_ANSWER in bodies["archive"] and WRITTEN_ANSWER in bodies["public page"]
    for where, body in bodies.items():
        for canary in (CANARY_DIGITS, CANARY_EMAIL, "GHI-CHU-NOI-BO-7741"):
            assert canary not in body, f"{canary!r} leaked into the {where}"


# -- the public page's video and record links ----------------------------------------


def test_public_page_embeds_a_youtube_broadcast_and_links_the_records(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """A YouTube stream is embedded (frame-src on that page only), others linked; answers link."""
    b = broadcast(staffed, redis_server, "video")
    code = b.answered(ASKED, LIVE_ANSWER)
    response = client.get(f"/d/{b.slug}")
    html = response.text
    embed = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert f'<iframe id="broadcast-video" src="{embed}"' in html
    assert response.headers["content-security-policy"].endswith(
        "; frame-src https://www.youtube-nocookie.com"
    )
    assert f'href="/d/{b.slug}/archive"' in html
    assert f'href="{STREAM_URL}&amp;t={seconds_on_air(b, code)}s"' in html
    assert "frame-src" not in client.get(f"/d/{b.slug}/archive").headers["content-security-policy"]

    other = Broadcast(
        redis_server,
        staffed.url,
        "video-khac",
        stream_url="https://truyenhinh.example.vn/truc-tiep",
    )
    response = client.get(f"/d/{other.slug}")
    assert "<iframe" not in response.text
    assert "frame-src" not in response.headers["content-security-policy"]
    assert 'href="https://truyenhinh.example.vn/truc-tiep"' in response.text
    assert "Xem truyền hình trực tiếp" in response.text


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/live/dQw4w9WgXcQ?feature=share", "dQw4w9WgXcQ"),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "dQw4w9WgXcQ"),
        ("https://youtube.com/watch?v=short", None),
        ("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", None),
        ("https://www.youtube.com/@kenh-tinh", None),
        ("https://truyenhinh.example.vn/truc-tiep", None),
    ],
)
def test_youtube_links_become_privacy_enhanced_embeds(url: str, embed: str | None) -> None:
    """Watch, youtu.be and live links embed from youtube-nocookie; anything else does not."""
    expected = f"https://www.youtube-nocookie.com/embed/{embed}" if embed else None
    assert youtube_embed(url) == expected


def test_the_asker_deletes_their_contact_data_from_the_tracking_page(
    staffed: ServerProcess, redis_server: str, client: httpx.Client
) -> None:
    """The tracking page's button deletes the asker's phone and email (same-origin
    form posts only); the question itself stays."""
    b = broadcast(staffed, redis_server, "xoa-lien-he")
    code = b.ask(ASKED, contact={"phone": CANARY_PHONE}, consent=True)
    foreign = client.post(f"/t/{code}/contact", headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    # The page is sent with no-referrer, so browsers post its form with Origin: null;
    # then Sec-Fetch-Site (which pages cannot set) decides.
    framed = {"Origin": "null", "Sec-Fetch-Site": "cross-site"}
    assert client.post(f"/t/{code}/contact", headers=framed).status_code == 403
    browser = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    done = client.post(f"/t/{code}/contact", headers=browser)
    assert done.status_code == 303 and done.headers["location"] == f"/t/{code}?contact=deleted"
    deleted = client.get(done.headers["location"]).text
    assert "Số điện thoại và email của Ông/Bà đã được xóa." in deleted
    again = client.post(f"/t/{code}/contact", headers={"Origin": staffed.url})
    assert again.headers["location"] == f"/t/{code}?contact=none"
    assert b.question(code).text == ASKED
    unknown = client.post("/t/ZZZZ-ZZZZZ-ZZZZZ/contact", headers={"Origin": staffed.url})
    assert unknown.status_code == 404


def test_the_delete_button_works_in_a_browser(
    staffed: ServerProcess, redis_server: str, chromium: Browser
) -> None:
    """In Chromium (which posts the no-referrer page's form with Origin: null),
    the button deletes the contact data and says so."""
    b = broadcast(staffed, redis_server, "xoa-trong-trinh-duyet")
    code = b.ask(ASKED, contact={"email": CANARY_EMAIL}, consent=True)
    context = chromium.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{staffed.url}/t/{code}")
        delete = "Xóa số điện thoại và email của tôi"
        page.get_by_role("button", name=delete).click()
        page.locator("#confirm").get_by_role("button", name=delete).click()
        expect(page.locator("#contact-notice")).to_have_text(
            "Số điện thoại và email của Ông/Bà đã được xóa."
        )
    finally:
        context.close()
