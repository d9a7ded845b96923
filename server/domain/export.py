"""The dialogue's record as a table, for the organising committee after the
broadcast (written answers owed, the minutes): one row per question.

Contact data is a column only when asked for (``with_contact``), and the web
and command-line layers allow that to moderators and admins only and audit
it. Cells that a spreadsheet would run as a formula are defused.

``rows`` are the record as data (codes, UTC times: the JSON export); the CSV
is for people: its headers and its states, channels, reasons, answer kinds
and flags are said in the reader's language (the caller's gettext: the web's
request language, Vietnamese by default), and its times in Vietnam's time
with their offset (+07:00), as the organisers read a clock.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .model import Dialogue, Question
from .wording import N_, Gettext
from .wrapup import ICT

COLUMNS = (
    "id", "status", "submitted_at", "channel", "name", "organization", "locality", "topic",
    "text", "original_text", "asked_by", "votes", "merged_into", "merged_from", "reason",
    "official", "answer_kind", "answer_text", "answered_at", "answered_by", "flags",
)  # fmt: skip
CONTACT_COLUMNS = ("phone", "email", "consent_at", "notice_version")

#: Each column's header (a msgid).
HEADERS: Mapping[str, str] = {
    "id": N_("No."),
    "status": N_("State"),
    "submitted_at": N_("Submitted"),
    "channel": N_("Channel"),
    "name": N_("Name"),
    "organization": N_("Organization"),
    "locality": N_("Locality"),
    "topic": N_("Topic"),
    "text": N_("Question"),
    "original_text": N_("Original text"),
    "asked_by": N_("People who asked it"),
    "votes": N_("Votes"),
    "merged_into": N_("Merged into"),
    "merged_from": N_("Questions merged into it"),
    "reason": N_("Reason for rejecting"),
    "official": N_("Official"),
    "answer_kind": N_("Kind of answer"),
    "answer_text": N_("The answer"),
    "answered_at": N_("Answered at"),
    "answered_by": N_("Answered by (account)"),
    "flags": N_("Screening flags"),
    "phone": N_("Phone number"),
    "email": N_("Email"),
    "consent_at": N_("Consent given at"),
    "notice_version": N_("Version of the privacy notice"),
}
#: The coded columns' values as people read them (msgids, the same the pages use).
VALUES: Mapping[str, Mapping[str, str]] = {
    "status": {
        "received": N_("Received"),
        "pending": N_("Pending"),
        "approved": N_("Published"),
        "queued": N_("In the on-air queue"),
        "on_air": N_("Now answering"),
        "answered": N_("Answered"),
        "deferred": N_("To be answered in writing"),
        "rejected": N_("Rejected"),
        "merged": N_("Merged"),
    },
    "channel": {
        "web": N_("Website"),
        "widget": N_("Embedded widget"),
        "hotline": N_("Hotline"),
        "email": N_("Email"),
        "paper": N_("On paper"),
        "social": N_("Social media"),
        "other": N_("Other channel"),
    },
    "reason": {
        "off_topic": N_("Off topic"),
        "duplicate": N_("Duplicate of another question"),
        "abusive": N_("Abusive or offensive language"),
        "spam": N_("Spam or advertising"),
        "personal_case": N_("Personal case: to be handled separately"),
        "no_content": N_("No question in it yet"),
        "other": N_("Other reason"),
    },
    "answer_kind": {"live": N_("Answered live"), "written": N_("Written answer")},
    "flags": {
        "blocked_word": N_("Contains a blocked word"),
        "link": N_("Contains a link"),
        "phone": N_("Contains a phone number"),
        "email": N_("Contains an email address"),
        "shouting": N_("Written in capitals"),
        "repeated_chars": N_("Repeated characters"),
        "empty_content": N_("No real content"),
        "too_short": N_("Too short"),
    },
}
#: Columns holding a moment (ISO 8601), written in Vietnam's time.
TIMES = ("submitted_at", "answered_at", "consent_at")

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


def said(column: str, value: Any, gettext: Gettext) -> Any:
    """A cell's value as people read it: coded values in words, times in
    Vietnam's time (``2026-12-01T14:05:00+07:00``); anything else as it is."""
    if value is None or value == "":
        return value
    if column in TIMES:
        return datetime.fromisoformat(value).astimezone(ICT).isoformat(timespec="seconds")
    labels = VALUES.get(column)
    if labels is None:
        return value
    if column == "flags":
        return ", ".join(gettext(labels[f]) if f in labels else f for f in str(value).split())
    return gettext(labels[value]) if value in labels else value


def to_csv(table: Sequence[Mapping[str, Any]], with_contact: bool, gettext: Gettext) -> str:
    """CSV for people, in ``gettext``'s language, with a header row; UTF-8
    with a byte-order mark (Excel reads the Vietnamese right only with it)."""
    columns = COLUMNS + (CONTACT_COLUMNS if with_contact else ())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([gettext(HEADERS[c]) for c in columns])
    for r in table:
        writer.writerow([_cell(said(c, r.get(c), gettext)) for c in columns])
    return "\ufeff" + out.getvalue()
