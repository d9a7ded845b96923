"""The intake worker: a consumer group on every dialogue's inbox stream.

Each node runs one consumer under a name that is stable across its restarts,
so a restarted node first takes up the entries it had read but not
acknowledged. Entries left idle on a dead consumer are taken over (XCLAIM
after XPENDING, which also tells the delivery count); an entry delivered
``max_deliveries`` times goes to the dialogue's dead-letter stream instead of
failing forever. ``handle`` must be idempotent and acknowledge the entry
itself, atomically with its write (at-least-once delivery, exactly-once effect).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from . import keys

log = logging.getLogger(__name__)

#: handle(dialogue_id, question_id, entry_id): materialise and XACK in one step.
Handler = Callable[[str, str, str], Awaitable[None]]

#: How long one XREADGROUP waits for new entries before the loop looks again
#: for new dialogues and idle entries to take over.
BLOCK_MS = 1000


class Intake:
    def __init__(
        self,
        redis: Redis,
        dialogue_ids: Callable[[], Awaitable[list[str]]],
        handle: Handler,
        consumer: str,
        claim_idle: float,
        max_deliveries: int,
    ) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis
        self._dialogue_ids = dialogue_ids
        self._handle = handle
        self.consumer = consumer
        self._claim_idle_ms = int(claim_idle * 1000)
        self._max_deliveries = max_deliveries
        self._grouped: set[str] = set()
        self._started = False

    async def run(self) -> None:
        """Work until cancelled. Redis errors are logged and retried."""
        while True:
            try:
                await self.run_once(BLOCK_MS)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if "NOGROUP" in str(exc):
                    self._grouped.clear()  # a stream was deleted (or Redis flushed): regroup
                log.exception("intake loop failed; retrying in a second")
                await asyncio.sleep(1)

    async def run_once(self, block_ms: int | None = None) -> None:
        """One pass: (first time only) this consumer's own unacknowledged
        entries, then entries idle on other consumers, then new entries."""
        streams = await self._streams()
        if not self._started:
            await self._own_pending(streams)
            self._started = True
        await self._take_over(streams)
        await self._read_new(streams, block_ms)

    async def _streams(self) -> dict[str, str]:
        """inbox stream -> dialogue id, making the consumer group where missing."""
        streams = {}
        for dialogue_id in await self._dialogue_ids():
            stream = keys.inbox(dialogue_id)
            if stream not in self._grouped:
                try:
                    await self._redis.xgroup_create(
                        stream, keys.INTAKE_GROUP, id="0", mkstream=True
                    )
                except ResponseError as exc:
                    if "BUSYGROUP" not in str(exc):
                        raise
                self._grouped.add(stream)
            streams[stream] = dialogue_id
        return streams

    async def _own_pending(self, streams: dict[str, str]) -> None:
        if streams:
            reply = await self._redis.xreadgroup(
                keys.INTAKE_GROUP, self.consumer, dict.fromkeys(streams, "0"), count=1000
            )
            await self._process(streams, reply)

    async def _take_over(self, streams: dict[str, str]) -> None:
        for stream, dialogue_id in streams.items():
            pending = await self._redis.xpending_range(
                stream, keys.INTAKE_GROUP, min="-", max="+", count=100, idle=self._claim_idle_ms
            )
            to_claim = []
            for entry in pending:
                if entry["times_delivered"] >= self._max_deliveries:
                    await self._dead_letter(dialogue_id, stream, entry)
                else:
                    to_claim.append(entry["message_id"])
            if to_claim:
                claimed = await self._redis.xclaim(
                    stream, keys.INTAKE_GROUP, self.consumer, self._claim_idle_ms, to_claim
                )
                await self._process(streams, [[stream, claimed]])

    async def _read_new(self, streams: dict[str, str], block_ms: int | None) -> None:
        if not streams:
            await asyncio.sleep(BLOCK_MS / 1000)
            return
        reply = await self._redis.xreadgroup(
            keys.INTAKE_GROUP,
            self.consumer,
            dict.fromkeys(streams, ">"),
            count=100,
            block=block_ms,
        )
        await self._process(streams, reply)

    async def _process(self, streams: dict[str, str], reply: Any) -> None:
        for stream, entries in reply or []:
            dialogue_id = streams[stream]
            for entry_id, fields in entries:
                if not fields:  # deleted meanwhile
                    await self._redis.xack(stream, keys.INTAKE_GROUP, entry_id)
                    continue
                try:
                    await self._handle(dialogue_id, fields["qid"], entry_id)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # Left pending: taken over again after claim_idle, dead-lettered
                    # after max_deliveries.
                    log.exception("intake could not materialise %s %s", stream, entry_id)

    async def _dead_letter(self, dialogue_id: str, stream: str, entry: dict[str, Any]) -> None:
        entry_id = entry["message_id"]
        rows = await self._redis.xrange(stream, entry_id, entry_id)
        qid = rows[0][1].get("qid", "") if rows else ""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                keys.dead_letters(dialogue_id),
                {
                    "entry": entry_id,
                    "qid": qid,
                    "deliveries": entry["times_delivered"],
                    "consumer": entry["consumer"],
                },
            )
            pipe.xack(stream, keys.INTAKE_GROUP, entry_id)
            await pipe.execute()
        log.error(
            "intake gave up on %s %s after %s deliveries",
            stream,
            entry_id,
            entry["times_delivered"],
        )
