"""Redis Cluster (issue 14, item 1): a real 3-primary, 3-replica cluster on
loopback and one `doithoai serve` node with REDIS_CLUSTER_URL.

- Event latency: a vote in process, to the public viewer receiving its
  ``votes.changed``, for a dialogue alone on its primary (one blocking read)
  and for dialogues sharing a primary (rounds: the hot slot blocked on, the
  others read every ``POLL_MS``), voting on one of them (hot) or on each in
  turn (mostly not hot).
- Reshard under load (``tests/support/reshard.py``): a live dialogue's slot
  moved to another primary while two citizens submit and one votes: the
  move's time, the slowest request while it ran, what was acknowledged and
  lost, and whether the viewer saw exactly the stream.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Iterator

from websockets.asyncio.client import ClientConnection, connect

from server.actions import Services, build
from server.domain.model import Dialogue
from server.store.connection import Cluster, Store
from server.store.streams import POLL_MS
from tests.helpers import ServerProcess
from tests.support.cluster import redis_cluster
from tests.support.reshard import (
    UNLIMITED,
    feed_url,
    make_dialogue,
    next_message,
    public_ids,
    reshard_under_load,
    shard_of,
)
from tests.support.store import opened

from .common import approved

VOTES = 60
#: Questions a dialogue needs: every vote goes to a question of its own,
#: since a question's votes reach viewers at most once a second (issue 15,
#: item 6) and a second vote within the window would measure the window.
QUESTIONS = VOTES + VOTES // 3


async def _until(ws: ClientConnection, type_: str) -> None:
    while (await next_message(ws))["type"] != type_:
        pass


async def _latencies(
    actions: Services,
    targets: list[tuple[Dialogue, Iterator[str], ClientConnection]],
    order: list[int],
    phase: str,
) -> list[float]:
    """Vote → viewer times; each vote on a question not voted on before, by
    a new voter (a repeated vote changes nothing)."""
    spans = []
    for n, index in enumerate(order):
        dialogue, questions, viewer = targets[index]
        qid = next(questions)
        waiting = asyncio.create_task(_until(viewer, "votes.changed"))
        started = time.perf_counter()
        await actions.submissions.vote(dialogue, qid, f"bench-{phase}-{index}-{n:06d}")
        await asyncio.wait_for(waiting, 30)  # a bound on a stuck run, not a measure
        spans.append(time.perf_counter() - started)
    return spans


def _line(name: str, spans: list[float]) -> str:
    spans = sorted(spans)
    p95 = spans[int(len(spans) * 0.95) - 1]
    return (
        f"  {name}: median {statistics.median(spans) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {spans[-1] * 1000:.1f} ms"
    )


async def latency(url: str, node: ServerProcess, store: Store) -> None:
    actions = build(store)
    alone = await make_dialogue(store, "lat-alone", "mod-lat-alone")
    shared: list[Dialogue] = []
    n = 0
    while len(shared) < 3:
        n += 1
        dialogue = await make_dialogue(store, f"lat-{n}", f"mod-lat-{n}")
        same = shard_of(url, dialogue).id != shard_of(url, alone).id
        if same and (not shared or shard_of(url, dialogue).id == shard_of(url, shared[0]).id):
            shared.append(dialogue)
    targets = []
    for dialogue in [alone, *shared]:
        questions = iter(
            await approved(actions, dialogue, QUESTIONS, "để đo độ trễ trên Redis Cluster?")
        )
        viewer = await connect(feed_url(node, dialogue.slug))
        await _until(viewer, "snapshot")
        targets.append((dialogue, questions, viewer))
    print(f"event latency (vote → public viewer), {VOTES} votes each, POLL_MS {POLL_MS}:")
    print(
        _line(
            "alone on its primary (one blocking read)",
            await _latencies(actions, targets, [0] * VOTES, "alone"),
        )
    )
    print(
        _line(
            "3 on one primary, votes on one (hot)",
            await _latencies(actions, targets, [1] * VOTES, "hot"),
        )
    )
    turns = [1 + n % 3 for n in range(VOTES)]
    print(
        _line("3 on one primary, votes in turn", await _latencies(actions, targets, turns, "turns"))
    )
    for _, _, viewer in targets:
        await viewer.close()


async def reshards(url: str, node: ServerProcess, store: Store, rounds: int) -> None:
    print("reshard under load (2 submitters, 1 voter, 1 viewer):")
    for n in range(rounds):
        run, dialogue = await reshard_under_load(
            url, node, store, f"reshard-{n}", before=30, after=30
        )
        found = [await store.questions.by_tracking(code) for code in run.acknowledged]
        lost = sum(q is None for q in found)
        exact = run.seen == await public_ids(store, dialogue, run.snapshot_id)
        print(
            f"  {run.keys_moved} keys moved in {run.reshard_seconds * 1000:.0f} ms; slowest "
            f"request meanwhile {run.slowest_request * 1000:.0f} ms; {len(run.acknowledged)} "
            f"acknowledged, {run.refused} refused, {len(run.other)} other, {lost} lost; "
            f"viewer: {len(run.seen)} events, {'exactly the stream' if exact else 'MISMATCH'}"
        )


async def run(rounds: int = 5) -> None:
    with redis_cluster() as url, ServerProcess(env={"REDIS_CLUSTER_URL": url, **UNLIMITED}) as node:
        async with opened(Cluster(url)) as store:
            await latency(url, node, store)
            await reshards(url, node, store, rounds)


if __name__ == "__main__":
    asyncio.run(run())
