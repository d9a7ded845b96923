"""The figures of a broadcast with known numbers (conftest.py): counted from
its questions as they stand, merged askers counted once, written answers
owed and overdue by official, on Vietnam's day."""

from __future__ import annotations

from server.domain import figures
from server.domain.model import Status

from .conftest import A_LUOI, REPORTED, THUAN_HOA, Broadcast


async def test_the_figures_of_a_broadcast(broadcast: Broadcast) -> None:
    counted = broadcast.record.figures
    assert (counted.total, counted.people, counted.published) == (9, 9, 6)
    assert counted.by_status == {
        "answered": 3, "deferred": 3, "rejected": 1, "merged": 1, "pending": 1,
    }  # fmt: skip
    assert counted.by_channel == [("web", 6), ("hotline", 1), ("paper", 1), ("widget", 1)]
    assert counted.by_topic == [("Chính quyền số", 4), ("Kinh tế số", 3), ("", 2)]
    assert counted.by_locality == [(THUAN_HOA, 3), (A_LUOI, 3), ("", 3)]
    assert (counted.answered_live, counted.answered_written) == (1, 2)
    assert (counted.owed, counted.overdue) == (3, 3)
    by = {o.official_id: o for o in counted.officials}
    assert list(by) == ["o1", "o2", None]
    assert (by["o1"].answered_live, by["o1"].answered_written, by["o1"].owed) == (1, 1, 1)
    assert (by["o2"].answered_written, by["o2"].owed, by["o2"].next_due) == (1, 0, None)
    assert (by[None].owed, by[None].overdue) == (2, 2)
    # Due 15 working days after Monday 2 November: Monday 23 November.
    assert by["o1"].next_due == by[None].next_due == "2026-11-23"


async def test_the_figures_agree_with_the_questions_and_the_day(broadcast: Broadcast) -> None:
    """Counted again from the questions in Redis, independently: the same;
    on the day they are due, nothing is overdue yet."""
    questions = broadcast.record.questions
    assert len(questions) == broadcast.record.figures.total  # none is left unscreened
    now = await broadcast.services.reports.figures(broadcast.dialogue)
    assert now == broadcast.record.figures
    deferred = [q for q in questions if q.status is Status.DEFERRED]
    assert len(deferred) == now.owed and all(q.due_at == "2026-11-23" for q in deferred)
    on_the_day = figures.count(broadcast.dialogue, questions, REPORTED.replace(month=11, day=23))
    assert (on_the_day.owed, on_the_day.overdue) == (3, 0)
    assert sum(q.asked_by for q in questions if q.status is not Status.MERGED) == now.people
