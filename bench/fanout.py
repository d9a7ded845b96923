"""Fan-out: N public feed sockets on one node, events at a steady rate; the
server process's CPU time per delivery, the time from each event to the last
viewer that got it, and the server's memory per idle socket.

The server is pinned to core 0 (``sched_setaffinity``: it inherits it when
started); Redis and this process, the load generator, to core 1. The viewers
are raw asyncio sockets on uvloop (no library: a handshake, then frames
counted; the load generator must cost little so that it keeps up at
10,000), and the events are votes, each for a question of its own: a
question's votes coalesce to one change a second (reader.py), and a late
load generator could send two for one question within a second. "Per
delivery" is the server process's CPU time (user + system, from /proc
through psutil) over the events divided by the messages delivered: not the
wall time, which a loaded machine stretches.

``python -m bench.fanout --sockets 1000 5000 --events 40 --base DIR`` also
runs the code in DIR (an export of an older commit) as the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import cast

import psutil
import uvloop

from server.domain.model import Actor, Role

from .common import private_redis, rss_kib, seeded, server

MOD = Actor("moderator", frozenset({Role.MODERATOR}))
#: Sockets opened at once while connecting.
BATCH = 200
#: The server's core, and the load generator's (and Redis's).
SERVER_CORE, CLIENT_CORE = 0, 1
#: The variants: the direct path, the ASGI path (DOITHOAI_WS_DIRECT=false).
VARIANTS = {"direct": {}, "asgi": {"DOITHOAI_WS_DIRECT": "false"}}
#: No ping or heartbeat during a run (uvicorn pings, the feed's heartbeat).
QUIET = {"DOITHOAI_WS_PING_INTERVAL": "3600", "DOITHOAI_WS_PING_TIMEOUT": "3600"}


@dataclass
class Tally:
    """What the viewers received: per event, how many and when the last."""

    sockets: int
    events: int
    counts: list[int] = field(default_factory=list)
    last_at: list[float] = field(default_factory=list)
    snapshots: int = 0
    closed: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    snapshotted: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.counts = [0] * self.events
        self.last_at = [0.0] * self.events

    def arrived(self, nth: int) -> None:
        if nth == 0:
            self.snapshots += 1
            if self.snapshots == self.sockets:
                self.snapshotted.set()
            return
        index = nth - 1
        if index >= self.events:
            return
        self.counts[index] += 1
        if self.counts[index] == self.sockets:
            self.last_at[index] = time.perf_counter()
            if index == self.events - 1:
                self.done.set()


class Viewer(asyncio.Protocol):
    """A raw WebSocket client that counts the text frames it receives."""

    def __init__(self, request: bytes, tally: Tally) -> None:
        self._request = request
        self._tally = tally
        self._buffer = b""
        self._open = False
        self._frames = 0
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data
        if not self._open:
            head, sep, rest = buffer.partition(b"\r\n\r\n")
            if not sep:
                self._buffer = buffer
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(head.split(b"\r\n")[0].decode()))
                return
            self._open = True
            self.ready.set_result(None)
            buffer = rest
        offset, size = 0, len(buffer)
        while size - offset >= 2:
            length = buffer[offset + 1] & 0x7F
            start = offset + 2
            if length == 126:
                if size - offset < 4:
                    break
                length = int.from_bytes(buffer[start : start + 2], "big")
                start += 2
            elif length == 127:
                if size - offset < 10:
                    break
                length = int.from_bytes(buffer[start : start + 8], "big")
                start += 8
            end = start + length
            if end > size:
                break
            opcode = buffer[offset] & 0x0F
            if opcode == 0x1:
                self._tally.arrived(self._frames)
                self._frames += 1
            elif opcode == 0x8:
                self._tally.closed += 1
            offset = end
        self._buffer = buffer[offset:]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed during the handshake"))


def _factory(viewer: Viewer) -> Callable[[], Viewer]:
    return lambda: viewer


def _request(host: str, port: int, path: str) -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


@contextlib.contextmanager
def _pinned(core: int) -> Iterator[None]:
    """This process on ``core`` meanwhile: children started now inherit it."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@dataclass
class Result:
    variant: str
    sockets: int
    events: int
    cpu_us_per_delivery: float
    idle_cpu_share: float
    kib_per_socket: float
    #: Of the wall time from the first event to the last delivery: the
    #: server's CPU and the load generator's (this process's), as shares of one core.
    server_share: float
    client_share: float
    lag_p50_ms: float
    lag_p99_ms: float
    last_lag_ms: float
    delivered: int
    keeps_up: bool


