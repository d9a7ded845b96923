"""WebSocket settings are explicit: no per-message deflate, a 64 KiB message
limit, server pings that drop dead peers, and an application heartbeat."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Iterator

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.helpers import ServerProcess

from .conftest import World


@pytest.fixture(scope="module")
def fast_server(redis_server: str) -> Iterator[ServerProcess]:
    env = {
        "REDIS_URL": redis_server,
        "DOITHOAI_WS_PING_INTERVAL": "0.5",
        "DOITHOAI_WS_PING_TIMEOUT": "0.5",
    }
    with ServerProcess(env=env) as process:
        yield process


def feed_url(server: ServerProcess) -> str:
    return server.url.replace("http://", "ws://") + "/ws/v1/dialogues/chuyen-doi-so/feed"


async def test_no_per_message_deflate(fast_server: ServerProcess, world: World) -> None:
    """A client offering permessage-deflate is answered without it."""
    async with connect(feed_url(fast_server), compression="deflate") as ws:
        assert ws.response is not None
        assert "Sec-WebSocket-Extensions" not in ws.response.headers
        assert json.loads(await ws.recv())["type"] == "snapshot"


async def test_messages_over_64_kib_close_the_socket(
    fast_server: ServerProcess, world: World
) -> None:
    """A client message over 64 KiB closes the connection with 1009 (too big)."""
    async with connect(feed_url(fast_server), max_size=None) as ws:
        await ws.recv()
        await ws.send("x" * 65_537)
        with pytest.raises(ConnectionClosed) as closed:
            for _ in range(10):
                await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


async def test_heartbeat_messages_carry_no_id(fast_server: ServerProcess, world: World) -> None:
    """An idle feed sends heartbeat messages (without an id) so clients can tell a dead link."""
    async with connect(feed_url(fast_server)) as ws:
        await ws.recv()
        message = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert message == {"type": "heartbeat"}


async def test_a_peer_that_never_answers_pings_is_dropped(
    fast_server: ServerProcess, world: World
) -> None:
    """A client that completes the handshake and then goes silent (no pongs) is
    pinged and disconnected by the server."""
    reader, writer = await asyncio.open_connection(fast_server.host, fast_server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            "GET /ws/v1/dialogues/chuyen-doi-so/feed HTTP/1.1\r\n"
            f"Host: {fast_server.host}:{fast_server.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 101")
    opcodes = []
    try:
        while True:
            header = await asyncio.wait_for(reader.readexactly(2), 10)
            length = header[1] & 0x7F
            if length == 126:
                length = int.from_bytes(await reader.readexactly(2), "big")
            elif length == 127:
                length = int.from_bytes(await reader.readexactly(8), "big")
            await reader.readexactly(length)
            opcodes.append(header[0] & 0x0F)
    except asyncio.IncompleteReadError:
        pass  # the server hung up: what we wait for
    finally:
        writer.close()
    # Reaching here (not a TimeoutError above) means the server hung up on us.
    assert 0x9 in opcodes  # it was pinged first


async def test_stopping_a_node_closes_sockets_with_1012(redis_url: str, world: World) -> None:
    """A node going away closes its sockets with 1012 (service restart) so clients move on."""
    server = ServerProcess(env={"REDIS_URL": redis_url}).start()
    try:
        async with connect(feed_url(server)) as ws:
            await ws.recv()
            await asyncio.to_thread(server.stop)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    finally:
        server.kill()


async def test_sockets_per_address_are_capped(redis_url: str, world: World) -> None:
    """One address may hold DOITHOAI_WS_PER_ADDRESS sockets; the next is refused
    at the handshake, and a closed one frees its place."""
    env = {"REDIS_URL": redis_url, "DOITHOAI_WS_PER_ADDRESS": "3"}
    with ServerProcess(env=env) as server:
        url = feed_url(server)
        held = [await connect(url) for _ in range(3)]
        try:
            for ws in held:
                assert json.loads(await ws.recv())["type"] == "snapshot"
            with pytest.raises(InvalidStatus) as refused:
                await connect(url)
            assert refused.value.response.status_code == 403
            await held.pop().close()
            for _ in range(100):  # the server notices the close a moment later
                try:
                    held.append(await connect(url))
                    break
                except InvalidStatus:
                    await asyncio.sleep(0.05)
            assert len(held) == 3
        finally:
            for ws in held:
                await ws.close()
