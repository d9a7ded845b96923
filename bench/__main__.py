"""Run the benchmarks and print their numbers (copy them to docs/benchmarks.md).

``make bench`` (``python -m bench``): fan-out against its peers at 1,000,
5,000 and 10,000 viewers with the plot (docs/bench-fanout.svg), ingest
against its floors with intake, then the other benchmarks; under 15 minutes
on the 2-core machine. ``make bench-quick`` (``--quick``): fan-out at 1,000
viewers and short ingest phases only, under 2 minutes, the plot in /tmp.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvloop

from tests.helpers import REPO_ROOT

PLOT = REPO_ROOT / "docs" / "bench-fanout.svg"
QUICK_PLOT = Path("/tmp/doithoai-bench-fanout-quick.svg")


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[], object]


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "--quick", action="store_true", help="fan-out at 1,000 and short ingest only (< 2 min)"
    )
    parser.add_argument(
        "--sockets", type=int, nargs="+", help="fan-out sizes (default 1000 5000 10000)"
    )
    parser.add_argument("--events", type=int, help="events per fan-out run (default 32)")
    parser.add_argument("--ingest-seconds", type=float, help="each ingest phase (default 5)")
    parser.add_argument(
        "--console", type=int, default=10_000, help="pending questions in the console benchmark"
    )
    parser.add_argument("--plot", type=Path, help="where the fan-out SVG goes")
    parser.add_argument(
        "--only", nargs="+", help="run only these steps (names as printed by --list)"
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also the Redis Cluster benchmark and the WebSocket flood against every protocol "
        "implementation, not only the node's (about 5 minutes more)",
    )
    parser.add_argument("--list", action="store_true", help="print the plan and stop")
    args = parser.parse_args(argv)
    quick = args.quick
    args.sockets = args.sockets or ([1000] if quick else [1000, 5000, 10000])
    args.events = args.events or (20 if quick else 32)
    args.ingest_seconds = args.ingest_seconds or (1.5 if quick else 5.0)
    args.plot = args.plot or (QUICK_PLOT if quick else PLOT)
    return args


def plan(args: argparse.Namespace) -> list[Step]:
    """The steps ``args`` asks for, in order (nothing run yet)."""
    from . import (
        asgi_cpu,
        cluster,
        console,
        console_latency,
        dashboard,
        duplicates,
        fanout,
        first_page,
        ingest,
        login_flood,
        plot,
        scale,
        schemas,
        submit_cpu,
        ws_flood,
    )
    from .common import pinned, private_redis
    from .ingest import SERVER_CORE

    def in_process(main: Callable[[str, int], Coroutine[Any, Any, None]], n: int) -> None:
        """A CPU-per-request benchmark in this process, on the server's core."""
        with pinned(SERVER_CORE), private_redis() as url:
            asyncio.run(main(url, n))

    def fan_out() -> None:
        idle = 0.5 if args.quick else 1.5
        # uvloop: the load generator's callbacks cost about half asyncio's.
        results = uvloop.run(fanout.run(args.sockets, args.events, idle=idle))
        title = "Fan-out: server CPU per delivery (one core), " + time.strftime("%Y-%m-%d")
        plot.write(results, args.plot, title)
        print(f"  plot: {args.plot}")

    def sized(name: str, run: Callable[[int], Coroutine[Any, Any, object]], n: int) -> Step:
        return Step(f"{name}-{n}", lambda: asyncio.run(run(n)))

    steps = [
        Step("fanout", fan_out),
        Step("ingest", lambda: uvloop.run(ingest.run(args.ingest_seconds))),
    ]
    if not args.quick:
        # Two nodes against one, each on a budget of a core's share (about 4 minutes).
        steps.append(Step("scale", lambda: uvloop.run(scale.run())))
    if not args.quick:
        steps += [
            # What the submit path costs in CPU, whole app and actions layer alone.
            Step("asgi_cpu", lambda: in_process(asgi_cpu.main, 2000)),
            Step("submit_cpu", lambda: in_process(submit_cpu.main, 1000)),
            # How soon the console sees a question, at rates up to the target's 1,000/s.
            Step("console_latency", lambda: asyncio.run(console_latency.run([250, 500, 1000]))),
            Step("duplicates", duplicates.run),
            Step("schemas", schemas.run),
            *(sized("console", console.run, n) for n in sorted({1000, args.console})),
            # The node's own protocol; --all: every implementation (3.5 min more).
            Step("ws_flood", lambda: asyncio.run(ws_flood.run(None if args.all else "guarded"))),
            Step("login_flood", lambda: asyncio.run(login_flood.run(10.0))),
            # 20,000 questions (about 90 s to write) behind --all.
            *(sized("first_page", first_page.run, n) for n in (1300, 5000)),
            *(sized("dashboard", dashboard.run, n) for n in (1000, 20000)),
        ]
    if args.all:
        # Behind --all: a real 6-node Redis Cluster, then 5 reshards (about 160 s).
        steps += [
            sized("first_page", first_page.run, 20000),
            Step("cluster", lambda: asyncio.run(cluster.run())),
        ]
    if args.only:
        unknown = set(args.only) - {s.name for s in steps}
        if unknown:
            raise SystemExit(f"no such step: {', '.join(sorted(unknown))}")
        steps = [s for s in steps if s.name in args.only]
    return steps


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    steps = plan(args)
    if args.list:
        for step in steps:
            print(step.name)
        return
    began = time.perf_counter()
    print(
        f"bench: {os.cpu_count()} cores, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f", {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        flush=True,
    )
    for step in steps:
        started = time.perf_counter()
        step.run()
        print(f"[{step.name}: {time.perf_counter() - started:.0f} s]", flush=True)
    print(
        f"bench: {time.perf_counter() - began:.0f} s in all; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        flush=True,
    )


if __name__ == "__main__":
    main()