async def run_one(
    variant: str, n_sockets: int, n_events: int, rate: float, env: dict[str, str]
) -> Result:
    with _pinned(CLIENT_CORE), private_redis() as url:
        async with seeded(url) as (actions, dialogue, _):
            pool = []  # one question per event: no vote is coalesced with another
            for n in range(n_events):
                sub = await actions.submissions.submit(
                    dialogue, {"text": f"Câu hỏi số {n} để đo hiệu năng phát tán.", "name": "Bench"}
                )
                await actions.intake.screen_now(dialogue, [sub.question_id])
                await actions.moderation.act(dialogue, sub.question_id, "approve", {}, MOD)
                pool.append(sub.question_id)
            with _pinned(SERVER_CORE):
                srv = server(url, **QUIET, **env).start()
            try:
                assert srv.process is not None
                proc = psutil.Process(srv.process.pid)
                base_rss = rss_kib(srv.process.pid)
                tally = Tally(n_sockets, n_events)
                loop = asyncio.get_running_loop()
                request = _request(srv.host, srv.port, f"/ws/v1/dialogues/{dialogue.slug}/feed")
                viewers: list[Viewer] = []
                for start in range(0, n_sockets, BATCH):
                    batch = [Viewer(request, tally) for _ in range(min(BATCH, n_sockets - start))]
                    await asyncio.gather(
                        *(loop.create_connection(_factory(v), srv.host, srv.port) for v in batch)
                    )
                    await asyncio.gather(*(v.ready for v in batch))
                    viewers.extend(batch)
                await tally.snapshotted.wait()
                await asyncio.sleep(1.0)
                kib_per_socket = (rss_kib(srv.process.pid) - base_rss) / n_sockets

                idle0, idle_t0 = _cpu(proc), time.perf_counter()
                await asyncio.sleep(2.0)
                idle_share = (_cpu(proc) - idle0) / (time.perf_counter() - idle_t0)

                sent_at = [0.0] * n_events
                me = psutil.Process()
                cpu0, mine0 = _cpu(proc), _cpu(me)
                started = time.perf_counter()
                for n in range(n_events):
                    pause = started + n / rate - time.perf_counter()
                    if pause > 0:
                        await asyncio.sleep(pause)
                    sent_at[n] = time.perf_counter()
                    await actions.submissions.vote(dialogue, pool[n], f"bench-{n:06d}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(tally.done.wait(), max(60.0, 3 * n_events / rate))
                cpu, mine = _cpu(proc) - cpu0, _cpu(me) - mine0
                wall = time.perf_counter() - started
                for v in viewers:
                    if v.transport is not None:
                        v.transport.close()
            finally:
                srv.stop()
    delivered = sum(tally.counts)
    lags = sorted(
        (last - sent) * 1000 for last, sent in zip(tally.last_at, sent_at, strict=True) if last
    )
    last_lag = (tally.last_at[-1] - sent_at[-1]) * 1000 if tally.last_at[-1] else float("inf")
    return Result(
        variant,
        n_sockets,
        n_events,
        cpu / max(delivered, 1) * 1e6,
        idle_share,
        kib_per_socket,
        cpu / wall,
        mine / wall,
        statistics.median(lags) if lags else float("inf"),
        lags[max(0, int(len(lags) * 0.99) - 1)] if lags else float("inf"),
        last_lag,
        delivered,
        delivered == n_sockets * n_events and last_lag < 1000,
    )


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return float(times.user + times.system)


def _raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def run(
    n_sockets: int | Sequence[int],
    n_events: int,
    rate: float = 4.0,
    base: str | None = None,
    variants: Sequence[str] = ("asgi", "direct"),
) -> list[Result]:
    """Every variant (and the baseline in ``base``) at each size, interleaved."""
    _raise_fd_limit()
    sizes = [n_sockets] if isinstance(n_sockets, int) else list(n_sockets)
    plan = [(name, VARIANTS[name]) for name in variants]
    if base:
        plan.insert(0, ("base", {"PYTHONPATH": base}))
    results = []
    print(
        f"fan-out: server on core {SERVER_CORE}, load generator and Redis on core "
        f"{CLIENT_CORE}; {n_events} events at {rate:g}/s; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print(
        "  variant  sockets  server CPU µs/delivery  idle CPU  KiB/socket  "
        "CPU server / client  to last viewer p50 / p99 / last event  delivered  keeps up"
    )
    for size in sizes:
        for name, env in plan:
            r = await run_one(name, size, n_events, rate, env)
            results.append(r)
            print(
                f"  {r.variant:7}  {r.sockets:7}  {r.cpu_us_per_delivery:21.1f}  "
                f"{r.idle_cpu_share * 100:7.1f}%  {r.kib_per_socket:10.1f}  "
                f"{r.server_share * 100:8.0f}% / {r.client_share * 100:.0f}%  "
                f"{r.lag_p50_ms:9.0f} / {r.lag_p99_ms:.0f} / {r.last_lag_ms:.0f} ms  "
                f"{r.delivered:9}  {'yes' if r.keeps_up else 'no'}",
                flush=True,
            )
    print("  load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout")
    parser.add_argument("--sockets", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--rate", type=float, default=4.0, help="events per second")
    parser.add_argument("--base", help="a checkout of older code to run as the baseline")
    parser.add_argument("--variants", nargs="+", default=["asgi", "direct"])
    args = parser.parse_args()
    # uvloop: the load generator's callbacks cost about half asyncio's.
    uvloop.run(run(args.sockets, args.events, args.rate, args.base, args.variants))


if __name__ == "__main__":
    main()
