"""The per-socket send queue: closing it (the hub giving up on a slow socket)
stops its pump even when a message arrives in the same moment."""

from __future__ import annotations

import asyncio

from server.realtime.hub import Message
from server.web.sockets import QueueSink

#: Longer than any test waits: no heartbeat is sent while these run.
HEARTBEAT = 60.0
#: How long a closed pump may take to end (it ends at its next step).
END_DEADLINE = 5.0


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.sent_one = asyncio.Event()

    async def send_text(self, payload: str) -> None:
        self.sent.append(payload)
        self.sent_one.set()


async def test_a_close_that_lands_with_a_message_ends_the_pump() -> None:
    """The hub offers a message and, finding the queue full after it, closes
    the sink in the same step. asyncio.wait_for (Python 3.11) would hand the
    pump that message and swallow the cancel: the socket then lived on,
    unsubscribed, on heartbeats, and its per-address place stayed taken."""
    ws = FakeSocket()
    sink = QueueSink(ws, 4, HEARTBEAT)  # type: ignore[arg-type]
    pump = asyncio.create_task(sink.pump())
    try:
        assert sink.offer(Message("first"))
        await asyncio.wait_for(ws.sent_one.wait(), END_DEADLINE)
        assert sink.offer(Message("second"))
        sink.close(1013)
        await asyncio.wait({pump}, timeout=END_DEADLINE)
        assert pump.done(), "the closed sink's pump kept running"
        assert pump.cancelled()
        assert ws.sent == ["first"]
    finally:
        pump.cancel()
