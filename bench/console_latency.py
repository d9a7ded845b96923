"""How soon the moderation console sees a citizen's question (issue 15's
target: p99 < 100 ms after its 202 at 1,000 questions a second).

A ``doithoai serve`` node on core 0 with its intake worker process(es)
moved to core 1, beside Redis and this load generator. A moderator's
console feed (the staff WebSocket, as the console opens it) is open; the
load generator POSTs questions at a fixed rate for some seconds over
``CONNECTIONS`` keep-alive connections (``rawhttp``), each text carrying a
mark of its own. A question is *seen* when its ``question.received`` event
(screened, with its duplicate suggestions) reaches the console; its
latency is from its 202 to that moment. A rate the node and its workers
cannot keep up with shows as a latency that grows with the run, and as
questions not yet seen when the run's wait ends.

``python -m bench.console_latency [RATE ...] [--seconds S] [--workers N]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import statistics
import time

import httpx
import psutil
from websockets.asyncio.client import connect
from websockets.typing import Origin

from .common import PASSWORD, pinned, private_redis, seeded, server
from .ingest import CLIENT_CORE, CONNECTIONS, SERVER_CORE
from .rawhttp import Connection

MARK = re.compile(r"mã đo (\d+)")
#: The warm-up question's mark.
WARM = 10**8
#: How long after the last 202 the console may still see questions.
DRAIN = 30.0


class Seen:
    """Each marked question's arrival on the console, and a wait on them."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.changed = asyncio.Condition()

    async def add(self, mark: int, at: float) -> None:
        async with self.changed:
            self.at.setdefault(mark, at)
            self.changed.notify_all()

    async def until(self, marks: set[int], seconds: float) -> None:
        """Until every one of ``marks`` is seen, or ``seconds`` have passed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds), self.changed:
                await self.changed.wait_for(lambda: marks <= self.at.keys())


async def _console(base: str, slug: str, seen: Seen, ready: asyncio.Event) -> None:
    """The moderator's console feed: when each marked question arrives."""
    async with httpx.AsyncClient(base_url=base) as client:
        response = await client.post(
            "/api/v1/session", json={"username": "moderator", "password": PASSWORD}
        )
        response.raise_for_status()
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    url = base.replace("http://", "ws://") + f"/ws/v1/dialogues/{slug}/console"
    async with connect(
        url, origin=Origin(base), additional_headers={"Cookie": cookie}, max_size=None
    ) as ws:
        async for raw in ws:
            now = time.perf_counter()
            message = json.loads(raw)
            if message["type"] == "snapshot":
                ready.set()
            elif message["type"] == "question.received":
                found = MARK.search(message["data"]["text"])
                if found:
                    await seen.add(int(found.group(1)), now)


async def _paced(
    port: int, path: str, rate: float, seconds: float, first: int = 0
) -> dict[int, float]:
    """POST ``rate`` questions a second for ``seconds``, marked from ``first``
    on: each one's 202 moment."""
    acked: dict[int, float] = {}
    counter = iter(range(first, 10**9))
    started = time.perf_counter()
    total = int(rate * seconds)

    async def client() -> None:
        conn = Connection("127.0.0.1", port)
        try:
            while (n := next(counter)) < first + total:
                due = started + (n - first) / rate
                if due > time.perf_counter():
                    await asyncio.sleep(due - time.perf_counter())
                body = {
                    # Varied texts (the duplicate index's usual work), each with its mark.
                    "text": f"Xin hỏi về dịch vụ công trực tuyến số {n % 97}, mã đo {n}?",
                    "name": "Người dân",
                    "submission_id": f"lat-{int(started)}-{n:09d}",
                }
                status, answer = await conn.request("POST", path, body)
                assert status == 202, (status, answer[:200])
                acked[n] = time.perf_counter()
        finally:
            await conn.close()

    await asyncio.gather(*(client() for _ in range(CONNECTIONS)))
    return acked


async def one_rate(url: str, rate: float, seconds: float, workers: int) -> str:
    async with seeded(url) as (_actions, dialogue, _store):
        with pinned(SERVER_CORE):
            srv = server(url, DOITHOAI_INTAKE_WORKERS=str(workers)).start()
        try:
            assert srv.process is not None
            for child in psutil.Process(srv.process.pid).children():
                child.cpu_affinity([CLIENT_CORE])
            seen = Seen()
            ready = asyncio.Event()
            console = asyncio.create_task(_console(srv.url, dialogue.slug, seen, ready))
            await asyncio.wait_for(ready.wait(), 60)
            path = f"/api/v1/dialogues/{dialogue.slug}/questions"
            # The pipeline warm first: the intake worker process may still be
            # starting when the node answers HTTP.
            await _paced(srv.port, path, 1, 1, first=WARM)
            await seen.until({WARM}, 60)
            started = time.perf_counter()
            acked = await _paced(srv.port, path, rate, seconds)
            sent_for = time.perf_counter() - started
            await seen.until(set(acked), DRAIN)
            console.cancel()
        finally:
            srv.stop()
    in_order = [(seen.at[n] - acked[n]) * 1000 for n in sorted(acked) if n in seen.at]
    waits = sorted(in_order)
    tenth = max(1, len(in_order) // 10)
    firsts, lasts = in_order[:tenth], in_order[-tenth:]
    missing = len(acked) - len(waits)
    if not waits:
        return f"| {rate:,.0f}/s | {len(acked)} | none seen | | | | |"
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    return (
        f"| {rate:,.0f}/s | {len(acked)} in {sent_for:.1f} s | {statistics.median(waits):.0f} ms "
        f"| {p99:.0f} ms | {waits[-1]:.0f} ms | {statistics.median(firsts):.0f} / "
        f"{statistics.median(lasts):.0f} ms | {missing} |"
    )


async def run(rates: list[float], seconds: float = 5.0, workers: int = 1) -> None:
    lines = []
    with pinned(CLIENT_CORE):
        for rate in rates:  # a Redis of its own each: the moderator's account is per dialogue
            with private_redis() as url:
                lines.append(await one_rate(url, rate, seconds, workers))
    print(
        f"console latency: node on core {SERVER_CORE}, {workers} intake worker(s), Redis "
        f"and the load on core {CLIENT_CORE}; 202 → question.received on the console"
    )
    print(
        "| rate | questions (202) | median | p99 | max | median of the first / last tenth "
        "| not seen after 30 s |"
    )
    print("|---|---|---|---|---|---|---|")
    for line in lines:
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.console_latency")
    parser.add_argument("rates", nargs="*", type=float, default=[250.0, 500.0, 1000.0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each rate's run")
    parser.add_argument("--workers", type=int, default=1, help="DOITHOAI_INTAKE_WORKERS")
    args = parser.parse_args()
    asyncio.run(run(args.rates, args.seconds, args.workers))


if __name__ == "__main__":
    main()
