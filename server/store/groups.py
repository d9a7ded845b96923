"""A worker on a consumer group of one stream per dialogue: the intake
worker (``intake.py``) and the notifier (``notices.py``) are two of them.

Each node runs one consumer under a name that is stable across its restarts,
so a restarted node first takes up the entries it had read but not
acknowledged (after a kill -9 too); so does a running one after any Redis
error (XREADGROUP from id 0), since a batch cut short leaves entries read
and not finished. Entries left pending (on a dead
consumer, or failed) are taken over once idle long enough (``_wait_ms``:
XCLAIM after XPENDING, which also tells the delivery count); an entry
delivered ``max_deliveries`` times goes to the dialogue's dead letters
instead of failing forever.
On a Redis Cluster the reads of many streams (this consumer's own entries,
new ones) go per shard and slot (``streams.py``); on one Redis each is one
command over all the streams. ``handle(dialogue_id, qid, entry_id)`` must be
idempotent and acknowledge the entry itself, atomically with its effect where
it can (at-least-once delivery, exactly-once effect).
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError, ResponseError

from .. import metrics
from .errors import StoreUnavailable
from .streams import ShardedReads, is_cluster

log = logging.getLogger(__name__)

#: handle(dialogue_id, question_id, entry_id): do the work and XACK.
Handler = Callable[[str, str, str], Awaitable[None]]
#: batch(dialogue_id, [(question_id, entry_id), ...]): the same for several
#: entries of one stream read together; if it raises, each is handled alone.
BatchHandler = Callable[[str, list[tuple[str, str]]], Awaitable[None]]

#: How long one XREADGROUP waits for new entries before the loop looks again
#: for new dialogues and entries to take over.
BLOCK_MS = 1000


def _stream_gone(exc: Exception) -> bool:
    """Whether ``exc`` says a stream read was deleted: its group is gone
    (NOGROUP), or a blocked read was woken by its deletion (UNBLOCKED)."""
    text = str(exc)
    return "NOGROUP" in text or ("UNBLOCKED" in text and "no longer exists" in text)


class GroupWorker(abc.ABC):
    #: What the logs call this worker.
    name = ""
    group = ""

    def __init__(
        self,
        redis: Redis,
        dialogue_ids: Callable[[], Awaitable[list[str]]],
        handle: Handler,
        consumer: str,
        max_deliveries: int,
        block_ms: int = BLOCK_MS,
        batch: BatchHandler | None = None,
    ) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis
        self._dialogue_ids = dialogue_ids
        self._handle = handle
        self._batch = batch
        self.consumer = consumer
        self._max_deliveries = max_deliveries
        self._block_ms = block_ms
        self._grouped: set[str] = set()
        self._started = False
        #: On a Cluster, the per-shard readers of the streams (None on one Redis).
        self._sharded = ShardedReads(cast(RedisCluster, redis)) if is_cluster(redis) else None

    # -- what each worker says (intake.py, notices.py) -------------------------

    @abc.abstractmethod
    def _stream(self, dialogue_id: str) -> str:
        """The dialogue's stream this worker reads."""

    @abc.abstractmethod
    def _dead_stream(self, dialogue_id: str) -> str:
        """Where an entry that failed too often is set aside."""

    @abc.abstractmethod
    def _wait_ms(self, deliveries: int, consumer: str) -> int:
        """How long an entry delivered ``deliveries`` times, last to
        ``consumer``, stays pending before it is taken (over) again."""

    @abc.abstractmethod
    async def _failed(self, dialogue_id: str, entry_id: str, exc: Exception) -> None:
        """``handle`` raised ``exc``: the entry stays pending for a retry."""

    async def _last_words(self, dialogue_id: str, entry_id: str) -> dict[str, str]:
        """Fields a dead letter gets besides the entry's own."""
        return {}

    def _bury(self, pipe: Pipeline, dialogue_id: str, stream: str, entry_id: str) -> None:
        """Queue on ``pipe`` what else goes with a dead letter (nothing, unless a worker says)."""
        return None

    async def _ready(self, entry_id: str) -> None:
        """Wait, if need be, before handling a new entry (no wait, unless a worker says)."""
        return None

    # -- the loop ----------------------------------------------------------------

    async def run(self) -> None:
        """Work until cancelled. Redis errors are logged and retried."""
        try:
            await self._loop()
        finally:
            await self.close()

    async def close(self) -> None:
        """Close the connections of its own (a Cluster's per-shard readers)."""
        if self._sharded is not None:
            await self._sharded.close()

    async def _loop(self) -> None:
        gone_before = False
        while True:
            try:
                await self.run_once(self._block_ms)
                gone_before = False
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Whatever this consumer had read and not finished (the rest
                # of a batch cut short) is taken up again on the next pass,
                # not after the claim idle time.
                self._started = False
                if _stream_gone(exc):
                    # A stream was deleted (a dialogue purged, Redis flushed):
                    # Redis is there, so regroup and go on at once, pausing
                    # only if the pass before ended the same way.
                    self._grouped.clear()
                    log.warning(
                        "%s: a stream or its group is gone (%s); regrouping", self.name, exc
                    )
                    if not gone_before:
                        gone_before = True
                        continue
                elif isinstance(exc, (RedisError, StoreUnavailable)):
                    if isinstance(exc, RedisError):  # a StoreUnavailable was counted by its guard
                        metrics.REDIS_ERRORS.labels(type(exc).__name__).inc()
                    log.warning("%s: Redis unavailable (%s); retrying in a second", self.name, exc)
                else:
                    log.exception("%s loop failed; retrying in a second", self.name)
                await asyncio.sleep(1)

    async def run_once(self, block_ms: int | None = None) -> None:
        """One pass: (first time, and after an error) this consumer's own
        unacknowledged entries, then pending entries due again, then new
        entries."""
        streams = await self._streams()
        if not self._started:
            await self._own_pending(streams)
            self._started = True
        await self._take_over(streams)
        await self._read_new(streams, block_ms)

    async def _streams(self) -> dict[str, str]:
        """stream -> dialogue id, making the consumer group where missing."""
        streams = {}
        for dialogue_id in await self._dialogue_ids():
            stream = self._stream(dialogue_id)
            if stream not in self._grouped:
                try:
                    await self._redis.xgroup_create(stream, self.group, id="0", mkstream=True)
                except ResponseError as exc:
                    if "BUSYGROUP" not in str(exc):
                        raise
                self._grouped.add(stream)
            streams[stream] = dialogue_id
        return streams

    async def _own_pending(self, streams: dict[str, str]) -> None:
        if streams:
            reply = await self._read(dict.fromkeys(streams, "0"), None, 1000)
            # As new ones: an entry read just before an error may not be due yet.
            await self._process(streams, reply, new=True)

    async def _take_over(self, streams: dict[str, str]) -> None:
        least = self._wait_ms(1, self.consumer)
        for stream, dialogue_id in streams.items():
            pending = await self._redis.xpending_range(
                stream, self.group, min="-", max="+", count=100, idle=least
            )
            claimed = []
            for entry in pending:
                deliveries = entry["times_delivered"]
                if deliveries >= self._max_deliveries:
                    await self._dead_letter(dialogue_id, stream, entry)
                    continue
                wait = self._wait_ms(deliveries, entry["consumer"])
                if entry["time_since_delivered"] >= wait:
                    # Atomic: of two nodes, one claims it; idle again, it is not due.
                    claimed += await self._redis.xclaim(
                        stream, self.group, self.consumer, wait, [entry["message_id"]]
                    )
            if claimed:
                await self._process(streams, [[stream, claimed]])

    async def _read_new(self, streams: dict[str, str], block_ms: int | None) -> None:
        if not streams:
            await asyncio.sleep(self._block_ms / 1000)
            return
        reply = await self._read(dict.fromkeys(streams, ">"), block_ms, 100)
        await self._process(streams, reply, new=True)

    async def _read(self, streams: dict[str, str], block_ms: int | None, count: int) -> Any:
        """XREADGROUP of ``streams``: one command on one Redis, per shard on a Cluster."""
        if self._sharded is not None:
            return await self._sharded.read(streams, block_ms, count, (self.group, self.consumer))
        return await self._redis.xreadgroup(
            self.group, self.consumer, streams, count=count, block=block_ms
        )

    async def _process(self, streams: dict[str, str], reply: Any, new: bool = False) -> None:
        for stream, entries in reply or []:
            dialogue_id = streams[stream]
            if self._batch is not None:
                entries = await self._process_batch(stream, dialogue_id, entries)
            for entry_id, fields in entries:
                if not fields:  # deleted meanwhile
                    await self._redis.xack(stream, self.group, entry_id)
                    continue
                if new:
                    await self._ready(entry_id)
                try:
                    await self._handle(dialogue_id, fields["qid"], entry_id)
                except (asyncio.CancelledError, StoreUnavailable):
                    # Redis is away: the rest of the batch would fail too;
                    # ``run`` takes it all up again from this consumer's own.
                    raise
                except Exception as exc:
                    # Left pending: taken over again when due, dead-lettered
                    # after max_deliveries.
                    await self._failed(dialogue_id, entry_id, exc)

    async def _process_batch(self, stream: str, dialogue_id: str, entries: Any) -> Any:
        """Hand ``entries`` to the batch handler; what is left to handle one by
        one (all of them if it failed: each handling is idempotent)."""
        assert self._batch is not None
        if sum(1 for _, fields in entries if fields) < 2:
            return entries
        try:
            live = [(fields["qid"], entry_id) for entry_id, fields in entries if fields]
            await self._batch(dialogue_id, live)
        except (asyncio.CancelledError, StoreUnavailable):
            raise
        except Exception:
            log.warning("%s: a batch of %s failed; one entry at a time", self.name, stream)
            return entries
        return [(entry_id, fields) for entry_id, fields in entries if not fields]

    async def _dead_letter(self, dialogue_id: str, stream: str, entry: dict[str, Any]) -> None:
        entry_id = entry["message_id"]
        rows = await self._redis.xrange(stream, entry_id, entry_id)
        qid = rows[0][1].get("qid", "") if rows else ""
        extra = await self._last_words(dialogue_id, entry_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self._dead_stream(dialogue_id),
                {
                    "entry": entry_id,
                    "qid": qid,
                    "deliveries": entry["times_delivered"],
                    "consumer": entry["consumer"],
                    **extra,
                },
            )
            pipe.xack(stream, self.group, entry_id)
            self._bury(pipe, dialogue_id, stream, entry_id)
            await pipe.execute()
        log.error(
            "%s gave up on %s %s after %s deliveries",
            self.name,
            stream,
            entry_id,
            entry["times_delivered"],
        )
