"""The direct path's sink on a fake protocol: frames written while the
transport takes them, queued (bounded) while it holds writes, drained in
order when it takes them again; heartbeats only after a quiet period."""

from __future__ import annotations

from collections.abc import Callable

from server.realtime.direct import HEARTBEAT_FRAME, DirectSink
from server.realtime.hub import Message


class FakeTransport:
    def __init__(self, protocol: FakeProtocol) -> None:
        self.protocol = protocol
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)
        if len(self.written) >= self.protocol.pause_after:
            self.protocol.writes_paused = True  # over the high-water mark


class FakeProtocol:
    def __init__(self, pause_after: int = 1_000_000) -> None:
        self.pause_after = pause_after
        self.writes_paused = False
        self.closed_with: int | None = None
        self.on_resume: Callable[[], None] | None = None
        self.ticks: list[float] = []
        self.transport = FakeTransport(self)

    @property
    def going(self) -> bool:
        return self.closed_with is not None

    @property
    def open_for_writes(self) -> bool:
        return not (self.writes_paused or self.going)

    def close_now(self, code: int) -> None:
        self.closed_with = code

    def node_keepalive(self) -> None:
        pass

    def keepalive_tick(self, now: float) -> None:
        self.ticks.append(now)

    def resume(self, room: int) -> None:
        """The transport drained: it takes ``room`` more frames before pausing."""
        self.writes_paused = False
        self.pause_after = len(self.transport.written) + room
        assert self.on_resume is not None
        self.on_resume()


def frames(*texts: str) -> list[bytes]:
    return [Message(text).frame for text in texts]


def test_frames_wait_while_writes_are_held_and_follow_in_order() -> None:
    """Past the high-water mark frames queue; each resume writes what the
    transport takes, in order, and later offers queue behind the rest."""
    protocol = FakeProtocol(pause_after=2)
    sink = DirectSink(protocol, 10)  # type: ignore[arg-type]
    for n in range(6):
        assert sink.offer(Message(f"e{n}"))
    assert protocol.transport.written == frames("e0", "e1") and sink.waiting == 4
    protocol.resume(room=2)
    assert sink.offer(Message("e6"))  # behind the queue, though writes flow
    assert protocol.transport.written == frames("e0", "e1", "e2", "e3")
    protocol.resume(room=100)
    assert protocol.transport.written == frames(*(f"e{n}" for n in range(7)))
    assert sink.waiting == 0
    assert sink.offer(Message("e7")) and protocol.transport.written[-1] == frames("e7")[0]


def test_a_full_queue_refuses_and_a_close_forgets_it() -> None:
    """The queue is bounded: over it, offer says no (the hub closes 1013);
    closing drops what waits and closes the protocol at once."""
    protocol = FakeProtocol(pause_after=1)
    sink = DirectSink(protocol, 3)  # type: ignore[arg-type]
    sink.keep_alive()  # live
    assert all(sink.offer(Message(f"e{n}")) for n in range(4))
    assert not sink.offer(Message("e4"))
    sink.close(1013)
    assert protocol.closed_with == 1013 and sink.waiting == 0
    assert sink.offer(Message("late"))  # closing: taken, never written
    protocol.writes_paused = False
    assert protocol.transport.written == frames("e0")


def test_a_heartbeat_goes_only_after_a_quiet_period() -> None:
    """A heartbeat at the second tick (half a period each) with nothing
    written: an idle socket gets one a period, none is silent much longer;
    one written to meanwhile starts again. The keepalive sees every tick."""
    protocol = FakeProtocol()
    sink = DirectSink(protocol, 8)  # type: ignore[arg-type]
    sink.beat(1.0)
    assert sink.offer(Message("e0"))
    sink.beat(2.0)
    assert protocol.transport.written == frames("e0")
    sink.beat(3.0)
    assert protocol.transport.written == [*frames("e0"), HEARTBEAT_FRAME]
    sink.beat(4.0)
    sink.beat(5.0)
    assert protocol.transport.written == [*frames("e0"), HEARTBEAT_FRAME, HEARTBEAT_FRAME]
    assert protocol.ticks == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_close_before_the_socket_is_live_waits_for_its_handler() -> None:
    """Closed by the hub while its snapshot is being sent (a screen token
    rotated): the handler closes it after, through ASGI, with that code."""
    protocol = FakeProtocol()
    sink = DirectSink(protocol, 3)  # type: ignore[arg-type]
    sink.close(4403)
    assert protocol.closed_with is None and sink.close_code == 4403
