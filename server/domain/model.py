"""The dialogue's nouns: dialogues, questions, officials, answers, roles.

Pure data and its JSON form (``to_doc`` / ``from_doc``): no I/O, no Redis,
no web framework. Everything here is immutable; changes make new objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal


class Status(StrEnum):
    """Where a question is in its life (docs/architecture.md, "The life of a question")."""

    RECEIVED = "received"
    PENDING = "pending"
    APPROVED = "approved"
    QUEUED = "queued"
    ON_AIR = "on_air"
    ANSWERED = "answered"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    MERGED = "merged"


#: States the public may see: a question in one of these is on the public feed.
PUBLIC_STATUSES = frozenset(
    {Status.APPROVED, Status.QUEUED, Status.ON_AIR, Status.ANSWERED, Status.DEFERRED}
)


class Role(StrEnum):
    MODERATOR = "moderator"
    OFFICIAL = "official"
    PRODUCER = "producer"
    #: Writes the summaries of answers given live, for every official.
    SECRETARY = "secretary"
    ADMIN = "admin"


class DialogueStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    LIVE = "live"
    CLOSED = "closed"
    ARCHIVED = "archived"


#: Dialogue phases in which citizens may submit questions.
ACCEPTING_STATUSES = frozenset({DialogueStatus.OPEN, DialogueStatus.LIVE})

#: Why a question is not accepted, as its asker reads it on the tracking page.
#: ``no_content``: only greetings, punctuation or emoji (the question itself
#: is missing), which screening turns back at once, never as "spam".
REJECT_REASONS = (
    "off_topic", "duplicate", "abusive", "spam", "personal_case", "no_content", "other",
)  # fmt: skip

CHANNELS = ("web", "widget", "hotline", "email", "paper", "social", "other")

#: An answer given live on air, or in writing after the broadcast.
AnswerKind = Literal["live", "written"]


@dataclass(frozen=True)
class Topic:
    id: str
    name: str


@dataclass(frozen=True)
class Official:
    id: str
    name: str
    title: str
    #: The staff account that answers as this official, if any.
    username: str | None = None
    #: Accounts of aides who may type and publish answers for this official.
    aides: tuple[str, ...] = ()

    def speaks_for(self, username: str) -> bool:
        return username == self.username or username in self.aides


@dataclass(frozen=True)
class Dialogue:
    id: str
    slug: str
    title: str
    description: str = ""
    status: DialogueStatus = DialogueStatus.DRAFT
    starts_at: str | None = None
    ends_at: str | None = None
    stream_url: str | None = None
    topics: tuple[Topic, ...] = ()
    officials: tuple[Official, ...] = ()
    localities: tuple[str, ...] = ()
    allow_anonymous: bool = False
    #: Origins (scheme://host[:port]) whose pages may call the public API.
    widget_origins: tuple[str, ...] = ()
    #: The official suggested for each topic's questions (topic id -> official id).
    topic_officials: tuple[tuple[str, str], ...] = ()
    #: When the dialogue first went live and when it closed (ISO 8601); the
    #: recording's moments are counted from ``live_at`` (else ``starts_at``).
    live_at: str | None = None
    closed_at: str | None = None
    #: Ask public submissions for a proof of work (server/domain/proof.py):
    #: an admin switches it on while the dialogue is flooded.
    proof_of_work: bool = False
    #: The screening policy (``screening.Policy.to_doc()``'s form; empty: the
    #: defaults). Kept as a document so this module need not know the rules.
    policy: Mapping[str, Any] = field(default_factory=dict)
    #: Working days (Monday to Friday) an official has for a written answer
    #: owed at the close of the broadcast.
    answer_days: int = 15
    #: The overlay's look: ``name`` (short), ``color``, ``accent``, ``logo``
    #: (``phases.BRAND_KEYS``); empty: the app's own.
    brand: Mapping[str, str] = field(default_factory=dict)
    #: Bumped by every saved change (settings or phase), so that an admin's
    #: edit made on a stale page is refused instead of undoing another's.
    version: int = 0

    @property
    def accepting_questions(self) -> bool:
        return self.status in ACCEPTING_STATUSES

    # Found by id (the first of an id, as a search in order would): a staff
    # snapshot asks for each of its questions' topic and official. Made once
    # per (immutable) dialogue, outside its fields.
    @cached_property
    def _topics(self) -> dict[str | None, Topic]:
        return {t.id: t for t in reversed(self.topics)}

    @cached_property
    def _officials(self) -> dict[str | None, Official]:
        return {o.id: o for o in reversed(self.officials)}

    @cached_property
    def _topic_officials(self) -> dict[str, str]:
        return dict(self.topic_officials)

    def topic(self, topic_id: str | None) -> Topic | None:
        return self._topics.get(topic_id)

    def official(self, official_id: str | None) -> Official | None:
        if official_id is None:
            return None
        return self._officials.get(official_id)

    def official_for(self, username: str) -> Official | None:
        """The official ``username`` answers as (their own account or an aide's)."""
        return next((o for o in self.officials if o.speaks_for(username)), None)

    def default_official(self, topic_id: str | None) -> Official | None:
        """The official suggested for a question of ``topic_id``."""
        official_id = self._topic_officials.get(topic_id or "")
        return self.official(official_id)

    def evolve(self, **changes: Any) -> Dialogue:
        return replace(self, **changes)

    def to_doc(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["topic_officials"] = dict(self.topic_officials)
        doc["policy"] = dict(self.policy)
        doc["brand"] = dict(self.brand)
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Dialogue:
        return cls(
            id=doc["id"],
            slug=doc["slug"],
            title=doc["title"],
            description=doc.get("description", ""),
            status=DialogueStatus(doc.get("status", "draft")),
            starts_at=doc.get("starts_at"),
            ends_at=doc.get("ends_at"),
            stream_url=doc.get("stream_url"),
            topics=tuple(Topic(**t) for t in doc.get("topics", ())),
            officials=tuple(
                Official(**{**o, "aides": tuple(o.get("aides", ()))})
                for o in doc.get("officials", ())
            ),
            localities=tuple(doc.get("localities", ())),
            allow_anonymous=bool(doc.get("allow_anonymous", False)),
            widget_origins=tuple(doc.get("widget_origins", ())),
            topic_officials=tuple(
                (str(t), str(o)) for t, o in dict(doc.get("topic_officials", {})).items()
            ),
            live_at=doc.get("live_at"),
            closed_at=doc.get("closed_at"),
            proof_of_work=bool(doc.get("proof_of_work", False)),
            policy=dict(doc.get("policy") or {}),
            answer_days=int(doc.get("answer_days", 15)),
            brand=dict(doc.get("brand") or {}),
            version=int(doc.get("version", 0)),
        )


@dataclass(frozen=True)
class Actor:
    """Who takes an action: a staff account with its roles, or the system."""

    username: str
    roles: frozenset[Role]
    #: The official this account answers as in the dialogue at hand, if any.
    official_id: str | None = None
    #: The client address the action came from (for the audit trail).
    address: str | None = None

    def has(self, role: Role) -> bool:
        return Role.ADMIN in self.roles or role in self.roles


SYSTEM = Actor("system", frozenset({Role.ADMIN}))


@dataclass(frozen=True)
class Answer:
    text: str
    kind: AnswerKind
    official_id: str | None
    answered_at: str
    by: str


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    actor: str
    action: str


@dataclass(frozen=True)
class Note:
    at: str
    actor: str
    text: str


@dataclass(frozen=True)
class Duplicate:
    id: str
    score: float


@dataclass(frozen=True)
class Question:
    id: str
    dialogue_id: str
    tracking_code: str
    text: str
    name: str | None
    submitted_at: str
    status: Status = Status.RECEIVED
    version: int = 0
    original_text: str | None = None
    organization: str | None = None
    locality: str | None = None
    topic: str | None = None
    channel: str = "web"
    official_id: str | None = None
    answer: Answer | None = None
    reason: str | None = None
    merged_into: str | None = None
    asked_by: int = 1
    votes: int = 0
    flags: tuple[str, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    notes: tuple[Note, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    on_air_at: str | None = None
    deferred_at: str | None = None
    updated_at: str | None = None
    #: Moved here by a ``merge``: the ids of the questions merged into this one.
    merged_from: tuple[str, ...] = field(default=())
    #: What screening found for each flag, by field, as written
    #: (``screening.Found``): said in each moderator's language by the console.
    flag_reasons: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)
    #: Screening held it for a moderator's review (never published unseen).
    held: bool = False
    #: The reject reason screening suggests to the moderator, if any.
    suggested_reason: str | None = None
    #: The state a merged question was in before its merge (for ``unmerge``).
    merged_status: Status | None = None
    #: The short version read on air and shown on the overlay, if staff set one.
    air_text: str | None = None
    #: When its official said they are ready to answer it (cleared on air).
    ready_at: str | None = None
    #: The day (YYYY-MM-DD) its written answer is due, once it is owed.
    due_at: str | None = None
    #: Its text folded for the console's search (``folding.fold``), made
    #: when it changes from intake on and stored with it, so a staff
    #: snapshot does not fold every text again. None before intake, after a
    #: change of text not yet folded, and in documents stored before it was
    #: kept: read, it is folded then.
    folded: str | None = None

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def edited(self) -> bool:
        return self.original_text is not None and self.original_text != self.text

    @classmethod
    def received(
        cls,
        dialogue_id: str,
        text: str,
        name: str | None,
        submitted_at: str,
        *,
        organization: str | None = None,
        locality: str | None = None,
        topic: str | None = None,
        channel: str = "web",
        history: tuple[HistoryEntry, ...] = (),
    ) -> Question:
        """A question as a submission makes it, before the store gives it an
        id and a tracking code: equal to ``Question("", dialogue_id, "", text,
        name, submitted_at, ...)`` with every other field its default. Made
        without the generated ``__init__``, which sets each of the 36 fields
        by ``object.__setattr__`` (a few µs of every submission)."""
        question = object.__new__(cls)
        question.__dict__.update(_RECEIVED)
        question.__dict__.update(
            id="",
            dialogue_id=dialogue_id,
            tracking_code="",
            text=text,
            name=name,
            submitted_at=submitted_at,
            organization=organization,
            locality=locality,
            topic=topic,
            channel=channel,
            history=history,
            flag_reasons={},
        )
        return question

    def evolve(self, **changes: Any) -> Question:
        if "text" in changes and "folded" not in changes:
            changes["folded"] = None  # the old text's: never kept with a new one
        return replace(self, **changes)

    def to_doc(self) -> dict[str, Any]:
        """The stored JSON form. ``votes`` is kept apart by the store (it changes
        without a version bump), so it is left out here."""
        doc = asdict(self)
        doc.pop("votes")
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any], votes: int = 0) -> Question:
        answer = doc.get("answer")
        return cls(
            id=doc["id"],
            dialogue_id=doc["dialogue_id"],
            tracking_code=doc["tracking_code"],
            text=doc["text"],
            name=doc.get("name"),
            submitted_at=doc["submitted_at"],
            status=Status(doc.get("status", "received")),
            version=int(doc.get("version", 0)),
            original_text=doc.get("original_text"),
            organization=doc.get("organization"),
            locality=doc.get("locality"),
            topic=doc.get("topic"),
            channel=doc.get("channel", "web"),
            official_id=doc.get("official_id"),
            answer=Answer(**answer) if answer else None,
            reason=doc.get("reason"),
            merged_into=doc.get("merged_into"),
            asked_by=int(doc.get("asked_by", 1)),
            votes=votes,
            flags=tuple(doc.get("flags", ())),
            duplicates=tuple(Duplicate(**d) for d in doc.get("duplicates", ())),
            notes=tuple(Note(**n) for n in doc.get("notes", ())),
            history=tuple(HistoryEntry(**h) for h in doc.get("history", ())),
            on_air_at=doc.get("on_air_at"),
            deferred_at=doc.get("deferred_at"),
            updated_at=doc.get("updated_at"),
            merged_from=tuple(doc.get("merged_from", ())),
            flag_reasons=dict(doc.get("flag_reasons") or {}),
            held=bool(doc.get("held", False)),
            suggested_reason=doc.get("suggested_reason"),
            merged_status=Status(doc["merged_status"]) if doc.get("merged_status") else None,
            air_text=doc.get("air_text"),
            ready_at=doc.get("ready_at"),
            due_at=doc.get("due_at"),
            folded=doc.get("folded"),
        )


#: Every field of a question in their order, with its plain default (None
#: where it has none or a default factory): ``Question.received`` starts
#: from it, so that its attributes come in the order of the generated
#: ``__init__``'s.
_RECEIVED = {f.name: None if f.default is MISSING else f.default for f in fields(Question)}


def iso(moment: datetime) -> str:
    """ISO 8601 with offset, to the millisecond: the one time format of the API."""
    return moment.isoformat(timespec="milliseconds")
