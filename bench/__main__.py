"""Run every benchmark and print its numbers (copy them to docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import asyncio

from . import (
    cluster,
    console,
    dashboard,
    duplicates,
    fanout,
    first_page,
    ingest,
    login_flood,
    schemas,
    ws_flood,
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sockets", type=int, default=1000, help="public feed sockets for fan-out")
    parser.add_argument("--events", type=int, default=50, help="events broadcast in fan-out")
    parser.add_argument(
        "--ingest-seconds", type=float, default=5.0, help="length of each ingest phase"
    )
    parser.add_argument(
        "--console", type=int, default=10_000, help="pending questions in the console benchmark"
    )
    args = parser.parse_args()
    asyncio.run(fanout.run(args.sockets, args.events))
    asyncio.run(ingest.run(args.ingest_seconds))
    duplicates.run()
    schemas.run()
    for size in sorted({1000, args.console}):
        asyncio.run(console.run(size))
    asyncio.run(ws_flood.run())
    asyncio.run(login_flood.run(10.0))
    asyncio.run(cluster.run())
    for n in (1300, 20000):
        asyncio.run(first_page.run(n))
    for n in (1000, 20000):
        asyncio.run(dashboard.run(n))


main()
