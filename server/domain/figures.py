"""A dialogue's figures, counted from its questions: how many came, from
where and on what, what became of them, and what each official still owes.
Pure: the exports' statistics sheet, the report to the leadership and the
public accountability page all read the same ``Figures``.

A question merged into another is counted where it came from (channel,
topic, locality) and as merged; the people who asked it are counted in
``people`` (``asked_by``). "Owed" is a written answer not yet given (a
deferred question); "overdue" is one whose due day (Vietnam's time) has
passed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from .model import Dialogue, Question, Status
from .wrapup import ICT

#: Where a question came from when it does not say.
NO_TOPIC = ""
NO_LOCALITY = ""


@dataclass(frozen=True)
class Owing:
    """One official's (or nobody's: ``official_id`` None) written answers."""

    official_id: str | None
    name: str
    title: str
    answered_live: int
    answered_written: int
    owed: int
    overdue: int
    #: The earliest due day (YYYY-MM-DD) of what they still owe.
    next_due: str | None


@dataclass(frozen=True)
class Figures:
    #: Every question submitted (screened or not).
    total: int
    #: People behind them (a merged question's askers included).
    people: int
    by_status: dict[str, int]
    #: (topic name or ``NO_TOPIC``, count), most first.
    by_topic: list[tuple[str, int]]
    by_locality: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    answered_live: int
    answered_written: int
    owed: int
    overdue: int
    officials: list[Owing]

    @property
    def answered(self) -> int:
        return self.answered_live + self.answered_written

    @property
    def published(self) -> int:
        """Questions the public sees (published, on the queue or air, answered, owed)."""
        public = (Status.APPROVED, Status.QUEUED, Status.ON_AIR, Status.ANSWERED, Status.DEFERRED)
        return sum(self.by_status.get(s.value, 0) for s in public)


def today(now: datetime) -> date:
    """The day in Vietnam at ``now``."""
    return now.astimezone(ICT).date()


def is_overdue(q: Question, on: date) -> bool:
    return q.status is Status.DEFERRED and q.due_at is not None and q.due_at < on.isoformat()


def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    """Most first, then by name; what was not given last."""
    return sorted(counter.items(), key=lambda item: (item[0] == "", -item[1], item[0]))


def count(dialogue: Dialogue, questions: Iterable[Question], now: datetime) -> Figures:
    """``dialogue``'s figures from every one of its ``questions``, on the
    Vietnamese day of ``now``."""
    on = today(now)
    status: Counter[str] = Counter()
    topics: Counter[str] = Counter()
    localities: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    live: Counter[str | None] = Counter()
    written: Counter[str | None] = Counter()
    owed: Counter[str | None] = Counter()
    overdue: Counter[str | None] = Counter()
    due: dict[str | None, str] = {}
    total = people = 0
    for q in questions:
        total += 1
        if q.status is not Status.MERGED:  # its askers are counted in the question it joined
            people += q.asked_by
        status[q.status.value] += 1
        topic = dialogue.topic(q.topic)
        topics[topic.name if topic else q.topic or NO_TOPIC] += 1
        localities[q.locality or NO_LOCALITY] += 1
        channels[q.channel] += 1
        if q.status is Status.ANSWERED and q.answer is not None:
            who = q.answer.official_id or q.official_id
            (live if q.answer.kind == "live" else written)[who] += 1
        elif q.status is Status.DEFERRED:
            owed[q.official_id] += 1
            if is_overdue(q, on):
                overdue[q.official_id] += 1
            if q.due_at and (q.official_id not in due or q.due_at < due[q.official_id]):
                due[q.official_id] = q.due_at
    officials = []
    known = [o.id for o in dialogue.officials]
    extra = sorted({k for c in (live, written, owed) for k in c} - set(known), key=str)
    for oid in [*known, *extra]:
        official = dialogue.official(oid)
        officials.append(
            Owing(
                oid,
                official.name if official else (oid or ""),
                official.title if official else "",
                live[oid],
                written[oid],
                owed[oid],
                overdue[oid],
                due.get(oid),
            )
        )
    return Figures(
        total=total,
        people=people,
        by_status=dict(status),
        by_topic=ranked(topics),
        by_locality=ranked(localities),
        by_channel=ranked(channels),
        answered_live=sum(live.values()),
        answered_written=sum(written.values()),
        owed=sum(owed.values()),
        overdue=sum(overdue.values()),
        officials=officials,
    )
