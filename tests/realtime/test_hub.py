"""The hub: one payload per audience offered to every local socket, slow
sockets closed instead of waited for, no event twice around a snapshot."""

from __future__ import annotations

from typing import Any

import pytest

from server.domain.events import PUBLIC, STAFF
from server.domain.model import Dialogue, Question, Status
from server.realtime import messages
from server.realtime.hub import CLOSE_SLOW, Hub, Message, Subscriber, text_frame
from server.store.events import StoredEvent


class FakeSink:
    def __init__(self, room: int = 100) -> None:
        self.room = room
        self.sent: list[str] = []
        self.messages: list[Message] = []
        self.closed: int | None = None

    def offer(self, message: Message) -> bool:
        if len(self.sent) >= self.room:
            return False
        self.sent.append(message.text)
        self.messages.append(message)
        return True

    def close(self, code: int) -> None:
        self.closed = code


def live(hub: Hub, sink: FakeSink, audience: str = PUBLIC, dialogue: str = "D1") -> Subscriber:
    sub = Subscriber(sink, dialogue, audience)
    hub.add(sub)
    sub.go_live("0-0")
    return sub


def test_publish_offers_the_same_message_object_to_each_socket() -> None:
    """One serialised string per audience goes to every socket of that
    audience, and only there, in one Message whose frame is built once."""
    hub = Hub()
    public = [FakeSink() for _ in range(3)]
    staff = FakeSink()
    other = FakeSink()
    for sink in public:
        live(hub, sink)
    live(hub, staff, STAFF)
    live(hub, other, dialogue="D2")
    payloads = {PUBLIC: "public-json", STAFF: "staff-json"}
    hub.publish("D1", "5-0", payloads)
    assert all(sink.sent == ["public-json"] and sink.sent[0] is payloads[PUBLIC] for sink in public)
    first = public[0].messages[0]
    assert all(sink.messages[0] is first for sink in public)
    assert first.frame is first.frame and first.frame == text_frame("public-json")
    assert staff.sent == ["staff-json"]
    assert other.sent == []


def test_a_slow_socket_is_closed_not_waited_for() -> None:
    """A socket whose buffer is full is closed with 1013 and dropped; the others go on."""
    hub = Hub()
    slow, fast = FakeSink(room=2), FakeSink()
    live(hub, slow)
    live(hub, fast)
    for n in range(1, 6):
        hub.publish("D1", f"{n}-0", {PUBLIC: f"e{n}"})
    assert slow.closed == CLOSE_SLOW and slow.sent == ["e1", "e2"]
    assert fast.closed is None and fast.sent == [f"e{n}" for n in range(1, 6)]
    assert hub.count("D1") == 1


def test_backlog_around_a_snapshot_delivers_each_event_once() -> None:
    """Events that arrive while the snapshot is sent are held, then those the
    snapshot already had are skipped."""
    hub = Hub()
    sink = FakeSink()
    sub = Subscriber(sink, "D1", PUBLIC)
    hub.add(sub)
    for n in (3, 4, 5):
        hub.publish("D1", f"{n}-0", {PUBLIC: f"e{n}"})
    assert sink.sent == []
    sub.go_live("4-0")  # the snapshot included events up to 4-0
    hub.publish("D1", "5-0", {PUBLIC: "e5"})  # the reader may see 5 again: skipped
    hub.publish("D1", "6-0", {PUBLIC: "e6"})
    assert sink.sent == ["e5", "e6"]


def test_removing_the_last_socket_forgets_the_dialogue() -> None:
    """A dialogue without local sockets is no longer read by the node."""
    hub = Hub()
    sub = live(hub, FakeSink())
    assert hub.dialogues() == {"D1"}
    hub.remove(sub)
    assert hub.dialogues() == set()


def test_viewers_are_the_public_sockets_of_each_dialogue() -> None:
    """What the node reports for the dashboard's viewers: public sockets per
    dialogue, not the staff's nor the broadcast overlay's."""
    hub = Hub()
    for _ in range(3):
        live(hub, FakeSink())
    live(hub, FakeSink(), dialogue="D2")
    live(hub, FakeSink(), STAFF)
    hub.add(Subscriber(FakeSink(), "D1", PUBLIC, screen=True))
    live(hub, FakeSink(), STAFF, dialogue="D3")
    assert hub.viewers() == {"D1": 3, "D2": 1}


def test_each_event_is_serialised_once_per_audience(monkeypatch: pytest.MonkeyPatch) -> None:
    """render_all serialises once per audience, however many sockets will get it."""
    calls: list[str] = []
    real = messages.dumps

    def counting(message: dict[str, Any]) -> str:
        calls.append(message["type"])
        return real(message)

    monkeypatch.setattr(messages, "dumps", counting)
    dialogue = Dialogue(id="D1", slug="d", title="Đối thoại")
    q = Question(
        "7", "D1", "D1-AAAAA-BBBBB", "Câu hỏi", "An", "2026-11-27T00:00:00+07:00", Status.APPROVED
    )
    event = StoredEvent("9-0", "D1", "question.approved", Status.PENDING, q, "7", 0)
    payloads = messages.render_all(event, dialogue)
    assert set(payloads) == {PUBLIC, STAFF} and len(calls) == 2
    hidden = StoredEvent(
        "9-1", "D1", "question.noted", Status.PENDING, q.evolve(status=Status.PENDING), "7", 0
    )
    assert set(messages.render_all(hidden, dialogue)) == {STAFF}


def test_a_summary_may_share_the_id_of_a_live_event_but_not_of_the_snapshot() -> None:
    """Coalesced votes carry the id of the last event the node handled: after
    a live event with that id the summary is sent; at the snapshot's end (the
    snapshot had it) or below, it is skipped."""
    hub = Hub()
    sink = FakeSink()
    sub = Subscriber(sink, "D1", PUBLIC)
    hub.add(sub)
    hub.publish("D1", "4-0", {PUBLIC: "held-at-snapshot"}, summary=True)
    sub.go_live("4-0")
    hub.publish("D1", "3-0", {PUBLIC: "older"}, summary=True)
    hub.publish("D1", "5-0", {PUBLIC: "e5"})
    hub.publish("D1", "5-0", {PUBLIC: "votes-at-5"}, summary=True)
    hub.publish("D1", "5-0", {PUBLIC: "other-votes-at-5"}, summary=True)
    hub.publish("D1", "5-0", {PUBLIC: "e5 again"})
    assert sink.sent == ["e5", "votes-at-5", "other-votes-at-5"]
