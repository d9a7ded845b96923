"""The public feed's direct path: each event's frame, built once per audience
(``hub.Message``), written straight to every socket's transport.

A socket served by ``GuardedProtocol`` gets a ``DirectSink``: no task, no
timer and no queue of its own while its transport takes writes. Only while
the transport holds writes (its buffer is over the high-water mark) do frames
wait, in a bounded deque drained in order as soon as it takes them again
(``GuardedProtocol.on_resume``); a socket further behind than that is closed
(1013) by the hub and resumes with ``after=``. The protocol's write-stall
deadline still drops one that takes nothing.

One ``Heartbeat`` per node keeps idle sockets talking: a single timer, every
half period, writes the heartbeat frame to each socket that had nothing for a
whole period, so no socket is silent longer than 1.5 periods (clients give
up after 2.5).
"""

from __future__ import annotations

import asyncio
from collections import deque

from ..metrics import FRAMES_WAITED
from .hub import Message, text_frame
from .messages import dumps
from .wsprotocol import GuardedProtocol

HEARTBEAT = dumps({"type": "heartbeat"})
#: The heartbeat's frame, built once for the node.
HEARTBEAT_FRAME = text_frame(HEARTBEAT)


class DirectSink:
    """A ``Sink`` writing frames to a ``GuardedProtocol``'s transport."""

    __slots__ = ("_protocol", "_queue", "_size", "close_code", "close_reason", "quiet")

    def __init__(self, protocol: GuardedProtocol, size: int) -> None:
        self._protocol = protocol
        self._queue: deque[bytes] = deque()
        self._size = size
        #: Heartbeat ticks since the socket was last written to.
        self.quiet = 0
        self.close_code: int | None = None
        self.close_reason: str | None = None
        protocol.on_resume = self._drain

    def offer(self, message: Message) -> bool:
        protocol = self._protocol
        if self._queue or not protocol.open_for_writes:
            if protocol.going:
                return True  # closing: the handler ends and the client resumes
            if len(self._queue) >= self._size:
                return False
            self._queue.append(message.frame)
            FRAMES_WAITED.inc()
            return True
        protocol.transport.write(message.frame)
        self.quiet = 0
        return True

    def close(self, code: int) -> None:
        self.close_code = code
        self._queue.clear()
        self._protocol.close_now(code)

    def detach(self) -> None:
        """The socket's handler ends: forget what waits, hear no more resumes."""
        self._queue.clear()
        self._protocol.on_resume = None

    def beat(self) -> None:
        """One heartbeat tick: after two quiet ones, a heartbeat (unless
        frames wait: then the client has plenty to read)."""
        self.quiet += 1
        if self.quiet < 2:
            return
        self.quiet = 0
        if not self._queue and self._protocol.open_for_writes:
            self._protocol.transport.write(HEARTBEAT_FRAME)

    @property
    def waiting(self) -> int:
        """Frames waiting for the transport."""
        return len(self._queue)

    def _drain(self) -> None:
        queue, protocol = self._queue, self._protocol
        while queue and protocol.open_for_writes:
            protocol.transport.write(queue.popleft())
        self.quiet = 0


class Heartbeat:
    """The node's one heartbeat timer over its direct sockets."""

    def __init__(self, period: float) -> None:
        self._half = period / 2
        self._sinks: set[DirectSink] = set()
        self._timer: asyncio.TimerHandle | None = None

    def add(self, sink: DirectSink) -> None:
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
        for sink in self._sinks:
            sink.beat()
        self._timer = asyncio.get_running_loop().call_later(self._half, self._tick)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
