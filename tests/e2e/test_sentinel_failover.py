"""A node on Redis behind Sentinels (REDIS_SENTINELS) while its primary is
killed (kill -9) under a steady load of submissions: the Sentinels promote a
replica and the node follows them, so submissions are acknowledged again
without anyone touching the node; meanwhile every request is answered, 202
or 503 and nothing else. Acknowledged questions the failover lost are
counted: with DOITHOAI_REPLICA_ACKS=1 (the 202 waits until a replica has
the question) there are none.

The measured times and losses are printed (``-s``); docs/benchmarks.md
keeps a run's figures.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.helpers import ServerProcess
from tests.support.sentinel import SentinelSet, sentinel_set
from tests.support.staff import create_dialogue
from tests.support.store import opened
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

SLUG = "hue"
API = f"/api/v1/dialogues/{SLUG}/questions"
UNLIMITED = {
    "DOITHOAI_SUBMIT_LIMIT": "0",
    "DOITHOAI_DEVICE_LIMIT": "0",
    # As deployed: intake in a worker process, which must follow the failover too.
    "DOITHOAI_INTAKE_WORKERS": "1",
}
#: Concurrent submitters (a steady load, not a flood: 2 cores run the test).
SUBMITTERS = 4
#: Acknowledged submissions before the primary is killed, and after the
#: service is back, before the load stops.
BEFORE = 40
AFTER = 40


@dataclass
class Load:
    """Submissions sent until ``stop``: what each got."""

    client: httpx.AsyncClient
    acknowledged: dict[str, float] = field(default_factory=dict)  # tracking code -> when
    refused: list[float] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    sent: int = 0

    async def submitter(self, name: str) -> None:
        while not self.stop.is_set():
            self.sent += 1
            body = {
                "text": f"Xin hỏi tiến độ số hóa hồ sơ đất đai, lượt {name}-{self.sent}?",
                "name": "Trần Thị Bình",
                "submission_id": f"failover-{name}-{self.sent:06d}",
            }
            response = await self.client.post(API, json=body)
            if response.status_code == 202:
                self.acknowledged[response.json()["tracking_code"]] = time.monotonic()
            elif response.status_code == 503 and response.json()["error"]["code"] == "unavailable":
                self.refused.append(time.monotonic())
                await asyncio.sleep(0.1)  # as Retry-After asks, if sooner
            else:
                self.other.append(f"{response.status_code} {response.text}")

    async def until(self, count: int) -> None:
        """Wait until ``count`` submissions were acknowledged in all."""

        async def enough() -> bool:
            return len(self.acknowledged) >= count

        await eventually(enough, f"{count} submissions acknowledged")


@pytest.fixture
def sentinels() -> Iterator[SentinelSet]:
    with sentinel_set() as redis_set:
        yield redis_set


async def _failover(redis_set: SentinelSet, replica_acks: int) -> tuple[Load, float, int]:
    """Kill the primary under load: the load, the seconds from the kill to
    the first acknowledgement after it, and the acknowledged questions lost."""
    primary = f"redis://127.0.0.1:{redis_set.first_primary}/0"
    create_dialogue(primary, {}, slug=SLUG, title="Huế", status="live")
    env = {**redis_set.env, **UNLIMITED, "DOITHOAI_REPLICA_ACKS": str(replica_acks)}
    with ServerProcess(env=env) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            load = Load(client)
            workers = [asyncio.create_task(load.submitter(f"s{n}")) for n in range(SUBMITTERS)]
            try:
                await load.until(BEFORE)
                old = await asyncio.to_thread(redis_set.kill_primary)
                killed_at = time.monotonic()
                await asyncio.to_thread(redis_set.wait_failed_over, old)
                await load.until(len(load.acknowledged) + AFTER)
            finally:
                load.stop.set()
                await asyncio.gather(*workers)
    back = min(at for at in load.acknowledged.values() if at > killed_at) - killed_at
    async with opened(redis_set.where) as store:
        found = [await store.questions.by_tracking(code) for code in load.acknowledged]
    lost = sum(question is None for question in found)
    print(
        f"\nreplica acks {replica_acks}: {len(load.acknowledged)} acknowledged, "
        f"{len(load.refused)} refused with 503, back {back:.2f} s after the kill, {lost} lost"
    )
    return load, back, lost


async def test_a_failover_heals_without_a_human(sentinels: SentinelSet) -> None:
    """Every request is answered 202 or 503; after the kill, submissions are
    acknowledged again once the Sentinels promote a replica."""
    load, _, _ = await _failover(sentinels, replica_acks=0)  # losses: printed, not promised
    assert load.other == []
    assert load.refused, "the kill was not noticed: no 503 at all"


async def test_with_replica_acks_a_failover_loses_nothing(sentinels: SentinelSet) -> None:
    """DOITHOAI_REPLICA_ACKS=1: every acknowledged question is on the new primary."""
    load, _, lost = await _failover(sentinels, replica_acks=1)
    assert load.other == []
    assert lost == 0
