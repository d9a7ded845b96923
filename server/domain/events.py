"""Events and what each audience may see of them.

Public payloads are built from an allowlist of fields (``public_question``),
never by deleting from the staff view: contact data, notes, flags, history
and tracking codes cannot reach the public by accident. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from .model import PUBLIC_STATUSES, Answer, Dialogue, Official, Question, Status

PUBLIC = "public"
STAFF = "staff"

#: What a staff event becomes on the public feed when the question stays public.
_PUBLIC_TYPES = {
    "question.queued": "question.queued",
    "question.returned": "question.queued",
    "question.on_air": "question.on_air",
    "question.answered": "question.answered",
    "question.deferred": "question.deferred",
}
#: Staff events that never reach the public, whatever the state.
_PRIVATE_TYPES = frozenset({"question.noted", "question.received"})


def _official(official: Official | None) -> dict[str, Any] | None:
    if official is None:
        return None
    return {"id": official.id, "name": official.name, "title": official.title}


def _answer(answer: Answer | None, dialogue: Dialogue) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "text": answer.text,
        "kind": answer.kind,
        "official": _official(dialogue.official(answer.official_id)),
        "answered_at": answer.answered_at,
    }


def public_question(q: Question, dialogue: Dialogue) -> dict[str, Any]:
    """API.md's public question, built field by field."""
    topic = dialogue.topic(q.topic)
    return {
        "id": q.id,
        "text": q.text,
        "name": q.name,
        "organization": q.organization,
        "locality": q.locality,
        "topic": q.topic,
        "topic_name": topic.name if topic else None,
        "status": q.status.value,
        "official": _official(dialogue.official(q.official_id)),
        "votes": q.votes,
        "asked_by": q.asked_by,
        "submitted_at": q.submitted_at,
        "on_air_at": q.on_air_at,
        "answer": _answer(q.answer, dialogue),
        "edited": q.edited,
    }


def staff_question(
    q: Question, dialogue: Dialogue, contact: dict[str, str] | None = None
) -> dict[str, Any]:
    """API.md's staff question. ``contact`` is given only for moderators."""
    doc = public_question(q, dialogue)
    doc.update(
        version=q.version,
        channel=q.channel,
        tracking_code=q.tracking_code,
        flags=list(q.flags),
        duplicates=[{"id": d.id, "score": d.score} for d in q.duplicates],
        notes=[{"at": n.at, "actor": n.actor, "text": n.text} for n in q.notes],
        original_text=q.original_text,
        history=[{"at": h.at, "actor": h.actor, "action": h.action} for h in q.history],
        reason=q.reason,
        merged_into=q.merged_into,
        merged_from=list(q.merged_from),
        updated_at=q.updated_at,
    )
    if contact is not None:
        doc["contact"] = contact
    return doc


def public_dialogue(d: Dialogue) -> dict[str, Any]:
    return {
        "slug": d.slug,
        "title": d.title,
        "description": d.description,
        "status": d.status.value,
        "starts_at": d.starts_at,
        "ends_at": d.ends_at,
        "stream_url": d.stream_url,
        "accepting_questions": d.accepting_questions,
        "allow_anonymous": d.allow_anonymous,
        "topics": [{"id": t.id, "name": t.name} for t in d.topics],
        "officials": [_official(o) for o in d.officials],
        "localities": list(d.localities),
    }


def public_event(
    type_: str, previous: Status, q: Question, dialogue: Dialogue
) -> tuple[str, dict[str, Any]] | None:
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
