"""Intake worker processes (issue 15, item 4): ``doithoai intake`` processes
share the intake group, a worker killed with -9 leaves its entries to the
survivor, and every question is screened exactly once in its effect;
``serve`` starts its workers and they do not outlive it, even killed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from server.actions import Services, build
from server.domain.model import Dialogue, Status
from server.store import keys
from server.store.connection import Store, connect
from server.workers import Workers
from tests.helpers import REPO_ROOT, ServerProcess, clean_env
from tests.support.store import opened
from tests.support.waiting import eventually

BURST = 400


@pytest.fixture
async def live(redis_url: str) -> AsyncIterator[tuple[Store, Services, Dialogue]]:
    async with opened(redis_url) as store:
        actions = build(store)
        dialogue = await actions.dialogues.create(slug="nhan-cau-hoi", title="Nhận", status="live")
        yield store, actions, dialogue


@contextmanager
def intake_worker(redis_url: str, consumer: str) -> Iterator[subprocess.Popen[bytes]]:
    """``doithoai intake --consumer NAME`` on ``redis_url``; an entry another
    consumer holds is taken over once idle for half a second."""
    with tempfile.TemporaryDirectory(prefix="dt-intake-") as data:
        env = clean_env() | {
            "REDIS_URL": redis_url,
            "DOITHOAI_DATA_DIR": data,
            "DOITHOAI_SECRET_KEY": "intake-test-secret",
            "DOITHOAI_INTAKE_CLAIM_IDLE": "0.5",
            "PYTHONUNBUFFERED": "1",
        }
        log = Path(data) / "output.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "server", "intake", "--consumer", consumer],
                env=env,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(15)
            print(log.read_text(errors="replace"))


async def pending_of(redis: Any, dialogue: Dialogue, consumer: str) -> int:
    rows = await redis.xpending_range(
        keys.inbox(dialogue.id), keys.INTAKE_GROUP, "-", "+", 1000, consumername=consumer
    )
    return len(rows)


async def consumers(redis: Any, dialogue: Dialogue) -> set[str]:
    try:
        rows = await redis.xinfo_consumers(keys.inbox(dialogue.id), keys.INTAKE_GROUP)
    except Exception:  # no group yet
        return set()
    return {row["name"] for row in rows}


async def screened(store: Store, dialogue: Dialogue, ids: list[str]) -> bool:
    counts = await store.questions.counts(dialogue.id)
    return counts["pending"] + counts["rejected"] >= len(ids)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url)
    yield client
    await client.aclose()


async def test_workers_share_the_group_and_a_killed_one_s_entries_are_taken_over(
    redis_url: str, redis: Redis, live: tuple[Store, Services, Dialogue]
) -> None:
    """Two workers read the group; worker-a is killed (-9) holding entries it
    read: worker-b takes them over, and every question is screened once."""
    store, actions, dialogue = live
    with intake_worker(redis_url, "worker-a") as a, intake_worker(redis_url, "worker-b") as b:

        async def both_reading() -> bool:
            return {"worker-a", "worker-b"} <= await consumers(redis, dialogue)

        await eventually(both_reading, "both workers in the intake group")
        # worker-b waits (stopped) while worker-a reads the burst; worker-a is
        # caught holding entries it read and did not acknowledge, and killed.
        os.kill(b.pid, signal.SIGSTOP)
        ids: list[str] = []
        held = 0
        while not held:
            for _ in range(BURST):
                text = f"Câu hỏi số {len(ids)} về cấp nước sạch ở phường Thuận Hóa?"
                body = {"text": text, "name": "Người dân"}
                ids.append((await actions.submissions.submit(dialogue, body)).question_id)

            async def caught() -> tuple[int] | None:
                os.kill(a.pid, signal.SIGSTOP)
                found = await pending_of(redis, dialogue, "worker-a")
                if found or await screened(store, dialogue, ids):
                    return (found,)  # holding entries; or done with the burst: another
                os.kill(a.pid, signal.SIGCONT)
                return None

            (held,) = await eventually(caught, "worker-a holding entries, or done")
            if not held:
                os.kill(a.pid, signal.SIGCONT)
        a.kill()
        a.wait()
        os.kill(b.pid, signal.SIGCONT)

        async def all_screened() -> bool:
            return await screened(store, dialogue, ids)

        await eventually(all_screened, "every question screened by the survivor")

        async def nothing_pending() -> bool:
            summary = await redis.xpending(keys.inbox(dialogue.id), keys.INTAKE_GROUP)
            return int(summary["pending"]) == 0

        await eventually(nothing_pending, "every entry acknowledged")
    # Exactly once in effect: one screening per question, no dead letter.
    for start in range(0, len(ids), 200):
        for q in await store.questions.get_many(dialogue.id, ids[start : start + 200]):
            assert q.status is Status.PENDING and q.version == 1, q.id
            assert [h.action for h in q.history] == ["screen"], q.id
    events = await store.events.after(dialogue.id, "0-0", limit=100_000) or []
    received = [e.question_id or "" for e in events if e.type == "question.received"]
    assert sorted(received) == sorted(ids)
    assert await redis.xlen(keys.dead_letters(dialogue.id)) == 0


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_serve_starts_its_workers_and_they_go_with_it(
    redis_url: str, live: tuple[Store, Services, Dialogue]
) -> None:
    store, _, dialogue = live
    env = {"REDIS_URL": redis_url, "DOITHOAI_INTAKE_WORKERS": "2"}
    server = ServerProcess(env=env).start()
    try:
        assert server.process is not None
        workers = children(server.process.pid)
        assert len(workers) == 2
        async with httpx.AsyncClient(base_url=server.url) as client:
            answer = await client.post(
                f"/api/v1/dialogues/{dialogue.slug}/questions",
                json={"text": "Xin hỏi lịch cắt điện tuần tới ở phường Thuận Hóa?", "name": "An"},
            )
        assert answer.status_code == 202, answer.text
        q = await store.questions.by_tracking(answer.json()["tracking_code"])
        assert q is not None

        async def pending() -> bool:
            found = await store.questions.get(dialogue.id, q.id)
            return found is not None and found.status is Status.PENDING

        await eventually(pending, "the question screened by a worker process")
        server.kill()  # -9: no shutdown code runs; the workers' pipe closes

        async def gone() -> bool:
            return not any(alive(pid) for pid in workers)

        await eventually(gone, "the workers gone with their node")
    finally:
        server.stop()


async def test_a_worker_killed_is_started_again_by_its_node(
    redis_url: str, live: tuple[Store, Services, Dialogue]
) -> None:
    store, actions, dialogue = live
    server = ServerProcess(env={"REDIS_URL": redis_url, "DOITHOAI_INTAKE_WORKERS": "1"}).start()
    try:
        assert server.process is not None
        node = server.process.pid
        (first,) = children(node)
        os.kill(first, signal.SIGKILL)

        async def another() -> set[int] | None:
            found = {pid for pid in children(node) if pid != first and alive(pid)}
            return found or None

        await eventually(another, "a new worker started by the node")
        body = {"text": "Xin hỏi giờ mở cửa bộ phận một cửa phường Thuận Hóa?", "name": "An"}
        qid = (await actions.submissions.submit(dialogue, body)).question_id

        async def pending() -> bool:
            q = await store.questions.get(dialogue.id, qid)
            return q is not None and q.status is Status.PENDING

        await eventually(pending, "the question screened by the new worker")
        assert "intake worker 0 ended" in server.output()
    finally:
        server.stop()


SIGTERM_BIT = 1 << (signal.SIGTERM - 1)


def ended_or_told_to(pid: int) -> bool:
    """Whether ``pid`` has ended, or has a SIGTERM waiting (held by SIGSTOP,
    it acts on it once let go)."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        # Gone before the open, or between the open and the read (ESRCH).
        return True
    fields = dict(line.split(":", 1) for line in lines if ":" in line)
    if fields["State"].strip().startswith("Z"):
        return True
    return any(int(fields[name], 16) & SIGTERM_BIT for name in ("SigPnd", "ShdPnd"))


