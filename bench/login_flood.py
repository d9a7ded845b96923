"""Sign-in floods (issue 10, item 5): how a citizen's request fares while
someone floods the staff sign-in with wrong passwords.

The node runs pinned to CPU 0; this process, the load generator, pins itself
to CPU 1. Three phases, each as long as ``--seconds``: calm (the public
dialogue read in a loop, nothing else), then the same reads while 40 clients
send wrong passwords as fast as they can, once with the default sign-in limit
and once with it off (every attempt then reaches argon2: the worst case).
Reported: the public read's latency (median, p99), the node's CPU share
from its own CPU clock (/proc/<pid>/stat), and how many sign-ins were
answered, and how many of those were password checks (401) rather than
refusals (429). ``python -m bench.login_flood``; part of ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .common import SLUG, private_redis, seeded, server
from .rawhttp import Connection

#: Clients sending wrong passwords at once.
ATTACKERS = 40
#: The node's CPU and the load generator's.
NODE_CPU, LOAD_CPU = 0, 1


@dataclass
class Phase:
    name: str
    latencies: list[float]
    node_cpu: float
    wall: float
    answered: dict[int, int]

    def line(self) -> str:
        ms = sorted(x * 1000 for x in self.latencies)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        checks = self.answered.get(401, 0)
        refused = self.answered.get(429, 0)
        return (
            f"| {self.name} | {statistics.median(ms):.1f} ms | {p99:.1f} ms | "
            f"{100 * self.node_cpu / self.wall:.0f} % | {checks} | {refused} |"
        )


def cpu_seconds(pid: int) -> float:
    """The process's user + system CPU time so far (its own clock, not wall time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def phase(name: str, url: str, pid: int, seconds: float, flood: bool) -> Phase:
    latencies: list[float] = []
    answered: dict[int, int] = {}
    stop = time.monotonic() + seconds
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80

    async def reader() -> None:
        connection = Connection(host, port)
        while time.monotonic() < stop:
            started = time.perf_counter()
            status, _ = await connection.request("GET", f"/api/v1/dialogues/{SLUG}")
            latencies.append(time.perf_counter() - started)
            assert status == 200, status
            await asyncio.sleep(0.02)
        await connection.close()

    async def attacker(n: int) -> None:
        connection = Connection(host, port)
        body = {"username": "moderator", "password": f"sai-{n}"}
        while time.monotonic() < stop:
            status, _ = await connection.request("POST", "/api/v1/session", body)
            answered[status] = answered.get(status, 0) + 1
        await connection.close()

    cpu, started = cpu_seconds(pid), time.monotonic()
    tasks = [reader()] + ([attacker(n) for n in range(ATTACKERS)] if flood else [])
    await asyncio.gather(*tasks)
    wall = time.monotonic() - started
    return Phase(name, latencies, cpu_seconds(pid) - cpu, wall, answered)


async def run(seconds: float) -> None:
    os.sched_setaffinity(0, {LOAD_CPU})
    print(
        "| phase | public read, median | p99 | node CPU | password checks (401) | refused (429) |"
    )
    print("|---|---|---|---|---|---|")
    with private_redis() as url:
        async with seeded(url):
            for limit, label in (("10/minute", "limit 10/minute"), ("0", "limit off")):
                with server(url, DOITHOAI_LOGIN_LIMIT=limit) as node:
                    assert node.process is not None
                    os.sched_setaffinity(node.process.pid, {NODE_CPU})
                    pid = node.process.pid
                    if limit != "0":
                        print((await phase("calm", node.url, pid, seconds, False)).line())
                    flood = await phase(f"sign-in flood, {label}", node.url, pid, seconds, True)
                    print(flood.line())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.login_flood")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    asyncio.run(run(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
