"""Notices to askers: the queue the answer's transition fills, the notifier
that works it, and the record of what was delivered.

``transition.lua`` appends a question id to the dialogue's notify stream in
the same atomic step as the answer (or the merge into an answered question).
The ``Notifier`` is a consumer group on those streams (``groups.py``: one
consumer per node, taken over after a kill -9, dead letters). A failed entry
stays pending and is tried again after ``backoff`` seconds, doubling each
time; after ``attempts`` it goes to the dialogue's ``notify:dead`` stream,
from which ``revive`` puts it back (``doithoai notify retry``).

Each delivery (an asker's question, a channel) is made at most once:
``begin`` locks it unless it was delivered before (``notified``), ``done``
records it. Entries carry only a question id; nothing here holds contact data.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from . import keys
from .errors import guarded
from .groups import BLOCK_MS, GroupWorker, Handler
from .scripts import Scripts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadNotice:
    #: The dead letter's id in the dialogue's ``notify:dead`` stream.
    id: str
    question_id: str
    deliveries: int
    #: Why the last attempt failed (an error's kind, never a server's text).
    error: str


def _notice_keys(dialogue_id: str, delivery: str) -> list[str]:
    """The keys ``notice.lua`` touches (one slot)."""
    return [keys.notified(dialogue_id), keys.notice_lock(dialogue_id, delivery)]


@guarded
class Notices:
    def __init__(self, redis: Redis, scripts: Scripts) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis
        self._scripts = scripts

    async def begin(self, dialogue_id: str, delivery: str, token: str, lease: float) -> str:
        """``"go"`` (``delivery`` is this attempt's until ``done``, ``release``
        or ``lease`` seconds), ``"sent"`` (delivered before) or ``"busy"``."""
        reply = await self._scripts(
            "notice",
            _notice_keys(dialogue_id, delivery),
            [keys.prefix(dialogue_id), "begin", delivery, token, max(1, int(lease * 1000))],
        )
        return str(reply)

    async def done(self, dialogue_id: str, delivery: str, token: str, at: str) -> None:
        """``delivery`` was made (at ``at``): never again."""
        await self._scripts(
            "notice",
            _notice_keys(dialogue_id, delivery),
            [keys.prefix(dialogue_id), "done", delivery, token, at],
        )

    async def release(self, dialogue_id: str, delivery: str, token: str) -> None:
        """This attempt at ``delivery`` failed: another may try."""
        await self._scripts(
            "notice",
            _notice_keys(dialogue_id, delivery),
            [keys.prefix(dialogue_id), "release", delivery, token],
        )

    async def delivered(self, dialogue_id: str) -> dict[str, str]:
        """Every delivery made in the dialogue -> when."""
        return dict(await self._redis.hgetall(keys.notified(dialogue_id)))

    async def finish(self, dialogue_id: str, entry_id: str) -> None:
        """The notify entry is handled: acknowledged and dropped."""
        stream = keys.notices(dialogue_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(stream, keys.NOTIFY_GROUP, entry_id)
            pipe.xdel(stream, entry_id)
            pipe.hdel(keys.notice_failures(dialogue_id), entry_id)
            await pipe.execute()

    async def waiting(self, dialogue_id: str) -> int:
        """Entries not yet handled (new, or pending a retry)."""
        return int(await self._redis.xlen(keys.notices(dialogue_id)))

    async def dead(self, dialogue_id: str) -> list[DeadNotice]:
        """The dialogue's dead letters, oldest first."""
        rows = await self._redis.xrange(keys.notice_dead_letters(dialogue_id))
        return [
            DeadNotice(entry_id, f.get("qid", ""), int(f.get("deliveries", 0)), f.get("error", ""))
            for entry_id, f in rows
        ]

    async def revive(self, dialogue_id: str, dead_ids: list[str]) -> int:
        """Put these dead letters back in the queue (their deliveries made
        meanwhile are not made again); how many there were."""
        found = 0
        for dead_id in dead_ids:
            rows = await self._redis.xrange(keys.notice_dead_letters(dialogue_id), dead_id, dead_id)
            if not rows:
                continue
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xadd(keys.notices(dialogue_id), {"qid": rows[0][1]["qid"]})
                pipe.xdel(keys.notice_dead_letters(dialogue_id), dead_id)
                await pipe.execute()
            found += 1
        return found


class Notifier(GroupWorker):
    """The node's consumer of every dialogue's notify stream.

    An entry is handled no sooner than ``delay`` seconds after it was added
    (an answer given live may be undone for a few seconds; the handler looks
    again at the question when it runs). A failed one is due again after
    ``backoff * 2**(deliveries - 1)`` seconds; one pending on another
    consumer is taken over no sooner than ``lease`` seconds (that consumer
    may still be at it)."""

    name = "notifier"
    group = keys.NOTIFY_GROUP

    def __init__(
        self,
        redis: Redis,
        dialogue_ids: Callable[[], Awaitable[list[str]]],
        handle: Handler,
        consumer: str,
        *,
        backoff: float,
        attempts: int,
        lease: float,
        delay: float = 0.0,
        block: float = BLOCK_MS / 1000,
    ) -> None:
        block_ms = max(10, int(min(block, backoff) * 1000))
        super().__init__(redis, dialogue_ids, handle, consumer, attempts, block_ms)
        self._backoff = backoff
        self._lease = lease
        self._delay = delay

    def _stream(self, dialogue_id: str) -> str:
        return keys.notices(dialogue_id)

    def _dead_stream(self, dialogue_id: str) -> str:
        return keys.notice_dead_letters(dialogue_id)

    def _wait_ms(self, deliveries: int, consumer: str) -> int:
        wait = self._backoff * 2 ** max(0, deliveries - 1)
        if consumer != self.consumer:
            wait = max(wait, self._lease)
        return int(wait * 1000)

    async def _ready(self, entry_id: str) -> None:
        added = int(entry_id.split("-", 1)[0]) / 1000
        left = added + self._delay - time.time()
        if left > 0:
            await asyncio.sleep(left)

    async def _failed(self, dialogue_id: str, entry_id: str, exc: Exception) -> None:
        kind = str(getattr(exc, "kind", ""))
        if not kind:  # not a delivery's failure: a fault to look into
            kind = type(exc).__name__
            log.exception("notice %s of dialogue %s failed", entry_id, dialogue_id)
        await self._redis.hset(keys.notice_failures(dialogue_id), entry_id, kind)
        log.warning(
            "notice %s of dialogue %s not delivered (%s); it will be tried again",
            entry_id,
            dialogue_id,
            kind,
        )

    async def _last_words(self, dialogue_id: str, entry_id: str) -> dict[str, str]:
        error = await self._redis.hget(keys.notice_failures(dialogue_id), entry_id)
        return {"error": str(error or "")}

    def _bury(self, pipe: Any, dialogue_id: str, stream: str, entry_id: str) -> None:
        pipe.xdel(stream, entry_id)
        pipe.hdel(keys.notice_failures(dialogue_id), entry_id)
