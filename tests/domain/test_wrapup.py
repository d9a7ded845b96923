"""The end of a broadcast, pure: due days in working days, who owes what,
and the moves the wrap-up and the air's undo make."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from server.domain import lifecycle, wrapup
from server.domain.model import Actor, Dialogue, Official, Question, Role, Status, Topic
from server.domain.wording import Refused

S = Status
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # a Friday, 16:00 in Huế
PRODUCER = Actor("producer", frozenset({Role.PRODUCER}))
DIALOGUE = Dialogue(
    id="TEST",
    slug="test",
    title="Đối thoại",
    topics=(Topic("kinh-te-so", "Kinh tế số"), Topic("y-te", "Y tế")),
    officials=(Official("o1", "Giám đốc Sở", "Sở KH&CN"), Official("o2", "Phó Chủ tịch", "UBND")),
    topic_officials=(("kinh-te-so", "o1"),),
)


def question(qid: str, status: Status, **fields: object) -> Question:
    return Question(
        id=qid,
        dialogue_id="TEST",
        tracking_code="TEST-AAAAA-BBBBB",
        text=f"Câu hỏi số {qid} về chuyển đổi số?",
        name="Trần Thị B",
        submitted_at="2026-12-04T08:00:00.000+00:00",
        status=status,
        version=2,
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("ended", "days", "due"),
    [
        (datetime(2026, 12, 4, 9, 0, tzinfo=UTC), 1, date(2026, 12, 7)),  # Friday -> Monday
        (datetime(2026, 12, 4, 9, 0, tzinfo=UTC), 15, date(2026, 12, 25)),
        (datetime(2026, 12, 1, 2, 0, tzinfo=UTC), 3, date(2026, 12, 4)),  # Tuesday
        # 18:00 UTC on Friday is Saturday 01:00 in Vietnam: counted from Saturday.
        (datetime(2026, 12, 4, 18, 0, tzinfo=UTC), 1, date(2026, 12, 7)),
        (datetime(2026, 12, 5, 3, 0, tzinfo=UTC), 5, date(2026, 12, 11)),  # Saturday
    ],
)
def test_due_days_count_working_days_in_vietnam(ended: datetime, days: int, due: date) -> None:
    assert wrapup.due_date(ended, days) == due


def test_the_plan_owes_every_unanswered_question_to_its_official() -> None:
    """Approved, queued, on air and deferred questions are owed: to the
    official they are routed to, else the topic's default, else nobody."""
    questions = [
        question("4", S.ON_AIR, topic="y-te"),
        question("1", S.APPROVED, topic="kinh-te-so"),
        question("2", S.QUEUED, official_id="o2", topic="kinh-te-so"),
        question("3", S.DEFERRED, official_id="o1"),
        question("5", S.ANSWERED, official_id="o1"),
        question("6", S.PENDING),
        question("7", S.REJECTED),
    ]
    plan = wrapup.plan(DIALOGUE, questions)
    assert [(o.question.id, o.official_id) for o in plan] == [
        ("1", "o1"),
        ("2", "o2"),
        ("3", "o1"),
        ("4", None),
    ]
    chosen = wrapup.choose(DIALOGUE, plan, {"4": "o2", "1": None})
    assert [(o.question.id, o.official_id) for o in chosen] == [
        ("1", None),
        ("2", "o2"),
        ("3", "o1"),
        ("4", "o2"),
    ]
    for bad in ({"4": "nobody"}, ["o1"]):
        with pytest.raises(Refused) as refused:
            wrapup.choose(DIALOGUE, plan, bad)
        assert refused.value.code == "invalid"


@pytest.mark.parametrize("status", [S.APPROVED, S.QUEUED, S.ON_AIR, S.DEFERRED])
def test_owing_makes_a_written_answer_due(status: Status) -> None:
    q = question("1", status, ready_at="2026-12-04T08:30:00.000+00:00")
    owed = lifecycle.owe(q, "o1", "2026-12-25", PRODUCER, NOW)
    assert owed.question.status is S.DEFERRED
    assert (owed.question.official_id, owed.question.due_at) == ("o1", "2026-12-25")
    assert owed.question.deferred_at and owed.question.ready_at is None
    assert [e.type for e in owed.events] == ["question.deferred"]


def test_a_second_wrap_up_keeps_the_day_the_first_promised() -> None:
    """A dialogue stepped back to live and wrapped up again: a question already
    owed keeps its due day (the public was told it), and goes to the official
    chosen now."""
    first = lifecycle.owe(question("1", S.APPROVED), "o1", "2026-12-25", PRODUCER, NOW).question
    again = lifecycle.owe(first, "o2", "2027-01-08", PRODUCER, NOW).question
    assert (again.official_id, again.due_at) == ("o2", "2026-12-25")


@pytest.mark.parametrize("status", [S.PENDING, S.ANSWERED, S.REJECTED, S.MERGED])
def test_only_unanswered_questions_are_owed(status: Status) -> None:
    with pytest.raises(Refused) as refused:
        lifecycle.owe(question("1", status), "o1", "2026-12-25", PRODUCER, NOW)
    assert refused.value.code == "conflict"


