"""The dialogues of the tests: the topics, officials and places a live
dialogue of the city of Huế's digital transformation has, for the seeds of
each test folder to build on."""

from __future__ import annotations

TITLE = "Đối thoại trực tuyến về chuyển đổi số"
DESCRIPTION = "Lãnh đạo thành phố trả lời câu hỏi của người dân và doanh nghiệp."
TOPICS = [
    {"id": "chinh-quyen-so", "name": "Chính quyền số"},
    {"id": "kinh-te-so", "name": "Kinh tế số"},
]
#: The official who answers, signed in as ``official``.
OFFICIAL = {
    "id": "o1",
    "name": "Nguyễn Văn An",
    "title": "Giám đốc Sở Khoa học và Công nghệ",
    "username": "official",
}
#: A second official, with no account unless a seed gives one.
DEPUTY = {"id": "o2", "name": "Trần Thị Bình", "title": "Phó Chủ tịch UBND thành phố"}
LOCALITIES = ["Phường Thuận Hóa", "Xã A Lưới 2"]
