"""Events and what each audience may see of them.

Public payloads are built from an allowlist of fields (``public_question``),
never by deleting from the staff view: contact data, notes, flags, history
and tracking codes cannot reach the public by accident. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .folding import fold
from .lifecycle import action_set, actions_by_role
from .model import PUBLIC_STATUSES, Answer, Dialogue, Duplicate, Official, Question, Status
from .screening import Policy
from .views import (
    Answer as AnswerView,
)
from .views import (
    Brand,
    ConsoleQuestion,
    Contact,
    DialogueSummary,
    HistoryEntry,
    MergedRef,
    PublicDialogue,
    PublicQuestion,
    QuestionRef,
    SnapshotQuestion,
    StaffDialogue,
    StaffFields,
)
from .views import Official as OfficialView

PUBLIC = "public"
STAFF = "staff"

#: Seconds between two ``votes.changed`` of one question sent live (issue 15,
#: item 6): the changes in between are held and coalesced (realtime/reader.py).
VOTE_WINDOW = 1.0
#: A held vote change is older than the event sent after it by at most this
#: (ms of stream time; the reader sends it first when it would be older), and
#: a replay after an id starts with the count of each question last voted on
#: in this span before the id, so a client that resumes after a live event
#: has every count that was held when it got that event.
VOTES_LOOK_BACK_MS = 3000

#: What a staff event becomes on the public feed when the question stays public.
_PUBLIC_TYPES = {
    "question.queued": "question.queued",
    "question.returned": "question.queued",
    "question.on_air": "question.on_air",
    "question.answered": "question.answered",
    "question.deferred": "question.deferred",
}
#: The public feed's event types whose data is a public question.
PUBLIC_QUESTION_EVENTS = (
    "question.approved",
    *dict.fromkeys(_PUBLIC_TYPES.values()),
    "question.updated",
)
#: Staff events that never reach the public, whatever the state.
_PRIVATE_TYPES = frozenset({"question.noted", "question.received"})


def _official(official: Official | None) -> OfficialView | None:
    if official is None:
        return None
    return {"id": official.id, "name": official.name, "title": official.title}


def _answer(answer: Answer | None, dialogue: Dialogue) -> AnswerView | None:
    if answer is None:
        return None
    return {
        "text": answer.text,
        "kind": answer.kind,
        "official": _official(dialogue.official(answer.official_id)),
        "answered_at": answer.answered_at,
    }


def recording_offset(q: Question, dialogue: Dialogue) -> int | None:
    """Seconds from the start of the broadcast to the moment ``q`` went on air."""
    start = dialogue.live_at or dialogue.starts_at
    if not (start and q.on_air_at):
        return None
    try:
        delta = datetime.fromisoformat(q.on_air_at) - datetime.fromisoformat(start)
    except ValueError:
        return None
    return max(0, int(delta.total_seconds()))


def recording_link(stream_url: str, seconds: int) -> str:
    """``stream_url`` at ``seconds``: YouTube's ``t=`` parameter, else a media fragment."""
    parts = urlsplit(stream_url)
    host = parts.netloc.lower()
    if host.endswith(("youtube.com", "youtu.be")):
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "t"] + [("t", f"{seconds}s")]
        return urlunsplit(parts._replace(query=urlencode(query), fragment=""))
    return urlunsplit(parts._replace(fragment=f"t={seconds}"))


def public_question(q: Question, dialogue: Dialogue) -> PublicQuestion:
    """The public question (docs/api.md), built field by field."""
    topic = dialogue.topic(q.topic)
    offset = recording_offset(q, dialogue) if q.answer and q.answer.kind == "live" else None
    recording = (
        recording_link(dialogue.stream_url, offset)
        if dialogue.stream_url and offset is not None
        else None
    )
    return {
        "id": q.id,
        "text": q.text,
        "air_text": q.air_text,
        "name": q.name,
        "organization": q.organization,
        "locality": q.locality,
        "topic": q.topic,
        "topic_name": topic.name if topic else None,
        "status": q.status,
        "official": _official(dialogue.official(q.official_id)),
        "votes": q.votes,
        "asked_by": q.asked_by,
        "submitted_at": q.submitted_at,
        "on_air_at": q.on_air_at,
        "due_at": q.due_at,
        "answer": _answer(q.answer, dialogue),
        "edited": q.edited,
        "recording_offset": offset,
        "recording_url": recording,
    }


def staff_question(
    q: Question,
    dialogue: Dialogue,
    contact: Contact | None = None,
    duplicates: Iterable[Duplicate] | None = None,
) -> ConsoleQuestion:
    """The staff question (docs/api.md). ``contact`` is given only for moderators. It
    never carries the tracking code: that is the asker's key (to follow the
    question and to delete their contact data), and no staff screen needs it.
    ``duplicates``: the suggestions to list, both ways (default: its own)."""
    doc = cast(ConsoleQuestion, _staff_fields(q, dialogue, duplicates))
    doc["folded"] = q.folded if q.folded is not None else fold(q.text)
    doc["history"] = _history(q)
    doc["actions_by_role"] = actions_by_role(q, dialogue.status)
    if contact is not None:
        doc["contact"] = contact
    return doc


