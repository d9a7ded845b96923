"""WebSocket floods (issue 10, item 2): two public-feed sockets that send ping
frames (or text frames) as fast as they can and never read; the node's RSS
before and at its peak, when (if ever) the node closed them, and how a normal
viewer of the same feed fares meanwhile, once per WebSocket implementation.

The node runs pinned to CPU 0 and the flooding client in its own process on
CPU 1, so the flood is not slowed by the node it floods. The viewer and the
votes that make its events run here. ``python -m bench.ws_flood`` runs it all
(``--only NAME`` one implementation); ``--serve`` and ``--flood`` are its two
halves, run as child processes. It must never touch a shared Redis or a
node it did not start: each node gets the private redis-server of
bench/common.py, on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from server import cli
from server.actions import Services
from server.app import create_app
from server.config import Settings
from server.domain.model import Dialogue
from server.realtime import wsprotocol
from tests import rawws
from tests.helpers import ServerProcess, wait_for_http

from .common import approved, private_redis, rss_kib, seeded

SERVER_CPU = 0
FLOOD_CPU = 1
SOCKETS = 2
#: What issue 10 measured: 15 s of flood grew the node by 130 MB.
SECONDS = 15.0
#: One vote (one public event) every this often during a flood.
VOTE_EVERY = 0.5
#: A vote whose event the viewer has not had after this long counts as missed.
EVENT_TIMEOUT = 5.0
#: How long after the flooder exits the node's RSS is read again.
SETTLE = 2.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: A vote as the viewer sees it: (question id, its count).
Vote = tuple[str, int]
#: Every vote of the run needs its own voter: one vote per question per voter.
VOTERS = itertools.count()
#: Questions voted on in turn: each gets a vote every ``QUESTIONS * VOTE_EVERY``
#: seconds, longer than the reader's vote window (``reader.VOTE_WINDOW``), so
#: that every vote travels at once and the viewer's latency is the node's,
#: not the coalescing's.
QUESTIONS = 3


def _ws_class(name: str, settings: Settings) -> type[asyncio.Protocol] | str:
    """A uvicorn ``ws=`` value by name: uvicorn's own, or ours."""
    if name == "guarded":
        return wsprotocol.protocol_class(settings)
    if name in ("websockets-sansio", "websockets", "wsproto"):
        return name
    raise SystemExit(f"unknown WebSocket implementation {name!r}")


#: The cases: (label, ``ws=`` name, extra environment of the node).
CASES: list[tuple[str, str, dict[str, str]]] = [
    ("uvicorn websockets-sansio (stock, before)", "websockets-sansio", {}),
    ("uvicorn websockets (legacy)", "websockets", {}),
    ("uvicorn wsproto", "wsproto", {}),
    ("GuardedProtocol (after)", "guarded", {}),
    ("GuardedProtocol, frame budget off", "guarded", {"DOITHOAI_WS_CLIENT_FRAMES": "0"}),
]


def serve(name: str) -> None:
    """A node like ``doithoai serve``, with the ``ws=`` implementation ``name``."""
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level.upper())
    cli._server(settings, create_app(settings), ws=_ws_class(name, settings)).run()


def flood(host: str, port: int, path: str, kind: str, sockets: int, seconds: float) -> None:
    """Open ``sockets`` sockets, flood them for ``seconds`` without reading;
    print, as JSON, per socket: bytes sent and when the node closed it."""
    opcode = rawws.PING if kind == "ping" else rawws.TEXT
    floods = [rawws.Flood(rawws.open_socket(host, port, path), opcode) for _ in range(sockets)]
    started = time.monotonic()
    rawws.flood(floods, started + seconds)
    result = [
        {
            "sent": each.sent,
            "closed_after": None if each.closed_at is None else each.closed_at - started,
        }
        for each in floods
    ]
    for each in floods:
        each.sock.close()
    print(json.dumps(result))


