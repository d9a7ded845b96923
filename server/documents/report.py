"""The report to the leadership (DOCX, python-docx), in the form a
Vietnamese office files (Nghị định 30/2020/NĐ-CP, Phụ lục I): on A4 with its
margins, in Times New Roman, the issuing body and the national motto side
by side, the number (left for the records clerk to fill in: a document is
numbered when it is registered) and the place and date, the title and its
summary, the body, then the recipients beside the signature block.

The body says what the dialogue was, how many questions came from where
and on what, how many were answered live and in writing, what each official
still owes and by when, and the questions and answers by topic; its tables
are the same ``Figures`` the exports and the public report read. An English
variant follows the reader's gettext."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from ..domain import export
from ..domain.figures import Figures
from ..domain.model import Dialogue, Question, Status
from ..domain.wording import N_, Gettext
from ..domain.wrapup import ICT
from .words import DOCX, official_name, said_status

MEDIA_TYPE = DOCX
FONT = "Times New Roman"
#: The body's size (13 to 14 pt), the header blocks' (12 to 13 pt).
BODY, HEADER = Pt(14), Pt(13)
MOTTO = N_("SOCIALIST REPUBLIC OF VIETNAM")
MOTTO_LINE = N_("Independence - Freedom - Happiness")
COMMITTEE = N_("ORGANISING COMMITTEE OF THE DIALOGUE")
#: The number line: the number is given when the document is registered.
NUMBER = N_("No.:       /BC-BTC")
TITLE = N_("REPORT")
SUMMARY = N_("On the results of the online dialogue “{title}”")
RECIPIENTS = (
    N_("The leadership (to report)"),
    N_("The answering bodies"),
    N_("Archived: Records, Organising Committee"),
)


@dataclass(frozen=True)
class Issuer:
    """Who files the report: the organiser (the governing body, e.g. the
    city's People's Committee; may be empty) and the place on the date line."""

    organiser: str
    place: str


def document(
    dialogue: Dialogue,
    questions: Sequence[Question],
    figures: Figures,
    issuer: Issuer,
    at: datetime,
    gettext: Gettext,
) -> bytes:
    """The report's bytes, as of ``at``, in ``gettext``'s language."""
    doc = Document()
    _page(doc)
    _heading(doc, issuer, at.astimezone(ICT).date(), gettext)
    _para(doc, gettext(TITLE), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=12)
    _para(
        doc,
        gettext(SUMMARY).format(title=dialogue.title),
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=12,
    )
    _general(doc, dialogue, figures, gettext)
    _received(doc, figures, gettext)
    _answered(doc, figures, gettext)
    _by_topic(doc, dialogue, questions, gettext)
    _closing(doc, gettext)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def said_date(day: date, gettext: Gettext) -> str:
    """``ngày 03 tháng 12 năm 2026`` (days below 10 with their zero, and
    "tháng 01", "tháng 02", as the decree writes them) or, in English,
    ``03 December 2026``: the month's name is the catalog's."""
    return gettext(N_("{day} {month_name} {year}")).format(
        day=f"{day.day:02d}", month_name=gettext(MONTHS[day.month - 1]), year=day.year
    )


MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def _page(doc: DocumentType) -> None:
    """A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm;
    Times New Roman everywhere (Latin and complex scripts alike)."""
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
    for name in ("Normal", "Table Grid"):
        style = doc.styles[name]
        font = style.font
        font.name, font.size = FONT, BODY
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)


def _heading(doc: DocumentType, issuer: Issuer, day: date, gettext: Gettext) -> None:
    """The issuing body beside the national motto; the number beside the place and date."""
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    first = left.paragraphs[0]
    if issuer.organiser:
        _run(first, issuer.organiser.upper(), size=HEADER)
        first = left.add_paragraph()
    _run(first, gettext(COMMITTEE), bold=True, size=HEADER)
    _run(right.paragraphs[0], gettext(MOTTO), bold=True, size=HEADER)
    _run(right.add_paragraph(), gettext(MOTTO_LINE), bold=True, size=BODY)
    _run(right.add_paragraph(), "—————", size=HEADER)
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number, dated = table.rows[1].cells
    _run(number.paragraphs[0], gettext(NUMBER), size=HEADER)
    number.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    line = gettext(N_("{place}, {date}")) if issuer.place else "{date}"
    when = line.format(place=issuer.place, date=said_date(day, gettext))
    _run(dated.paragraphs[0], when, italic=True, size=BODY)
    dated.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _general(doc: DocumentType, dialogue: Dialogue, figures: Figures, gettext: Gettext) -> None:
    _section(doc, gettext(N_("I. GENERAL INFORMATION")))
    _para(doc, gettext(N_("Dialogue: {title}.")).format(title=dialogue.title))
    held = dialogue.live_at or dialogue.starts_at
    if held:
        day = datetime.fromisoformat(held).astimezone(ICT).date()
        _para(doc, gettext(N_("Held on {date}.")).format(date=said_date(day, gettext)))
    if dialogue.officials:
        _para(doc, gettext(N_("Answering:")))
        for o in dialogue.officials:
            _para(doc, f"- {o.name}" + (f", {o.title}" if o.title else "") + ";", indent=True)


def _received(doc: DocumentType, figures: Figures, gettext: Gettext) -> None:
    _section(doc, gettext(N_("II. QUESTIONS RECEIVED")))
    said = gettext(
        N_("{total} questions from {people} people were received, {published} of them published.")
    )
    _para(doc, said.format(total=figures.total, people=figures.people, published=figures.published))
    channels = [(export.said("channel", k, gettext), n) for k, n in figures.by_channel]
    for title, counts in (
        (N_("By channel"), channels),
        (N_("By topic"), figures.by_topic),
        (N_("By locality"), figures.by_locality),
    ):
        _para(doc, gettext(title) + ":", bold=True)
        _table(
            doc,
            (gettext(N_("Where")), gettext(N_("Questions"))),
            [(str(k) or gettext(N_("Not given")), str(n)) for k, n in counts],
        )
    _para(doc, gettext(N_("By state")) + ":", bold=True)
    states = [(said_status(s.value, gettext), figures.by_status.get(s.value, 0)) for s in Status]
    _table(
        doc,
        (gettext(N_("State")), gettext(N_("Questions"))),
        [(name, str(n)) for name, n in states if n],
    )


def _answered(doc: DocumentType, figures: Figures, gettext: Gettext) -> None:
    _section(doc, gettext(N_("III. ANSWERS")))
    said = gettext(
        N_(
            "{live} questions were answered live and {written} in writing. "
            "{owed} written answers are still owed, {overdue} of them overdue."
        )
    )
    _para(
        doc,
        said.format(
            live=figures.answered_live,
            written=figures.answered_written,
            owed=figures.owed,
            overdue=figures.overdue,
        ),
    )
    headers = (
        gettext(N_("Official")),
        gettext(N_("Answered live")),
        gettext(N_("Answered in writing")),
        gettext(N_("Owed")),
        gettext(N_("Overdue")),
        gettext(N_("Next due")),
    )
    rows = [
        (
            official_name(o, gettext),
            str(o.answered_live),
            str(o.answered_written),
            str(o.owed),
            str(o.overdue),
            said_date(date.fromisoformat(o.next_due), gettext) if o.next_due else "",
        )
        for o in figures.officials
        if o.answered_live or o.answered_written or o.owed
    ]
    _table(doc, headers, rows)


def _by_topic(
    doc: DocumentType, dialogue: Dialogue, questions: Sequence[Question], gettext: Gettext
) -> None:
    _section(doc, gettext(N_("IV. QUESTIONS AND ANSWERS BY TOPIC")))
    shown = [q for q in questions if q.is_public]
    names = {t.id: t.name for t in dialogue.topics}
    order = [t.id for t in dialogue.topics] + sorted(
        {q.topic or "" for q in shown} - set(names), key=str
    )
    for n, topic in enumerate(order, start=1):
        asked = [q for q in shown if (q.topic or "") == topic]
        if not asked:
            continue
        _para(doc, f"{n}. {names.get(topic) or topic or gettext(N_('Not given'))}", bold=True)
        for q in asked:
            _para(
                doc,
                gettext(N_("Question no. {id}: {text}")).format(id=q.id, text=q.text),
                italic=True,
                indent=True,
            )
            official = dialogue.official(q.answer.official_id if q.answer else q.official_id)
            who = f"{official.name}: " if official else ""
            if q.answer is not None and q.status is Status.ANSWERED:
                _para(doc, who + q.answer.text, indent=True)
            elif q.status is Status.DEFERRED:
                owed = gettext(N_("To be answered in writing, due {date}."))
                due = date.fromisoformat(q.due_at) if q.due_at else None
                text = (
                    owed.format(date=said_date(due, gettext))
                    if due
                    else gettext(N_("To be answered in writing."))
                )
                _para(doc, who + text, indent=True)
            else:
                _para(doc, gettext(N_("Not answered yet.")), indent=True)


def _closing(doc: DocumentType, gettext: Gettext) -> None:
    """The recipients beside the signature block."""
    table = doc.add_table(rows=1, cols=2)
    recipients, signature = table.rows[0].cells
    _run(recipients.paragraphs[0], gettext(N_("Recipients:")), bold=True, italic=True, size=Pt(12))
    lines = [gettext(line) for line in RECIPIENTS]
    for n, line in enumerate(lines, start=1):
        # The form's own punctuation: each line but the last ends with ";".
        _run(recipients.add_paragraph(), f"- {line}{'.' if n == len(lines) else ';'}", size=Pt(11))
    _run(
        signature.paragraphs[0],
        gettext(N_("ON BEHALF OF THE ORGANISING COMMITTEE")),
        bold=True,
        size=BODY,
    )
    _run(signature.add_paragraph(), gettext(N_("(Signature, seal)")), italic=True, size=BODY)
    for p in signature.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _section(doc: DocumentType, title: str) -> None:
    _para(doc, title, bold=True, before=6)


def _para(
    doc: DocumentType,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    before: int = 0,
    after: int = 6,
) -> Paragraph:
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Mm(10)
    _run(p, text, bold=bold, italic=italic, size=BODY)
    return p


def _run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, size: Pt) -> None:
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.name, run.font.size = FONT, size


def _table(doc: DocumentType, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    table: Table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _run(cell.paragraphs[0], header, bold=True, size=Pt(12))
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _run(cell.paragraphs[0], value, size=Pt(12))
    doc.add_paragraph()
    return table
