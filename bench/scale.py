"""Two nodes against one (issue 15: "two processes on two cores serve ≥ 1.9 times
one"), on a machine whose two cores the load generator and Redis must share.

Each node gets the same CPU budget, a slice of core 0 that the kernel enforces
(a cgroup v1 ``cpu`` group with a CFS quota, ``--share`` of the core each; a
node's intake children go into its group too); Redis and this process, the
load generator, run on core 1. So one node has one "core" of ``--share``, two
have two, and what is compared is what the nodes deliver in each case, with
the generator's and Redis's CPU outside the nodes' budgets.

Every viewer is a raw public feed socket (``bench.fanout``'s); the events
are votes, each for a question of its own, sent faster than the nodes can
deliver them, so that the nodes run at their budget: deliveries a second
from the first vote to the last delivery are what the nodes serve. The
generator's CPU share is printed: near a whole core it, not the nodes, would
be the limit.

Each node has ``--sockets`` viewers (two nodes twice the audience), so that
a node's own cost per delivery, which changes with its number of sockets, is
the same on both sides; with ``--shared`` the same audience is spread over
the nodes (two nodes of 5,000 against one of 10,000 measured 2.3 times: a
node of fewer sockets costs less per delivery, which flatters two nodes).
8,000 each by default: the load generator may hold 20,000 descriptors here.

Both nodes share core 0 (each within its budget), so they take turns on it
and share its caches, which nodes on cores of their own would not: with
the kernel's 100 ms period they turn seldom, and each spends per delivery
what a node alone does (see PERIOD_US). Putting the second node on core 1
instead was tried: there it competes with the load generator and Redis for
the core and at times does not get its budget.

Needs root (a writable /sys/fs/cgroup/cpu); without it the step says so and
measures nothing. ``python -m bench.scale [--sockets N] [--events N] [--share F]
[--shared] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import uvloop

from server.actions import Services
from server.domain.model import Dialogue
from tests.helpers import ServerProcess

from .common import approved, pinned, private_redis, seeded, server
from .fanout import (
    BATCH,
    CLIENT_CORE,
    QUIET,
    SERVER_CORE,
    SNAPSHOT,
    Tally,
    Viewer,
    _cpu,
    _factory,
    _raise_fd_limit,
    _request,
)

CGROUP_CPU = Path("/sys/fs/cgroup/cpu")
#: The CFS period of each node's group (the kernel's default): with 10 ms the
#: two nodes took turns on core 0 ten times as often, and each spent 5-20 %
#: more CPU per delivery than a node alone (1.57-1.84 times one node); with
#: 100 ms, the same as one node (1.94-2.00 times).
PERIOD_US = 100_000


@contextlib.contextmanager
def cpu_budget(name: str, share: float, pids: list[int]) -> Iterator[None]:
    """``pids`` limited together to ``share`` of one core meanwhile."""
    group = CGROUP_CPU / name
    group.mkdir(exist_ok=True)
    try:
        (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (group / "cpu.cfs_quota_us").write_text(str(int(PERIOD_US * share)))
        for pid in pids:
            (group / "cgroup.procs").write_text(str(pid))
        yield
    finally:
        for left in (group / "cgroup.procs").read_text().split():
            with contextlib.suppress(OSError):  # gone meanwhile
                (CGROUP_CPU / "cgroup.procs").write_text(left)
        group.rmdir()


def writable() -> str:
    """Why the budgets cannot be set here, or "" when they can."""
    if not (CGROUP_CPU / "cgroup.procs").exists():
        return f"no cgroup v1 cpu controller at {CGROUP_CPU}"
    if not os.access(CGROUP_CPU, os.W_OK):
        return f"{CGROUP_CPU} is not writable (run as root)"
    return ""


@dataclass
class Served:
    nodes: int
    delivered: int
    expected: int
    seconds: float
    #: Each node's CPU over the run, as a share of one core.
    node_shares: list[float]
    client_share: float
    cpu_us_per_delivery: float

    @property
    def per_second(self) -> float:
        return self.delivered / self.seconds


async def serve(n_nodes: int, n_sockets: int, n_events: int, share: float) -> Served:
    with pinned(CLIENT_CORE), private_redis() as url:
        async with seeded(url) as (actions, dialogue, _):
            pool = await approved(actions, dialogue, n_events, "để đo khả năng mở rộng.")
            path = f"/ws/v1/dialogues/{dialogue.slug}/feed"
            with contextlib.ExitStack() as stack:
                nodes = []
                for i in range(n_nodes):
                    with pinned(SERVER_CORE):
                        srv = server(url, **QUIET).start()
                    stack.callback(srv.stop)
                    assert srv.process is not None
                    tree = psutil.Process(srv.process.pid)
                    pids = [tree.pid, *(c.pid for c in tree.children(recursive=True))]
                    stack.enter_context(cpu_budget(f"doithoai-bench-{i}", share, pids))
                    nodes.append((srv, tree))
                return await _measure(nodes, path, n_sockets, n_events, actions, dialogue, pool)


async def _measure(
    nodes: list[tuple[ServerProcess, psutil.Process]],
    path: str,
    n_sockets: int,
    n_events: int,
    actions: Services,
    dialogue: Dialogue,
    pool: list[str],
) -> Served:
    tally = Tally(n_sockets, n_events)
    loop = asyncio.get_running_loop()
    viewers: list[Viewer] = []
    try:
        for start in range(0, n_sockets, BATCH):
            batch = []
            for n in range(start, min(start + BATCH, n_sockets)):
                srv, _ = nodes[n % len(nodes)]
                viewer = Viewer(_request(srv.host, srv.port, path), tally, SNAPSHOT)
                batch.append((viewer, srv))
            await asyncio.gather(
                *(loop.create_connection(_factory(v), s.host, s.port) for v, s in batch)
            )
            await asyncio.gather(*(v.ready for v, _ in batch))
            viewers.extend(v for v, _ in batch)
        await asyncio.wait_for(tally.ready.wait(), 120.0)
        await asyncio.sleep(1.0)
        me = psutil.Process()
        cpu0 = [_cpu(tree) for _, tree in nodes]
        mine0 = _cpu(me)
        started = time.perf_counter()
        # As fast as Redis takes them: the nodes fall behind and run at their budget.
        for n in range(n_events):
            await actions.submissions.vote(dialogue, pool[n], f"scale-{n:06d}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tally.done.wait(), 300.0)
        ended = max(tally.last_at) if any(tally.last_at) else time.perf_counter()
        seconds = ended - started
        cpu = [_cpu(tree) - before for (_, tree), before in zip(nodes, cpu0, strict=True)]
        mine = _cpu(me) - mine0
    finally:
        for v in viewers:
            if v.transport is not None:
                v.transport.close()
    delivered = sum(tally.counts)
    return Served(
        len(nodes),
        delivered,
        n_sockets * n_events,
        seconds,
        [c / seconds for c in cpu],
        mine / seconds,
        sum(cpu) / max(delivered, 1) * 1e6,
    )


def _line(s: Served) -> str:
    shares = " + ".join(f"{x * 100:.0f}%" for x in s.node_shares)
    return (
        f"| {s.nodes} | {s.delivered:,} of {s.expected:,} | {s.seconds:.2f} s | "
        f"{s.per_second:,.0f} | {s.cpu_us_per_delivery:.1f} | {shares} | "
        f"{s.client_share * 100:.0f}% |"
    )


async def run(
    n_sockets: int = 8_000,
    n_events: int = 40,
    share: float = 0.4,
    per_node: bool = True,
    rounds: int = 3,
) -> None:
    _raise_fd_limit()
    why = writable()
    if why:
        print(f"scale: not measured: {why}")
        return
    print(
        f"scale: each node {share:.0%} of core {SERVER_CORE} (a CFS quota), the load "
        f"generator and Redis on core {CLIENT_CORE}; {n_sockets:,} viewers "
        f"{'on each node' if per_node else 'over the nodes'}, "
        f"{n_events} votes sent at once; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        flush=True,
    )
    print(
        "| nodes | delivered | first vote to last delivery | deliveries/s | "
        "node CPU µs/delivery | nodes' CPU (share of a core) | load generator |\n"
        "|---|---|---|---|---|---|---|",
        flush=True,
    )
    ratios = []
    # One node then two, round after round: the machine's speed drifts between
    # rounds (±20 %), so each round's two are compared with each other.
    for _ in range(rounds):
        served = []
        for n_nodes in (1, 2):
            audience = n_sockets * n_nodes if per_node else n_sockets
            served.append(await serve(n_nodes, audience, n_events, share))
            print(_line(served[-1]), flush=True)
        ratios.append(served[1].per_second / served[0].per_second)
    print(
        "  two nodes / one, each round: "
        + ", ".join(f"{r:.2f}x" for r in ratios)
        + f"; median {statistics.median(ratios):.2f}x (target ≥ 1.9)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--sockets", type=int, default=8_000)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--share", type=float, default=0.4, help="each node's share of a core")
    parser.add_argument(
        "--shared", action="store_true", help="--sockets over all the nodes (else on each)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    uvloop.run(run(args.sockets, args.events, args.share, not args.shared, args.rounds))


if __name__ == "__main__":
    main()
