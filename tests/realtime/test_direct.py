"""The direct path's sink on a fake protocol: frames written while the
transport takes them, queued (bounded) while it holds writes, drained in
order when it takes them again; heartbeats only after a quiet period."""

from __future__ import annotations

from collections.abc import Callable

from server.domain.events import PUBLIC
from server.realtime.direct import HEARTBEAT_FRAME, DirectSink
from server.realtime.hub import Hub, Message, Subscriber


class FakeTransport:
    def __init__(self, protocol: FakeProtocol) -> None:
        self.protocol = protocol
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        assert not self.is_closing(), "written to after it began to close"
        self.written.append(data)
        if len(self.written) >= self.protocol.pause_after and not self.protocol.writes_paused:
            self.protocol.writes_paused = True  # over the high-water mark: pause_writing
            if self.protocol.on_block is not None:
                self.protocol.on_block()

    def is_closing(self) -> bool:
        return self.protocol.closing


class FakeProtocol:
    def __init__(self, pause_after: int = 1_000_000) -> None:
        self.pause_after = pause_after
        self.writes_paused = False
        self.closed_with: int | None = None
        self.on_resume: Callable[[], None] | None = None
        self.on_block: Callable[[], None] | None = None
        #: The transport closing under the protocol (a reset, the peer gone).
        self.closing = False
        self.ticks: list[float] = []
        self.transport = FakeTransport(self)

    @property
    def going(self) -> bool:
        return self.closed_with is not None or self.closing

    @property
    def open_for_writes(self) -> bool:
        return not (self.writes_paused or self.going)

    def close_now(self, code: int) -> None:
        self.closed_with = code  # the close frame out: close_sent
        if self.on_block is not None:
            self.on_block()

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


def live_viewer(hub: Hub, protocol: FakeProtocol) -> tuple[Subscriber, DirectSink]:
    """A viewer past its snapshot, handed over to the node (its sink live)."""
    sink = DirectSink(protocol, 4)  # type: ignore[arg-type]
    sink.keep_alive()
    sub = Subscriber(sink, "D1", PUBLIC)
    hub.add(sub)
    sub.go_live("0-0")
    return sub, sink


def publish(hub: Hub, n: int) -> None:
    hub.publish("D1", f"{n + 1}-0", {PUBLIC: f"e{n}"})


def test_the_hub_writes_to_a_live_transport_itself_until_it_holds_writes() -> None:
    """After its first message the hub writes each frame to the viewer's
    transport itself. The write that fills the transport takes the viewer
    out: from the next message on, frames wait in its sink's queue, and
    drain in order. Once its sink wrote again, the hub writes to it again.
    Every frame once, in order; a write resets the heartbeat's count."""
    hub = Hub()
    protocol = FakeProtocol(pause_after=3)
    sub, sink = live_viewer(hub, protocol)
    other_protocol = FakeProtocol()
    live_viewer(hub, other_protocol)
    publish(hub, 0)  # offered, then written to
    assert sub in hub._written["D1"][PUBLIC]
    sink.quiet = 1
    publish(hub, 1)
    assert sink.quiet == 0
    publish(hub, 2)  # fills the transport
    assert sub not in hub._written["D1"][PUBLIC]
    publish(hub, 3)
    publish(hub, 4)
    assert protocol.transport.written == frames("e0", "e1", "e2") and sink.waiting == 2
    protocol.resume(room=100)
    publish(hub, 5)
    assert sub in hub._written["D1"][PUBLIC]
    publish(hub, 6)
    everything = frames(*(f"e{n}" for n in range(7)))
    assert protocol.transport.written == everything
    assert other_protocol.transport.written == everything


def test_the_hub_stops_writing_to_a_transport_that_closes() -> None:
    """A close frame out (the protocol says so) or a transport found
    closing: the hub writes no more to it; the sink hears the rest."""
    hub = Hub()
    closed, _ = live_viewer(hub, closed_protocol := FakeProtocol())
    reset, _ = live_viewer(hub, reset_protocol := FakeProtocol())
    publish(hub, 0)
    assert {closed, reset} <= set(hub._written["D1"][PUBLIC])
    closed_protocol.close_now(1000)
    reset_protocol.closing = True
    publish(hub, 1)
    publish(hub, 2)
    assert closed_protocol.transport.written == reset_protocol.transport.written == frames("e0")
    assert not hub._written["D1"][PUBLIC]


def test_a_removed_viewer_is_written_nothing() -> None:
    hub = Hub()
    sub, _ = live_viewer(hub, protocol := FakeProtocol())
    publish(hub, 0)
    hub.remove(sub)
    publish(hub, 1)
    assert protocol.transport.written == frames("e0")
    assert hub.count() == 0 and hub.dialogues() == set()
