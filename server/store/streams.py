"""Reads of many streams at once on a Redis Cluster: one reader per shard.

On one Redis, the event reader and the group workers read every dialogue's
stream in one XREAD (XREADGROUP), blocking until any of them has more. A
Cluster refuses a command whose keys lie in several slots, and every
dialogue has a slot of its own (its hash tag), so ``ShardedReads`` splits a
read by the primary (shard) that serves each stream's slot, then by slot:

- each shard is read by a task of its own on a connection of its own (one
  per shard and reader, not one per dialogue); the read ends when any shard
  has found entries (the other shards' blocked reads are ended with CLIENT
  UNBLOCK, and what they found is returned too) or when ``block_ms`` is up;
- a shard holding one slot of the streams is read with one blocking command,
  exactly as one Redis is;
- a shard holding several is read in rounds: the slots' reads pipelined
  without blocking (one round trip), then, if none had anything, a blocking
  read of the slot that last had entries ("hot": the dialogue on air), ended
  after ``POLL_MS`` (CLIENT UNBLOCK). The hot dialogue's entries come as soon
  as written; the others' within ``POLL_MS`` (docs/architecture.md says why
  50 ms).

During a reshard a shard's read may be answered MOVED (the slot has gone;
Redis also ends a read blocked on a slot that moves with MOVED), ASK or
TRYAGAIN (the slot is being migrated), or UNBLOCKED (the stream was moved
away under a blocked XREADGROUP). The shard's streams are then read once
through the Cluster client, which follows the redirection, the client's
slot map is corrected, and the next read is grouped anew: nothing is
skipped, since every read starts from the positions its caller kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import BlockingConnectionPool, Connection, Redis, RedisCluster
from redis.crc import key_slot
from redis.exceptions import (
    AskError,
    ClusterDownError,
    MovedError,
    ResponseError,
    TryAgainError,
)
from redis.exceptions import (
    ConnectionError as RedisConnectionError,
)
from redis.exceptions import (
    TimeoutError as RedisTimeoutError,
)

log = logging.getLogger(__name__)

#: The longest a blocking read may wait: its connection's timeout is the
#: command timeout plus this.
MAX_BLOCK = 5.0
#: Without a configured command timeout, the one a blocking connection adds MAX_BLOCK to.
DEFAULT_TIMEOUT = 5.0
#: On a shard holding several slots of the streams read, the longest a new
#: entry in a slot other than the hot one waits to be read.
POLL_MS = 50

#: A reply of XREAD / XREADGROUP: [stream, [(entry id, fields), ...]] per stream.
Reply = list[Any]
#: (group, consumer) for XREADGROUP; None for XREAD.
Group = tuple[str, str] | None

#: What a connection to one node takes from the Cluster client's settings.
_NODE_KWARGS = (
    "username",
    "password",
    "credential_provider",
    "client_name",
    "driver_info",
    "encoding",
    "encoding_errors",
    "decode_responses",
    "health_check_interval",
    "socket_connect_timeout",
    "socket_keepalive",
    "socket_read_size",
    "protocol",
)


def is_cluster(redis: Any) -> bool:
    return isinstance(redis, RedisCluster)


def _redirected(exc: BaseException) -> bool:
    """A read that a reshard turned away, to be read again through the Cluster client."""
    if isinstance(exc, (MovedError, AskError, TryAgainError)):
        return True
    return isinstance(exc, ResponseError) and str(exc).startswith("UNBLOCKED")


@dataclass
class _Shard:
    """One primary's connection of its own, for blocking reads."""

    name: str
    client: Redis
    client_id: int | None = None
    #: The slot that last had entries: the one a round's blocking read waits on.
    hot: int | None = None
    #: Whether a blocking command is (about to be) on the wire.
    blocking: bool = False
    cut: asyncio.Event = field(default_factory=asyncio.Event)


