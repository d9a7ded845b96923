"""The fan-out benchmark's peers (bench/fanout.py): servers that do what a
public feed does at its simplest, each a process of its own, fed events
through Redis like a node (its reader gets them from the event stream):

- ``floor``: the bare-write floor. A tiny asyncio server (uvloop, as the
  node's uvicorn) that answers the WebSocket handshake and, for each event
  published on the channel, builds one frame and writes it to every
  socket's transport. No queue, no task, no library: the least a server can
  do per delivery.
- ``websockets``: the python ``websockets`` library's server (the asyncio
  implementation, on uvloop, no compression, no pings) sending each event
  with ``broadcast()``.
- Node Socket.IO with the Redis adapter: ``SOCKETIO_SERVER`` below, run by
  ``node`` from a temporary directory where ``install_socketio`` put
  socket.io, @socket.io/redis-adapter and redis with npm. Events reach it the
  way @socket.io/redis-emitter sends them: a msgpack message on the
  adapter's channel, broadcast by the adapter to the namespace's sockets.

``python -m bench.peers floor|websockets PORT REDIS_URL`` runs a Python peer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import cast

import msgspec
import redis.asyncio
import uvloop

#: The Python peers' Redis channel.
CHANNEL = "bench:events"
#: The Redis adapter's channel for the main namespace ("socket.io#/#").
SOCKETIO_CHANNEL = "socket.io#/#"
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC11B85"

SOCKETIO_PACKAGES = ("socket.io@4", "@socket.io/redis-adapter@8", "redis@4")

#: A Socket.IO server with the Redis adapter, websocket transport only, no
#: compression, pings (almost) never during a run: like the node's quiet runs.
SOCKETIO_SERVER = """
const { Server } = require("socket.io");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");
const [port, url] = [Number(process.argv[2]), process.argv[3]];
(async () => {
  const pub = createClient({ url });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const io = new Server({
    transports: ["websocket"], serveClient: false, perMessageDeflate: false,
    pingInterval: 3600000, pingTimeout: 3600000,
  });
  io.adapter(createAdapter(pub, sub));
  io.listen(port);
  console.log("ready");
})();
"""


def frame(payload: bytes) -> bytes:
    """An unmasked text frame (server to client)."""
    size = len(payload)
    if size < 126:
        head = bytes([0x81, size])
    elif size < 65536:
        head = bytes([0x81, 126]) + size.to_bytes(2, "big")
    else:
        head = bytes([0x81, 127]) + size.to_bytes(8, "big")
    return head + payload


def socketio_message(payload: object) -> bytes:
    """What @socket.io/redis-emitter publishes for ``io.emit("event", payload)``."""
    packet = {"type": 2, "data": ["event", payload], "nsp": "/"}
    return msgspec.msgpack.encode(["bench", packet, {"rooms": [], "except": [], "flags": {}}])


class _FloorSocket(asyncio.Protocol):
    def __init__(self, sockets: set[asyncio.Transport]) -> None:
        self._sockets = sockets
        self._head = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.transport is None or self.transport in self._sockets:
            return  # a client's frames are not read: the floor only writes
        self._head += data
        head, sep, _ = self._head.partition(b"\r\n\r\n")
        if not sep:
            return
        key = b""
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"sec-websocket-key":
                key = value.strip()
        accept = base64.b64encode(hashlib.sha1(key + _GUID).digest())
        self.transport.write(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        self._sockets.add(self.transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.transport is not None:
            self._sockets.discard(self.transport)


async def _events(url: str) -> AsyncIterator[bytes]:
    client = redis.asyncio.Redis.from_url(url)
    pubsub = client.pubsub()
    await pubsub.subscribe(CHANNEL)
    async for message in pubsub.listen():
        if message["type"] == "message":
            yield message["data"]


async def serve_floor(port: int, url: str) -> None:
    sockets: set[asyncio.Transport] = set()
    loop = asyncio.get_running_loop()
    await loop.create_server(lambda: _FloorSocket(sockets), "127.0.0.1", port, backlog=4096)
    async for payload in _events(url):
        data = frame(payload)
        for transport in sockets:
            transport.write(data)


async def serve_websockets(port: int, url: str) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    sockets: set[ServerConnection] = set()

    async def handler(connection: ServerConnection) -> None:
        sockets.add(connection)
        try:
            await connection.wait_closed()
        finally:
            sockets.discard(connection)

    async with serve(
        handler, "127.0.0.1", port, compression=None, ping_interval=None, backlog=4096
    ):
        async for payload in _events(url):
            broadcast(sockets, payload.decode())


@contextlib.contextmanager
def socketio_dir() -> Iterator[Path | str]:
    """A temporary directory with the Socket.IO server and its packages, or
    the reason there is none (no node or npm, or npm failed)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        yield "absent: no node or npm on this machine"
        return
    with tempfile.TemporaryDirectory(prefix="dt-bench-sio-") as work:
        path = Path(work)
        (path / "package.json").write_text('{"name": "bench-socketio", "private": true}\n')
        (path / "server.js").write_text(SOCKETIO_SERVER)
        command = [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"]
        try:
            done = subprocess.run(
                [*command, *SOCKETIO_PACKAGES],
                cwd=path,
                capture_output=True,
                text=True,
                timeout=180,
            )
        except subprocess.TimeoutExpired:
            yield "absent: npm install took over 180 s"
            return
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            yield f"absent: npm install failed ({last[:200]})"
            return
        yield path


def main() -> None:
    kind, port, url = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    serve = {"floor": serve_floor, "websockets": serve_websockets}[kind]
    uvloop.run(serve(port, url))


if __name__ == "__main__":
    main()
