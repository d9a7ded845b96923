"""The dialogue's record as a table, for the organising committee after the
broadcast (written answers owed, the minutes): one row per question.

Contact data is a column only when asked for (``with_contact``), and the web
and command-line layers allow that to moderators and admins only and audit
it. Cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .model import Dialogue, Question

COLUMNS = (
    "id", "status", "submitted_at", "channel", "name", "organization", "locality", "topic",
    "text", "original_text", "asked_by", "votes", "merged_into", "merged_from", "reason",
    "official", "answer_kind", "answer_text", "answered_at", "answered_by", "flags",
)  # fmt: skip
CONTACT_COLUMNS = ("phone", "email", "consent_at", "notice_version")

#: A cell whose first visible character is one of these is a formula to
#: Excel and LibreOffice. Spreadsheets (East Asian input and locales above
#: all) may read their fullwidth and small forms (U+FF1D, U+FF0B, U+FF0D,
#: U+FF20; U+FE66, ...) as the same, so the check is on the NFKC form.
FORMULA_STARTS = frozenset("=+-@")
#: A cell starting with a tab or a carriage return is defused whatever follows
#: (OWASP's list: a spreadsheet may drop them and read what comes next).
_LEADING_CONTROLS = ("\t", "\r")
#: Not visible, so skipped to find the first character a spreadsheet reads:
#: spaces and line breaks of every kind, controls, and format characters
#: (zero-width space, byte-order mark, direction marks).
_INVISIBLE = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


def row(q: Question, dialogue: Dialogue) -> dict[str, Any]:
    official = dialogue.official(q.official_id)
    topic = dialogue.topic(q.topic)
    answer = q.answer
    return {
        "id": q.id,
        "status": q.status.value,
        "submitted_at": q.submitted_at,
        "channel": q.channel,
        "name": q.name,
        "organization": q.organization,
        "locality": q.locality,
        "topic": topic.name if topic else q.topic,
        "text": q.text,
        "original_text": q.original_text if q.edited else None,
        "asked_by": q.asked_by,
        "votes": q.votes,
        "merged_into": q.merged_into,
        "merged_from": " ".join(q.merged_from) or None,
        "reason": q.reason,
        "official": official.name if official else None,
        "answer_kind": answer.kind if answer else None,
        "answer_text": answer.text if answer else None,
        "answered_at": answer.answered_at if answer else None,
        "answered_by": answer.by if answer else None,
        "flags": " ".join(q.flags) or None,
    }


def rows(
    questions: Iterable[Question],
    dialogue: Dialogue,
    contacts: Sequence[Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """One row per question; with ``contacts`` (one per question, in order),
    the contact columns too."""
    table = [row(q, dialogue) for q in questions]
    if contacts is not None:
        for r, contact in zip(table, contacts, strict=True):
            r.update({c: contact.get(c) for c in CONTACT_COLUMNS})
    return table


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula: it starts with a
    tab or carriage return, or its first visible character is (in NFKC) one of
    ``FORMULA_STARTS``."""
    if text.startswith(_LEADING_CONTROLS):
        return True
    for char in text:
        if unicodedata.category(char) not in _INVISIBLE:
            return unicodedata.normalize("NFKC", char)[:1] in FORMULA_STARTS
    return False


def _cell(value: Any) -> str:
    """``value`` as a CSV cell: a quote in front of anything that could be a
    formula makes spreadsheets show it as text."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula(text) else text


def to_csv(table: Sequence[Mapping[str, Any]], with_contact: bool) -> str:
    """CSV with a header row, UTF-8 with a byte-order mark (Excel reads the
    Vietnamese right only with it)."""
    columns = COLUMNS + (CONTACT_COLUMNS if with_contact else ())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in table:
        writer.writerow([_cell(r.get(c)) for c in columns])
    return "\ufeff" + out.getvalue()
