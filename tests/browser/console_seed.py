"""Data for the keyboard console test: a live dialogue with 200 questions,
made the way the app makes them: the dialogue and accounts through
``Services`` and ``Accounts``, the questions through the real server's public
API (and the staff API for those from other channels), waited for until
intake has screened every one of them into moderation.

Each question combines a subject, a way of asking and a place. One pair is
made to be duplicates (``TARGET`` and ``SOURCE``, the same question typed with
and without diacritics) and the tests rely on that pair only: duplicate
detection also pairs a few others (29 suggestions), built from the same
templates, which share two of the three parts."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx

from tests.helpers import ServerProcess
from tests.support.dialogues import LOCALITIES, TOPICS
from tests.support.questions import question_ids
from tests.support.staff import StaffClient

#: How long intake may take to screen all the questions (a few seconds on a
#: loaded machine; the margin is generous).
MATERIALISE_TIMEOUT = 90.0

SUBJECTS = [
    "phủ sóng 4G",
    "cấp giấy phép xây dựng trực tuyến",
    "học bạ điện tử",
    "khám bệnh bằng căn cước công dân",
    "thanh toán học phí không dùng tiền mặt",
    "chữ ký số cho hộ kinh doanh",
    "camera giám sát giao thông",
    "đăng ký khai sinh qua mạng",
    "đào tạo kỹ năng số cho cán bộ",
    "wifi miễn phí tại điểm du lịch",
    "sàn thương mại điện tử cho nông sản",
    "hồ sơ sức khỏe điện tử",
    "đổi giấy phép lái xe",
    "ứng dụng Hue-S",
    "số hóa tài liệu lưu trữ",
    "trạm sạc xe điện",
    "đèn chiếu sáng thông minh",
    "tra cứu quy hoạch đất đai",
    "nộp thuế điện tử",
    "thư viện số cho trường học",
    "truyền hình hội nghị cấp xã",
    "truy xuất nguồn gốc thủy sản",
    "chợ thanh toán bằng điện thoại",
    "bản đồ ngập lụt trực tuyến",
    "tổng đài hỗ trợ người cao tuổi",
]
FRAMES = [
    "Xin hỏi khi nào thành phố triển khai {s} ở {p}?",
    "Chi phí cho {s} ở {p} là bao nhiêu tiền?",
    "Người dân {p} phải làm gì để dùng {s}?",
    "Đơn vị nào chịu trách nhiệm về {s} tại {p}?",
    "Vì sao việc {s} ở {p} còn chậm như vậy?",
    "Thành phố có kế hoạch mở rộng {s} cho {p} trong năm tới không?",
    "Ở đâu có hướng dẫn người dân {p} về {s}?",
    "Dịch vụ {s} tại {p} có thu phí hay miễn phí?",
]
PLACES = [
    "phường Phú Xuân",
    "phường Kim Long",
    "xã Nam Đông",
    "phường Hương Thủy",
    "xã Phú Vang",
    "xã Lộc An",
    "phường Vỹ Dạ",
    "phường Phong Thái",
    "phường Thuận Hóa",
    "xã Vinh Lộc",
    "xã Quảng Điền",
]

#: A question with a link: screening flags it and holds it, suggesting "spam".
LINKED = "Bán thiết bị chuyển đổi số giá rẻ cho các xã, xem chi tiết tại thietbiso.com nhé"
#: The duplicate pair: the same question, with and without diacritics.
TARGET = "Xin hỏi bao giờ thành phố lắp xong hệ thống cảnh báo lũ tự động ở các vùng trũng thấp?"
SOURCE = "xin hoi bao gio thanh pho lap xong he thong canh bao lu tu dong o cac vung trung thap"
#: Every how many questions one is entered by the hotline (through the staff API).
HOTLINE_EVERY = 50


@dataclass
class Board:
    """The seeded dialogue: its slug and its questions' ids by text."""

    slug: str
    ids: dict[str, str]
    texts: list[str]


def texts(count: int) -> list[str]:
    """``count`` distinct question texts: ``LINKED`` and the duplicate pair last."""
    combos = itertools.product(range(len(SUBJECTS)), range(len(FRAMES)))
    made = [
        FRAMES[f].format(s=SUBJECTS[s], p=PLACES[(s + 3 * f) % len(PLACES)])
        for s, f in itertools.islice(combos, count - 3)
    ]
    return [*made, LINKED, TARGET, SOURCE]


def by_hotline(n: int) -> bool:
    """Whether the ``n``-th question is entered by the hotline."""
    return n % HOTLINE_EVERY == 7


def ask_all(site: ServerProcess, staff: StaffClient, slug: str, count: int) -> Board:
    """Submit ``count`` questions (some by the hotline, see ``by_hotline``);
    wait until intake has put them all in moderation."""
    all_texts = texts(count)
    codes: dict[str, str] = {}
    with httpx.Client(base_url=site.url, timeout=10) as client:
        for n, text in enumerate(all_texts):
            body = {
                "text": text,
                "name": f"Người hỏi {n}",
                "topic": TOPICS[n % 3]["id"] if n % 3 < 2 else None,
                "locality": LOCALITIES[n % 2] if n % 4 else None,
            }
            body = {k: v for k, v in body.items() if v is not None}
            path = f"/api/v1/dialogues/{slug}/questions"
            if by_hotline(n):
                response = staff.post(path, {**body, "channel": "hotline"})
            else:
                response = client.post(path, json=body)
            assert response.status_code == 202, response.text
            codes[response.json()["tracking_code"]] = text
    found = question_ids(site.env["REDIS_URL"], codes, MATERIALISE_TIMEOUT)
    return Board(slug, {codes[code]: qid for code, qid in found.items()}, all_texts)
