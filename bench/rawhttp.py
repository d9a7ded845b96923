"""A minimal HTTP/1.1 client on asyncio streams, for load generators.

A benchmark's load generator must cost far less than the server it loads,
or it measures itself: httpx spends about a millisecond of CPU per request,
this a small fraction of that. One ``Connection`` is one keep-alive socket
sending one request at a time; answers must carry Content-Length (the app's
do). Never for anything but the benchmarks.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """(status, body) of one request; JSON ``body`` when given."""
        reader, writer = await self._open()
        payload = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Length: {len(payload)}\r\n"
        )
        if body is not None:
            head += "Content-Type: application/json\r\n"
        writer.write(head.encode() + b"\r\n" + payload)
        status_line = await reader.readline()
        status = int(status_line.split()[1])
        length = 0
        close = False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        answer = await reader.readexactly(length)
        if close:
            writer.close()
        return status, answer

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


class RawViewer(Protocol):
    """A hand-written WebSocket viewer (an asyncio protocol), ``ready`` once upgraded."""

    ready: asyncio.Future[None]


V = TypeVar("V", bound=RawViewer)


def upgrade_request(host: str, port: int, path: str) -> bytes:
    """The HTTP/1.1 request that opens a WebSocket at ``path``."""
    key = base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


async def open_viewers(
    host: str,
    port: int,
    path: str,
    n: int,
    make: Callable[[bytes], V],
    into: list[V],
    batch: int = 200,
) -> None:
    """Open ``n`` viewers ``batch`` at a time, each made from its upgrade request."""
    loop = asyncio.get_running_loop()
    for start in range(0, n, batch):
        made = [make(upgrade_request(host, port, path)) for _ in range(min(batch, n - start))]
        await asyncio.gather(*(loop.create_connection(lambda v=v: v, host, port) for v in made))  # type: ignore[misc]
        await asyncio.gather(*(v.ready for v in made))
        into.extend(made)