async def test_a_worker_still_starting_ends_at_once_when_its_node_stops(
    redis_url: str, tmp_path: Path
) -> None:
    """A node that stops (an operator's Ctrl-C) does not wait for a worker
    still importing, which would read its closed pipe only once started: it
    sends SIGTERM, of which the worker dies before it has started. The worker
    is held with SIGSTOP from the moment it is spawned, so it is still
    starting whatever the machine's load, and let go once told to stop (its
    pipe's end alone would have left it to be killed after ``STOP_GRACE``)."""
    spawned: asyncio.Future[asyncio.subprocess.Process] = asyncio.Future()

    class Held(Workers):
        async def _spawn(self, n: int) -> asyncio.subprocess.Process:
            process = await super()._spawn(n)
            os.kill(process.pid, signal.SIGSTOP)
            spawned.set_result(process)
            return process

    env = {
        "REDIS_URL": redis_url,
        "DOITHOAI_DATA_DIR": str(tmp_path),
        "DOITHOAI_SECRET_KEY": "intake-test-secret",
    }
    workers = Held("node-stopping", 1, {**clean_env(), **env})
    running = asyncio.create_task(workers.run())
    process = await spawned
    stopping = asyncio.create_task(workers.stop())
    try:
        await eventually(
            lambda: asyncio.to_thread(ended_or_told_to, process.pid), "SIGTERM sent to the worker"
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGCONT)
    await stopping
    await running
    assert process.returncode == -signal.SIGTERM
