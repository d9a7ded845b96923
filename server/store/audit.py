"""Audit streams in Redis: one per dialogue (``<prefix>audit``) and a global
one (``{doithoai}:audit``) for changes that belong to no dialogue (accounts).

Entries are chained by ``domain.audit``; a Lua script appends them only if
the head they were chained from is still the head, so the chain never forks.
Question changes append their entries inside ``transition.lua`` itself (see
``Questions.commit``), atomically with the change.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from ..domain import audit
from . import keys
from .errors import Contended, guarded
from .scripts import Scripts

#: Attempts at a write when another action appended between reading the
#: head and writing. Between two, a wait drawn at random up to a ceiling that
#: doubles from BACKOFF_FIRST to BACKOFF_MAX seconds ("full jitter"): writers
#: that lost together do not collide again together. Fifty moderators acting
#: at once all get through within a few rounds; the attempts bound a write
#: at a few seconds when the chain never stops moving.
ATTEMPTS = 50
BACKOFF_FIRST = 0.002
BACKOFF_MAX = 0.1


def _prefix(dialogue_id: str | None) -> str:
    return keys.GLOBAL_AUDIT if dialogue_id is None else keys.prefix(dialogue_id)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class HeadMoved(Contended):
    """Other actions kept appending to the chain first, ``ATTEMPTS`` times."""


async def wait_turn(attempt: int) -> None:
    """Wait before attempt ``attempt + 1`` at a write that lost the head (see ATTEMPTS)."""
    await asyncio.sleep(random.uniform(0, min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt)))


@dataclass(frozen=True)
class Row:
    id: str
    entry: dict[str, Any]
    hash: str


def _rows(replies: Any) -> list[Row]:
    return [
        Row(_s(entry_id), json.loads(_s(fields["entry"])), _s(fields["hash"]))
        for entry_id, fields in replies
    ]


@guarded
class AuditLog:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis
        self._scripts = scripts

    async def head(self, dialogue_id: str | None) -> tuple[str, int]:
        """(last hash, number of entries) of a dialogue's stream (None: the global one)."""
        prefix = _prefix(dialogue_id)
        value, count = await self._redis.hmget(keys.audit_head(prefix), "hash", "count")
        return (_s(value) if value else ""), int(count or 0)

    async def spec(self, dialogue_id: str | None, entries: Sequence[audit.Entry]) -> dict[str, Any]:
        """The ``audit`` part of a script's argument: ``entries`` sealed after
        the current head."""
        prev, count = await self.head(dialogue_id)
        sealed = audit.seal(prev, count, entries)
        return {
            "expect": prev,
            "count": count,
            "entries": [{"doc": s.doc, "prev": s.prev, "hash": s.hash} for s in sealed],
        }

    async def append(self, dialogue_id: str | None, entries: Sequence[audit.Entry]) -> None:
        """Append ``entries`` on their own (not with a question change)."""
        if not entries:
            return
        prefix = _prefix(dialogue_id)
        for attempt in range(ATTEMPTS):
            if attempt:
                await wait_turn(attempt)
            spec = await self.spec(dialogue_id, entries)
            touched = [keys.audit_stream(prefix), keys.audit_head(prefix)]
            result = await self._scripts("audit", touched, [prefix, json.dumps(spec)])
            if _s(result[0]) == "ok":
                return
        raise HeadMoved(prefix)

    async def read(
        self, dialogue_id: str | None, after: str | None = None, count: int = 200
    ) -> list[Row]:
        """Entries after stream id ``after`` (oldest first), at most ``count``."""
        start = f"({after}" if after else "-"
        stream = keys.audit_stream(_prefix(dialogue_id))
        return _rows(await self._redis.xrange(stream, start, "+", count=count))

    async def newest(
        self, dialogue_id: str | None, before: str | None = None, count: int = 200
    ) -> list[Row]:
        """Entries before stream id ``before`` (newest first), at most ``count``."""
        end = f"({before}" if before else "+"
        stream = keys.audit_stream(_prefix(dialogue_id))
        return _rows(await self._redis.xrevrange(stream, end, "-", count=count))

    async def verify(self, dialogue_id: str | None) -> list[audit.Problem]:
        """Read the whole stream and its head and check the chain."""
        prefix = _prefix(dialogue_id)
        rows: list[tuple[str, dict[str, str]]] = []
        start = "-"
        while True:
            batch = await self._redis.xrange(keys.audit_stream(prefix), start, "+", count=1000)
            rows.extend((_s(i), {_s(k): _s(v) for k, v in fields.items()}) for i, fields in batch)
            if len(batch) < 1000:
                break
            start = f"({_s(batch[-1][0])}"
        head = await self._redis.hgetall(keys.audit_head(prefix))
        return audit.verify(rows, {_s(k): _s(v) for k, v in head.items()})
