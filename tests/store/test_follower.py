"""The event follower's reads over many dialogues at once: one XREAD on one
Redis; on a Cluster (``--redis-cluster``), one reader per shard, a shard
holding several of the dialogues' slots read in rounds (``streams.py``).
The dialogues are chosen so that, on the test cluster's slot layout
(three primaries: slots 0-5460, 5461-10922, 10923-16383), two share a shard
in different slots and the others are on the other two shards."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from redis.asyncio import Redis, RedisCluster
from redis.crc import key_slot

from server.store import connection, keys, streams
from server.store.connection import MAX_BLOCK, Follower
from server.store.events import StoredEvent
from tests.support.waiting import INTAKE_TIMEOUT, eventually

#: The test cluster's shards, by slot range (``redis-cli --cluster create``).
SHARDS = ((0, 5460), (5461, 10922), (10923, 16383))


def _shard(dialogue_id: str) -> int:
    slot = key_slot(keys.events(dialogue_id).encode())
    return next(n for n, (low, high) in enumerate(SHARDS) if low <= slot <= high)


def spread() -> list[str]:
    """Two dialogues on the first shard (in two slots), one on each other shard."""
    wanted = [0, 0, 1, 2]
    chosen: list[str] = []
    for n in itertools.count():
        dialogue_id = f"follow{n}"
        shard = _shard(dialogue_id)
        if shard in wanted:
            wanted.remove(shard)
            chosen.append(dialogue_id)
        if not wanted:
            return chosen
    raise AssertionError("unreachable")


async def append(redis: Redis, dialogue_id: str, n: int) -> str:
    return str(
        await redis.xadd(keys.events(dialogue_id), {"type": "presence.changed", "by": f"p{n}"})
    )


async def last_id(redis: Redis, dialogue_id: str) -> str:
    last = await redis.xrevrange(keys.events(dialogue_id), count=1)
    return str(last[0][0]) if last else "0-0"


async def read_until(
    follower: Follower, positions: dict[str, str], wanted: int
) -> list[StoredEvent]:
    """Reads (each returns what there is, or waits) until ``wanted`` events came."""
    found: list[StoredEvent] = []
    for _ in range(20):
        events = await follower.read(positions, 1000)
        for event in events:
            positions[event.dialogue_id] = event.id
        found += events
        if len(found) >= wanted:
            break
    return found


async def test_a_read_over_many_dialogues_gets_each_one_s_events_once_in_order(
    redis: Redis,
) -> None:
    dialogues = spread()
    assert len({key_slot(keys.events(d).encode()) for d in dialogues}) == len(dialogues)
    written = {d: [await append(redis, d, n) for n in range(3)] for d in dialogues}
    follower = Follower(redis)
    try:
        found = await read_until(follower, dict.fromkeys(dialogues, "0-0"), 3 * len(dialogues))
    finally:
        await follower.close()
    for d in dialogues:
        assert [e.id for e in found if e.dialogue_id == d] == written[d]
    assert len(found) == 3 * len(dialogues)


async def test_a_blocked_read_returns_what_is_appended_meanwhile_to_any_dialogue(
    redis: Redis,
) -> None:
    """Whichever dialogue gets the event (the shard's hot slot or another),
    the waiting read returns it."""
    dialogues = spread()
    follower = Follower(redis)
    try:
        for n, target in enumerate(dialogues):
            positions = {d: await last_id(redis, d) for d in dialogues}
            reading = asyncio.create_task(follower.read(positions, int(MAX_BLOCK * 1000)))
            await asyncio.sleep(0)  # let it start (it finds the event either way)
            entry = await append(redis, target, n)
            events = await reading
            assert [(e.dialogue_id, e.id) for e in events] == [(target, entry)]
    finally:
        await follower.close()


async def blocked_clients(redis: Redis) -> int:
    """Connections waiting in a blocking command, on every primary."""
    if isinstance(redis, RedisCluster):
        infos = await redis.info("clients", target_nodes=RedisCluster.PRIMARIES)
        return sum(int(info["blocked_clients"]) for info in infos.values())
    return int((await redis.info("clients"))["blocked_clients"])


async def test_wake_ends_a_blocked_read(redis: Redis, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tracking a new dialogue wakes the reader's blocked read, on one Redis
    and on every shard of a Cluster: a read that would wait ten minutes ends
    once woken, with nothing."""
    for module in (connection, streams):
        monkeypatch.setattr(module, "MAX_BLOCK", 600.0)
    dialogues = spread()
    follower = Follower(redis)
    try:
        positions = {d: await last_id(redis, d) for d in dialogues}
        reading = asyncio.create_task(follower.read(positions, 600_000))

        async def waiting() -> bool:
            return await blocked_clients(redis) > 0

        await eventually(waiting, "the read blocks")
        await follower.wake()
        assert await asyncio.wait_for(reading, INTAKE_TIMEOUT) == []
    finally:
        await follower.close()
