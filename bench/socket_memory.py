"""Server memory per idle public viewer (issue 15 item 2), and where it goes.

A real node (``python -m server serve``) pinned to core 0; this process, the
load generator (raw asyncio sockets: a handshake, then the snapshot frame),
and Redis on core 1. ``WARM`` sockets are opened first (one-time costs: the
reader following the dialogue, first-use imports, the hub's dicts), then N
more, all left idle; the figure is the server's RSS growth over those N,
divided by N: the same "RSS growth / sockets" as ``bench/fanout.py``, less
the one-time part.

``--trace`` runs the node under ``tracemalloc`` instead (25 frames; it
doubles the node's memory, so its RSS is not reported) and prints the
Python allocations the N sockets added, grouped by file and line, and by
file: what each socket holds, from the interpreter's view (RSS also holds
the allocator's slack and the kernel's socket buffers, which it does not see).

``--peer websockets`` measures, with the same client, the ``websockets``
library's own asyncio server on uvloop (no compression, no pings) sending
each socket the node's snapshot of the same dialogue, then holding it: the
candidate of serving the public feed with that server instead.

``python -m bench.socket_memory --sockets 2000 [--trace] [--peer websockets] [--env K=V ...]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import cast

from server.realtime.messages import snapshot
from tests.helpers import free_port

from .common import pinned, private_redis, rss_kib, seeded, server
from .rawhttp import open_viewers

#: Sockets opened before the measurement, and at once while connecting.
WARM = 100
SERVER_CORE, CLIENT_CORE = 0, 1
#: No ping or heartbeat meanwhile.
QUIET = {"DOITHOAI_WS_PING_INTERVAL": "3600", "DOITHOAI_WS_PING_TIMEOUT": "3600"}
#: Loaded by the traced node at start (``sitecustomize``): on SIGUSR1,
#: tracemalloc starts (if not yet) and a snapshot is dumped to the file named
#: by the environment.
SITECUSTOMIZE = """
import gc, os, signal, tracemalloc
def _dump(signum, frame):
    gc.collect()
    if not tracemalloc.is_tracing():  # the first: start (a traced start-up is too slow)
        tracemalloc.start(25)
    path = os.environ["DT_SNAPSHOT"] + ".tmp"
    tracemalloc.take_snapshot().dump(path)
    os.rename(path, os.environ["DT_SNAPSHOT"])
signal.signal(signal.SIGUSR1, _dump)
"""


#: The ``websockets`` peer: argv host, port, and a file holding the snapshot.
PEER = """
import asyncio, sys, uvloop
from websockets.asyncio.server import serve
host, port, snapshot = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read()
async def feed(ws):
    await ws.send(snapshot)
    await ws.wait_closed()
async def main():
    async with serve(feed, host, port, compression=None, ping_interval=None) as server:
        print("ready", flush=True)
        await server.serve_forever()
uvloop.run(main())
"""


class Viewer(asyncio.Protocol):
    """A raw WebSocket client: ``ready`` once its first text frame (the snapshot) arrived."""

    def __init__(self, request: bytes) -> None:
        self._request = request
        self._buffer = b""
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        if self.ready.done():
            return  # heartbeats and events: not read
        self._buffer += data
        head, sep, rest = self._buffer.partition(b"\r\n\r\n")
        if not sep:
            return
        if not head.startswith(b"HTTP/1.1 101"):
            self.ready.set_exception(ConnectionError(head.split(b"\r\n")[0].decode()))
        elif rest and rest[0] & 0x0F == 0x1:
            self.ready.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before the snapshot"))


def _peer(host: str, port: int, tmp: Path, text: str) -> subprocess.Popen[bytes]:
    """The ``websockets`` peer on the server's core, once it listens."""
    path = tmp / "snapshot.json"
    path.write_text(text, encoding="utf-8")
    with pinned(SERVER_CORE):
        peer = subprocess.Popen(
            [sys.executable, "-c", PEER, host, str(port), str(path)], stdout=subprocess.PIPE
        )
    assert peer.stdout is not None
    peer.stdout.readline()
    return peer


