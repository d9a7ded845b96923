"""Fan-out: N public feed sockets on one server, events at a steady rate;
the server process's CPU time per delivery, the time from each event to the
last viewer that got it, and the server's memory per idle socket (its RSS
growth from the first ``BATCH`` sockets to all of them), for doithoai and
its peers in one run (issue 15, item 7).

The server is pinned to core 0 (``sched_setaffinity``: it inherits it when
started); Redis and this process, the load generator, to core 1. The viewers
are raw asyncio sockets on uvloop (no library: a handshake, then frames
counted; the load generator must cost little so that it keeps up at
10,000). "Per delivery" is the server process's CPU time (user + system,
from /proc through psutil, every thread of it) over the events divided by
the messages delivered: not the wall time, which a loaded machine stretches.

The servers, interleaved at each size, each a fresh process with a fresh
Redis (bench/peers.py for the peers):

- ``floor``: a bare write of one pre-built frame to each socket per event;
- ``websockets``: the python ``websockets`` server's ``broadcast()``;
- ``socketio``: Node Socket.IO with the Redis adapter, installed with npm
  into a temporary directory (reported absent when node or npm is missing
  or the install fails); the viewers speak Engine.IO v4 over the websocket
  transport (``/socket.io/?EIO=4&transport=websocket``: "40" to the open
  packet, "3" to a ping, "42" frames counted);
- ``doithoai``: a ``doithoai serve`` node; its events are votes, each for a
  question of its own (a question's votes coalesce to one change a second,
  reader.py, and a late load generator could send two for one question
  within a second); ``asgi`` is the same node with ``DOITHOAI_WS_DIRECT=false``.

The peers get each event the way a node does, through Redis: the Python
peers from a pub/sub channel, Socket.IO as @socket.io/redis-emitter sends it
(a msgpack message on the adapter's channel). The payload is the shape and
size of a node's ``votes.changed``.

``python -m bench.fanout --sockets 1000 5000 --events 40 --base DIR``
also runs the code in DIR (an export of an older commit) as ``base``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import psutil
import redis.asyncio
import uvloop

from tests.helpers import REPO_ROOT, clean_env, free_port

from . import peers
from .common import approved, pinned, private_redis, rss_kib, seeded, server

#: Sockets opened at once while connecting. The first batch warms the server
#: up: memory per socket is the RSS growth over the other sockets, without
#: one-time costs (first-use imports and caches, the first snapshot), for
#: every server alike (at 1,000 viewers Socket.IO's figure went from 22 to 11.4
#: KiB a socket with it; doithoai's did not move).
BATCH = 200
#: The server's core, and the load generator's (and Redis's).
SERVER_CORE, CLIENT_CORE = 0, 1
#: doithoai's variants: the direct path (its default), the ASGI path.
VARIANTS = {"doithoai": {}, "asgi": {"DOITHOAI_WS_DIRECT": "false"}}
#: The peers (bench/peers.py).
PEERS = ("floor", "websockets", "socketio")
#: What ``make bench`` compares, in this order at each size.
SERVERS = ("floor", "websockets", "socketio", "doithoai")
#: No ping or heartbeat during a run (uvicorn pings, the feed's heartbeat).
QUIET = {"DOITHOAI_WS_PING_INTERVAL": "3600", "DOITHOAI_WS_PING_TIMEOUT": "3600"}
#: How the viewers of each kind of server count: the node's first frame is
#: its snapshot; a plain server's viewer is ready at the handshake;
#: Socket.IO's after its connect packet.
SNAPSHOT, PLAIN, SOCKETIO = "snapshot", "plain", "socketio"


def _client_frame(payload: bytes) -> bytes:
    """A masked text frame (client to server), with a zero mask."""
    return bytes([0x81, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


_CONNECT, _PONG = _client_frame(b"40"), _client_frame(b"3")


@dataclass
class Tally:
    """What the viewers received: per event, how many and when the last."""

    sockets: int
    events: int
    counts: list[int] = field(default_factory=list)
    last_at: list[float] = field(default_factory=list)
    readied: int = 0
    closed: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.counts = [0] * self.events
        self.last_at = [0.0] * self.events

    def one_ready(self) -> None:
        self.readied += 1
        if self.readied == self.sockets:
            self.ready.set()

    def arrived(self, index: int) -> None:
        if index >= self.events:
            return
        self.counts[index] += 1
        if self.counts[index] == self.sockets:
            self.last_at[index] = time.perf_counter()
            if index == self.events - 1:
                self.done.set()


class Viewer(asyncio.Protocol):
    """A raw WebSocket client that counts the text frames it receives."""

    def __init__(self, request: bytes, tally: Tally, mode: str) -> None:
        self._request = request
        self._tally = tally
        self._mode = mode
        self._buffer = b""
        self._open = False
        self._ready = False
        self._events = 0
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self.transport.write(self._request)

    def _text(self, buffer: bytes, start: int) -> None:
        if self._mode == PLAIN or (self._mode == SNAPSHOT and self._ready):
            self._tally.arrived(self._events)
            self._events += 1
        elif self._mode == SNAPSHOT:
            self._ready = True
            self._tally.one_ready()
        else:  # Engine.IO v4 packet type, then Socket.IO's
            kind = buffer[start : start + 2]
            if kind == b"42":
                self._tally.arrived(self._events)
                self._events += 1
            elif kind == b"40":
                self._tally.one_ready()
            elif kind[:1] == b"0" and self.transport is not None:
                self.transport.write(_CONNECT)
            elif kind[:1] == b"2" and self.transport is not None:
                self.transport.write(_PONG)

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
            if self._mode == PLAIN:
                self._tally.one_ready()
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
                self._text(buffer, start)
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


@dataclass
class Subject:
    """A server under load: its process, where its feed is, how its viewers
    count and how an event is sent to it."""

    pid: int
    host: str
    port: int
    path: str
    mode: str
    emit: Callable[[int], Awaitable[object]]


def _payload(n: int) -> dict[str, object]:
    """A peer's event: a node's ``votes.changed``, same shape and size."""
    data = {"id": f"01JEBENCH{n:017d}", "votes": n + 1}
    return {"id": f"1764750000000-{n}", "type": "votes.changed", "dialogue": "bench", "data": data}


async def _listening(port: int, process: asyncio.subprocess.Process, what: str) -> None:
    for _ in range(600):
        if process.returncode is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port} within 30 s")


@contextlib.asynccontextmanager
async def _subject(
    name: str, url: str, n_events: int, env: dict[str, str], socketio: Path | str
) -> AsyncIterator[Subject]:
    if name in PEERS:
        port = free_port()
        if name == "socketio":
            if not isinstance(socketio, Path):
                raise RuntimeError(socketio)
            command = ["node", str(socketio / "server.js"), str(port), url]
            path = "/socket.io/?EIO=4&transport=websocket"
            channel, mode = peers.SOCKETIO_CHANNEL, SOCKETIO

            def encode(n: int) -> bytes:
                return peers.socketio_message(_payload(n))
        else:
            command = [sys.executable, "-m", "bench.peers", name, str(port), url]
            path, channel, mode = "/feed", peers.CHANNEL, PLAIN

            def encode(n: int) -> bytes:
                return json.dumps(_payload(n), separators=(",", ":")).encode()

        with pinned(SERVER_CORE):
            process = await asyncio.create_subprocess_exec(
                *command, env=clean_env() | {"PYTHONPATH": str(REPO_ROOT)}, cwd=REPO_ROOT,
                stdout=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
        publisher = redis.asyncio.Redis.from_url(url)
        try:
            await _listening(port, process, name)

            async def emit(n: int) -> object:
                return await publisher.publish(channel, encode(n))

            yield Subject(process.pid, "127.0.0.1", port, path, mode, emit)
        finally:
            await publisher.aclose()
            if process.returncode is None:
                process.terminate()
            await process.wait()
        return
    async with seeded(url) as (actions, dialogue, _):
        # One question per event: no vote is coalesced with another.
        pool = await approved(actions, dialogue, n_events, "để đo hiệu năng phát tán.")
        with pinned(SERVER_CORE):
            srv = server(url, **QUIET, **env).start()
        try:
            assert srv.process is not None

            async def vote(n: int) -> object:
                return await actions.submissions.vote(dialogue, pool[n], f"bench-{n:06d}")

            path = f"/ws/v1/dialogues/{dialogue.slug}/feed"
            yield Subject(srv.process.pid, srv.host, srv.port, path, SNAPSHOT, vote)
        finally:
            srv.stop()


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
    #: Why there is no figure (the server was absent or failed), else "".
    failed: str = ""


def _failed(name: str, n_sockets: int, n_events: int, why: str) -> Result:
    nan = float("nan")
    return Result(name, n_sockets, n_events, nan, nan, nan, nan, nan, nan, nan, nan, 0, False, why)


async def run_one(
    variant: str,
    n_sockets: int,
    n_events: int,
    rate: float,
    env: dict[str, str],
    socketio: Path | str = "absent: not installed",
    idle: float = 2.0,
) -> Result:
    with pinned(CLIENT_CORE), private_redis() as url:
        async with _subject(variant, url, n_events, env, socketio) as subject:
            proc = psutil.Process(subject.pid)
            base_rss = 0
            tally = Tally(n_sockets, n_events)
            loop = asyncio.get_running_loop()
            request = _request(subject.host, subject.port, subject.path)
            viewers: list[Viewer] = []
            try:
                for start in range(0, n_sockets, BATCH):
                    batch = [
                        Viewer(request, tally, subject.mode)
                        for _ in range(min(BATCH, n_sockets - start))
                    ]
                    await asyncio.gather(
                        *(
                            loop.create_connection(_factory(v), subject.host, subject.port)
                            for v in batch
                        )
                    )
                    await asyncio.gather(*(v.ready for v in batch))
                    viewers.extend(batch)
                    if start == 0:  # the first batch warms the server up (BATCH)
                        base_rss = rss_kib(subject.pid)
                await asyncio.wait_for(tally.ready.wait(), 60.0)
                await asyncio.sleep(min(1.0, idle))
                kib_per_socket = (rss_kib(subject.pid) - base_rss) / (n_sockets - BATCH)

                idle0, idle_t0 = _cpu(proc), time.perf_counter()
                await asyncio.sleep(idle)
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
                    await subject.emit(n)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(tally.done.wait(), max(60.0, 3 * n_events / rate))
                cpu, mine = _cpu(proc) - cpu0, _cpu(me) - mine0
                wall = time.perf_counter() - started
            finally:
                for v in viewers:
                    if v.transport is not None:
                        v.transport.close()
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


def _line(r: Result) -> str:
    if r.failed:
        return f"| {r.variant} | {r.sockets:,} | {r.failed} | | | | | |"
    if r.keeps_up:
        keeps = "yes"
    elif r.delivered == r.sockets * r.events:
        keeps = f"no (last event {r.last_lag_ms / 1000:.1f} s behind)"
    else:
        keeps = f"no ({r.delivered:,} of {r.sockets * r.events:,} delivered)"
    return (
        f"| {r.variant} | {r.sockets:,} | {r.cpu_us_per_delivery:.1f} | "
        f"{r.idle_cpu_share * 100:.1f}% | {r.kib_per_socket:.1f} | "
        f"{r.server_share * 100:.0f}% / {r.client_share * 100:.0f}% | "
        f"{r.lag_p50_ms:,.0f} / {r.lag_p99_ms:,.0f} / {r.last_lag_ms:,.0f} ms | {keeps} |"
    )


def ratios(results: Sequence[Result], subject: str = "doithoai") -> list[str]:
    """The targets' ratios at each size: ``subject`` over the floor and over
    Socket.IO in CPU per delivery, and its cost against its own at the
    smallest size (flat with the audience)."""
    by = {(r.variant, r.sockets): r for r in results if not r.failed}
    sizes = sorted({r.sockets for r in results})
    lines = []
    for size in sizes:
        mine = by.get((subject, size))
        if mine is None:
            continue
        parts = [f"{subject} at {size:,}: {mine.cpu_us_per_delivery:.1f} µs/delivery"]
        for peer, target in (("floor", "≤ 1.3"), ("socketio", "≤ 0.8"), ("websockets", "")):
            other = by.get((peer, size))
            if other is not None:
                ratio = mine.cpu_us_per_delivery / other.cpu_us_per_delivery
                parts.append(f"{ratio:.2f}x {peer}" + (f" (target {target})" if target else ""))
            else:
                parts.append(f"{peer} absent")
        first = by.get((subject, sizes[0]))
        if first is not None and size != sizes[0]:
            parts.append(f"{mine.cpu_us_per_delivery / first.cpu_us_per_delivery:.2f}x its own "
                         f"at {sizes[0]:,}")  # fmt: skip
        parts.append(f"{mine.kib_per_socket:.1f} KiB/socket (target ≤ 14)")
        parts.append(f"last viewer p99 {mine.lag_p99_ms:,.0f} ms (target ≤ 250 at 10,000)")
        lines.append("; ".join(parts))
    return lines


async def run(
    n_sockets: int | Sequence[int],
    n_events: int,
    rate: float = 4.0,
    base: str | None = None,
    variants: Sequence[str] = SERVERS,
    idle: float = 2.0,
) -> list[Result]:
    """Every server (and the baseline in ``base``) at each size, interleaved."""
    _raise_fd_limit()
    sizes = [n_sockets] if isinstance(n_sockets, int) else list(n_sockets)
    plan = [(name, VARIANTS.get(name, {})) for name in variants]
    if base:
        plan.insert(0, ("base", {"PYTHONPATH": base}))
    results = []
    print(
        f"fan-out: server on core {SERVER_CORE}, load generator and Redis on core "
        f"{CLIENT_CORE}; {n_events} events at {rate:g}/s; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        flush=True,
    )
    with contextlib.ExitStack() as stack:
        socketio: Path | str = "absent: not asked for"
        if "socketio" in variants:
            socketio = stack.enter_context(peers.socketio_dir())
            print(f"  socketio: {socketio if isinstance(socketio, str) else 'installed with npm'}")
        print(
            "| server | viewers | server CPU µs/delivery | idle CPU | KiB/socket | "
            "CPU server / client | to last viewer p50 / p99 / last event | keeps up |\n"
            "|---|---|---|---|---|---|---|---|",
            flush=True,
        )
        for size in sizes:
            for name, env in plan:
                try:
                    r = await run_one(name, size, n_events, rate, env, socketio, idle)
                except Exception as exc:  # a peer that failed is a row, not the end
                    why = str(exc) if name == "socketio" and str(exc).startswith("absent") else (
                        f"failed: {type(exc).__name__}: {exc}"[:200]
                    )  # fmt: skip
                    r = _failed(name, size, n_events, why)
                results.append(r)
                print(_line(r), flush=True)
    for line in ratios(results):
        print("  " + line)
    print("  load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout")
    parser.add_argument("--sockets", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--rate", type=float, default=4.0, help="events per second")
    parser.add_argument("--base", help="a checkout of older code to run as the baseline")
    parser.add_argument("--variants", nargs="+", default=list(SERVERS), choices=[*PEERS, *VARIANTS])
    args = parser.parse_args()
    # uvloop: the load generator's callbacks cost about half asyncio's.
    uvloop.run(run(args.sockets, args.events, args.rate, args.base, args.variants))


if __name__ == "__main__":
    main()
