"""The dialogue's record as an XLSX workbook (openpyxl): a sheet of
questions (the CSV's columns), one of answers (given and owed), one of
statistics (the figures). Headers and coded values in the reader's language,
times in Vietnam's time as real date-times, the header row frozen, columns
sized to be read. No cell is a formula: every text is a string cell, and one
a spreadsheet would run when edited carries the quote prefix that keeps it
text (Excel's own "'" marker)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..domain import export
from ..domain.figures import Figures
from ..domain.model import Dialogue, Question, Status
from ..domain.wording import N_, Gettext
from ..domain.wrapup import ICT
from .words import STATUS, XLSX, official_name, said_status

MEDIA_TYPE = XLSX
#: How a Vietnam date-time and a day are shown.
TIME_FORMAT = "yyyy-mm-dd hh:mm"
DAY_FORMAT = "yyyy-mm-dd"
#: Widths (characters) of the columns people read most; others get ``NARROW``.
WIDE = {
    "text": 60,
    "original_text": 40,
    "answer_text": 60,
    "name": 22,
    "organization": 24,
    "locality": 22,
    "topic": 22,
    "official": 28,
    "status": 18,
    "flags": 24,
    "email": 26,
}
NARROW = 14
SHEET_QUESTIONS = N_("Questions")
SHEET_ANSWERS = N_("Answers")
SHEET_FIGURES = N_("Statistics")
ANSWER_HEADERS = (
    N_("No."),
    N_("Question"),
    N_("Topic"),
    N_("Official"),
    N_("State"),
    N_("Kind of answer"),
    N_("The answer"),
    N_("Answered at"),
    N_("Written answer due"),
)
ANSWER_WIDTHS = (8, 60, 22, 28, 18, 18, 60, 18, 18)


def workbook(
    dialogue: Dialogue,
    questions: Sequence[Question],
    rows: Sequence[dict[str, Any]],
    figures: Figures,
    with_contact: bool,
    gettext: Gettext,
) -> bytes:
    """The workbook's bytes: questions (``rows``), answers (from
    ``questions``), statistics (``figures``)."""
    book = Workbook(write_only=True)
    columns = export.COLUMNS + (export.CONTACT_COLUMNS if with_contact else ())
    sheet = _sheet(
        book,
        gettext(SHEET_QUESTIONS),
        [gettext(export.HEADERS[c]) for c in columns],
        [WIDE.get(c, NARROW) for c in columns],
    )
    for r in rows:
        sheet.append([_cell(sheet, export.said(c, r.get(c), gettext), c) for c in columns])
    sheet = _sheet(
        book, gettext(SHEET_ANSWERS), [gettext(h) for h in ANSWER_HEADERS], ANSWER_WIDTHS
    )
    for q in questions:
        if q.status in (Status.ANSWERED, Status.DEFERRED):
            sheet.append([_cell(sheet, v) for v in _answer_row(dialogue, q, gettext)])
    sheet = _sheet(book, gettext(SHEET_FIGURES), [gettext(N_("Figure")), ""], (48, 14))
    for label, value in statistics(figures, gettext):
        sheet.append([_cell(sheet, label), _cell(sheet, value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def statistics(figures: Figures, gettext: Gettext) -> Iterable[tuple[str, int | str]]:
    """The figures as (label, value) lines, a section's title with "" as its value."""
    yield gettext(N_("Questions received")), figures.total
    yield gettext(N_("People who asked")), figures.people
    yield gettext(N_("Published")), figures.published
    yield gettext(N_("Answered live")), figures.answered_live
    yield gettext(N_("Answered in writing")), figures.answered_written
    yield gettext(N_("Written answers owed")), figures.owed
    yield gettext(N_("Overdue")), figures.overdue
    yield gettext(N_("By state")), ""
    for status in STATUS:
        if figures.by_status.get(status):
            yield said_status(status, gettext), figures.by_status[status]
    for title, column, counts in (
        (N_("By channel"), "channel", figures.by_channel),
        (N_("By topic"), "topic", figures.by_topic),
        (N_("By locality"), "locality", figures.by_locality),
    ):
        yield gettext(title), ""
        for key, n in counts:
            name = export.said(column, key, gettext) if column == "channel" else key
            yield name or gettext(N_("Not given")), n
    yield gettext(N_("Written answers owed, by official")), ""
    for o in figures.officials:
        if o.owed:
            yield official_name(o, gettext), o.owed


def _answer_row(dialogue: Dialogue, q: Question, gettext: Gettext) -> list[Any]:
    topic = dialogue.topic(q.topic)
    official = dialogue.official(q.answer.official_id if q.answer else q.official_id)
    answer = q.answer if q.status is Status.ANSWERED else None
    return [
        int(q.id),
        q.text,
        topic.name if topic else q.topic,
        official.name if official else None,
        said_status(q.status.value, gettext),
        export.said("answer_kind", answer.kind, gettext) if answer else None,
        answer.text if answer else None,
        _time(answer.answered_at) if answer else None,
        date.fromisoformat(q.due_at) if q.due_at and not answer else None,
    ]


def _sheet(
    book: Workbook, title: str, headers: Sequence[str], widths: Sequence[int]
) -> WriteOnlyWorksheet:
    sheet: WriteOnlyWorksheet = book.create_sheet(_title(title))
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    row = []
    for header in headers:
        cell = _cell(sheet, header)
        cell.font = bold
        row.append(cell)
    sheet.append(row)
    return sheet


def _title(text: str) -> str:
    """A sheet's name as spreadsheets take it: 31 characters, none of []:*?/\\."""
    return "".join(c for c in text if c not in "[]:*?/\\")[:31]


def _time(value: str) -> datetime:
    """A stored moment (ISO 8601, UTC) as Vietnam's wall clock: spreadsheets
    hold no time zone, and the headers' readers read Vietnam's time."""
    return datetime.fromisoformat(value).astimezone(ICT).replace(tzinfo=None)


def _cell(sheet: WriteOnlyWorksheet, value: Any, column: str = "") -> WriteOnlyCell:
    if column in export.TIMES and isinstance(value, str) and value:
        value = _time(value)
    elif column == "id" and isinstance(value, str) and value.isdigit():
        value = int(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = TIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DAY_FORMAT
    elif isinstance(value, str):
        cell.data_type = "s"  # openpyxl takes a text starting with "=" for a formula
        cell.alignment = Alignment(wrap_text=len(value) > 40, vertical="top")
        if export.is_formula(value):
            cell.quotePrefix = True
    return cell
