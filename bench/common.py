"""What the benchmarks share: a private Redis, a real server process, seeding."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import redis

from server.actions import Services, build
from server.domain.model import Actor, Dialogue, Role
from server.store.connection import Store, connect
from server.store.embedded import find_redis_server
from tests.helpers import ServerProcess, free_port

SLUG = "bench"
PASSWORD = "bench-password-1"


@contextlib.contextmanager
def pinned(core: int) -> Iterator[None]:
    """This process on ``core`` meanwhile: children started now inherit it."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@contextlib.contextmanager
def private_redis() -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="dt-bench-") as workdir:
        process = subprocess.Popen(
            [find_redis_server(), "--port", str(port), "--save", "", "--appendonly", "no",
             "--dir", workdir],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=port)
        try:
            for _ in range(500):
                with contextlib.suppress(redis.ConnectionError):
                    if client.ping():
                        break
                time.sleep(0.01)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            client.close()
            process.terminate()
            process.wait(10)


@contextlib.asynccontextmanager
async def seeded(url: str, slug: str = SLUG) -> AsyncIterator[tuple[Services, Dialogue, Store]]:
    client = connect(url)
    store = Store(client, 100_000, b"bench")
    actions = build(store)
    dialogue = await actions.dialogues.create(slug=slug, title="Benchmark", status="live")
    if not await store.users.get("moderator"):
        await actions.accounts.add(
            "moderator", PASSWORD, frozenset({Role.MODERATOR}), dialogues=[dialogue.id]
        )
    try:
        yield actions, dialogue, store
    finally:
        await client.aclose()


MODERATOR = Actor("moderator", frozenset({Role.MODERATOR}))


async def approved(actions: Services, dialogue: Dialogue, count: int, what: str) -> list[str]:
    """``count`` questions ("Câu hỏi số N {what}"), screened and approved: one
    for each vote a benchmark casts, since a question's votes reach viewers
    at most once a second (issue 15, item 6) and a second vote within that
    window would measure the window."""
    ids = []
    for n in range(count):
        text = f"Câu hỏi số {n + 1} {what}"
        ids.append(
            (
                await actions.submissions.submit(dialogue, {"text": text, "name": "Bench"})
            ).question_id
        )
    await actions.intake.screen_now(dialogue, ids)
    for qid in ids:
        await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
    return ids


def server(url: str, **env: str) -> ServerProcess:
    base = {"REDIS_URL": url, "DOITHOAI_SUBMIT_LIMIT": "0", "DOITHOAI_LOG_LEVEL": "warning"}
    # One load generator is one address: lift the per-address socket cap.
    return ServerProcess(env={**base, "DOITHOAI_WS_PER_ADDRESS": "0", **env})


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def median_ms(read: Callable[[], Awaitable[Any]], rounds: int) -> float:
    """The median wall time of ``rounds`` awaits of ``read``, in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        await read()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
