"""The record as CSV (server/domain/export.py): cells a spreadsheet would run
as a formula are defused, in every spelling, and nothing else is touched; the
file speaks the reader's language and Vietnam's time."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

import pytest

from server.domain.export import (
    COLUMNS,
    CONTACT_COLUMNS,
    HEADERS,
    TIMES,
    VALUES,
    is_formula,
    to_csv,
)
from server.domain.model import CHANNELS, REJECT_REASONS, Status
from server.domain.screening import FLAGS
from server.domain.wording import Gettext, english
from server.web.catalogs import catalog

#: Each spelled in escapes: the point is which character it is.
FORMULAS = [
    '=HYPERLINK("http://evil.example")',
    "+84912345678",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "\tanything",  # a leading tab or CR is defused whatever follows
    '\uff1dHYPERLINK("http://evil.example")',  # fullwidth =
    "\uff0b1",  # fullwidth +
    "\uff0d1",  # fullwidth -
    "\uff20SUM(A1)",  # fullwidth @
    "\ufe661+1",  # small =
    "\ufe621",  # small +
    "\ufe631",  # small -
    "\ufe6bSUM(A1)",  # small @
    "\u207c1",  # superscript =, NFKC "="
    " =1+1",  # after a space
    "   \uff1d1",
    "\u00a0=1",  # no-break space
    "\u3000\uff1d1",  # ideographic space, then fullwidth =
    "\n=1",
    "\u200b=1",  # zero-width space
    "\ufeff=1",  # byte-order mark
    "\u200f=1",  # right-to-left mark
]
HARMLESS = [
    "Xin hỏi lộ trình số hóa hồ sơ đất đai?",
    "a=b",
    "1+1",
    "Lê Văn Tâm",
    "",
    "   ",
    "nguoi.hoi@example.vn",
    "\u2212 1",  # the minus sign is not the hyphen-minus, in NFKC too
    "42",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_in_any_spelling_is_defused(text: str) -> None:
    assert is_formula(text)
    assert _cells({"text": text})["text"] == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_cells_are_written_as_they_are(text: str) -> None:
    assert not is_formula(text)
    assert _cells({"text": text})["text"] == text


def test_every_column_is_defused_and_none_is_empty() -> None:
    """Not only the question's text: a name, an organization or an answer is
    a cell too; a missing value is an empty cell."""
    plain = [c for c in COLUMNS if c not in (*TIMES, "votes", "merged_into")]
    row = {column: "\uff1d1+1" for column in plain} | {"votes": 3, "merged_into": None}
    cells = _cells(row)
    assert cells["votes"] == "3" and cells["merged_into"] == ""
    assert all(cells[c] == "'\uff1d1+1" for c in plain)
    assert all(cells[c] == "" for c in TIMES if c in COLUMNS)


ROW = {
    "id": "12",
    "status": "deferred",
    "submitted_at": "2026-12-01T07:05:09.250+00:00",
    "channel": "hotline",
    "reason": None,
    "answer_kind": "written",
    "answered_at": "2026-12-03T01:00:00.000+00:00",
    "flags": "phone shouting",
    "text": "Xin hỏi về sóng 4G ở xã A Lưới 2?",
}


def test_the_csv_speaks_vietnamese_by_default_and_english_when_asked() -> None:
    """Headers, states, channels, answer kinds and flags in the reader's
    language; the text as written; times in Vietnam's time with the offset."""
    vi = _table(ROW, catalog("vi").gettext)
    assert vi["Số"] == "12" and vi["Trạng thái"] == "Sẽ trả lời bằng văn bản"
    assert vi["Kênh gửi"] == "Đường dây nóng" and vi["Hình thức trả lời"] == "Trả lời bằng văn bản"
    assert vi["Cảnh báo sàng lọc"] == "Có số điện thoại, Viết toàn chữ in hoa"
    assert vi["Câu hỏi"] == ROW["text"]
    assert vi["Gửi lúc"] == "2026-12-01T14:05:09+07:00"
    assert vi["Thời điểm trả lời"] == "2026-12-03T08:00:00+07:00"
    en = _table(ROW, catalog("en").gettext)
    assert en["State"] == "To be answered in writing" and en["Channel"] == "Hotline"
    assert en["Screening flags"] == "Contains a phone number, Written in capitals"
    assert en["Submitted"] == "2026-12-01T14:05:09+07:00"
    rejected = _table({"status": "rejected", "reason": "no_content"}, catalog("en").gettext)
    assert (rejected["State"], rejected["Reason for rejecting"]) == (
        "Rejected",
        "No question in it yet",
    )


def test_every_header_and_coded_value_has_its_words() -> None:
    """Each column has its header, and each code of the model its label."""
    assert set(HEADERS) == set(COLUMNS) | set(CONTACT_COLUMNS)
    for lang in ("vi", "en"):
        said = [catalog(lang).gettext(h) for h in HEADERS.values()]
        assert len(set(said)) == len(said), lang
    assert set(VALUES["status"]) == {s.value for s in Status}
    assert set(VALUES["reason"]) == set(REJECT_REASONS)
    assert set(VALUES["channel"]) == set(CHANNELS)
    assert set(VALUES["flags"]) == set(FLAGS)


def _table(row: Mapping[str, object], gettext: Gettext) -> dict[str, str]:
    """The one data row of ``to_csv([row])`` in ``gettext``'s language, by header."""
    text = to_csv([row], with_contact=False, gettext=gettext)
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 1
    return dict(zip(header, rows[0], strict=True))


def _cells(row: Mapping[str, object]) -> dict[str, str]:
    """The one data row of ``to_csv([row])``, read back by column (English
    headers are the columns' msgids)."""
    table = _table(row, english)
    return {column: table[HEADERS[column]] for column in COLUMNS}
