"""A node on a Redis Cluster (REDIS_CLUSTER_URL) and a live dialogue whose
slot is moved to another primary while submissions and votes flow and a
viewer follows its public feed: what was acknowledged, what the viewer saw,
what the stream holds. tests/e2e/test_cluster.py asserts on it;
bench/reshard.py prints its figures."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import httpx
from websockets.asyncio.client import ClientConnection, connect

from server.actions import build
from server.domain.events import PUBLIC
from server.domain.model import Dialogue, Role
from server.realtime.messages import render
from server.store import keys
from server.store.connection import Store
from tests.helpers import ServerProcess
from tests.support.cluster import Primary, keyslot, move_slot, primaries, primary_of
from tests.support.questions import screened_ids
from tests.support.staff import PASSWORD, sign_in
from tests.support.waiting import eventually

#: What a node on the test cluster is started with: no rate limit in the way of the load.
UNLIMITED = {
    "DOITHOAI_SUBMIT_LIMIT": "0",
    "DOITHOAI_DEVICE_LIMIT": "0",
    "DOITHOAI_VOTER_LIMIT": "0",
    "DOITHOAI_VOTE_LIMIT": "0",
    # As deployed: intake in a worker process (given the cluster's nodes),
    # which must follow a resharding and a failover too.
    "DOITHOAI_INTAKE_WORKERS": "1",
}
TEXT = "Xin hỏi lộ trình cấp căn cước điện tử cho người cao tuổi ở Phường Thuận Hóa?"


def shard_of(url: str, dialogue: Dialogue) -> Primary:
    """The primary that serves ``dialogue``'s slot."""
    return primary_of(url, keyslot(url, keys.dialogue(dialogue.id)))


async def make_dialogue(store: Store, slug: str, moderator: str) -> Dialogue:
    """A live dialogue, ``moderator`` its moderator (an account made here)."""
    actions = build(store)
    dialogue = await actions.dialogues.create(slug=slug, title=f"Đối thoại {slug}", status="live")
    await actions.accounts.add(
        moderator, PASSWORD, frozenset({Role.MODERATOR}), dialogues=[dialogue.id]
    )
    return dialogue


async def submit(client: httpx.AsyncClient, slug: str, submission_id: str) -> httpx.Response:
    body = {"text": f"{TEXT} ({submission_id})", "name": "Lê Văn Hùng"}
    body["submission_id"] = submission_id
    return await client.post(f"/api/v1/dialogues/{slug}/questions", json=body)


async def screened(store: Store, code: str) -> str:
    """The question id of tracking code ``code`` once intake has screened it."""

    async def look() -> str | None:
        return (await screened_ids(store, [code]))[code]

    return await eventually(look, f"intake screening {code}")


async def next_message(ws: ClientConnection) -> dict[str, object]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if message["type"] != "heartbeat":
            return dict(message)


def feed_url(node: ServerProcess, slug: str) -> str:
    return node.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{slug}/feed"


#: Messages left out of the comparison: a node coalesces votes.changed (at
#: most one per question per second), so a viewer gets fewer than the stream
#: holds by design; heartbeats are not events.
UNCOUNTED = frozenset({"votes.changed", "heartbeat"})


async def public_ids(store: Store, dialogue: Dialogue, after: str) -> list[str]:
    """The ids of the events after ``after`` a public viewer is sent, from
    the stream itself (XRANGE), projected as the node projects them."""
    events = await store.events.after(dialogue.id, after, limit=1_000_000)
    assert events is not None, f"{after} is not in the stream any more"
    return [
        e.id for e in events if e.type not in UNCOUNTED and render(e, dialogue, PUBLIC) is not None
    ]


@dataclass
class Run:
    """What one reshard under load gave."""

    acknowledged: list[str] = field(default_factory=list)  # tracking codes (202)
    refused: int = 0  # 503
    other: list[str] = field(default_factory=list)  # anything else
    votes: int = 0
    seen: list[str] = field(default_factory=list)  # event ids the viewer got, in order
    snapshot_id: str = ""
    keys_moved: int = 0
    reshard_seconds: float = 0.0
    #: Longest wait for a 202 or a vote's answer while the slot moved.
    slowest_request: float = 0.0
    source: int = 0  # the ports of the primaries the slot left and joined
    target: int = 0


