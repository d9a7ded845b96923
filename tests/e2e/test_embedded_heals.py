"""The embedded redis-server killed (kill -9) under a steady load of
questions and votes, with always-fsync: the node starts it again by itself,
answers 503 meanwhile (never a 500, never no answer), loses no acknowledged
question, and a viewer's feed goes on with no gap and no duplicate."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server.actions import build
from server.domain.events import PUBLIC
from server.domain.model import Dialogue
from server.realtime.messages import render
from server.store.embedded import EmbeddedRedis
from tests.helpers import ServerProcess
from tests.support.questions import published
from tests.support.store import opened
from tests.support.waiting import POLL, eventually

pytestmark = pytest.mark.e2e

SLUG = "hue"
#: Questions acknowledged before the kill, and after the node healed.
BEFORE_KILL = 20
AFTER_HEAL = 20
#: What the node may answer under the load: accepted, counted, or unavailable.
ANSWERS = {200, 202, 503}
UNLIMITED = {
    "DOITHOAI_SUBMIT_LIMIT": "0",
    "DOITHOAI_DEVICE_LIMIT": "0",
    "DOITHOAI_VOTE_LIMIT": "0",
    "DOITHOAI_VOTER_LIMIT": "0",
    # As deployed: intake in a worker process, which must heal with the node.
    "DOITHOAI_INTAKE_WORKERS": "1",
}


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A short data dir under /tmp (the embedded Redis's socket lives in it)."""
    root = Path(tempfile.mkdtemp(prefix="dt-heal-", dir="/tmp"))
    yield root / "var"
    shutil.rmtree(root, ignore_errors=True)


async def published_question(url: str) -> tuple[Dialogue, str]:
    """A live dialogue with one published question to vote on."""
    async with opened(url) as store:
        actions = build(store)
        dialogue = await actions.dialogues.create(slug=SLUG, title="Huế", status="live")
        return dialogue, (await published(actions, dialogue))[0]


@dataclass
class Load:
    """Questions and votes one after the other, each sent again (the same
    submission id, the same voter) until it is accepted."""

    client: httpx.AsyncClient
    qid: str
    acknowledged: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    votes: int = 0

    async def until_answered(self, path: str, body: Mapping[str, str]) -> httpx.Response:
        while True:
            response = await self.client.post(path, json=body)
            self.answers.append(response.status_code)
            assert response.status_code in ANSWERS, response.text
            if response.status_code != 503:
                return response
            assert response.headers["Retry-After"], response.headers
            await asyncio.sleep(POLL)

    async def run(self) -> None:
        base = f"/api/v1/dialogues/{SLUG}/questions"
        for n in range(1_000_000):
            body = {
                "text": f"Xin hỏi lộ trình số hóa hồ sơ của phường số {n}?",
                "name": "Trần Thị Bình",
                "submission_id": f"heal-submission-{n:06d}",
            }
            accepted = await self.until_answered(base, body)
            self.acknowledged.append(accepted.json()["tracking_code"])
            voted = await self.until_answered(
                f"{base}/{self.qid}/votes", {"voter": f"heal-voter-{n:06d}"}
            )
            self.votes = max(self.votes, voted.json()["votes"])


@dataclass
class Viewer:
    """A public feed that reconnects with ``after=`` whenever it is closed,
    as the pages do; what it was sent, after its first snapshot."""

    url: str
    first: str | None = None
    ids: list[str] = field(default_factory=list)
    #: Of votes.changed, coalesced live (one a second per question), each
    #: separately in a replay: (id, count) in the order received.
    votes: list[tuple[str, int]] = field(default_factory=list)
    resets: int = 0
    closes: list[int | None] = field(default_factory=list)

    async def run(self) -> None:
        after: str | None = None
        while True:
            try:
                async with connect(self.url + (f"?after={after}" if after else "")) as ws:
                    async for raw in ws:
                        message = json.loads(raw)
                        if message["type"] == "heartbeat":
                            continue
                        if message["type"] == "snapshot":
                            self.first = self.first or message["id"]
                            self.resets += bool(message["reset"])
                        elif message["type"] == "votes.changed":
                            self.votes.append((message["id"], message["data"]["votes"]))
                        else:
                            self.ids.append(message["id"])
                        after = message["id"]
            except ConnectionClosed as closed:
                self.closes.append(closed.rcvd.code if closed.rcvd else None)
            except (InvalidStatus, OSError):
                self.closes.append(None)
            await asyncio.sleep(POLL)


