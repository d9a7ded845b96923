"""The public feed's direct path: each event's frame, built once per audience
(``hub.Message``), written straight to every socket's transport.

A socket served by ``GuardedProtocol`` gets a ``DirectSink``: no task, no
timer and no queue of its own while its transport takes writes. Only while
the transport holds writes (its buffer is over the high-water mark) do frames
wait, in a bounded deque drained in order as soon as it takes them again
(``GuardedProtocol.on_resume``); a socket further behind than that is closed
(1013) by the hub and resumes with ``after=``. The protocol's write-stall
deadline still drops one that takes nothing. Once live, the socket's handler
has ended (``GuardedProtocol.hand_over``): the sink, the hub's
``Subscriber`` and the protocol are all that is left of a viewer.

One ``Heartbeat`` per node keeps idle sockets talking and pings them: a
single timer, every half ``DOITHOAI_WS_PING_INTERVAL``, writes the heartbeat
frame to each socket written nothing for two ticks, so an idle socket gets
one a period and none is silent much longer (clients give up after 2.5
periods), and does what
uvicorn's two timers per socket did: a ping each period, and the socket
dropped when its pong is ``DOITHOAI_WS_PING_TIMEOUT`` late (seen to within
half a period).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from ..metrics import FRAMES_WAITED
from .hub import Message, text_frame
from .messages import dumps
from .wsprotocol import GuardedProtocol

HEARTBEAT = dumps({"type": "heartbeat"})
#: The heartbeat's frame, built once for the node.
HEARTBEAT_FRAME = text_frame(HEARTBEAT)


class DirectSink:
    """A ``Sink`` writing frames to a ``GuardedProtocol``'s transport."""

    __slots__ = (
        "_live",
        "_on_blocked",
        "_protocol",
        "_queue",
        "_size",
        "close_code",
        "close_reason",
        "quiet",
    )

    def __init__(self, protocol: GuardedProtocol, size: int) -> None:
        self._protocol = protocol
        #: Frames waiting for the transport; made only when one must wait
        #: (an empty deque is ~600 bytes, more than the rest of the sink).
        self._queue: deque[bytes] | None = None
        self._size = size
        #: Heartbeat ticks since the socket was last written to.
        self.quiet = 0
        self.close_code: int | None = None
        self.close_reason: str | None = None
        #: Past its snapshot or replay (which the handler sends through ASGI).
        self._live = False
        #: The hub's callback while it writes to the transport itself.
        self._on_blocked: Callable[[], None] | None = None
        protocol.on_resume = self._drain
        protocol.on_block = self._blocked

    def writer(self, on_blocked: Callable[[], None]) -> asyncio.Transport | None:
        """The transport, for the hub to write each frame to itself, if a
        frame written now goes out in order (live, nothing waiting, the
        transport taking writes); ``on_blocked`` is called once that stops
        being true (``_blocked``), and the hub offers frames again."""
        protocol = self._protocol
        if not self._live or self._queue or not protocol.open_for_writes:
            return None
        self._on_blocked = on_blocked
        transport: asyncio.Transport = protocol.transport
        return transport

    def _blocked(self) -> None:
        """The protocol: the transport holds writes, or a close frame went out."""
        on_blocked, self._on_blocked = self._on_blocked, None
        if on_blocked is not None:
            on_blocked()

    def offer(self, message: Message) -> bool:
        protocol, queue = self._protocol, self._queue
        if queue or not protocol.open_for_writes:
            if protocol.going:
                return True  # closing: the handler ends and the client resumes
            if queue is None:
                queue = self._queue = deque()
            if len(queue) >= self._size:
                return False
            queue.append(message.frame)
            FRAMES_WAITED.inc()
            return True
        protocol.transport.write(message.frame)
        self.quiet = 0
        return True

    def close(self, code: int) -> None:
        """Close now; before it is live, its handler closes it once its
        snapshot or replay is out (its ASGI sends must not meet a close)."""
        self.close_code = code
        self._queue = None
        if self._live:
            self._protocol.close_now(code)

    def detach(self) -> None:
        """The socket is gone: forget what waits, hear no more resumes."""
        self._queue = None
        self._protocol.on_resume = None
        self._protocol.on_block = None
        self._on_blocked = None

    def keep_alive(self) -> None:
        """Live: the hub's writes and closes go to the protocol, the node pings."""
        self._live = True
        self._protocol.node_keepalive()

    def beat(self, now: float) -> None:
        """One heartbeat tick: the protocol's keepalive; after two quiet
        ticks, a heartbeat (unless frames wait: the client has plenty to read)."""
        self._protocol.keepalive_tick(now)
        self.quiet += 1
        if self.quiet < 2:
            return
        self.quiet = 0
        if not self._queue and self._protocol.open_for_writes:
            self._protocol.transport.write(HEARTBEAT_FRAME)

    @property
    def waiting(self) -> int:
        """Frames waiting for the transport."""
        return len(self._queue) if self._queue else 0

    def _drain(self) -> None:
        queue, protocol = self._queue, self._protocol
        while queue and protocol.open_for_writes:
            protocol.transport.write(queue.popleft())
        if queue is not None and not queue:
            self._queue = None
        self.quiet = 0


class Heartbeat:
    """The node's one heartbeat timer over its direct sockets."""

    def __init__(self, period: float) -> None:
        self._half = period / 2
        self._sinks: set[DirectSink] = set()
        self._timer: asyncio.TimerHandle | None = None

    def add(self, sink: DirectSink) -> None:
        """Beat for ``sink`` (and ping it: its protocol's own timers stop)."""
        sink.keep_alive()
        self._sinks.add(sink)
        if self._timer is None and self._half > 0:
            self._timer = asyncio.get_running_loop().call_later(self._half, self._tick)

    def discard(self, sink: DirectSink) -> None:
        self._sinks.discard(sink)

    def __len__(self) -> int:
        return len(self._sinks)

    def _tick(self) -> None:
        self._timer = None
        if not self._sinks:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        for sink in self._sinks:
            sink.beat(now)
        self._timer = loop.call_later(self._half, self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
