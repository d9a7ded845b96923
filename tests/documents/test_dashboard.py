"""The live dashboard of a broadcast with known numbers (conftest.py): each
figure, read from the counters kept as the questions came and changed,
equals the same figure counted independently from the questions in Redis
(``figures.count``, the questions' histories and answers), with votes and
two nodes of viewers."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from redis.asyncio import Redis

from server.domain import dashboard, figures, tally
from server.domain.model import Question, Status
from server.store import keys
from server.store.connection import Store

from .conftest import ADMIN, REPORTED, Broadcast

#: History actions that are not a moderation decision.
NOT_DECIDING = ("enter", "screen")
#: The minute chart's decisions, by history action.
DECISIONS = {"approve": "approved", "reject": "rejected"}


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def _exact(values: list[float], share: float) -> float:
    ranked = sorted(values)
    return ranked[max(1, -(-round(share * 1000) * len(ranked) // 1000)) - 1]


def _decided(q: Question) -> float | None:
    first = next((h for h in q.history if h.action not in NOT_DECIDING), None)
    return _seconds(q.submitted_at, first.at) if first else None


def _minutes(questions: list[Question]) -> list[dashboard.Minute]:
    seen: dict[str, Counter[str]] = {}
    for q in questions:
        seen.setdefault(tally.minute(q.submitted_at), Counter())["received"] += 1
        for h in q.history:
            if h.action in DECISIONS:
                seen.setdefault(tally.minute(h.at), Counter())[DECISIONS[h.action]] += 1
    return [
        dashboard.Minute(at, c["received"], c["approved"], c["rejected"])
        for at, c in sorted(seen.items())
    ]


def _store(broadcast: Broadcast) -> Store:
    store = broadcast.services.reports.store
    assert isinstance(store, Store)
    return store


async def test_every_dashboard_figure_equals_the_questions(broadcast: Broadcast) -> None:
    services, dialogue = broadcast.services, broadcast.dialogue
    store = _store(broadcast)
    for voter in ("v1", "v2"):
        assert await store.questions.vote(dialogue.id, broadcast.ids["e"], voter) is not None
    assert await store.questions.vote(dialogue.id, broadcast.ids["h"], "v1") is not None
    # Two nodes' viewers: 3 and 4, then the first has 1 left.
    await services.reports.count_viewers("node-a", {dialogue.id: 3})
    await services.reports.count_viewers("node-b", {dialogue.id: 4})
    await services.reports.count_viewers("node-a", {dialogue.id: 1})

    shown = await services.reports.dashboard(dialogue)
    _, questions = await store.questions.snapshot(dialogue.id, list(Status))
    counted = figures.count(dialogue, questions, REPORTED)

    assert (shown.total, shown.people) == (counted.total, counted.people) == (9, 9)
    assert shown.by_status == counted.by_status
    assert shown.by_topic == counted.by_topic
    assert shown.by_locality == counted.by_locality
    assert shown.by_channel == counted.by_channel
    assert (shown.answered_live, shown.answered_written) == (
        counted.answered_live, counted.answered_written,
    )  # fmt: skip
    assert (shown.owed, shown.overdue) == (counted.owed, counted.overdue) == (3, 3)
    assert shown.merged == counted.by_status["merged"] == 1
    assert shown.clusters == sum(
        1 for q in questions if q.merged_from and q.status is not Status.MERGED
    ) == 1  # fmt: skip
    assert shown.minutes == _minutes(questions)
    assert sum(m.received for m in shown.minutes) == counted.total
    assert (shown.viewers, shown.viewers_peak) == (5, 7)
    assert [(s.id, s.votes) for s in shown.supported] == [
        (broadcast.ids["e"], 2), (broadcast.ids["h"], 1),
    ]  # fmt: skip

    decided = [s for q in questions if (s := _decided(q)) is not None]
    answered = [_seconds(q.submitted_at, q.answer.answered_at) for q in questions if q.answer]
    for wait, exact in ((shown.decided, decided), (shown.answered, answered)):
        assert wait.count == len(exact)
        assert wait.median == tally.bucket(_exact(exact, 0.5))
        assert wait.p90 == tally.bucket(_exact(exact, 0.9))
    # The one written a month later sits in the 60-day bucket at the 90th percentile.
    assert dashboard.Wait.bound(shown.answered.p90) == 5184000


async def test_the_dashboard_reads_counters_not_questions(
    broadcast: Broadcast, redis: Redis
) -> None:
    """The counters alone give the figures: with every question's document
    gone, the dashboard still reads the same."""
    dialogue = broadcast.dialogue
    before = await broadcast.services.reports.dashboard(dialogue)
    for qid in broadcast.ids.values():
        await redis.hdel(keys.question(dialogue.id, qid), "doc")
    after = await broadcast.services.reports.dashboard(dialogue)
    assert after.by_status == before.by_status and after.minutes == before.minutes
    assert after.supported == []  # those are read from the questions


async def _agree(broadcast: Broadcast) -> dashboard.Dashboard:
    """The dashboard, checked against the figures counted from the questions."""
    shown = await broadcast.services.reports.dashboard(broadcast.dialogue)
    _, questions = await _store(broadcast).questions.snapshot(broadcast.dialogue.id, list(Status))
    counted = figures.count(broadcast.dialogue, questions, REPORTED)
    assert (shown.total, shown.people, shown.by_status) == (
        counted.total, counted.people, counted.by_status,
    )  # fmt: skip
    assert (shown.by_topic, shown.by_locality, shown.by_channel) == (
        counted.by_topic, counted.by_locality, counted.by_channel,
    )  # fmt: skip
    assert (shown.owed, shown.overdue) == (counted.owed, counted.overdue)
    assert shown.minutes == _minutes(questions)
    return shown


async def test_a_changed_question_moves_its_counts(broadcast: Broadcast) -> None:
    """Each write takes the question's old standing away and adds the new:
    a rejection restored, a topic set, a merge undone. A question decided
    again counts once in the wait to a first decision, twice in the minutes."""
    services, dialogue, ids = broadcast.services, broadcast.dialogue, broadcast.ids
    before = await _agree(broadcast)

    async def act(name: str, action: str, **body: object) -> None:
        await services.moderation.act(dialogue, ids[name], action, body, ADMIN)

    await act("f", "restore")
    await act("e", "set_topic", topic="kinh-te-so")
    await act("g", "unmerge")
    moved = await _agree(broadcast)
    assert "rejected" not in moved.by_status and moved.by_status["pending"] == 3
    assert ("Kinh tế số", 4) in moved.by_topic
    assert (moved.merged, moved.clusters) == (0, 0)
    await act("f", "reject", reason="spam")
    again = await _agree(broadcast)
    assert again.decided.count == before.decided.count
    assert sum(m.rejected for m in again.minutes) == 2


async def test_a_dialogue_from_before_the_counters_is_counted_once(
    broadcast: Broadcast, redis: Redis
) -> None:
    """Counters gone (a dialogue whose questions came before they were kept):
    the first load counts them from the questions and their histories, the
    same figures as those kept as things happened; the next load only reads."""
    dialogue, store = broadcast.dialogue, _store(broadcast)
    kept = await broadcast.services.reports.dashboard(dialogue)
    await redis.delete(keys.figures(dialogue.id), keys.figures_ready(dialogue.id))
    for qid in broadcast.ids.values():
        await redis.hdel(keys.question(dialogue.id, qid), "tally", "once:decided", "once:answered")
    assert not await store.questions.counted(dialogue.id)
    recounted = await broadcast.services.reports.dashboard(dialogue)
    assert recounted == kept
    assert await store.questions.counted(dialogue.id)
    # Each question's share is back: a change moves its counts as before.
    await broadcast.services.moderation.act(dialogue, broadcast.ids["f"], "restore", {}, ADMIN)
    await _agree(broadcast)


async def test_a_recount_gives_way_to_a_change(broadcast: Broadcast, redis: Redis) -> None:
    """A recount read before a question came is not written (read again)."""
    dialogue, store = broadcast.dialogue, _store(broadcast)
    await redis.delete(keys.figures_ready(dialogue.id))
    seq = await store.questions.last_id(dialogue.id)
    last, found = await store.questions.snapshot(dialogue.id, list(Status))
    await redis.incr(keys.prefix(dialogue.id) + "seq")  # a question submitted meanwhile
    counters, each = tally.recount(found)
    assert not await store.questions.recount(dialogue.id, last, seq, counters, each)
    assert not await store.questions.counted(dialogue.id)
    assert await store.questions.recount(dialogue.id, last, seq + 1, counters, each)