def test_revert_gives_back_the_question_as_it_was_at_the_next_version() -> None:
    before = question("1", S.ON_AIR, on_air_at="2026-12-04T08:55:00.000+00:00")
    answered = lifecycle.decide(
        before, lifecycle.Command("answer"), PRODUCER, NOW, DIALOGUE
    ).question
    reverted = lifecycle.revert(answered, before, PRODUCER, NOW)
    q = reverted.question
    assert (q.status, q.answer, q.version) == (S.ON_AIR, None, answered.version + 1)
    assert [h.action for h in q.history][-2:] == ["answer", "undo"]
    assert [(e.type, e.previous) for e in reverted.events] == [("question.air_undone", S.ANSWERED)]
    with pytest.raises(Refused):
        lifecycle.revert(answered, question("2", S.ON_AIR), PRODUCER, NOW)


def test_skip_sends_the_question_on_air_to_the_queue() -> None:
    skipped = lifecycle.skip(question("1", S.ON_AIR), PRODUCER, NOW)
    assert skipped.question.status is S.QUEUED
    assert [e.type for e in skipped.events] == ["question.skipped"]
    with pytest.raises(Refused):
        lifecycle.skip(question("1", S.QUEUED), PRODUCER, NOW)


def test_a_live_answer_needs_no_summary_and_a_summary_comes_later() -> None:
    official = Actor("official", frozenset({Role.OFFICIAL}), "o1")
    secretary = Actor("secretary", frozenset({Role.SECRETARY}))
    on_air = question("1", S.ON_AIR, official_id="o1")
    answered = lifecycle.decide(on_air, lifecycle.Command("answer"), PRODUCER, NOW, DIALOGUE)
    assert answered.question.answer is not None and answered.question.answer.text == ""
    for who in (official, secretary, PRODUCER):
        summary = {"text": f"Tóm tắt của {who.username}."}
        done = lifecycle.decide(
            answered.question, lifecycle.Command("summarize", summary), who, NOW, DIALOGUE
        ).question
        assert done.answer is not None and done.answer.text == summary["text"]
        assert done.answer.kind == "live" and done.answer.by == "producer"
    with pytest.raises(Refused) as empty:
        lifecycle.decide(
            answered.question, lifecycle.Command("summarize", {"text": " "}), official, NOW,
            DIALOGUE,
        )  # fmt: skip
    assert empty.value.code == "invalid"


def test_an_official_says_ready_and_going_on_air_clears_it() -> None:
    official = Actor("official", frozenset({Role.OFFICIAL}), "o1")
    q = question("1", S.QUEUED, official_id="o1")
    ready = lifecycle.decide(q, lifecycle.Command("ready"), official, NOW, DIALOGUE).question
    assert ready.ready_at is not None and ready.status is S.QUEUED
    unready = lifecycle.decide(
        ready, lifecycle.Command("ready", {"ready": False}), official, NOW, DIALOGUE
    ).question
    assert unready.ready_at is None
    on_air = lifecycle.decide(ready, lifecycle.Command("on_air"), PRODUCER, NOW, DIALOGUE)
    assert on_air.question.ready_at is None
    with pytest.raises(Refused) as bad:
        lifecycle.decide(q, lifecycle.Command("ready", {"ready": "yes"}), official, NOW, DIALOGUE)
    assert bad.value.field == "ready"


def test_the_plan_leaves_out_questions_already_owed() -> None:
    """A question an earlier wrap-up owed (deferred, with its due day) is not
    offered again; one deferred during the broadcast (no due day yet) is."""
    questions = [
        question("1", S.DEFERRED, official_id="o1", due_at="2026-12-25"),
        question("2", S.DEFERRED, official_id="o1"),
        question("3", S.DEFERRED, due_at="2026-12-25"),
        question("4", S.APPROVED),
    ]
    assert [o.question.id for o in wrapup.plan(DIALOGUE, questions)] == ["2", "4"]
    owed = [q for q in questions if q.due_at]
    assert wrapup.plan(DIALOGUE, owed) == []


def test_the_wrap_up_refuses_a_list_other_than_the_questions_to_owe() -> None:
    """The producer confirms the list shown: when the questions to owe are
    others now (one approved meanwhile, one answered), it is a 409 naming
    ``questions``, said without codes; the same list (any order) passes."""
    proposal = wrapup.plan(DIALOGUE, [question(str(n), S.APPROVED) for n in (1, 2, 3)])
    wrapup.check_seen(proposal, ["3", "1", "2"])
    wrapup.check_seen(proposal, None)
    for seen, added, gone in ((["1", "2"], 1, 0), (["1", "2", "3", "9"], 0, 1), ([], 3, 0)):
        with pytest.raises(Refused) as refused:
            wrapup.check_seen(proposal, seen)
        assert (refused.value.code, refused.value.field) == ("conflict", "questions")
        assert f"({added} added, {gone} gone)" in refused.value.say()
    with pytest.raises(Refused) as bad:
        wrapup.check_seen(proposal, "1")
    assert (bad.value.code, bad.value.field) == ("invalid", "questions")
