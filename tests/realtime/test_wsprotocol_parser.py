"""A public viewer handed over to the node gets a new frame parser
(``wsprotocol.restart_parser``): the one that parsed the handshake keeps its
request alive. Checked on websockets' own sans-I/O protocol, so that a
websockets whose parser no longer fits is noticed here, not as memory."""

from __future__ import annotations

import base64
import os
import weakref

from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.server import ServerProtocol

from server.realtime.wsprotocol import restart_parser
from tests import rawws


def opened() -> tuple[ServerProtocol, weakref.ref[Request]]:
    """A server connection past its handshake, and a weak reference to its request."""
    conn = ServerProtocol()
    key = base64.b64encode(os.urandom(16)).decode()
    conn.receive_data(
        (
            "GET /ws/v1/dialogues/x/feed HTTP/1.1\r\nHost: example.vn\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    [request] = conn.events_received()
    assert isinstance(request, Request)
    conn.send_response(conn.accept(request))
    conn.data_to_send()
    return conn, weakref.ref(request)


def test_the_new_parser_lets_the_request_go_and_reads_frames() -> None:
    conn, request = opened()
    assert restart_parser(conn)
    assert request() is None, "the handshake's request is still held"
    ping = rawws.masked_frame(rawws.PING, b"still there?")
    conn.receive_data(ping[:3])  # a frame in two reads
    conn.receive_data(ping[3:] + rawws.masked_frame(rawws.TEXT, b'{"type": "ping"}'))
    received = conn.events_received()
    assert [frame.opcode for frame in received if isinstance(frame, Frame)] == [
        Opcode.PING,
        Opcode.TEXT,
    ]
    [pong] = conn.data_to_send()
    assert pong[0] & 0x0F == Opcode.PONG and pong.endswith(b"still there?")


def test_a_half_read_frame_keeps_the_old_parser() -> None:
    conn, request = opened()
    ping = rawws.masked_frame(rawws.PING, b"still there?")
    conn.receive_data(ping[:3])
    assert not restart_parser(conn)
    assert request() is not None
    conn.receive_data(ping[3:])
    [frame] = conn.events_received()
    assert isinstance(frame, Frame) and frame.opcode is Opcode.PING
