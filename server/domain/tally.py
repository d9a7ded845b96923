"""The live dashboard's counters: what each question adds to its dialogue's
figures while it stands in a state (``standing``), and what a moment adds
once it happened (``arrived``, ``moved``). Pure: the store applies them in
the same Lua step that writes the question and its event
(``transition.lua``, ``submit.lua``), so that the dashboard reads one hash
instead of every question.

A question's standing is kept beside it; each write takes the old standing
away and adds the new one, so a status, topic or locality changed by a
moderator moves its count. Moments only ever add: a decision undone and
taken again is counted twice per minute (the minute chart counts decisions
taken), but a question's first decision and its first answer are counted
once each (the store marks them).

Waiting times are not kept one by one: each falls into one of the fixed
``BOUNDS`` (seconds), and a percentile is read as the upper bound of the
bucket it falls in (``percentile``): the true value lies at most there, and
above the bound before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from .model import Question, Status

#: The upper bounds (seconds) of the waiting-time buckets; a wait above the
#: last falls into the bucket ``len(BOUNDS)`` (unbounded).
BOUNDS = (
    5, 10, 15, 30, 45, 60, 90, 120, 180, 300, 450, 600, 900, 1200, 1800, 2700, 3600,
    5400, 7200, 10800, 21600, 43200, 86400, 172800, 345600, 604800, 1209600, 2592000,
    5184000, 7776000,
)  # fmt: skip
#: The states a question has not been decided on in yet (screening moves a
#: question from received to pending; a moderator's decision takes it on).
UNDECIDED = frozenset({Status.RECEIVED, Status.PENDING})
#: The minute chart's series.
SERIES = ("received", "approved", "rejected")
#: The waits kept: from receipt to the first decision, and to the first answer.
WAITS = ("decided", "answered")


def standing(q: Question) -> dict[str, int]:
    """What ``q`` adds to its dialogue's counters while it is as it is."""
    out = {
        f"status:{q.status.value}": 1,
        f"channel:{q.channel}": 1,
        f"topic:{q.topic or ''}": 1,
        f"locality:{q.locality or ''}": 1,
    }
    if q.status is not Status.MERGED:
        out["people"] = q.asked_by
        if q.merged_from:
            out["clusters"] = 1
    if q.status is Status.ANSWERED and q.answer is not None:
        out[f"answer:{q.answer.kind}"] = 1
    if q.status is Status.DEFERRED and q.due_at:
        out[f"due:{q.due_at}"] = 1
    return out


def minute(at: str) -> str:
    """The UTC minute (``YYYY-MM-DDTHH:MM``) of an ISO 8601 moment."""
    if at.endswith("+00:00") and at[10:11] == "T" and at[13:14] == ":" and len(at) >= 22:
        return at[:16]  # already UTC, as ``iso`` writes the app's times: its own first 16
    return datetime.fromisoformat(at).astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def bucket(seconds: float) -> int:
    """The index of the waiting-time bucket ``seconds`` falls into."""
    return next((i for i, bound in enumerate(BOUNDS) if seconds <= bound), len(BOUNDS))


def _seconds(start: str, end: str) -> float:
    return max((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 0)


def arrived(q: Question) -> dict[str, int]:
    """A question came in: one more received in its minute."""
    return {f"m:{minute(q.submitted_at)}:received": 1}


def moved(previous: Status, q: Question) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """What ``q``'s write from ``previous`` adds once: the minute's approved
    or rejected, and (each at most once per question, the store keeps the
    mark) the wait to its first decision and to its first answer."""
    bumps: dict[str, int] = {}
    once: dict[str, dict[str, int]] = {}
    at = q.updated_at or q.submitted_at
    if q.status is not previous and q.status in (Status.APPROVED, Status.REJECTED):
        bumps[f"m:{minute(at)}:{q.status.value}"] = 1
    if previous in UNDECIDED and q.status not in UNDECIDED:
        once["decided"] = {f"wait:decided:{bucket(_seconds(q.submitted_at, at))}": 1}
    if q.status is Status.ANSWERED and q.answer is not None:
        wait = _seconds(q.submitted_at, q.answer.answered_at)
        once["answered"] = {f"wait:answered:{bucket(wait)}": 1}
    return bumps, once


def percentile(counts: Mapping[int, int], share: float) -> int | None:
    """The index of the bucket holding the ``share`` (0..1] percentile
    (nearest rank) of ``counts`` (bucket index -> how many); None if nothing
    is counted. The true value is at most ``BOUNDS[index]`` (unbounded for
    the last) and above the bound before it."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, -(-round(share * 1000) * total // 1000))  # ceil(share * total)
    seen = 0
    for index in sorted(counts):
        seen += counts[index]
        if seen >= rank:
            return index
    return max(counts)


#: History actions that are not a decision on the question (its entry by
#: staff and its screening), for ``recount``.
_NOT_DECIDING = frozenset({"enter", "screen"})
_DECIDED_AS = {"approve": "approved", "reject": "rejected"}


def recount(questions: Iterable[Question]) -> tuple[dict[str, int], dict[str, Recounted]]:
    """The counters of a dialogue whose questions came before they were kept,
    from the questions as they stand and their histories: every question's
    standing and arrival, approvals and rejections by the minute of their
    history entries, the wait to the first history entry that is a decision
    and to the answer. Near what ``moved`` would have counted, not equal:
    screening's own decisions (held or published at intake) are not in the
    histories as decisions, and an answer edited since counts from its new time."""
    counters: Counter[str] = Counter()
    each: dict[str, Recounted] = {}
    for q in questions:
        standing_ = standing(q)
        counters.update(standing_)
        counters.update(arrived(q))
        marks = []
        for entry in q.history:
            if entry.action in _DECIDED_AS:
                counters[f"m:{minute(entry.at)}:{_DECIDED_AS[entry.action]}"] += 1
        first = next((e for e in q.history if e.action not in _NOT_DECIDING), None)
        if first is not None:
            counters[f"wait:decided:{bucket(_seconds(q.submitted_at, first.at))}"] += 1
            marks.append("decided")
        if q.answer is not None:
            wait = _seconds(q.submitted_at, q.answer.answered_at)
            counters[f"wait:answered:{bucket(wait)}"] += 1
            marks.append("answered")
        each[q.id] = Recounted(standing_, tuple(marks))
    return {k: n for k, n in counters.items() if n}, each


@dataclass(frozen=True)
class Recounted:
    """A question's share of recounted counters: its standing, and the marks
    of what it was counted for once (``moved``'s ``once``)."""

    standing: dict[str, int]
    marks: tuple[str, ...]
