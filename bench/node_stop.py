"""How a node with thousands of sockets stops on SIGTERM (a rolling restart).

A real node (``python -m server serve``) on a private Redis; this process
opens N idle public viewer sockets (raw asyncio clients, as in
``bench/socket_memory.py``) and a few staff console sockets (``websockets``,
with an API token), then sends the node SIGTERM and reports: the time until
the process exited, and how each socket ended: the close code it received
(1012 "service restart" is what clients resume elsewhere on), by a reset, or
by a plain end of stream, and when.

``python -m bench.node_stop --sockets 3000 [--staff 2] [--stalled 1] [--no-answer] [--env K=V ...]``

``--no-answer``: viewers do not answer the close frame (a client that is
gone or stalled); by default they answer it, as browsers do. ``--stalled
K``: K more viewers (a 4 KiB receive buffer) stop reading after their
snapshot, and large events are published until the node's writes to each
wait (its transport holds them): clients on a link that stopped moving.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import resource
import signal
import statistics
import struct
import time
from typing import cast

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.domain.access import Role
from tests.e2e.test_ws_direct import Feed, counter
from tests.e2e.test_ws_direct import Viewer as StalledViewer

from .common import private_redis, seeded, server
from .rawhttp import open_viewers

#: No ping or heartbeat meanwhile.
QUIET = {"DOITHOAI_WS_PING_INTERVAL": "3600", "DOITHOAI_WS_PING_TIMEOUT": "3600"}


class Viewer(asyncio.Protocol):
    """A raw WebSocket client that reads frames and notes how the socket ended."""

    def __init__(self, request: bytes, answer: bool) -> None:
        self._request = request
        self._answer = answer
        self._buffer = b""
        self._open = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.close_code: int | None = None
        self.closed_at: float | None = None
        self.lost: str | None = None
        self.lost_at: float | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._open:
            head, sep, rest = self._buffer.partition(b"\r\n\r\n")
            if not sep:
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(head.split(b"\r\n")[0].decode()))
                return
            self._open, self._buffer = True, rest
        while len(self._buffer) >= 2:
            b0, b1 = self._buffer[0], self._buffer[1]
            length, at = b1 & 0x7F, 2
            if length == 126:
                if len(self._buffer) < 4:
                    return
                length, at = struct.unpack("!H", self._buffer[2:4])[0], 4
            elif length == 127:
                if len(self._buffer) < 10:
                    return
                length, at = struct.unpack("!Q", self._buffer[2:10])[0], 10
            if len(self._buffer) < at + length:
                return
            payload, self._buffer = self._buffer[at : at + length], self._buffer[at + length :]
            opcode = b0 & 0x0F
            if opcode == 0x1 and not self.ready.done():
                self.ready.set_result(None)
            elif opcode == 0x8 and self.close_code is None:
                self.close_code = struct.unpack("!H", payload[:2])[0] if payload else 1005
                self.closed_at = time.perf_counter()
                if self._answer and self.transport is not None:
                    mask = os.urandom(4)
                    body = payload[:2]
                    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(body))
                    self.transport.write(bytes([0x88, 0x80 | len(body)]) + mask + masked)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = type(exc).__name__ if exc is not None else "eof"
        self.lost_at = time.perf_counter()
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before the snapshot"))


async def _staff_end(ws: ClientConnection) -> tuple[int | None, float]:
    try:
        while True:
            await ws.recv()
    except ConnectionClosed as closed:
        return (closed.rcvd.code if closed.rcvd else None), time.perf_counter()


async def run(n: int, staff: int, stalled: int, answer: bool, env: dict[str, str]) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with private_redis() as url:
        async with seeded(url) as (actions, dialogue, store):
            secret, _ = await actions.accounts.create_token(
                "moderator", Role.MODERATOR, (dialogue.slug,), "bench", "2026-01-01T00:00:00Z"
            )
            srv = server(url, **QUIET, **env).start()
            assert srv.process is not None
            viewers: list[Viewer] = []
            staff_ws: list[ClientConnection] = []
            stuck: list[StalledViewer] = []
            try:
                base = f"/ws/v1/dialogues/{dialogue.slug}"
                path = f"{base}/feed"
                await open_viewers(
                    srv.host, srv.port, path, n, lambda r: Viewer(r, answer), viewers
                )
                for _ in range(stalled):
                    stuck.append(await asyncio.to_thread(StalledViewer, srv, path, 4096))
                    await asyncio.to_thread(stuck[-1].frame)  # its snapshot; no more
                if stuck:
                    feed = Feed(store, actions, dialogue)
                    waited = counter(srv, "doithoai_ws_frames_waited_total")
                    while counter(srv, "doithoai_ws_frames_waited_total") < waited + 3 * stalled:
                        await feed.edit()  # ~10 KB events
                # After the edits: staff sockets read only once SIGTERM is sent.
                ws_url = srv.url.replace("http://", "ws://")
                for _ in range(staff):
                    ws = await connect(
                        f"{ws_url}{base}/console",
                        origin=srv.url,  # type: ignore[arg-type]
                        additional_headers={"Authorization": f"Bearer {secret}"},
                        max_size=None,
                    )
                    await ws.recv()  # its snapshot
                    staff_ws.append(ws)
                await asyncio.sleep(1.0)
                ends = [asyncio.create_task(_staff_end(ws)) for ws in staff_ws]
                load = os.getloadavg()
                start = time.perf_counter()
                srv.process.send_signal(signal.SIGTERM)
                status = await asyncio.to_thread(srv.process.wait, 120)
                exited = time.perf_counter() - start
                staff_ends = await asyncio.gather(*ends)
                await asyncio.sleep(0.5)  # the last connection_lost callbacks
            finally:
                for v in viewers:
                    if v.transport is not None:
                        v.transport.close()
                for ws in staff_ws:
                    await ws.close()
                for sock in stuck:
                    sock.close()
                srv.stop()
    codes = collections.Counter(v.close_code for v in viewers)
    losses = collections.Counter(v.lost for v in viewers)
    close_times = sorted(v.closed_at - start for v in viewers if v.closed_at is not None)
    lost_times = sorted(v.lost_at - start for v in viewers if v.lost_at is not None)

    def spread(times: list[float]) -> str:
        if not times:
            return "none"
        return (
            f"first {times[0]:.2f} s, median {statistics.median(times):.2f} s, "
            f"last {times[-1]:.2f} s"
        )

    print(
        f"{n} viewers ({'answering' if answer else 'not answering'} the close), {staff} staff,"
        f" {stalled} stalled;"
        f" env {env or '{}'}; load average before " + " ".join(f"{x:.2f}" for x in load)
    )
    print(f"process exited {exited:.2f} s after SIGTERM, status {status}")
    print(f"viewer close codes received: {dict(codes)}; close frames {spread(close_times)}")
    print(f"viewer connections ended by: {dict(losses)}; {spread(lost_times)}")
    print("staff: " + ", ".join(f"code {code} at {at - start:.2f} s" for code, at in staff_ends))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sockets", type=int, default=3000)
    parser.add_argument("--staff", type=int, default=2)
    parser.add_argument("--stalled", type=int, default=0)
    parser.add_argument("--answer", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--env", action="append", default=[], help="K=V for the node")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    asyncio.run(run(args.sockets, args.staff, args.stalled, args.answer, env))


if __name__ == "__main__":
    main()
