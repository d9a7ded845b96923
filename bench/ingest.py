"""Ingest (issue 15, items 3, 4 and 7): the submit endpoint against its
floors on the same core, then intake throughput in worker processes.

Servers are pinned to core 0 (``sched_setaffinity``, inherited when they
start); Redis, this load generator (``rawhttp``: a raw asyncio client that
costs far less than a server) and a node's intake workers to core 1.
Each phase runs ``CONNECTIONS`` keep-alive connections for ``seconds``:

- ``noop`` and ``xadd``: ``bench/floor.py`` on the node's uvicorn (a POST
  whose JSON body is parsed, and the same plus one XADD);
- ``submit``: a ``doithoai serve`` node, ``POST /api/v1/dialogues/{slug}/questions``
  with a fresh ``submission_id`` each (limits off), as fast as it answers,
  then paced at half that rate (the p99 at half load);

CPU per request is the server process's own CPU clock (user + system)
over the phase, divided by its 202s: not wall time, which a shared machine
stretches. Intake: the questions of the ``submit`` phase are screened by
the node's ``DOITHOAI_INTAKE_WORKERS`` processes (with duplicate
suggestions; the texts are one template, each question with its own
number): how long after the burst's start every one is pending, and the
workers' CPU per question. Questions that share more and name no number
cost a worker more: ``python -m bench.intake_speed`` measures 0.12 ms of
domain CPU a question at 4,000 of these texts and 0.9 ms at 4,000 mixed
unnumbered ones (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import psutil
import uvloop

from tests.helpers import REPO_ROOT, clean_env, free_port

from .common import pinned, private_redis, seeded, server
from .rawhttp import Connection

SERVER_CORE, CLIENT_CORE = 0, 1
CONNECTIONS = 32


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


@dataclass
class Phase:
    name: str
    answered: int
    wall: float
    cpu: float
    latencies: list[float]
    #: The load generator's (this process's) CPU over the phase.
    client_cpu: float = 0.0

    @property
    def per_second(self) -> float:
        return self.answered / self.wall

    def line(self) -> str:
        ms = sorted(x * 1000 for x in self.latencies)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        per = self.cpu / max(self.answered, 1) * 1e6
        return (
            f"| {self.name} | {self.per_second:,.0f}/s | {per:.0f} µs | "
            f"{100 * self.cpu / self.wall:.0f} % / {100 * self.client_cpu / self.wall:.0f} % | "
            f"{statistics.median(ms):.1f} ms | {p99:.1f} ms |"
        )


async def _load(
    name: str, port: int, path: str, proc: psutil.Process, seconds: float, rate: float = 0.0
) -> Phase:
    """``CONNECTIONS`` clients POSTing to ``path`` for ``seconds``, as fast as
    answered, or paced at ``rate`` per second (latency then counts from each
    request's due time, queueing included)."""
    latencies: list[float] = []
    counter = iter(range(10**9))
    started = time.perf_counter()
    stop = started + seconds
    tag = f"{int(started * 1000) % 100_000_000:08d}"

    async def client() -> None:
        conn = Connection("127.0.0.1", port)
        try:
            while True:
                n = next(counter)
                due = started + n / rate if rate else time.perf_counter()
                if due >= stop or time.perf_counter() >= stop:
                    return
                if rate and due > time.perf_counter():
                    await asyncio.sleep(due - time.perf_counter())
                body = {
                    "text": f"Câu hỏi số {n} về chuyển đổi số ở Huế?",
                    "name": "Người dân",
                    "submission_id": f"b{tag}-{n:09d}",
                }
                status, answer = await conn.request("POST", path, body)
                assert status == 202, (status, answer[:200])
                latencies.append(time.perf_counter() - due)
        finally:
            await conn.close()

    me = psutil.Process()
    cpu0, mine0 = _cpu(proc), _cpu(me)
    await asyncio.gather(*(client() for _ in range(CONNECTIONS)))
    wall = time.perf_counter() - started
    return Phase(name, len(latencies), wall, _cpu(proc) - cpu0, latencies, _cpu(me) - mine0)


@contextlib.asynccontextmanager
async def floor_server(url: str) -> AsyncIterator[tuple[int, psutil.Process]]:
    """bench/floor.py's app on the server core, answering: its port and process."""
    port = free_port()
    env = clean_env() | {"REDIS_URL": url}
    command = [sys.executable, "-m", "uvicorn", "bench.floor:app", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log"]
    with pinned(SERVER_CORE):
        process = await asyncio.create_subprocess_exec(*command, env=env, cwd=REPO_ROOT)
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                conn = Connection("127.0.0.1", port)
                await conn.request("POST", "/noop", {"text": "x"})
                await conn.close()
                break
            await asyncio.sleep(0.05)
        yield port, psutil.Process(process.pid)
    finally:
        process.terminate()
        await process.wait()


async def floors(url: str, seconds: float) -> list[Phase]:
    async with floor_server(url) as (port, proc):
        return [
            await _load("no-op POST (floor.py)", port, "/noop", proc, seconds),
            await _load("POST + one XADD (floor.py)", port, "/xadd", proc, seconds),
        ]


async def node_phases(
    url: str, seconds: float, workers: int, label: str, env: dict[str, str]
) -> tuple[list[Phase], str]:
    """The submit phases on a fresh dialogue of a node running ``env``'s code,
    and what its intake did."""
    async with seeded(url, f"bench-{label}") as (_actions, dialogue, store):
        with pinned(SERVER_CORE):
            srv = server(url, DOITHOAI_INTAKE_WORKERS=str(workers), **env).start()
        try:
            assert srv.process is not None
            node = psutil.Process(srv.process.pid)
            intake = node.children()
            for child in intake:  # off the node's core
                child.cpu_affinity([CLIENT_CORE])
            path = f"/api/v1/dialogues/{dialogue.slug}/questions"
            intake_cpu0 = sum(_cpu(c) for c in intake)
            started = time.perf_counter()
            full = await _load(f"{label}: submit", srv.port, path, node, seconds)
            counts = store.questions.counts
            backlog = full.answered - (await counts(dialogue.id))["pending"]
            while True:  # poll: the work happens in the server's processes
                if (await counts(dialogue.id))["pending"] >= full.answered:
                    break
                await asyncio.sleep(0.05)
            drained = time.perf_counter() - started
            intake_cpu = sum(_cpu(c) for c in intake) - intake_cpu0
            half = full.per_second / 2
            name = f"{label}: submit at half load ({half:,.0f}/s)"
            paced = await _load(name, srv.port, path, node, seconds, half)
        finally:
            srv.stop()
    where = f"{len(intake)} worker process(es) on core {CLIENT_CORE}" if intake else "in the node"
    worker_cpu = f"; {intake_cpu / full.answered * 1e6:.0f} µs of worker CPU per question"
    summary = (
        f"{label}: intake {where}: {full.answered} questions all pending {drained:.2f} s after "
        f"the burst began ({full.answered / drained:,.0f}/s end to end); a backlog of "
        f"{backlog} at the burst's end ({full.wall:.1f} s) drained in {drained - full.wall:.2f} s"
        + (worker_cpu if intake else "")
    )
    return [full, paced], summary


async def run(seconds: float = 5.0, workers: int = 1, base: str | None = None) -> None:
    """The floors, then the node (and the code in ``base`` before it, if given)."""
    with pinned(CLIENT_CORE), private_redis() as url:
        phases = await floors(url, seconds)
        summaries = []
        plan = [("before", {"PYTHONPATH": base})] if base else []
        for label, env in [*plan, ("after", {})]:
            found, summary = await node_phases(url, seconds, workers, label, env)
            phases += found
            summaries.append(summary)
    print(
        f"ingest: {CONNECTIONS} connections, {seconds:g} s a phase; server on core {SERVER_CORE},"
        f" load generator, Redis and intake workers on core {CLIENT_CORE}; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print(
        "| endpoint | answered | server CPU per request | server / load generator CPU "
        "| median | p99 |"
    )
    print("|---|---|---|---|---|---|")
    for p in phases:
        print(p.line())
    xadd = next(p for p in phases if "XADD" in p.name)
    for p in phases:
        if p.name.endswith(": submit"):
            ratio = (xadd.cpu / xadd.answered) / (p.cpu / p.answered)
            print(
                f"{p.name} / POST+XADD: {p.per_second / xadd.per_second:.2f} in requests a second,"
                f" {ratio:.2f} in CPU per request (target ≥ 0.8)"
            )
        if ": submit at half load" in p.name:
            ms = sorted(x * 1000 for x in p.latencies)
            p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
            print(f"{p.name}: p99 {p99:.1f} ms (target < 50 ms)")
    for line in summaries:
        print(line + " (target ≥ 2,000/s end to end)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each phase")
    parser.add_argument("--workers", type=int, default=1, help="DOITHOAI_INTAKE_WORKERS")
    parser.add_argument("--base", help="a checkout of older code to run as the baseline")
    args = parser.parse_args()
    # uvloop: a cheaper load generator (its CPU share is in the table).
    uvloop.run(run(args.seconds, args.workers, args.base))


if __name__ == "__main__":
    main()
