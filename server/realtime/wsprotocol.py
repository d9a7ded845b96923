"""The WebSocket protocol every socket of a node runs on: uvicorn's sans-I/O
protocol with the limits it lacks against a client that sends without
reading (issue 10) or stops reading (issue 14).

Stock uvicorn answers each ping by writing the pong to the transport whether
or not the client reads, so two sockets flooding pings grew a node by 384 MB
in 15 s (docs/benchmarks.md); and its ``send`` waits for the transport to
become writable with no deadline, so closing a client that stopped reading
waits until TCP gives up, holding the connection, its kernel buffers and its
per-address slot. Here:

- while the transport's writes are paused nothing more is read, so no pong
  (or message) is made for a client that does not take what it is sent;
  reading resumes with the writes, unless uvicorn holds it for the app;
- a connection whose pending writes make no progress for
  ``DOITHOAI_WS_WRITE_STALL`` seconds, while paused or while closing, is
  reset: a ``send`` or close waiting on it ends with a disconnect; so is one
  whose client leaves the app's close unanswered that long (uvicorn would
  wait 10 s, then queue its FIN behind all the client never read);
- a client that sends more frames than ``DOITHOAI_WS_CLIENT_FRAMES`` allows
  (the pong to our own ping and its close are free) is closed with 1008, or
  reset when that close cannot be written;
- a connection not gone ``DOITHOAI_WS_CLOSE_DEADLINE`` seconds after its
  close began (the app's, ours, or the client's) is reset, whatever the
  client does meanwhile (a trickle of reads keeps the write stall away, and
  that deadline may be off), so a close always ends and frees the socket's
  per-address place;
- when the node stops (a rolling restart), every socket is told 1012 at
  once, as uvicorn does, but one whose transport holds writes is reset at
  once, and one whose close is not out ``SHUTDOWN_DRAIN`` seconds later is
  reset then: the node waits for every connection before it stops, and a
  client that stopped reading would hold it for its whole graceful bound.

The public feed's direct path (``direct.py``) writes pre-built frames to the
transport itself: ``open_for_writes`` says whether a frame may be written
now, ``on_resume`` is called once the transport takes writes again, and
``close_now`` closes the socket from the hub's side without awaiting. Once
its snapshot or replay is out, the handler ``hand_over``s the socket to the
node and its ASGI task ends: the protocol alone serves it from then on
(what the client sends is read and ignored, within the same limits), drops
what the handshake and the app left on it (the request, its response, the
scope, the receive queue, the parser that read the handshake), and calls
the node back once it is gone. An idle viewer then costs the node no task,
coroutine or queue (issue 15 item 2).

It must never block or await on a client; never hold more for one than the
transport's high-water mark, one message of the app's and the replies to
one read; and never reach into the app, which sees only the disconnect any
lost client causes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import struct
from collections.abc import Callable
from typing import Any

from uvicorn._types import ASGIReceiveEvent, ASGISendEvent
from uvicorn.config import Config
from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.exceptions import InvalidState
from websockets.frames import Frame
from websockets.protocol import Protocol, State
from websockets.server import ServerProtocol
from websockets.streams import StreamReader

from ..config import Settings
from ..metrics import SLOW_CLOSES

log = logging.getLogger(__name__)

#: Close code for a client over its frame budget: policy violation.
CLOSE_POLICY = 1008
#: The scope extension under which the protocol offers itself to the app.
DIRECT = "doithoai.direct"
#: SO_LINGER on, 0 s: closing the socket resets it at once. Otherwise the
#: kernel keeps it, with all the client never read and a FIN behind that,
#: probing a window that stays shut: the client is never told, and the
#: kernel's buffers stay taken.
RESET_ON_CLOSE = struct.pack("ii", 1, 0)
#: Seconds a socket's 1012 close may take to go out once the node stops
#: before the socket is reset: the node's stop waits for every socket.
SHUTDOWN_DRAIN = 1.0


class _Unread:
    """Stands in for uvicorn's receive queue and ``writable`` event on a
    socket handed over to the node: no app task reads or sends any more."""

    __slots__ = ()

    def put_nowait(self, item: object) -> None:
        pass

    def empty(self) -> bool:
        return True

    def set(self) -> None:
        pass

    def clear(self) -> None:
        pass


UNREAD = _Unread()


class GuardedProtocol(WebSocketsSansIOProtocol):
    """uvicorn's ``WebSocketsSansIOProtocol`` with read backpressure, a write
    stall deadline and a frame budget; ``protocol_class`` sets the limits."""

    #: Seconds pending writes may make no progress; 0 turns the deadline off.
    write_stall: float = 5.0
    #: (frames, per seconds) a client may send; 0 frames turns the budget off.
    client_frames: tuple[int, float] = (60, 60.0)
    #: Seconds from the start of a close until the connection is reset.
    close_deadline: float = 10.0

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.writes_paused = False
        self.refused = False
        self._watch: asyncio.TimerHandle | None = None
        self._deadline: asyncio.TimerHandle | None = None
        #: Reset by us: gone, though uvicorn hears of it a moment later.
        self._reset = False
        self._watched_size = 0
        self._tokens = float(self.client_frames[0])
        self._refilled_at = self.loop.time()
        #: Called once the transport takes writes again (the direct path's drain).
        self.on_resume: Callable[[], None] | None = None
        #: Called when a frame written now would no longer go out in order:
        #: the transport holds writes, or a close frame went out (the hub
        #: stops writing to the transport itself: direct.py).
        self.on_block: Callable[[], None] | None = None
        #: Pinged by the node's heartbeat, not by timers of its own.
        self._node_pings = False
        #: Handed over to the node (``hand_over``): its app task ends.
        self.handed_over = False
        #: The node's callback once a handed-over socket is gone.
        self._on_gone: Callable[[], None] | None = None

    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None and not self.conn.extensions:  # frames as built: no deflate
            scope["extensions"][DIRECT] = self

    # The direct path.

    @property
    def open_for_writes(self) -> bool:
        """Whether a frame written now goes out in order: open, not closing,
        and the transport not holding writes."""
        return not (
            self.writes_paused
            or self.close_sent
            or self.disconnected
            or self._reset
            or self.transport.is_closing()
        )

    @property
    def going(self) -> bool:
        """Closing or closed: nothing more is written for the app."""
        return self.close_sent or self.disconnected or self._reset or self.transport.is_closing()

    def node_keepalive(self) -> None:
        """From now on the node's heartbeat pings this socket (``keepalive_tick``):
        its own ping and pong timers stop."""
        self.stop_keepalive()
        self._node_pings = True
        self.ping_sent_at = self.loop.time()

    def keepalive_tick(self, now: float) -> None:
        """One tick of the node's heartbeat (every half ping interval): drop a
        socket whose pong is overdue, as uvicorn's pong timer would, or ping
        one whose last ping was an interval ago."""
        if not self._node_pings or self.going or self.conn.state is not State.OPEN:
            return
        if self.pending_ping_payload is not None:
            if self.ping_timeout is not None and now - self.ping_sent_at >= self.ping_timeout:
                self.keepalive_timeout()
            return
        if self.ping_interval and now - self.ping_sent_at >= self.ping_interval:
            self.pending_ping_payload = struct.pack("!I", random.getrandbits(32))
            self.ping_sent_at = now
            self.conn.send_ping(self.pending_ping_payload)
            self.transport.write(b"".join(self.conn.data_to_send()))

    def hand_over(self, on_gone: Callable[[], None]) -> bool:
        """Serve the socket without the app from now on: its handler may
        return (``run_asgi`` leaves the socket open), what the client sends is
        read and dropped (within the frame budget), and ``on_gone`` is called
        once the connection is lost. False, and nothing changes, if the socket
        is already closing (the app then hears the disconnect as before)."""
        if self.going or self.refused or self.conn.state is not State.OPEN:
            return False
        self.handed_over = True
        self._on_gone = on_gone
        # What only the app and the handshake used: no task reads the queue,
        # none awaits ``writable``, and the request, its response and the
        # scope (headers and all) have done their work.
        self.queue = UNREAD  # type: ignore[assignment]
        self.writable = UNREAD  # type: ignore[assignment]
        del self.request, self.response, self.scope
        self.frames = []
        restart_parser(self.conn)
        if self.read_paused:  # a message of the client's waited for the app: none will read it
            self.read_paused = False
            self._follow()
        return True

    def send_receive_event_to_app(self) -> None:
        if self.handed_over:  # nobody to hear it: clients need no answer
            self.frames = []
            return
        super().send_receive_event_to_app()

    def close_now(self, code: int, reason: str = "") -> None:
        """The app's ``websocket.close`` without awaiting a writable transport:
        the close frame goes behind what is buffered, the app hears the
        disconnect, and the close and write-stall deadlines bound the rest."""
        if self.going or self.conn.state is not State.OPEN:
            return
        self._closing()
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        self.read_paused = False  # the app reads no more: hear the client's close
        self._follow()
        timeout = min(self.write_stall, self.close_timeout) if self.write_stall > 0 else None
        if timeout is None:
            self.close_timer = self.loop.call_later(self.close_timeout, self.transport.close)
        else:
            self.close_timer = self.loop.call_later(timeout, self._close_unanswered)
        if self.writes_paused:
            self._watch_drain()

    # The node stopping.

    def shutdown(self) -> None:
        """uvicorn's, on the node's stop (a rolling restart): the close frame
        with 1012 and the transport closed, so the client resumes elsewhere;
        the node waits for every connection to go before it stops (up to its
        graceful bound, 5 s). A connection whose transport holds writes (its
        client stopped reading) would hold it that long, its close queued
        behind what it does not read: it is reset at once, and one whose
        close is not out ``SHUTDOWN_DRAIN`` seconds later is reset then."""
        if self.writes_paused and not (self.disconnected or self._reset):
            log.info("dropping a WebSocket from %s: the node stops, it reads nothing", self._peer())
            self._abort()
            return
        super().shutdown()
        if not (self.disconnected or self._reset):
            if self._deadline is not None:
                self._deadline.cancel()
            self._deadline = self.loop.call_later(SHUTDOWN_DRAIN, self._shutdown_overdue)

    def _shutdown_overdue(self) -> None:
        if not (self.disconnected or self._reset):
            log.info(
                "dropping a WebSocket from %s: the node stops, its close is not out", self._peer()
            )
            self._abort()

    # Reading follows writing.

    def pause_writing(self) -> None:
        super().pause_writing()
        self.writes_paused = True
        self._blocked()
        self._follow()
        self._watch_drain()

    def _blocked(self) -> None:
        if self.on_block is not None:
            self.on_block()

    @property
    def close_sent(self) -> bool:
        """Whether a close frame went out (uvicorn's flag, heard by the hub)."""
        return self._close_sent

    @close_sent.setter
    def close_sent(self, sent: bool) -> None:
        self._close_sent = sent
        if sent:
            self._blocked()

    def resume_writing(self) -> None:
        super().resume_writing()
        self.writes_paused = False
        self._follow()
        if not self.transport.is_closing():
            self._unwatch()
        if self.on_resume is not None:  # last: its writes may pause (and watch) again
            self.on_resume()

    async def receive(self) -> ASGIReceiveEvent:
        message = await super().receive()
        if self.writes_paused:  # uvicorn resumed reading once the app had its messages
            self._follow()
        return message

    async def send(self, message: ASGISendEvent) -> None:
        if self.refused:
            raise ClientDisconnected()
        closing = message["type"] == "websocket.close" and self.close_timer is None
        if message["type"] == "websocket.close":
            self._closing()  # before uvicorn waits, with no deadline, to write it
        await super().send(message)
        if not closing:
            return
        self._follow()  # uvicorn resumes reading to hear the client's close
        if self.close_timer is not None and self.write_stall > 0:
            # A client that reads answers a close at once; one that does not
            # would leave a FIN queued behind all it never read.
            self.close_timer.cancel()
            self.close_timer = self.loop.call_later(
                min(self.write_stall, self.close_timeout), self._close_unanswered
            )

    async def send_utf8(self, text: bytes) -> None:
        """Send a text message already encoded as UTF-8, as ``send`` would
        send its ``text``: a big message (the staff snapshot, ~10 MB at
        10,000 questions) is not decoded into a str only to be encoded back,
        which cost 0.2 s of CPU. Valid UTF-8 by the caller's word: msgspec's
        JSON. Only without an extension (frames as built: ``DIRECT``)."""
        if self.refused:
            raise ClientDisconnected()
        await self.writable.wait()
        if self.disconnected:
            raise ClientDisconnected()
        if self.close_sent:  # as uvicorn's send: nothing more after a close
            return
        try:
            self.conn.send_text(text)
        except InvalidState as exc:
            raise ClientDisconnected() from exc
        self.transport.write(b"".join(self.conn.data_to_send()))

    def _follow(self) -> None:
        """Read only while neither the app's queue (uvicorn's ``read_paused``)
        nor the transport's writes hold reading; both calls are idempotent."""
        if self.transport.is_closing():
            return
        if self.writes_paused or self.read_paused:
            self.transport.pause_reading()
        else:
            self.transport.resume_reading()

    # The write stall deadline.

    def _watch_drain(self) -> None:
        if self._watch is not None or self.write_stall <= 0 or self.disconnected:
            return
        self._watched_size = self.transport.get_write_buffer_size()
        self._watch = self.loop.call_later(self.write_stall, self._check_drain)

    def _unwatch(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    def _check_drain(self) -> None:
        self._watch = None
        if self.disconnected or self._reset:
            return
        size = self.transport.get_write_buffer_size()
        if not (self.writes_paused or (self.transport.is_closing() and size)):
            return
        if size < self._watched_size:  # a slow client, not a stalled one
            self._watch_drain()
            return
        log.info(
            "dropping a WebSocket from %s: %d bytes unsent for %g s",
            self._peer(),
            size,
            self.write_stall,
        )
        self._abort()

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        self._closing()
        self._watch_drain()  # its close frame waits behind what the client never read

    def _close_unanswered(self) -> None:
        if not (self.disconnected or self._reset):
            log.info("dropping a WebSocket from %s: our close went unanswered", self._peer())
            self._abort()

    async def run_asgi(self) -> None:
        # uvicorn's, but an app that handed the socket over returns and leaves it open.
        try:
            result = await self.app(self.scope, self.receive, self.send)
        except ClientDisconnected:
            pass
        except BaseException:
            self.logger.exception("Exception in ASGI application\n")
            self.send_500_response()
        else:
            if not self.handshake_complete:
                self.logger.error("ASGI callable returned without completing handshake.")
                self.send_500_response()
            elif result is not None:
                self.logger.error("ASGI callable should return None, but returned '%s'.", result)
            elif self.handed_over:
                return
        if self.close_timer is None:
            self.transport.close()
        self._closing()
        if self.close_timer is None:  # uvicorn closed the transport: it must drain
            self._watch_drain()

    def handle_close(self, event: Frame) -> None:
        super().handle_close(event)
        self._closing()  # our answer may wait behind what the client never read

    def connection_lost(self, exc: Exception | None) -> None:
        self._unwatch()
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)
        gone, self._on_gone = self._on_gone, None
        if gone is not None:
            gone()

    # The close deadline.

    def _closing(self) -> None:
        """A close has begun: the connection is reset if not gone by the deadline."""
        if self._deadline is None and not self.disconnected:
            self._deadline = self.loop.call_later(self.close_deadline, self._close_overdue)

    def _close_overdue(self) -> None:
        if not (self.disconnected or self._reset):
            log.info(
                "dropping a WebSocket from %s: not closed within %g s",
                self._peer(),
                self.close_deadline,
            )
            SLOW_CLOSES.inc()
            self._abort()

    # The frame budget.

    def handle_text(self, event: Frame) -> None:
        if self._admit():
            super().handle_text(event)

    def handle_bytes(self, event: Frame) -> None:
        if self._admit():
            super().handle_bytes(event)

    def handle_cont(self, event: Frame) -> None:
        if self._admit():
            super().handle_cont(event)

    def handle_ping(self) -> None:
        if self._admit():
            super().handle_ping()

    def handle_pong(self, event: Frame) -> None:
        solicited = self.pending_ping_payload is not None and (
            bytes(event.data) == self.pending_ping_payload
        )
        if solicited or self._admit():
            super().handle_pong(event)

    def _admit(self) -> bool:
        """Take one frame from the client's token bucket; False once refused."""
        if self.refused:
            return False
        count, period = self.client_frames
        if count <= 0:
            return True
        now = self.loop.time()
        self._tokens = min(count, self._tokens + (now - self._refilled_at) * count / period)
        self._refilled_at = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        self._refuse()
        return False

    def _refuse(self) -> None:
        self.refused = True
        log.warning(
            "closing a WebSocket from %s: over %d frames in %g s", self._peer(), *self.client_frames
        )
        self.conn.data_to_send()  # drop the pongs owed for the pings of this read
        self.stop_keepalive()
        if not self.close_sent:
            self.queue.put_nowait({"type": "websocket.disconnect", "code": CLOSE_POLICY})
        if self.writes_paused or self.close_sent or self.conn.state is not State.OPEN:
            self._abort()
            return
        self.conn.send_close(CLOSE_POLICY, "too many frames")
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        self.transport.close()
        self._closing()
        self._watch_drain()

    def _abort(self) -> None:
        """Drop the connection now, unsent data and all, with a reset."""
        self._reset = True
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
        self.transport.abort()

    def _peer(self) -> str:
        return self.client[0] if self.client else "?"


def restart_parser(conn: ServerProtocol) -> bool:
    """Swap an open connection's frame parser for a new one; True if done.
    The server's parser is a generator that keeps the handshake's request
    (its headers and all) in its frame for the connection's life: about a
    quarter of an idle viewer's memory. Only between two frames, where the
    old one waits at the head of its loop with nothing read: otherwise (a
    frame half-read, or a websockets whose parser differs) it stays."""
    old = conn.parser
    frames = getattr(old, "gi_yieldfrom", None)  # Protocol.parse, under ServerProtocol's
    waiting = getattr(frames, "gi_yieldfrom", None)
    if (
        getattr(frames, "gi_code", None) is not Protocol.parse.__code__
        or getattr(waiting, "gi_code", None) is not StreamReader.at_eof.__code__
        or conn.reader.buffer
    ):
        return False
    parser = Protocol.parse(conn)
    next(parser)  # to the head of its loop: nothing is buffered, it waits there
    conn.parser = parser
    old.close()
    return True


def protocol_class(settings: Settings) -> type[GuardedProtocol]:
    """The class for uvicorn's ``ws=``, with this node's limits."""

    class Configured(GuardedProtocol):
        write_stall = settings.ws_write_stall
        client_frames = settings.ws_client_frames
        close_deadline = settings.ws_close_deadline

    return Configured
