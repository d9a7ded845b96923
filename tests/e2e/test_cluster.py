"""A node on a real Redis Cluster (3 primaries, 3 replicas on loopback,
REDIS_CLUSTER_URL): the whole flow in two dialogues on different shards;
a live dialogue's slot moved to another primary under load with nothing
acknowledged lost and no gap or repeat in what a viewer saw; replica acks
(WAIT) on the shard of each submission; and the primary serving a live
dialogue killed under load, healing by itself and, with replica acks,
losing no acknowledged question.

The reshard's figures are printed (``-s``); bench/reshard.py measures them
for docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import redis
from websockets.asyncio.client import connect

from server.actions import NotReplicated, build
from server.store.connection import Cluster, Store
from server.store.connection import connect as connect_redis
from tests.helpers import ServerProcess
from tests.support.cluster import (
    frozen,
    kill,
    redis_cluster,
    replicas_of,
    replicated,
    restart,
)
from tests.support.reshard import (
    UNLIMITED,
    feed_url,
    make_dialogue,
    next_message,
    public_ids,
    reshard_under_load,
    screened,
    shard_of,
    submit,
)
from tests.support.staff import sign_in
from tests.support.store import EVENTS_MAXLEN, SECRET, opened
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with redis_cluster() as url:
        yield url


@pytest.fixture(scope="module")
def node(cluster: str) -> Iterator[ServerProcess]:
    """``doithoai serve`` with REDIS_CLUSTER_URL naming one node of the cluster."""
    with ServerProcess(env={"REDIS_CLUSTER_URL": cluster, **UNLIMITED}) as process:
        yield process


@pytest.fixture
async def store(cluster: str) -> AsyncIterator[Store]:
    async with opened(Cluster(cluster)) as store:
        yield store


async def test_the_whole_flow_in_two_dialogues_on_two_shards(
    cluster: str, node: ServerProcess, store: Store
) -> None:
    """Submit -> intake screens -> the moderator approves -> the public feed
    shows it, in each of two dialogues whose slots are on different primaries."""
    first = await make_dialogue(store, "hue", "mod-hue")
    dialogues = [first]
    n = 0
    while len(dialogues) < 2:  # dialogue ids are random: make them until one is elsewhere
        n += 1
        other = await make_dialogue(store, f"da-nang-{n}", f"mod-da-nang-{n}")
        if shard_of(cluster, other).id != shard_of(cluster, first).id:
            dialogues.append(other)
    assert len({shard_of(cluster, d).port for d in dialogues}) == 2

    viewers = [await connect(feed_url(node, d.slug)) for d in dialogues]
    moderators = [await sign_in(node.url, f"mod-{d.slug}") for d in dialogues]
    try:
        for viewer in viewers:
            assert (await next_message(viewer))["type"] == "snapshot"
        async with httpx.AsyncClient(base_url=node.url, timeout=30) as client:
            responses = [await submit(client, d.slug, f"flow-{d.slug}") for d in dialogues]
        assert [r.status_code for r in responses] == [202, 202], [r.text for r in responses]
        ids = [await screened(store, r.json()["tracking_code"]) for r in responses]
        for dialogue, moderator, qid in zip(dialogues, moderators, ids, strict=True):
            response = await moderator.act(dialogue.slug, qid, "approve")
            assert response.status_code == 200, response.text
        for dialogue, viewer, qid in zip(dialogues, viewers, ids, strict=True):
            approved = await next_message(viewer)
            assert approved["type"] == "question.approved", approved
            assert approved["dialogue"] == dialogue.slug
            assert approved["data"]["id"] == qid  # type: ignore[index]
    finally:
        for viewer in viewers:
            await viewer.close()
        for moderator in moderators:
            await moderator.aclose()


async def test_replica_acks_wait_for_the_replica_of_the_submission_s_shard(
    cluster: str, store: Store
) -> None:
    """DOITHOAI_REPLICA_ACKS on a Cluster: the WAIT goes to the primary of the
    dialogue's slot, on the connection that wrote the question. A primary
    without the submit script gets it loaded; with that shard's replica
    stopped (SIGSTOP) a submission is refused (NotReplicated: a WAIT sent
    anywhere else would have counted the replica); once it resumes, the
    retry with the same submission id finds that question."""
    dialogue = await make_dialogue(store, "acks", "mod-acks")
    primary = shard_of(cluster, dialogue)
    replicas = replicas_of(primary)
    assert replicas, f"the primary on {primary.port} has no replica"
    client = connect_redis(Cluster(cluster))
    try:
        waiting = build(Store(client, EVENTS_MAXLEN, SECRET, replica_acks=1))
        with redis.Redis(host=primary.host, port=primary.port) as node:
            node.script_flush()  # as on a primary just promoted or started
        first = await waiting.submissions.submit(dialogue, _body(1, "acks-0001"))
        assert first.created
        body = _body(2, "acks-0002")
        with frozen(replicas[0]), pytest.raises(NotReplicated):
            await waiting.submissions.submit(dialogue, body)
        again = await waiting.submissions.submit(dialogue, body)
        assert not again.created
        assert await store.questions.last_id(dialogue.id) == int(again.question_id) == 2
    finally:
        await client.aclose()


def _body(n: int, submission_id: str) -> dict[str, object]:
    return {
        "text": f"Xin hỏi lộ trình triển khai dịch vụ công trực tuyến toàn trình số {n}?",
        "name": "Nguyễn Văn An",
        "submission_id": submission_id,
    }


async def test_a_reshard_under_load_loses_nothing_and_the_viewer_sees_no_gap(
    cluster: str, node: ServerProcess, store: Store
) -> None:
    """A live dialogue's slot moves to another primary while two citizens
    submit, a viewer votes and another follows the public feed: every 202's
    question exists and is screened, every request is answered 202/200 or
    503, and the viewer got exactly the stream's public events after its
    snapshot, in order, once each."""
    run, dialogue = await reshard_under_load(cluster, node, store, "reshard", before=30, after=30)
    print(
        f"\nreshard: {run.keys_moved} keys moved {run.source} -> {run.target} in "
        f"{run.reshard_seconds:.3f} s; {len(run.acknowledged)} acknowledged, {run.refused} "
        f"refused, {run.votes} votes; slowest request while moving "
        f"{run.slowest_request:.3f} s; the viewer got {len(run.seen)} events"
    )
    assert run.other == []
    assert run.keys_moved > 0
    found = [await store.questions.by_tracking(code) for code in run.acknowledged]
    assert [code for code, q in zip(run.acknowledged, found, strict=True) if q is None] == []
    for code in run.acknowledged:
        await screened(store, code)  # the intake went on reading the moved inbox
    expected = await public_ids(store, dialogue, run.snapshot_id)
    assert run.seen == expected
    assert len(set(run.seen)) == len(run.seen)


async def test_a_shard_primary_killed_under_load_heals_without_a_human() -> None:
    """kill -9 of the primary serving a live dialogue (the node's
    REDIS_CLUSTER_URL names that very node), while a citizen submits without
    pause, with DOITHOAI_REPLICA_ACKS=1: every request is answered 202 or
    503, the cluster promotes the replica and the node follows it; the
    promoted primary has no replica of its own until the killed node is
    started again (it comes back as its replica), and submissions are then
    acknowledged again, screened, and reach a viewer once approved. Every
    acknowledged question is found: each 202 waited until the shard's
    replica had it (without replica acks, Redis Cluster's asynchronous
    replication may lose the last ones)."""
    with (
        redis_cluster() as url,
        ServerProcess(
            env={"REDIS_CLUSTER_URL": url, "DOITHOAI_REPLICA_ACKS": "1", **UNLIMITED}
        ) as node,
    ):
        async with opened(Cluster(url)) as store:
            # The primary killed is the very node REDIS_CLUSTER_URL names: the
            # node must find the cluster through the others it discovered.
            named = int(url.rsplit(":", 1)[1].split("/")[0])
            dialogue = await make_dialogue(store, "failover", "mod-failover")
            n = 0
            while shard_of(url, dialogue).port != named:
                n += 1
                assert n < 50, f"no dialogue lands on {named}: is it a primary?"
                dialogue = await make_dialogue(store, f"failover-{n}", f"mod-failover-{n}")
            # The dialogue and its staff on the replica before the kill: what
            # the failover may lose is the acknowledged questions (counted
            # below), not the dialogue made a moment before.
            await asyncio.to_thread(replicated, named)
            viewer = await connect(feed_url(node, dialogue.slug))
            moderator = await sign_in(node.url, f"mod-{dialogue.slug}")
            answers: dict[int, int] = {}
            acknowledged: dict[str, float] = {}
            stop = asyncio.Event()
            try:
                assert (await next_message(viewer))["type"] == "snapshot"
                async with httpx.AsyncClient(base_url=node.url, timeout=30) as client:

                    async def submitter() -> None:
                        n = 0
                        while not stop.is_set():
                            n += 1
                            response = await submit(client, dialogue.slug, f"failover-{n:06d}")
                            answers[response.status_code] = answers.get(response.status_code, 0) + 1
                            if response.status_code == 202:
                                acknowledged[response.json()["tracking_code"]] = time.monotonic()
                            elif response.status_code == 503:
                                await asyncio.sleep(0.1)  # as Retry-After asks, if sooner

                    async def count(wanted: int, since: float = 0.0) -> None:
                        async def look() -> bool:
                            return sum(at > since for at in acknowledged.values()) >= wanted

                        await eventually(look, f"{wanted} submissions acknowledged")

                    load = asyncio.create_task(submitter())
                    try:
                        await count(20)
                        primary = shard_of(url, dialogue)
                        await asyncio.to_thread(kill, primary.port)
                        # The old primary is gone: what is acknowledged from
                        # now on was written to the replica it promoted.
                        killed = time.monotonic()

                        async def promoted() -> bool:
                            try:
                                return shard_of(url, dialogue).port != primary.port
                            except StopIteration:  # no live primary serves the slot yet
                                return False

                        await eventually(promoted, "the replica promoted")
                        # Back, it is the promoted primary's replica: WAIT
                        # can be answered again.
                        await asyncio.to_thread(restart, primary.port)
                        await count(20, since=killed)
                    finally:
                        stop.set()
                        await load
                back = min(at for at in acknowledged.values() if at > killed) - killed
                assert shard_of(url, dialogue).port != primary.port  # the replica took over
                found = [await store.questions.by_tracking(code) for code in acknowledged]
                lost = [code for code, q in zip(acknowledged, found, strict=True) if q is None]
                print(
                    f"\nshard failover: {len(acknowledged)} acknowledged, {answers.get(503, 0)} "
                    f"refused, back {back:.2f} s after the kill, {len(lost)} lost"
                )
                # A request the kill caught is answered 503, or 202 if the
                # cluster client's own retries outlasted the failover.
                assert set(answers) <= {202, 503}, answers
                assert not lost, f"acknowledged and lost: {lost}"
                last = max(acknowledged, key=acknowledged.__getitem__)
                qid = await screened(store, last)
                response = await moderator.act(dialogue.slug, qid, "approve")
                assert response.status_code == 200, response.text
                approved = await next_message(viewer)
                assert approved["type"] == "question.approved", approved
            finally:
                await viewer.close()
                await moderator.aclose()
