"""The live dashboard's figures, read from the counters ``domain.tally``
keeps (never from the questions themselves): the same names and the same
ranking as ``domain.figures``, so that each can be checked against the
other. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import tally
from .figures import NO_TOPIC, ranked, today
from .model import Dialogue, Status


@dataclass(frozen=True)
class Minute:
    """One minute (UTC, ``YYYY-MM-DDTHH:MM``) of the dialogue: questions received,
    and decisions to approve and to reject taken in it."""

    at: str
    received: int
    approved: int
    rejected: int


@dataclass(frozen=True)
class Wait:
    """How long questions waited (``tally.BOUNDS`` buckets): how many were
    counted, and the buckets of the median and of the 90th percentile
    (None: nothing counted yet)."""

    count: int
    median: int | None
    p90: int | None

    @staticmethod
    def bound(index: int | None) -> int | None:
        """The upper bound (seconds) of bucket ``index``; None above the last bound."""
        return tally.BOUNDS[index] if index is not None and index < len(tally.BOUNDS) else None


@dataclass(frozen=True)
class Supported:
    """An open question among the most supported."""

    id: str
    text: str
    votes: int
    status: str


@dataclass(frozen=True)
class Dashboard:
    total: int
    people: int
    by_status: dict[str, int]
    by_topic: list[tuple[str, int]]
    by_locality: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    answered_live: int
    answered_written: int
    owed: int
    overdue: int
    #: Questions that others were merged into (a cluster of duplicates each).
    clusters: int
    merged: int
    minutes: list[Minute]
    decided: Wait
    answered: Wait
    viewers: int
    viewers_peak: int
    supported: list[Supported]
    at: str
    #: The dialogue's last event when the counters were read (they are at
    #: least as new): a feed started after it misses no change.
    last_event_id: str = "0-0"


def _wait(counters: Mapping[str, int], name: str) -> Wait:
    prefix = f"wait:{name}:"
    buckets = {int(k[len(prefix) :]): n for k, n in counters.items() if k.startswith(prefix)}
    return Wait(
        sum(buckets.values()), tally.percentile(buckets, 0.5), tally.percentile(buckets, 0.9)
    )


def _minutes(counters: Mapping[str, int]) -> list[Minute]:
    seen: dict[str, dict[str, int]] = {}
    for key, n in counters.items():
        if key.startswith("m:"):
            at, _, series = key[2:].rpartition(":")
            seen.setdefault(at, {})[series] = n
    return [
        Minute(at, s.get("received", 0), s.get("approved", 0), s.get("rejected", 0))
        for at, s in sorted(seen.items())
    ]


def read(
    dialogue: Dialogue,
    counters: Mapping[str, int],
    now: datetime,
    *,
    viewers: tuple[int, int] = (0, 0),
    supported: list[Supported] | None = None,
    last_event_id: str = "0-0",
) -> Dashboard:
    """The dashboard from ``counters`` (``tally``'s hash), on Vietnam's day of
    ``now``; ``viewers`` is (now, peak)."""

    def group(name: str) -> Counter[str]:
        prefix = f"{name}:"
        return Counter({k[len(prefix) :]: n for k, n in counters.items() if k.startswith(prefix)})

    status = group("status")
    topics: Counter[str] = Counter()
    for topic_id, n in group("topic").items():
        topic = dialogue.topic(topic_id)
        topics[topic.name if topic else topic_id or NO_TOPIC] += n
    on = today(now).isoformat()
    return Dashboard(
        total=sum(status.values()),
        people=counters.get("people", 0),
        by_status={k: n for k, n in status.items() if n},
        by_topic=ranked(+topics),
        by_locality=ranked(+group("locality")),
        by_channel=ranked(+group("channel")),
        answered_live=counters.get("answer:live", 0),
        answered_written=counters.get("answer:written", 0),
        owed=status.get(Status.DEFERRED.value, 0),
        overdue=sum(n for day, n in group("due").items() if day < on),
        clusters=counters.get("clusters", 0),
        merged=status.get(Status.MERGED.value, 0),
        minutes=_minutes(counters),
        decided=_wait(counters, "decided"),
        answered=_wait(counters, "answered"),
        viewers=viewers[0],
        viewers_peak=viewers[1],
        supported=supported or [],
        at=now.isoformat(timespec="seconds"),
        last_event_id=last_event_id,
    )


#: The minute chart's most points: a longer dialogue is drawn in steps of
#: several minutes (the table keeps every minute).
POINTS = 120


@dataclass(frozen=True)
class Point:
    """One step of the minute chart: from ``at`` (UTC ISO) for ``step`` minutes."""

    at: str
    step: int
    received: int
    approved: int
    rejected: int


def steps(minutes: list[Minute], points: int = POINTS) -> list[Point]:
    """``minutes`` as at most ``points`` equal steps from the first to the
    last, minutes with nothing in them counted as zero."""
    if not minutes:
        return []
    start = datetime.fromisoformat(minutes[0].at + "+00:00")
    span = int((datetime.fromisoformat(minutes[-1].at + "+00:00") - start).total_seconds() // 60)
    step = max(1, -(-(span + 1) // points))
    out = [[0, 0, 0] for _ in range(span // step + 1)]
    for m in minutes:
        at = datetime.fromisoformat(m.at + "+00:00")
        i = int((at - start).total_seconds() // 60) // step
        out[i][0] += m.received
        out[i][1] += m.approved
        out[i][2] += m.rejected
    return [
        Point((start + timedelta(minutes=i * step)).isoformat(), step, *counts)
        for i, counts in enumerate(out)
    ]