async def reshard_under_load(
    url: str, node: ServerProcess, store: Store, slug: str, *, before: int, after: int
) -> tuple[Run, Dialogue]:
    """Submit and vote on ``slug`` (a new dialogue) while a viewer follows
    it; after ``before`` acknowledged submissions, move its slot to another
    primary; stop ``after`` more. Returns once the viewer has caught up."""
    dialogue = await make_dialogue(store, slug, f"mod-{slug}")
    # Another dialogue on the same primary, followed too: the node's reader
    # then reads that shard in rounds (two slots), not with one blocking read.
    n = 0
    while True:
        n += 1
        companion = await make_dialogue(store, f"{slug}-{n}", f"mod-{slug}-{n}")
        if shard_of(url, companion).id == shard_of(url, dialogue).id:
            break
    run = Run()
    moderator = await sign_in(node.url, f"mod-{slug}")
    client = httpx.AsyncClient(base_url=node.url, timeout=30)
    beside = await connect(feed_url(node, companion.slug))
    viewer = await connect(feed_url(node, slug))
    stop = asyncio.Event()
    moving = asyncio.Event()
    try:
        assert (await next_message(beside))["type"] == "snapshot"
        snapshot = await next_message(viewer)
        assert snapshot["type"] == "snapshot", snapshot
        run.snapshot_id = str(snapshot["id"])
        # A question to vote on: votes load the dialogue's slot while it moves.
        response = await submit(client, slug, "reshard-first")
        assert response.status_code == 202, response.text
        qid = await screened(store, response.json()["tracking_code"])
        approved = await moderator.act(slug, qid, "approve")
        assert approved.status_code == 200, approved.text

        async def watch() -> None:
            while True:
                message = await next_message(viewer)
                if message["type"] not in UNCOUNTED:
                    run.seen.append(str(message["id"]))

        def timed(started: float) -> None:
            if moving.is_set():
                run.slowest_request = max(run.slowest_request, time.monotonic() - started)

        async def submitter(name: str) -> None:
            n = 0
            while not stop.is_set():
                n += 1
                started = time.monotonic()
                response = await submit(client, slug, f"reshard-{name}-{n:06d}")
                timed(started)
                if response.status_code == 202:
                    run.acknowledged.append(response.json()["tracking_code"])
                elif response.status_code == 503:
                    run.refused += 1
                else:
                    run.other.append(f"{response.status_code} {response.text}")

        async def voter() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                started = time.monotonic()
                response = await client.post(
                    f"/api/v1/dialogues/{slug}/questions/{qid}/votes",
                    json={"voter": f"voter-{n:08d}"},
                )
                timed(started)
                if response.status_code == 200:
                    run.votes += 1
                elif response.status_code != 503:
                    run.other.append(f"{response.status_code} {response.text}")

        async def enough(count: int) -> None:
            async def look() -> bool:
                return len(run.acknowledged) >= count

            await eventually(look, f"{count} submissions acknowledged")

        watching = asyncio.create_task(watch())
        workers = [
            asyncio.create_task(submitter("a")),
            asyncio.create_task(submitter("b")),
            asyncio.create_task(voter()),
        ]
        try:
            await enough(before)
            source = shard_of(url, dialogue)
            target = next(p for p in primaries(url) if p.id != source.id)
            run.source, run.target = source.port, target.port
            slot = keyslot(url, keys.dialogue(dialogue.id))
            moving.set()
            started = time.monotonic()
            run.keys_moved = await asyncio.to_thread(move_slot, url, slot, target)
            run.reshard_seconds = time.monotonic() - started
            moving.clear()
            assert shard_of(url, dialogue).id == target.id
            await enough(len(run.acknowledged) + after)
        finally:
            stop.set()
            await asyncio.gather(*workers)
        expected = await public_ids(store, dialogue, run.snapshot_id)

        async def caught_up() -> bool:
            return len(run.seen) >= len(expected)

        await eventually(caught_up, "the viewer has every event")
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)
    finally:
        await viewer.close()
        await beside.close()
        await client.aclose()
        await moderator.aclose()
    return run, dialogue