@contextlib.asynccontextmanager
async def running(
    *coroutines: Coroutine[Any, Any, None],
) -> AsyncIterator[list[asyncio.Task[None]]]:
    """The coroutines as tasks, cancelled at the end."""
    tasks = [asyncio.create_task(c) for c in coroutines]
    try:
        yield tasks
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.wait(tasks)


def redis_pid(data_dir: Path) -> int | None:
    """The embedded redis-server's pid while it answers, else None."""
    server = EmbeddedRedis(data_dir)
    return _read_pid(data_dir) if server.running_elsewhere() else None


def _read_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "redis.pid").read_text())
    except (FileNotFoundError, ValueError):
        return None


async def test_killed_embedded_redis_is_restarted_and_nothing_is_lost(data_dir: Path) -> None:
    """kill -9 of the embedded redis-server under load: the node starts it
    again by itself, answers only 202, 200 or 503 meanwhile, every
    acknowledged question is there (and screened), and the viewer got every
    public event once, in order, without a fresh snapshot (votes coalesced:
    the last count it got is the final one)."""
    env = {"DOITHOAI_DATA_DIR": str(data_dir), "DOITHOAI_APPENDFSYNC": "always", **UNLIMITED}
    server = ServerProcess(env=env).start()
    try:
        url = EmbeddedRedis(data_dir).url
        dialogue, qid = await published_question(url)
        feed = server.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/feed"
        viewer = Viewer(feed)
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            load = Load(client, qid)
            async with running(viewer.run(), load.run()) as tasks:

                async def acknowledged(count: int) -> bool:
                    assert not any(t.done() for t in tasks), [t.exception() for t in tasks]
                    return len(load.acknowledged) >= count

                await eventually(lambda: acknowledged(BEFORE_KILL), "questions before the kill")
                killed = redis_pid(data_dir)
                assert killed is not None and viewer.first is not None
                os.kill(killed, signal.SIGKILL)

                async def restarted() -> int | None:
                    pid = await asyncio.to_thread(redis_pid, data_dir)
                    return pid if pid not in (None, killed) else None

                await eventually(restarted, "the node starting its Redis again")
                healed = len(load.acknowledged)
                await eventually(lambda: acknowledged(healed + AFTER_HEAL), "questions after")
                tasks[1].cancel()
                await asyncio.wait([tasks[1]])

                async with opened(url) as store:
                    events = await store.events.after(dialogue.id, viewer.first, limit=100_000)
                    assert events is not None
                    public = [
                        e.id
                        for e in events
                        if e.type != "votes.changed" and render(e, dialogue, PUBLIC) is not None
                    ]

                    async def seen_all() -> bool:
                        # The stored count: a vote cut off with the load may still count.
                        stored = await store.questions.get(dialogue.id, qid)
                        assert stored is not None
                        final = bool(viewer.votes) and viewer.votes[-1][1] == stored.votes
                        return len(viewer.ids) >= len(public) and final

                    await eventually(seen_all, "the viewer getting every public event")
        assert viewer.ids == public, "a gap or a duplicate in the viewer's feed"
        counts = [count for _, count in viewer.votes]
        assert counts == sorted(counts), "a vote count went back"
        assert viewer.resets == 0, "the viewer was sent a fresh snapshot"
        assert 500 not in load.answers
        async with opened(url) as store:

            async def all_screened() -> bool:
                found = [await store.questions.by_tracking(c) for c in load.acknowledged]
                assert all(q is not None for q in found), "an acknowledged question is lost"
                return all(q is not None and q.status.value != "received" for q in found)

            await eventually(all_screened, "intake screening every acknowledged question")
        assert "embedded Redis started again" in server.output()
    finally:
        server.stop()
