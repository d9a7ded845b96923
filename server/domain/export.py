"""The dialogue's record as a table, for the organising committee after the
broadcast (written answers owed, the minutes): one row per question.

Contact data is a column only when asked for (``with_contact``), and the web
and command-line layers allow that to moderators and admins only and audit
it. Cells that a spreadsheet would run as a formula are defused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .model import Dialogue, Question

COLUMNS = (
    "id", "status", "submitted_at", "channel", "name", "organization", "locality", "topic",
    "text", "original_text", "asked_by", "votes", "merged_into", "merged_from", "reason",
    "official", "answer_kind", "answer_text", "answered_at", "answered_by", "flags",
)  # fmt: skip
CONTACT_COLUMNS = ("phone", "email", "consent_at", "notice_version")

#: A cell starting with one of these is a formula to Excel and LibreOffice.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


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


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


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
