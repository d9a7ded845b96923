"""Reading a dialogue's event stream: resume after an id, block for new ones."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from redis.asyncio import Redis

from ..domain.model import Question, Status
from . import keys
from .errors import guarded


@dataclass(frozen=True)
class StoredEvent:
    """One entry of a dialogue's event stream, decoded."""

    id: str
    dialogue_id: str
    type: str
    previous: Status | None = None
    question: Question | None = None
    question_id: str | None = None
    votes: int | None = None
    #: Other fields of events that carry no question (``presence.changed``: by, until).
    data: Mapping[str, str] | None = None


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


#: An event's question decoded straight into the model, as the store reads a
#: stored question (``questions._load``): 4x faster than ``Question.from_doc``
#: on a decoded dict, and every intake worker reads back each event to keep
#: its duplicate index up to date.
_DECODE = msgspec.json.Decoder(Question).decode


def _question(doc: str, votes: int) -> Question:
    """The question of an event's ``q`` field, with ``votes``."""
    if doc.endswith("}"):
        # The votes appended to the document (the last of a repeated key wins).
        try:
            return _DECODE(f'{doc[:-1]},"votes":{votes}}}')
        except msgspec.DecodeError:
            pass  # older or looser documents (a null list, an empty state): read leniently
    return Question.from_doc(json.loads(doc), votes=votes)


def decode(dialogue_id: str, entry_id: Any, fields: Mapping[Any, Any]) -> StoredEvent:
    f = {_s(k): _s(v) for k, v in fields.items()}
    type_ = f["type"]
    if "q" in f:
        votes = int(f.get("votes", 0))
        q = _question(f["q"], votes)
        return StoredEvent(_s(entry_id), dialogue_id, type_, Status(f["prev"]), q, q.id, votes)
    votes_raw = f.get("votes")
    extra = {k: v for k, v in f.items() if k not in ("type", "qid", "votes")}
    return StoredEvent(
        _s(entry_id),
        dialogue_id,
        type_,
        question_id=f.get("qid"),
        votes=int(votes_raw) if votes_raw is not None else None,
        data=extra or None,
    )


#: A stream id as Redis writes it: ``<ms>-<seq>``, or ``<ms>`` alone (seq 0),
#: in ASCII digits (``str.isdigit`` would take "²" and Arabic-Indic digits).
_STREAM_ID = re.compile(r"([0-9]{1,20})(?:-([0-9]{1,20}))?", re.ASCII)
#: Each part of a stream id is an unsigned 64-bit number; Redis refuses more.
ID_PART_MAX = 2**64 - 1
#: Events one read takes from each stream at most.
EVENTS_COUNT = 500


def parse_id(event_id: str) -> tuple[int, int] | None:
    """``(ms, seq)`` of a stream id, or None when Redis would refuse it (not
    one, or a part past 64 bits): a client's ``after=`` or cursor goes
    through here before it reaches a stream command."""
    found = _STREAM_ID.fullmatch(event_id)
    if found is None:
        return None
    ms, seq = int(found[1]), int(found[2] or 0)
    if ms > ID_PART_MAX or seq > ID_PART_MAX:
        return None
    return ms, seq


@guarded
class Events:
    def __init__(self, redis: Redis) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis

    async def last_id(self, dialogue_id: str) -> str:
        last = await self._redis.xrevrange(keys.events(dialogue_id), count=1)
        return _s(last[0][0]) if last else "0-0"

    async def after(
        self, dialogue_id: str, after_id: str, *, limit: int
    ) -> list[StoredEvent] | None:
        """The events after ``after_id``, oldest first; None when ``after_id`` is
        not an id this stream still holds (unknown, from the future, or trimmed)
        or more than ``limit`` events follow it, so the caller must start over
        from a fresh snapshot instead."""
        if parse_id(after_id) is None:
            return None
        stream = keys.events(dialogue_id)
        if after_id in ("0", "0-0"):
            info = (
                await self._redis.xinfo_stream(stream) if await self._redis.exists(stream) else None
            )
            if info is not None and int(info.get("entries-added", -1)) != int(info["length"]):
                return None  # trimmed (or an old server without entries-added): start over
        elif not await self._redis.xrange(stream, after_id, after_id, count=1):
            return None
        rows = await self._redis.xrange(stream, f"({after_id}", "+", count=limit + 1)
        if len(rows) > limit:
            return None  # too far behind to replay: a snapshot is cheaper
        return [decode(dialogue_id, entry_id, fields) for entry_id, fields in rows]

    async def read(self, positions: Mapping[str, str], block_ms: int) -> list[StoredEvent]:
        """Block up to ``block_ms`` for events after each dialogue's position."""
        if not positions:
            return []
        streams = {keys.events(d): pos for d, pos in positions.items()}
        by_stream = {keys.events(d): d for d in positions}
        reply = await self._redis.xread(streams, block=block_ms, count=EVENTS_COUNT)
        found: list[StoredEvent] = []
        for stream, rows in reply or []:
            dialogue_id = by_stream[_s(stream)]
            found.extend(decode(dialogue_id, entry_id, fields) for entry_id, fields in rows)
        return found