#: What each field of a staff snapshot question that may be left out holds
#: when it is: every field that can be null, false, an empty list or object
#: (the snapshot sends this table as its ``absent``; ``history`` is not in it).
SNAPSHOT_ABSENT: dict[str, Any] = {
    **dict.fromkeys(
        (
            "air_text", "name", "organization", "locality", "topic", "topic_name", "official",
            "on_air_at", "due_at", "answer", "recording_offset", "recording_url",
            "suggested_reason", "original_text", "reason", "merged_into", "updated_at",
            "deferred_at", "ready_at", "suggested_official",
        )
    ),
    "edited": False,
    "held": False,
    "flags": [],
    "flag_reasons": {},
    "duplicates": [],
    "notes": [],
    "merged_from": [],
}  # fmt: skip


def snapshot_question(q: Question, dialogue: Dialogue) -> SnapshotQuestion:
    """The staff question as the staff feed's snapshot carries it: its
    ``actions_by_role`` named by its ``action_set`` (the snapshot sends each
    set once), with its own duplicate suggestions, without the fields that
    hold their ``SNAPSHOT_ABSENT`` value, with its ``history`` once it is
    published (not on the thousands a queue may hold for moderation), and
    without the ``folded`` text of ``staff_question`` (as much as its text:
    the page folds it)."""
    absent = SNAPSHOT_ABSENT
    doc = {
        field: value
        for field, value in _staff_fields(q, dialogue, None).items()
        if value or field not in absent or value != absent[field]
    }
    if q.is_public:
        doc["history"] = _history(q)
    doc["action_set"] = action_set(q, dialogue.status)
    return cast(SnapshotQuestion, doc)


def _staff_fields(
    q: Question, dialogue: Dialogue, duplicates: Iterable[Duplicate] | None
) -> StaffFields:
    return {
        **public_question(q, dialogue),
        "version": q.version,
        "channel": q.channel,
        "flags": list(q.flags),
        "flag_reasons": {flag: dict(found) for flag, found in q.flag_reasons.items()},
        "held": q.held,
        "suggested_reason": q.suggested_reason,
        "duplicates": [
            {"id": d.id, "score": d.score}
            for d in (q.duplicates if duplicates is None else duplicates)
        ],
        "notes": [{"at": n.at, "actor": n.actor, "text": n.text} for n in q.notes],
        "original_text": q.original_text,
        "reason": q.reason,
        "merged_into": q.merged_into,
        "merged_from": list(q.merged_from),
        "updated_at": q.updated_at,
        "deferred_at": q.deferred_at,
        "ready_at": q.ready_at,
        "suggested_official": _suggestion(q, dialogue),
    }


def _history(q: Question) -> list[HistoryEntry]:
    return [{"at": h.at, "actor": h.actor, "action": h.action} for h in q.history]


def _suggestion(q: Question, dialogue: Dialogue) -> OfficialView | None:
    """The topic's default official, offered while the question is not routed."""
    if q.official_id is not None:
        return None
    return _official(dialogue.default_official(q.topic))


def public_dialogue(d: Dialogue) -> PublicDialogue:
    return {
        "slug": d.slug,
        "title": d.title,
        "description": d.description,
        "status": d.status,
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "live_at": d.live_at,
        "closed_at": d.closed_at,
        "stream_url": d.stream_url,
        "accepting_questions": d.accepting_questions,
        "allow_anonymous": d.allow_anonymous,
        "proof_of_work": d.proof_of_work,
        "topics": [{"id": t.id, "name": t.name} for t in d.topics],
        "officials": [{"id": o.id, "name": o.name, "title": o.title} for o in d.officials],
        "localities": list(d.localities),
        "answer_days": d.answer_days,
        "brand": cast(Brand, dict(d.brand)),
    }


def dialogue_summary(d: Dialogue) -> DialogueSummary:
    """A dialogue in the public list."""
    return {"slug": d.slug, "title": d.title, "status": d.status, "starts_at": d.starts_at}


def staff_dialogue(d: Dialogue) -> StaffDialogue:
    """The dialogue as its admins edit it: the public view plus routing and accounts."""
    return {
        **public_dialogue(d),
        "id": d.id,
        "officials": [
            {
                "id": o.id,
                "name": o.name,
                "title": o.title,
                "username": o.username,
                "aides": list(o.aides),
            }
            for o in d.officials
        ],
        "topic_officials": dict(d.topic_officials),
        "widget_origins": list(d.widget_origins),
        "policy": Policy.from_doc(d.policy).to_doc(),
        "version": d.version,
    }


def public_event(
    type_: str, previous: Status, q: Question, dialogue: Dialogue
) -> tuple[str, PublicQuestion | MergedRef | QuestionRef] | None:
    """The public feed's view of a question event, or None if the public sees nothing."""
    was, now = previous in PUBLIC_STATUSES, q.is_public
    if type_ in _PRIVATE_TYPES or not (was or now):
        return None
    if was and not now:
        if q.status is Status.MERGED:
            return "question.merged", {"id": q.id, "into": q.merged_into}
        return "question.unpublished", {"id": q.id}
    if now and not was:
        return "question.approved", public_question(q, dialogue)
    return _PUBLIC_TYPES.get(type_, "question.updated"), public_question(q, dialogue)
