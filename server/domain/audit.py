"""The audit trail: what each staff action changed, in a hash chain.

Every staff action appends one entry per question it changes (and one per
dialogue setting change) to the dialogue's audit stream: who (account, roles,
client address), what (action, question), the fields before and after, and
when. Each entry carries ``seq`` (its position, from 1) and is stored with
``hash = SHA-256(previous hash + "\\n" + canonical entry)``, so editing an
entry breaks its own hash, and deleting or reordering entries breaks the
chain (``seq`` and ``prev`` no longer follow). The head (last hash and count)
is kept apart, so that cutting entries off the end shows too.

Pure: no I/O. The store appends entries atomically with the change they
record; ``verify`` checks a stream read back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .lifecycle import Decision
from .model import Actor
from .wording import N_

#: Fields of a question that are bookkeeping, not content: left out of before/after.
_SKIPPED = frozenset({"history", "updated_at", "dialogue_id", "tracking_code", "id", "folded"})

#: Every action an entry may record, with what it did as staff read it (a
#: msgid: the audit page says it in the reader's language, beside the code
#: its filter takes). The question actions are the transition table's
#: (``lifecycle.EVENT_TYPES``, but intake's ``screen``, which is not audited).
ACTIONS: Mapping[str, str] = {
    "approve": N_("Approved and published"),
    "reject": N_("Rejected"),
    "restore": N_("Restored to pending"),
    "unpublish": N_("Taken off the public page"),
    "edit": N_("Text edited"),
    "air_text": N_("On-air text set"),
    "set_topic": N_("Topic set"),
    "assign": N_("Routed to an official"),
    "queue": N_("Put in the on-air queue"),
    "dequeue": N_("Taken out of the on-air queue"),
    "move": N_("Moved in the on-air queue"),
    "on_air": N_("Put on air"),
    "back": N_("Back to the head of the queue (another went on air)"),
    "skip": N_("Skipped to the end of the queue"),
    "answer": N_("Answered"),
    "summarize": N_("Summary of the live answer published"),
    "ready": N_("Official's readiness to answer changed"),
    "defer": N_("To be answered in writing"),
    "owe": N_("Owed in writing at the wrap-up"),
    "undo": N_("Change of the air undone"),
    "merge": N_("Merged into another question"),
    "absorb": N_("Took the askers of a question merged into it"),
    "unmerge": N_("Merge undone"),
    "release": N_("Gave back the askers of a question taken out of it"),
    "note": N_("Note added"),
    "enter": N_("Entered from another channel"),
    "export": N_("Questions exported"),
    "contact.deleted": N_("Contact details deleted by the asker"),
    "dialogue.create": N_("Dialogue created"),
    "dialogue.edit": N_("Dialogue settings changed"),
    "dialogue.status": N_("Dialogue phase changed"),
    "screen.rotate": N_("Overlay address renewed"),
    "account.created": N_("Account created"),
    "account.changed": N_("Account changed"),
}


@dataclass(frozen=True)
class Entry:
    at: str
    actor: str
    roles: tuple[str, ...]
    action: str
    question: str | None
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    address: str | None = None

    def to_doc(self, seq: int) -> dict[str, Any]:
        return {
            "seq": seq,
            "at": self.at,
            "actor": self.actor,
            "roles": list(self.roles),
            "action": self.action,
            "question": self.question,
            "before": dict(self.before),
            "after": dict(self.after),
            "address": self.address,
        }


@dataclass(frozen=True)
class Sealed:
    """An entry as stored: its canonical JSON, the previous hash and its own."""

    doc: str
    prev: str
    hash: str


@dataclass(frozen=True)
class Problem:
    """Where the chain breaks: ``at`` is the stream id (or "head")."""

    at: str
    message: str


def canonical(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(prev: str, doc: str) -> str:
    return hashlib.sha256(f"{prev}\n{doc}".encode()).hexdigest()


def seal(prev: str, count: int, entries: Iterable[Entry]) -> list[Sealed]:
    """Chain ``entries`` after a head of (``prev`` hash, ``count`` entries)."""
    sealed = []
    for seq, entry in enumerate(entries, start=count + 1):
        doc = canonical(entry.to_doc(seq))
        h = digest(prev, doc)
        sealed.append(Sealed(doc, prev, h))
        prev = h
    return sealed


def _changed(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    keys = [k for k in {**before, **after} if k not in _SKIPPED]
    old = {k: before.get(k) for k in keys if before.get(k) != after.get(k)}
    new = {k: after.get(k) for k in keys if before.get(k) != after.get(k)}
    for side, doc in ((old, before), (new, after)):
        side.setdefault("status", doc.get("status"))
        side.setdefault("version", doc.get("version"))
    return old, new


def by(
    actor: Actor,
    action: str,
    question: str | None,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    at: str,
) -> Entry:
    """The entry of ``actor``'s ``action`` (on ``question``, if any)."""
    return Entry(
        at=at,
        actor=actor.username,
        roles=tuple(sorted(r.value for r in actor.roles)),
        action=action,
        question=question,
        before=before,
        after=after,
        address=actor.address,
    )


def of_decisions(decisions: Sequence[Decision], actor: Actor, at: str) -> list[Entry]:
    """One entry per question a staff action changed (the system's screening
    at intake is not a staff action and is not audited)."""
    entries = []
    for decision in decisions:
        new = decision.question
        old = decision.before.to_doc() if decision.before is not None else {}
        before, after = _changed(old, new.to_doc())
        action = new.history[-1].action if new.history else decision.events[0].type
        entries.append(by(actor, action, new.id, before, after, at))
    return entries


def of_settings(
    actor: Actor, action: str, before: Mapping[str, Any], after: Mapping[str, Any], at: str
) -> Entry:
    """The entry of a change to the dialogue itself (its settings or phase)."""
    old = {k: v for k, v in before.items() if after.get(k) != v}
    new = {k: v for k, v in after.items() if before.get(k) != v}
    return by(actor, action, None, old, new, at)


def verify(rows: Iterable[tuple[str, Mapping[str, str]]], head: Mapping[str, str]) -> list[Problem]:
    """Check a whole stream (``(id, {entry, prev, hash})`` in order) against
    its head (``{hash, count}``). No problems: the chain is intact."""
    problems = []
    prev, seq = "", 0
    for entry_id, fields in rows:
        doc = fields.get("entry", "")
        seq += 1
        try:
            stated = json.loads(doc).get("seq")
        except ValueError:
            stated = None
        if stated != seq:
            problems.append(Problem(entry_id, f"entry number {stated}, expected {seq}"))
            if isinstance(stated, int):
                seq = stated
        if fields.get("prev") != prev:
            problems.append(Problem(entry_id, "does not follow the entry before it"))
        if digest(fields.get("prev", ""), doc) != fields.get("hash"):
            problems.append(Problem(entry_id, "its content does not match its hash"))
        prev = fields.get("hash", "")
    if head.get("hash", "") != prev or int(head.get("count") or 0) != seq:
        problems.append(
            Problem(
                "head",
                f"the stream ends at entry {seq} (hash {prev[:12] or '-'}), the head "
                f"says entry {head.get('count')} (hash {head.get('hash', '')[:12] or '-'})",
            )
        )
    return problems
