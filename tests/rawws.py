"""A hand-made WebSocket client on a plain blocking socket, for clients that
misbehave: flood frames and never read, or stop reading after the handshake.

A library client (websockets) reads on its own in the background, so it
cannot be a client that never reads. Here nothing is read after the
handshake's head unless the caller does it. Linux only: whether the server
has closed a socket is read from TCP_INFO, without reading from it.
"""

from __future__ import annotations

import base64
import os
import select
import socket
import struct
import threading
import time

#: Frame opcodes (RFC 6455, 5.2).
TEXT = 0x1
BINARY = 0x2
CLOSE = 0x8
PING = 0x9

#: TCP states in ``struct tcp_info``'s first byte (linux/tcp_states.h).
TCP_ESTABLISHED = 1

#: Bytes written per send() of a flood: big enough that the flood is bounded
#: by the kernel and the server, not by Python's loop around send().
FLOOD_CHUNK = 64 * 1024


def open_socket(
    host: str, port: int, path: str, *, rcvbuf: int | None = None, timeout: float = 10.0
) -> socket.socket:
    """Connect and complete the opening handshake; return the blocking socket.

    Only the response's head is read, to its last byte (frames the server
    sent right behind it stay for ``read_frame``); after that nothing is.
    ``rcvbuf`` shrinks the client's receive buffer before connecting, so a
    client that stops reading stops the server's writes after kilobytes
    rather than megabytes.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    try:
        sock.connect((host, port))
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = _read_head(sock)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"handshake refused: {head.splitlines()[0]!r}")
    except BaseException:
        sock.close()
        raise
    return sock


def _read_head(sock: socket.socket) -> bytes:
    """The handshake response's head, and not a byte more: each read peeks
    first, then takes only up to the blank line that ends the head."""
    head = b""
    while True:
        seen = sock.recv(4096, socket.MSG_PEEK)
        if not seen:
            raise ConnectionError(f"closed during the handshake: {head!r}")
        end = (head[-3:] + seen).find(b"\r\n\r\n")
        take = len(seen) if end < 0 else end + 4 - len(head[-3:])
        head += sock.recv(take)
        if end >= 0:
            return head


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """One final client frame (clients must mask), payload under 126 bytes."""
    assert len(payload) < 126
    mask = os.urandom(4)
    body = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + body


def flood_chunk(opcode: int) -> bytes:
    """``FLOOD_CHUNK`` bytes of whole frames: pings with the largest payload a
    control frame may carry (each pong the server owes is as big), or small
    JSON texts like the ``{"type": "ping"}`` a client may send."""
    payload = b"p" * 125 if opcode == PING else b'{"type":"ping"}'
    frame = masked_frame(opcode, payload)
    return frame * (FLOOD_CHUNK // len(frame))


def tcp_state(sock: socket.socket) -> int:
    """The kernel's TCP state of ``sock`` (TCP_ESTABLISHED while open both ways)."""
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    return int(struct.unpack_from("B", info)[0])


def closed_by_peer(sock: socket.socket) -> bool:
    """Whether the server has closed or reset the connection, without reading."""
    return tcp_state(sock) != TCP_ESTABLISHED


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """Read one whole server frame (unmasked): its opcode and payload."""
    head = _read_exactly(sock, 2)
    length = head[1] & 0x7F
    if length == 126:
        length = int.from_bytes(_read_exactly(sock, 2), "big")
    elif length == 127:
        length = int.from_bytes(_read_exactly(sock, 8), "big")
    return head[0] & 0x0F, _read_exactly(sock, length)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the server closed the connection mid-frame")
        data += chunk
    return data


class Flood:
    """One socket's flood of whole frames; it never reads."""

    def __init__(self, sock: socket.socket, opcode: int) -> None:
        self.sock = sock
        self.sent = 0
        self.closed_at: float | None = None
        self._chunk = memoryview(flood_chunk(opcode))
        self._offset = 0

    def send(self) -> None:
        """Send what the socket takes now. A partial send resumes where it
        stopped, so the server only ever sees whole frames; a socket the
        server has closed or reset is marked closed (monotonic time)."""
        try:
            sent = self.sock.send(self._chunk[self._offset :])
        except (BlockingIOError, TimeoutError):
            sent = 0
        except OSError:
            self.closed_at = time.monotonic()
            return
        self._offset = (self._offset + sent) % len(self._chunk)
        self.sent += sent
        if self.closed_at is None and closed_by_peer(self.sock):
            self.closed_at = time.monotonic()


def flood(floods: list[Flood], until: float, stop: threading.Event | None = None) -> None:
    """Send on every socket as fast as each takes it, until the server has
    closed them all, ``until`` (monotonic) passes, or ``stop`` is set."""
    for each in floods:
        each.sock.setblocking(False)
    while time.monotonic() < until and not (stop is not None and stop.is_set()):
        open_ = [each for each in floods if each.closed_at is None]
        if not open_:
            return
        _, writable, _ = select.select([], [each.sock for each in open_], [], 0.05)
        for each in open_:
            if each.sock in writable:
                each.send()
            elif closed_by_peer(each.sock):
                each.closed_at = time.monotonic()