def _traced(tmp: Path, snap: Path) -> dict[str, str]:
    """The environment of a node that loads ``SITECUSTOMIZE`` from ``tmp``."""
    (tmp / "sitecustomize.py").write_text(SITECUSTOMIZE)
    here = str(Path(__file__).resolve().parent.parent)
    return {"PYTHONPATH": os.pathsep.join([str(tmp), here]), "DT_SNAPSHOT": str(snap)}


def _snapshot(pid: int, path: Path) -> tracemalloc.Snapshot:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    os.kill(pid, signal.SIGUSR1)
    for _ in range(3000):
        if path.exists():
            return tracemalloc.Snapshot.load(str(path))
        time.sleep(0.01)
    raise TimeoutError("no snapshot from the node")


async def run(
    n: int, trace: bool, env: dict[str, str], top: int, websockets_peer: bool = False
) -> float:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with (
        pinned(CLIENT_CORE),
        private_redis() as url,
        tempfile.TemporaryDirectory(prefix="h-lean-mem-") as tmp,
    ):
        extra = dict(env)
        snap = Path(tmp) / "snapshot"
        if trace:
            extra |= _traced(Path(tmp), snap)
        async with seeded(url) as (actions, dialogue, _store):
            with pinned(SERVER_CORE):
                srv = server(url, **QUIET, **extra).start()
            viewers: list[Viewer] = []
            peer: subprocess.Popen[bytes] | None = None
            try:
                assert srv.process is not None
                pid = srv.process.pid
                path = f"/ws/v1/dialogues/{dialogue.slug}/feed"
                host, port = srv.host, srv.port
                if websockets_peer:
                    text = snapshot(
                        dialogue, await actions.feeds.public(dialogue), reset=False
                    ).decode()
                    port = free_port()
                    peer = await asyncio.to_thread(_peer, host, port, Path(tmp), text)
                    pid = peer.pid
                await open_viewers(host, port, path, WARM, Viewer, viewers)
                await asyncio.sleep(1.0)
                before_rss = rss_kib(pid)
                before = _snapshot(pid, snap) if trace else None
                await open_viewers(host, port, path, n, Viewer, viewers)
                await asyncio.sleep(1.0)
                kib = (rss_kib(pid) - before_rss) / n
                if before is not None:
                    after = _snapshot(pid, snap)
                    _report(before, after, n, top)
                else:
                    print(
                        f"{n} idle public sockets (after {WARM}): {kib:.1f} KiB per socket "
                        f"(RSS growth / sockets); {'websockets peer' if peer else 'node'}, "
                        f"env {env or '{}'}; load average "
                        + " ".join(f"{x:.2f}" for x in os.getloadavg())
                    )
            finally:
                for v in viewers:
                    if v.transport is not None:
                        v.transport.close()
                if peer is not None:
                    peer.kill()
                    peer.wait()
                srv.stop()
    return kib


def _report(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, n: int, top: int) -> None:
    for key in ("filename", "lineno"):
        stats = after.compare_to(before, key)
        total = sum(s.size_diff for s in stats)
        print(f"\ntraced Python memory added per socket, by {key}: {total / n / 1024:.2f} KiB")
        for s in stats[:top]:
            frame = s.traceback[0]
            where = f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
            if key == "filename":
                where = where.rsplit(":", 1)[0]
            print(f"  {s.size_diff / n:8.0f} B  {s.count_diff / n:6.2f} blocks  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.socket_memory")
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--trace", action="store_true", help="where it goes (tracemalloc)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--peer", choices=["websockets"], help="measure a peer server instead")
    parser.add_argument("--env", nargs="*", default=[], help="node settings, K=V")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    import uvloop

    uvloop.run(run(args.sockets, args.trace, env, args.top, args.peer == "websockets"))
    sys.exit(0)


if __name__ == "__main__":
    main()