class Node(ServerProcess):
    """A node serving through ``bench.ws_flood --serve NAME``, pinned to SERVER_CPU."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        super().__init__(args=["--serve", name], env=env)

    def start(self) -> Node:
        with open(self.output_path, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bench.ws_flood", *self.args],
                env=self.env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        os.sched_setaffinity(self.process.pid, {SERVER_CPU})
        try:
            wait_for_http(f"{self.url}/healthz", self.ready_timeout, check=self._check_alive)
        except BaseException:
            self.kill()
            print(self.output())
            raise
        return self

    def stop(self, timeout: float = 15.0) -> int | None:
        """Stop it without printing its output (``ServerProcess.stop`` does)."""
        with contextlib.redirect_stdout(io.StringIO()):
            return super().stop(timeout)


@dataclass
class Outcome:
    label: str
    kind: str
    rss_before: int = 0
    rss_peak: int = 0
    rss_after: int = 0
    cpu: float = 0.0
    closed_after: list[float | None] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    missed: int = 0
    error: str = ""


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def _votes_seen(ws: ClientConnection, seen: Callable[[Vote], None]) -> None:
    async for raw in ws:
        message = json.loads(raw)
        if message["type"] == "votes.changed":
            seen((message["data"]["id"], int(message["data"]["votes"])))


async def _case(
    url: str,
    dialogue: Dialogue,
    qids: list[str],
    actions: Services,
    case: tuple[str, str, dict[str, str]],
) -> list[Outcome]:
    label, name, extra = case
    outcomes = []
    for kind in ("ping", "text"):
        outcome = Outcome(label, kind)
        outcomes.append(outcome)
        env = {"REDIS_URL": url, "DOITHOAI_LOG_LEVEL": "warning", "DOITHOAI_WS_PER_ADDRESS": "0"}
        node = Node(name, {**env, **extra})
        try:
            node.start()
        except Exception as exc:
            outcome.error = f"did not start: {exc}"
            continue
        try:
            await _flood_one(node, dialogue, qids, actions, outcome)
        finally:
            node.stop()
        _print(outcome)
    return outcomes


async def _flood_one(
    node: Node, dialogue: Dialogue, qids: list[str], actions: Services, outcome: Outcome
) -> None:
    assert node.process is not None
    pid = node.process.pid
    path = f"/ws/v1/dialogues/{dialogue.slug}/feed"
    viewer = await connect(node.url.replace("http://", "ws://") + path, compression=None)
    await viewer.recv()  # the snapshot
    arrivals: dict[Vote, float] = {}
    arrived = asyncio.Event()

    def seen(vote: Vote) -> None:
        arrivals.setdefault(vote, time.monotonic())
        arrived.set()

    reader = asyncio.create_task(_votes_seen(viewer, seen))
    outcome.rss_before = outcome.rss_peak = rss_kib(pid)
    cpu_before = _cpu_seconds(pid)
    started = time.monotonic()
    flooder = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.ws_flood", "--flood", outcome.kind,
        "--host", node.host, "--port", str(node.port), "--path", path,
        stdout=subprocess.PIPE,
    )  # fmt: skip
    os.sched_setaffinity(flooder.pid, {FLOOD_CPU})
    output = asyncio.create_task(flooder.communicate())
    voted: dict[Vote, float] = {}
    turns = itertools.cycle(qids)
    try:
        # The whole window, even when the node closes the flood at once, so
        # that every case's viewer and CPU figures cover the same 15 s.
        while not output.done() or time.monotonic() - started < SECONDS:
            qid = next(turns)
            voter = f"bench-flood-{next(VOTERS):08d}"
            voted[qid, await actions.submissions.vote(dialogue, qid, voter)] = time.monotonic()
            next_vote = time.monotonic() + VOTE_EVERY
            while time.monotonic() < next_vote:
                outcome.rss_peak = max(outcome.rss_peak, rss_kib(pid))
                await asyncio.sleep(0.05)
        outcome.cpu = (_cpu_seconds(pid) - cpu_before) / (time.monotonic() - started)
        stdout, _ = await output
        for sock in json.loads(stdout):
            outcome.sent.append(sock["sent"])
            outcome.closed_after.append(sock["closed_after"])
        deadline = time.monotonic() + EVENT_TIMEOUT
        while set(voted) - set(arrivals) and time.monotonic() < deadline:
            arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), deadline - time.monotonic())
        for vote, at in voted.items():
            if vote in arrivals:  # it may arrive before vote() has returned
                outcome.latencies.append(max(0.0, arrivals[vote] - at))
            else:
                outcome.missed += 1
        await asyncio.sleep(SETTLE)
        outcome.rss_after = rss_kib(pid)
    finally:
        if flooder.returncode is None:
            flooder.kill()
            await flooder.wait()
        reader.cancel()
        await viewer.close()


def _print(o: Outcome) -> None:
    if o.error:
        print(f"{o.label}, {o.kind} flood: {o.error}")
        return
    closed = ", ".join("never" if c is None else f"{c:.2f} s" for c in o.closed_after)
    lat = sorted(o.latencies)
    worst = f"{lat[-1] * 1000:.0f} ms" if lat else "-"
    median = f"{lat[len(lat) // 2] * 1000:.0f} ms" if lat else "-"
    print(
        f"{o.label}, {o.kind} flood, {SOCKETS} sockets x {SECONDS:g} s:\n"
        f"  RSS before {o.rss_before / 1024:.0f} MB, peak {o.rss_peak / 1024:.0f} MB "
        f"(+{(o.rss_peak - o.rss_before) / 1024:.0f} MB), {SETTLE:g} s after the flooder "
        f"left {o.rss_after / 1024:.0f} MB; node CPU {o.cpu:.0%}\n"
        f"  closed by the node after: {closed}; sent "
        f"{', '.join(f'{s / 1e6:.1f} MB' for s in o.sent)}\n"
        f"  viewer: {len(lat)} events, median {median}, worst {worst}, missed {o.missed}"
    )


async def run(only: str | None = None) -> None:
    with private_redis() as url:
        async with seeded(url) as (actions, dialogue, _):
            qids = await approved(actions, dialogue, QUESTIONS, "để đo tràn WebSocket.")
            outcomes = [
                outcome
                for case in CASES
                if only in (None, case[1])
                for outcome in await _case(url, dialogue, qids, actions, case)
            ]
    print(
        "\n| implementation | flood | RSS before → peak | closed by the node after "
        "| node CPU | viewer events (median / worst latency) |"
    )
    print("|---|---|---|---|---|---|")
    for o in outcomes:
        print(_row(o))


def _row(o: Outcome) -> str:
    if o.error:
        return f"| {o.label} | {o.kind} | {o.error} | | | |"
    closed = ", ".join("never" if c is None else f"{c:.2f} s" for c in o.closed_after)
    lat = sorted(o.latencies)
    events = (
        f"{len(lat)}, {lat[len(lat) // 2] * 1000:.0f} / {lat[-1] * 1000:.0f} ms" if lat else "0"
    )
    if o.missed:
        events += f", {o.missed} missed"
    return (
        f"| {o.label} | {o.kind} | {o.rss_before / 1024:.0f} → {o.rss_peak / 1024:.0f} MB "
        f"(+{(o.rss_peak - o.rss_before) / 1024:.0f}) | {closed} | {o.cpu:.0%} | {events} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ws_flood")
    parser.add_argument("--only", metavar="WS", help="only the cases of this ws= name")
    parser.add_argument("--serve", metavar="WS", help="run a node with this ws= (internal)")
    parser.add_argument("--flood", choices=("ping", "text"), help="run a flooder (internal)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int)
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    elif args.flood:
        flood(args.host, args.port, args.path, args.flood, SOCKETS, SECONDS)
    else:
        asyncio.run(run(args.only))


if __name__ == "__main__":
    main()
