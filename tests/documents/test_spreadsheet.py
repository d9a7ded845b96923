"""The XLSX workbook, read back with openpyxl: three sheets with their
headers in the reader's language, a row per question and per answer, the
statistics equal to the figures, Vietnam's times as date-times, the header
row frozen, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from server.documents import spreadsheet
from server.domain import export
from server.domain.wording import english
from server.web.catalogs import catalog

from .conftest import AIRED, FORMULA, Broadcast


def book(broadcast: Broadcast, lang: str = "vi", with_contact: bool = False) -> bytes:
    r = broadcast.record
    return spreadsheet.workbook(
        r.dialogue, r.questions, r.rows, r.figures, with_contact,
        english if lang == "en" else catalog(lang).gettext,
    )  # fmt: skip


def values(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_in_vietnamese(broadcast: Broadcast) -> None:
    opened = load_workbook(io.BytesIO(book(broadcast)))
    assert opened.sheetnames == ["Câu hỏi", "Trả lời", "Thống kê"]
    questions, answers, statistics = (opened[n] for n in opened.sheetnames)
    gettext = catalog("vi").gettext
    rows = values(questions)
    assert rows[0] == [gettext(export.HEADERS[c]) for c in export.COLUMNS]
    assert rows[0][:3] == ["Số", "Trạng thái", "Gửi lúc"]
    assert len(rows) - 1 == len(broadcast.record.questions) == 9
    assert all(sheet.freeze_panes == "A2" for sheet in (questions, answers, statistics))
    assert questions.column_dimensions["I"].width == 60  # the question's text
    by_id = {row[0]: row for row in rows[1:]}
    first = by_id[int(broadcast.ids["a"])]
    assert first[1] == "Đã trả lời" and first[3] == "Trang web"
    # Vietnam's wall clock (UTC+7) as a date-time, not text.
    assert first[2] == datetime(2026, 11, 2, 10, 0)
    assert questions.cell(row=2, column=3).number_format == spreadsheet.TIME_FORMAT

    written = values(answers)
    assert written[0][:3] == ["Số", "Câu hỏi", "Lĩnh vực"]
    assert len(written) - 1 == 6  # three answered, three owed
    owed = [row for row in written[1:] if row[4] == "Sẽ trả lời bằng văn bản"]
    assert len(owed) == 3 and all(row[8] == datetime(2026, 11, 23) for row in owed)
    assert all(row[6] is None for row in owed)  # no answer yet
    said = dict((row[0], row[1]) for row in values(statistics)[1:])
    f = broadcast.record.figures
    assert said["Câu hỏi đã tiếp nhận"] == f.total == 9
    assert said["Trả lời trực tiếp"] == f.answered_live
    assert said["Câu hỏi còn nợ trả lời bằng văn bản"] == f.owed == 3
    assert said["Quá hạn"] == f.overdue


def test_no_cell_is_a_formula(broadcast: Broadcast) -> None:
    opened = load_workbook(io.BytesIO(book(broadcast)))
    cells = [c for sheet in opened.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    (tricky,) = [c for c in cells if c.value == FORMULA]  # kept as written, as text
    assert tricky.data_type == "s" and tricky.quotePrefix


def test_the_workbook_in_english(broadcast: Broadcast) -> None:
    opened = load_workbook(io.BytesIO(book(broadcast, "en")))
    assert opened.sheetnames == ["Questions", "Answers", "Statistics"]
    rows = values(opened["Questions"])
    assert rows[0][:3] == ["No.", "State", "Submitted"]
    assert {row[1] for row in rows[1:]} == {
        "Answered", "To be answered in writing", "Rejected", "Merged", "Pending",
    }  # fmt: skip
    assert min(row[2] for row in rows[1:]) == AIRED.replace(hour=10, tzinfo=None)  # type: ignore[type-var]
