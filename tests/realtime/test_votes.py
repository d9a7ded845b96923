"""Vote storms: the reader sends at most one ``votes.changed`` per question
per second, whatever the vote rate, and the last count of a burst always
follows. A fake loop's clock moves only when the test says so."""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Callable
from typing import Any

from server.domain.events import PUBLIC, VOTES_LOOK_BACK_MS
from server.domain.model import Dialogue
from server.realtime.hub import Hub, Subscriber
from server.realtime.reader import VOTE_WINDOW, Reader, Votes
from server.store.events import StoredEvent
from tests.realtime.test_hub import FakeSink


class FakeLoop:
    """``time`` and ``call_at`` on a clock moved by ``run_until``."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._timers: list[tuple[float, int, FakeTimer]] = []
        self._order = itertools.count()

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[..., None], *args: Any) -> FakeTimer:
        timer = FakeTimer(callback, args)
        heapq.heappush(self._timers, (when, next(self._order), timer))
        return timer

    def run_until(self, when: float) -> None:
        while self._timers and self._timers[0][0] <= when:
            at, _, timer = heapq.heappop(self._timers)
            self.now = max(self.now, at)
            if not timer.cancelled:
                timer.callback(*timer.args)
        self.now = max(self.now, when)


class FakeTimer:
    def __init__(self, callback: Callable[..., None], args: tuple[Any, ...]) -> None:
        self.callback, self.args, self.cancelled = callback, args, False

    def cancel(self) -> None:
        self.cancelled = True


def vote(n: int, question: str, count: int) -> StoredEvent:
    return StoredEvent(f"{n}-0", "D1", "votes.changed", question_id=question, votes=count)


def test_a_storm_of_1000_votes_a_second_sends_one_change_per_question_per_second() -> None:
    """Five seconds of 1,000 votes a second over three questions: each
    question's changes go out at least a window apart, the first at once,
    and the last one sent carries each question's final count."""
    loop = FakeLoop()
    sent: list[tuple[float, StoredEvent]] = []
    votes = Votes(lambda event: sent.append((loop.now, event)), loop=loop)  # type: ignore[arg-type]
    counts = {"q1": 0, "q2": 0, "q3": 0}
    questions = itertools.cycle(counts)
    for n in range(5000):
        loop.run_until(1000.0 + n / 1000)
        question = next(questions)
        counts[question] += 1
        event = vote(n + 1, question, counts[question])
        if votes.offer(event):
            sent.append((loop.now, event))
    loop.run_until(1010.0)
    assert votes.holding() == 0
    for question, final in counts.items():
        times = [at for at, event in sent if event.question_id == question]
        assert times[0] < 1000.01, "the first change of a quiet question waits"
        assert all(b - a >= VOTE_WINDOW for a, b in itertools.pairwise(times))
        assert len(times) <= 5 / VOTE_WINDOW + 1
        last = [event for _, event in sent if event.question_id == question][-1]
        assert last.votes == final


def test_a_lone_vote_after_a_quiet_window_goes_at_once() -> None:
    """Votes a window apart are each sent as they come, none held."""
    loop = FakeLoop()
    votes = Votes(lambda event: None, loop=loop)  # type: ignore[arg-type]
    for n in range(3):
        loop.run_until(1000.0 + n * VOTE_WINDOW)
        assert votes.offer(vote(n + 1, "q1", n + 1))
    assert votes.holding() == 0


def test_forgetting_a_dialogue_drops_what_it_held() -> None:
    """A dialogue the node stops reading sends nothing later."""
    loop = FakeLoop()
    sent: list[StoredEvent] = []
    votes = Votes(sent.append, loop=loop)  # type: ignore[arg-type]
    assert votes.offer(vote(1, "q1", 1))
    assert not votes.offer(vote(2, "q1", 2))
    votes.forget("D1")
    loop.run_until(1010.0)
    assert sent == [] and votes.holding() == 0


def test_a_change_held_too_long_in_stream_time_goes_before_a_later_event() -> None:
    """A reader catching up reads seconds of stream in an instant: a change
    held while an event more than the look-back later in the stream is about
    to be sent is handed back to go first, once (its timer no longer fires),
    and the question's window starts again. One within the look-back, or
    replaced by a later change, is not handed back for that event."""
    loop = FakeLoop()
    sent: list[StoredEvent] = []
    votes = Votes(sent.append, loop=loop)  # type: ignore[arg-type]
    assert votes.offer(vote(1000, "q1", 1))
    assert not votes.offer(vote(1100, "q1", 2))  # held
    assert votes.offer(vote(1200, "q2", 1))
    assert not votes.offer(vote(2000, "q2", 2))  # held
    assert not votes.offer(vote(2100, "q2", 3))  # replaces q2's held change
    assert votes.overdue("D1", f"{1100 + VOTES_LOOK_BACK_MS}-0") == []
    overdue = votes.overdue("D1", f"{1101 + VOTES_LOOK_BACK_MS}-0")
    assert [(e.question_id, e.votes) for e in overdue] == [("q1", 2)]
    assert votes.holding() == 1
    assert votes.overdue("D1", f"{2050 + VOTES_LOOK_BACK_MS}-0") == []  # q2's is 2100
    assert [e.votes for e in votes.overdue("D1", f"{2101 + VOTES_LOOK_BACK_MS}-0")] == [3]
    loop.run_until(1000.5)
    assert not votes.offer(vote(5200, "q1", 3)), "q1's window started again"
    loop.run_until(1010.0)
    assert [(e.question_id, e.votes) for e in sent] == [("q1", 3)]
    assert votes.holding() == 0
    assert votes.overdue("D1", "999999-0") == []


class _Events:
    async def last_id(self, dialogue_id: str) -> str:
        return "0-0"


class _Store:
    events = _Events()


class _Follower:
    """Hands the reader one batch, as a reader catching up reads many at once."""

    def __init__(self, batch: list[StoredEvent]) -> None:
        self.batch = batch

    async def read(self, positions: Any, block_ms: int) -> list[StoredEvent]:
        batch, self.batch = self.batch, []
        return batch

    async def wake(self) -> None:
        pass


async def test_the_reader_sends_a_change_held_too_long_before_the_event_that_passes_it() -> None:
    """Read in one batch: q1's first vote (sent), its second (held), then
    q2's first vote five seconds later in the stream. The viewer gets q1's
    held count before q2's, under the id of the last event sent before it,
    and not once more when q1's window ends."""
    hub = Hub()
    sink = FakeSink()
    sub = Subscriber(sink, "D1", PUBLIC)
    hub.add(sub)
    events = [vote(1000, "q1", 1), vote(1100, "q1", 2), vote(6100, "q2", 1)]
    reader = Reader(_Store(), _Follower(events), hub)  # type: ignore[arg-type]
    await reader.track(Dialogue(id="D1", slug="d", title="Đối thoại"))
    sub.go_live("0-0")
    await reader._step()
    got = [json.loads(text) for text in sink.sent]
    assert [(m["id"], m["data"]["id"], m["data"]["votes"]) for m in got] == [
        ("1000-0", "q1", 1),
        ("1100-0", "q1", 2),
        ("6100-0", "q2", 1),
    ]
    assert reader.votes.holding() == 0