class ShardedReads:
    """Multi-stream XREAD / XREADGROUP on a Redis Cluster, one reader per shard."""

    def __init__(self, cluster: RedisCluster) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._cluster: Any = cluster
        self._shards: dict[str, _Shard] = {}
        self._woken = False
        self._refresh = False
        #: CLIENT UNBLOCKs on their way (a reference keeps each task alive).
        self._ending: set[asyncio.Task[None]] = set()

    # -- the caller's side ------------------------------------------------------

    async def read(
        self, streams: Mapping[str, str], block_ms: int | None, count: int, group: Group = None
    ) -> Reply:
        """Entries after each stream's id (or ``>``: new to ``group``), waiting up
        to ``block_ms`` for any (None: not at all); one reply for all shards."""
        if not streams:
            return []
        assert block_ms is None or block_ms <= MAX_BLOCK * 1000, block_ms
        if self._refresh:
            self._refresh = False
            await self._cluster.nodes_manager.initialize()
        by_shard = self._group(streams)
        if block_ms is None:
            return await self._through_cluster(
                [slot for slots in by_shard.values() for slot in slots.values()], count, group
            )
        shards = [self._shard(name) for name in by_shard]
        for shard in shards:
            shard.cut.clear()
        if self._woken:
            block_ms = None  # woken before it began: look once, do not wait
        self._woken = False
        tasks = [
            asyncio.create_task(
                self._read_shard(shard, by_shard[shard.name], block_ms, count, group)
            )
            for shard in shards
        ]
        for task in tasks:  # a read cut short (cancelled) leaves no outcome unretrieved
            task.add_done_callback(_retrieved)
        try:
            pending = set(tasks)
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                if any(t.exception() is not None or t.result() for t in done):
                    break
            # One shard found entries (or failed): the others stop waiting,
            # and what they found meanwhile is returned with it.
            await self._cut([s for s, t in zip(shards, tasks, strict=True) if t in pending])
            results = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in tasks:
                task.cancel()
        reply: Reply = []
        failed: BaseException | None = None
        for result in results:
            if isinstance(result, BaseException):
                failed = failed or result
            else:
                reply.extend(result)
        if failed is not None and not reply:
            raise failed
        return reply

    async def wake(self) -> None:
        """End the read that is waiting now (or the next one, before it waits)."""
        self._woken = True
        await self._cut(list(self._shards.values()))

    async def close(self) -> None:
        shards, self._shards = list(self._shards.values()), {}
        for shard in shards:
            await shard.client.aclose()

    # -- grouping -----------------------------------------------------------------

    def _group(self, streams: Mapping[str, str]) -> dict[str, dict[int, dict[str, str]]]:
        """shard (primary's name) -> slot -> {stream: id}."""
        manager = self._cluster.nodes_manager
        grouped: dict[str, dict[int, dict[str, str]]] = {}
        for stream, position in streams.items():
            slot = key_slot(stream.encode())
            node = manager.get_node_from_slot(slot)
            grouped.setdefault(node.name, {}).setdefault(slot, {})[stream] = position
        return grouped

    def _shard(self, name: str) -> _Shard:
        shard = self._shards.get(name)
        if shard is None:
            host, _, port = name.rpartition(":")
            given = self._cluster.nodes_manager.connection_kwargs
            kwargs = {k: given[k] for k in _NODE_KWARGS if k in given}
            kwargs.update({k: v for k, v in given.items() if k.startswith("ssl_")})
            timeout = (given.get("socket_timeout") or DEFAULT_TIMEOUT) + MAX_BLOCK
            pool = BlockingConnectionPool(
                host=host,
                port=int(port),
                connection_class=given.get("connection_class", Connection),
                max_connections=1,
                socket_timeout=timeout,
                **kwargs,
            )
            shard = self._shards[name] = _Shard(name, Redis.from_pool(pool))
        return shard

    # -- one shard ------------------------------------------------------------------

    async def _read_shard(
        self,
        shard: _Shard,
        slots: dict[int, dict[str, str]],
        block_ms: int | None,
        count: int,
        group: Group,
    ) -> Reply:
        try:
            return await self._rounds(shard, slots, block_ms, count, group)
        except (ResponseError, ClusterDownError) as exc:
            if isinstance(exc, MovedError):
                await self._cluster.nodes_manager.move_slot(exc)
            elif isinstance(exc, ClusterDownError):
                self._refresh = True
            if not _redirected(exc):
                raise
            log.info("reads on %s redirected (%s); reading through the cluster", shard.name, exc)
            found = await self._through_cluster(list(slots.values()), count, group)
            if not found and block_ms and not shard.cut.is_set():
                # A slot mid-migration answers ASK until it has moved: not a busy loop.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(shard.cut.wait(), min(block_ms, POLL_MS) / 1000)
            return found
        except (RedisConnectionError, RedisTimeoutError):
            # The node may have failed over or gone: connect anew, map the slots anew.
            shard.client_id = None
            self._refresh = True
            raise

    async def _rounds(
        self,
        shard: _Shard,
        slots: dict[int, dict[str, str]],
        block_ms: int | None,
        count: int,
        group: Group,
    ) -> Reply:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (block_ms or 0) / 1000
        if shard.client_id is None and block_ms:
            shard.client_id = int(await shard.client.client_id())
        if len(slots) == 1:
            (streams,) = slots.values()
            return await self._blocking(shard, streams, block_ms, count, group)
        while True:
            async with shard.client.pipeline(transaction=False) as pipe:
                for streams in slots.values():
                    _queue(pipe, streams, count, group, None)
                replies = await pipe.execute(raise_on_error=False)
            found: Reply = []
            for slot, rows in zip(slots, replies, strict=True):
                if isinstance(rows, Exception):
                    raise rows
                if rows:
                    shard.hot = slot
                    found.extend(rows)
            left_ms = int((deadline - loop.time()) * 1000)
            if found or not block_ms or left_ms <= 0 or shard.cut.is_set():
                return found
            hot = shard.hot if shard.hot in slots else next(iter(slots))
            # Not BLOCK POLL_MS: Redis ends a block only on its next tick
            # (every 100 ms at the default hz 10), so the wait is cut here.
            timer = loop.call_later(POLL_MS / 1000, self._end_round, shard)
            try:
                found = await self._blocking(shard, slots[hot], left_ms, count, group)
            finally:
                timer.cancel()
            if found:
                return found

    def _end_round(self, shard: _Shard) -> None:
        """A round's wait on the hot slot is up: the other slots are read again."""
        task = asyncio.ensure_future(self._unblock(shard))
        self._ending.add(task)
        task.add_done_callback(self._ending.discard)

    async def _blocking(
        self,
        shard: _Shard,
        streams: dict[str, str],
        block_ms: int | None,
        count: int,
        group: Group,
    ) -> Reply:
        """One read of one slot's streams on the shard's connection, blocking
        unless ``block_ms`` is None or the read was cut short already."""
        if shard.cut.is_set():
            block_ms = None
        shard.blocking = bool(block_ms)
        client: Any = shard.client  # redis-py's reply types do not follow decode_responses
        try:
            if group is None:
                reply = await client.xread(streams, count=count, block=block_ms)
            else:
                reply = await client.xreadgroup(
                    group[0], group[1], streams, count=count, block=block_ms
                )
        finally:
            shard.blocking = False
        return list(reply or [])

    async def _cut(self, shards: list[_Shard]) -> None:
        """End the waits of ``shards``' reads (those not yet begun do not wait)."""
        for shard in shards:
            shard.cut.set()
            await self._unblock(shard)

    async def _unblock(self, shard: _Shard) -> None:
        """End the blocking command ``shard``'s connection is waiting in, if any."""
        if shard.blocking and shard.client_id is not None:
            node = self._cluster.get_node(node_name=shard.name)
            if node is not None:
                with contextlib.suppress(Exception):  # the read ends at its block anyway
                    await self._cluster.client_unblock(shard.client_id, target_nodes=node)

    async def _through_cluster(
        self, slots: list[dict[str, str]], count: int, group: Group
    ) -> Reply:
        """Each slot's streams read once, not blocking, by the Cluster client:
        one pipeline (a round trip per shard), which follows MOVED and ASK
        and waits out TRYAGAIN, on the client's own connections."""
        async with self._cluster.pipeline(transaction=False) as pipe:
            for streams in slots:
                _queue(pipe, streams, count, group, None)
            replies = await pipe.execute()
        return [row for reply in replies for row in reply or []]


def _retrieved(task: asyncio.Task[Reply]) -> None:
    if not task.cancelled():
        task.exception()


def _queue(pipe: Any, streams: dict[str, str], count: int, group: Group, block: int | None) -> None:
    if group is None:
        pipe.xread(streams, count=count, block=block)
    else:
        pipe.xreadgroup(group[0], group[1], streams, count=count, block=block)
