"""The whole transition table, move by move and role by role."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from server.domain.events import staff_question
from server.domain.folding import fold
from server.domain.lifecycle import (
    ACTIONS,
    AIR_ACTIONS,
    TABLE,
    Command,
    Refused,
    absorb,
    actions_by_role,
    allowed_actions,
    decide,
    displace,
    release,
    screen,
)
from server.domain.model import (
    Actor,
    Answer,
    Dialogue,
    DialogueStatus,
    Official,
    Question,
    Role,
    Status,
    Topic,
)
from server.domain.screening import ScreeningResult

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
S = Status
ALL = frozenset(S) - {S.RECEIVED}
OPEN = {S.PENDING, S.APPROVED, S.QUEUED, S.ON_AIR, S.DEFERRED}

# The action table (docs/api.md), written out again by hand as the test's own
# oracle: action -> ({from: to or None for "same"}, roles, own roles). Where a
# row's roles depend on the state, ``allowed`` says so.
EXPECTED: dict[str, tuple[dict[Status, Status | None], set[str], set[str]]] = {
    "approve": ({S.PENDING: S.APPROVED}, {"moderator"}, set()),
    "reject": ({S.PENDING: S.REJECTED}, {"moderator"}, set()),
    "restore": ({S.REJECTED: S.PENDING}, {"moderator"}, set()),
    "unpublish": ({S.APPROVED: S.PENDING, S.QUEUED: S.PENDING}, {"moderator"}, set()),
    "edit": ({S.PENDING: None, S.APPROVED: None, S.QUEUED: None}, {"moderator"}, set()),
    "air_text": (dict.fromkeys(OPEN), {"moderator", "producer"}, set()),
    "set_topic": (dict.fromkeys(OPEN), {"moderator"}, set()),
    "assign": (
        dict.fromkeys([S.PENDING, S.APPROVED, S.QUEUED, S.DEFERRED]),
        {"moderator", "producer"},
        set(),
    ),
    "queue": ({S.APPROVED: S.QUEUED}, {"moderator", "producer"}, set()),
    "dequeue": ({S.QUEUED: S.APPROVED}, {"moderator", "producer"}, set()),
    "move": ({S.QUEUED: None}, {"moderator", "producer"}, set()),
    # The air is the producer's alone.
    "on_air": ({S.QUEUED: S.ON_AIR, S.APPROVED: S.ON_AIR}, {"producer"}, set()),
    "back": ({S.ON_AIR: S.QUEUED}, {"producer"}, set()),
    "answer": ({S.ON_AIR: S.ANSWERED, S.DEFERRED: S.ANSWERED}, {"producer"}, {"official"}),
    "summarize": ({S.ANSWERED: None}, {"producer", "secretary"}, {"official"}),
    "ready": ({S.APPROVED: None, S.QUEUED: None}, set(), {"official"}),
    "defer": (
        {S.APPROVED: S.DEFERRED, S.QUEUED: S.DEFERRED, S.ON_AIR: S.DEFERRED},
        {"moderator", "producer"},
        {"official"},
    ),
    "merge": (
        {S.PENDING: S.MERGED, S.APPROVED: S.MERGED, S.QUEUED: S.MERGED},
        {"moderator"},
        set(),
    ),
    # Added: undo a merge (back to ``merged_status``, here unknown: pending).
    "unmerge": ({S.MERGED: S.PENDING}, {"moderator"}, set()),
    "note": (dict.fromkeys(ALL), {"moderator", "producer", "official", "secretary"}, set()),
}

DIALOGUE = Dialogue(
    id="TEST",
    slug="test",
    title="Test",
    topics=(Topic("kinh-te-so", "Kinh tế số"),),
    officials=(Official("o1", "Giám đốc Sở", "Sở KH&CN", "official"), Official("o2", "B", "C")),
)
ACTORS = {
    "moderator": Actor("mod", frozenset({Role.MODERATOR})),
    "producer": Actor("prod", frozenset({Role.PRODUCER})),
    "official-own": Actor("official", frozenset({Role.OFFICIAL}), "o1"),
    "official-other": Actor("other", frozenset({Role.OFFICIAL}), "o2"),
    "secretary": Actor("sec", frozenset({Role.SECRETARY})),
    "admin": Actor("admin", frozenset({Role.ADMIN})),
}
PARAMS: dict[str, dict[str, Any]] = {
    "reject": {"reason": "off_topic"},
    "edit": {"text": "Câu hỏi đã được biên tập lại cho rõ."},
    "set_topic": {"topic": "kinh-te-so"},
    "assign": {"official_id": "o2"},
    "answer": {"text": "Xin trả lời như sau."},
    "summarize": {"text": "Tóm tắt câu trả lời trên sóng."},
    "air_text": {"text": "Chữ ký số cho hộ kinh doanh?"},
    "merge": {"into": "99"},
    "move": {"position": 0},
    "note": {"text": "Cần số liệu của Sở."},
}


def question(status: Status, official: str | None = "o1") -> Question:
    return Question(
        id="1",
        dialogue_id="TEST",
        tracking_code="TEST-AAAAA-BBBBB",
        text="Xin hỏi về chữ ký số cho hộ kinh doanh?",
        name="Trần Thị B",
        submitted_at="2026-11-27T13:00:00.000+00:00",
        status=status,
        version=3,
        official_id=official,
        answer=Answer("", "live", official, "2026-11-27T13:30:00.000+00:00", "prod")
        if status is S.ANSWERED
        else None,
    )


def allowed(action: str, status: Status, actor_key: str) -> Status | bool | None:
    """The oracle: False if refused, else the expected resulting status."""
    moves, roles, own = EXPECTED[action]
    if status not in moves:
        return False
    if actor_key == "admin":
        return moves[status] or status
    role, _, whose = actor_key.partition("-")
    ok = role in roles or (role in own and whose == "own")
    if action == "answer":
        # Live by the producer only; in writing by the official it is owed by.
        ok = role == "producer" if status is S.ON_AIR else (role == "official" and whose == "own")
    if action == "defer" and status is S.ON_AIR:
        ok = role == "producer"  # off the air: the producer's call
    return (moves[status] or status) if ok else False


CASES = [(action, status, actor) for action in EXPECTED for status in Status for actor in ACTORS]


def test_table_has_exactly_the_actions_of_the_api() -> None:
    """The domain table knows the API's actions and no others."""
    assert set(ACTIONS) == set(EXPECTED)


def test_table_rows_never_overlap() -> None:
    """An (action, state) pair has one rule, so the outcome is never ambiguous."""
    pairs = [(r.action, s) for r in TABLE for s in r.sources]
    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize(("action", "status", "actor"), CASES)
def test_every_move_by_every_role(action: str, status: Status, actor: str) -> None:
    """Each legal move lands in the right state with one event; each illegal
    one is refused with conflict (wrong state) or forbidden (wrong role)."""
    expected = allowed(action, status, actor)
    q = question(status)
    command = Command(action, PARAMS.get(action, {}), version=3)
    if expected is False:
        with pytest.raises(Refused) as refused:
            decide(q, command, ACTORS[actor], NOW, DIALOGUE)
        wrong_state = status not in EXPECTED[action][0]
        assert refused.value.code == ("conflict" if wrong_state else "forbidden")
        return
    decision = decide(q, command, ACTORS[actor], NOW, DIALOGUE)
    assert decision.question.status is expected
    assert decision.question.version == 4
    assert [e.previous for e in decision.events] == [status]
    assert decision.question.history[-1].action == action
    assert (action in allowed_actions(q, ACTORS[actor])) is True


@pytest.mark.parametrize("phase", [DialogueStatus.CLOSED, DialogueStatus.ARCHIVED])
@pytest.mark.parametrize(
    ("action", "status"), [(r.action, s) for r in TABLE for s in sorted(r.sources, key=str)]
)
def test_a_finished_broadcast_takes_no_air_action_and_an_archive_only_notes(
    phase: DialogueStatus, action: str, status: Status
) -> None:
    """Once the broadcast is over (closed) nothing goes on air or into its
    queue, while written answers, merges and the rest go on; an archived
    dialogue's questions take notes only. The table's every legal move, by
    the admin (whom no role stops): refused with conflict, or as in any phase."""
    dialogue = replace(DIALOGUE, status=phase)
    command = Command(action, PARAMS.get(action, {}), version=3)
    refused = action in AIR_ACTIONS or (phase is DialogueStatus.ARCHIVED and action != "note")
    # What consoles are offered says the same.
    assert (action in allowed_actions(question(status), ACTORS["admin"], phase)) is not refused
    by_role = actions_by_role(question(status), phase)
    assert not refused or all(action not in actions for actions in by_role.values())
    if refused:
        with pytest.raises(Refused) as info:
            decide(question(status), command, ACTORS["admin"], NOW, dialogue)
        assert info.value.code == "conflict"
        said = info.value.message.text
        assert ("archived" if phase is DialogueStatus.ARCHIVED else "over") in said
    else:
        after = decide(question(status), command, ACTORS["admin"], NOW, dialogue).question
        assert after == decide(question(status), command, ACTORS["admin"], NOW, DIALOGUE).question


def test_received_takes_no_staff_action() -> None:
    """A question still in intake cannot be acted on by anyone."""
    for action in ACTIONS:
        with pytest.raises(Refused):
            decide(
                question(S.RECEIVED),
                Command(action, PARAMS.get(action, {})),
                ACTORS["admin"],
                NOW,
                DIALOGUE,
            )


def test_stale_version_is_a_conflict() -> None:
    """A command made against an older version is refused, never applied."""
    with pytest.raises(Refused) as refused:
        decide(
            question(S.PENDING), Command("approve", version=2), ACTORS["moderator"], NOW, DIALOGUE
        )
    assert refused.value.code == "conflict"
    assert refused.value.field == "version"


def test_unknown_action_is_not_found() -> None:
    """An action the table does not know is a 404, not a crash."""
    with pytest.raises(Refused) as refused:
        decide(question(S.PENDING), Command("publish_everything"), ACTORS["admin"], NOW, DIALOGUE)
    assert refused.value.code == "not_found"


@pytest.mark.parametrize(
    ("action", "params", "field"),
    [
        ("reject", {}, "reason"),
        ("reject", {"reason": "because"}, "reason"),
        ("edit", {"text": "  "}, "text"),
        ("edit", {"text": 42}, "text"),
        ("set_topic", {"topic": "not-a-topic"}, "topic"),
        ("assign", {"official_id": "nobody"}, "official_id"),
        ("merge", {}, "into"),
        ("merge", {"into": "1"}, "into"),
        ("note", {"text": ""}, "text"),
        ("queue", {"position": -1}, "position"),
        ("queue", {"position": "1"}, "position"),
        ("move", {}, "position"),
    ],
)
def test_bad_bodies_name_their_field(action: str, params: dict[str, object], field: str) -> None:
    """An action with a bad body is refused as invalid, naming the field."""
    status = {"reject": S.PENDING, "move": S.QUEUED}.get(action, S.APPROVED)
    with pytest.raises(Refused) as refused:
        decide(question(status), Command(action, params), ACTORS["admin"], NOW, DIALOGUE)
    assert refused.value.code == "invalid"
    assert refused.value.field == field


def test_edit_keeps_the_original_text_once() -> None:
    """Two edits keep the citizen's first words as the original."""
    q = question(S.PENDING)
    first = decide(
        q, Command("edit", {"text": "Bản biên tập thứ nhất."}), ACTORS["moderator"], NOW, DIALOGUE
    )
    second = decide(
        first.question,
        Command("edit", {"text": "Bản biên tập thứ hai."}),
        ACTORS["moderator"],
        NOW,
        DIALOGUE,
    )
    assert second.question.original_text == q.text
    assert second.question.text == "Bản biên tập thứ hai."
    assert second.question.edited


def test_the_folded_text_is_kept_from_intake_and_made_again_for_a_new_text() -> None:
    """Intake folds the text once (the staff snapshot reads it, not
    ``fold``); a transition keeps it; an edit folds the new text; a question
    without it (stored before it was kept) is folded when viewed."""
    received = question(S.RECEIVED).evolve(version=0)
    assert received.folded is None
    pending = screen(received, ScreeningResult((), {}, "pending"), (), NOW).question
    assert pending.folded == fold(received.text)
    noted = decide(pending, Command("note", PARAMS["note"]), ACTORS["moderator"], NOW, DIALOGUE)
    assert noted.question.folded is pending.folded
    edited = decide(pending, Command("edit", PARAMS["edit"]), ACTORS["moderator"], NOW, DIALOGUE)
    assert edited.question.folded == fold(PARAMS["edit"]["text"]) != pending.folded
    assert pending.evolve(text="Khác hẳn").folded is None
    assert staff_question(edited.question, DIALOGUE)["folded"] == edited.question.folded
    older = edited.question.evolve(folded=None)
    assert staff_question(older, DIALOGUE)["folded"] == edited.question.folded


def test_answer_kind_follows_the_state() -> None:
    """Answered on air is live; answered after deferral is written."""
    live = decide(
        question(S.ON_AIR), Command("answer", PARAMS["answer"]), ACTORS["producer"], NOW, DIALOGUE
    )
    written = decide(
        question(S.DEFERRED),
        Command("answer", PARAMS["answer"]),
        ACTORS["official-own"],
        NOW,
        DIALOGUE,
    )
    assert live.question.answer is not None and live.question.answer.kind == "live"
    assert written.question.answer is not None and written.question.answer.kind == "written"
    assert written.question.answer.official_id == "o1"


def test_screen_displace_absorb() -> None:
    """Intake, the on-air swap and merging are moves of their own, each once."""
    received = question(S.RECEIVED).evolve(version=0)
    found = {"link": {"text": ["bit.ly/abc"]}}
    flagged = ScreeningResult(("link",), found, "hold", suggested_reason="spam")
    pending = screen(received, flagged, (), NOW).question
    assert (pending.status, pending.version, pending.flags) == (S.PENDING, 1, ("link",))
    assert (pending.held, pending.suggested_reason) == (True, "spam")
    assert pending.flag_reasons == found
    with pytest.raises(Refused):
        screen(pending, flagged, (), NOW)
    empty = ScreeningResult(("empty_content",), {}, "reject", reject_reason="no_content")
    rejected = screen(received, empty, (), NOW).question
    assert (rejected.status, rejected.reason, rejected.held) == (S.REJECTED, "no_content", False)
    back = displace(question(S.ON_AIR), ACTORS["official-own"], NOW)
    assert back.question.status is S.QUEUED
    with pytest.raises(Refused):
        displace(question(S.QUEUED), ACTORS["producer"], NOW)
    target = question(S.APPROVED).evolve(id="2", asked_by=2)
    merged = absorb(target, question(S.PENDING), ACTORS["moderator"], NOW).question
    assert merged.asked_by == 3 and merged.merged_from == ("1",)
    with pytest.raises(Refused):
        absorb(question(S.REJECTED).evolve(id="2"), question(S.PENDING), ACTORS["moderator"], NOW)


@pytest.mark.parametrize("status", [S.PENDING, S.APPROVED, S.QUEUED])
def test_unmerge_restores_the_state_and_the_askers(status: Status) -> None:
    """Merging then unmerging gives back the state the question was merged
    from, and the target gives back the askers it took."""
    mod = ACTORS["moderator"]
    source = question(status).evolve(asked_by=2)
    target = question(S.APPROVED).evolve(id="99", asked_by=1)
    merged = decide(source, Command("merge", {"into": "99"}), mod, NOW, DIALOGUE).question
    grown = absorb(target, merged, mod, NOW).question
    assert (merged.status, merged.merged_status, grown.asked_by) == (S.MERGED, status, 3)
    back = decide(merged, Command("unmerge"), mod, NOW, DIALOGUE).question
    assert (back.status, back.merged_into, back.merged_status) == (status, None, None)
    shrunk = release(grown, back, mod, NOW).question
    assert (shrunk.asked_by, shrunk.merged_from) == (1, ())
    with pytest.raises(Refused):
        release(shrunk, back, mod, NOW)


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.RECEIVED])
@pytest.mark.parametrize("official", ["o1", None])
def test_actions_by_role_are_the_tables_for_each_role(status: Status, official: str | None) -> None:
    """What the staff feed says each role may do is what the table lets an
    actor of that role do (the official as the one the question is routed to)."""
    q = question(status, official)
    by_role = actions_by_role(q)
    assert set(by_role) == {r.value for r in Role}
    for role in Role:
        actor = Actor("x", frozenset({role}), official if role is Role.OFFICIAL else None)
        assert list(by_role[role.value]) == allowed_actions(q, actor)
    assert list(by_role["admin"]) == [r.action for r in TABLE if status in r.sources]
    if official is None:
        assert set(by_role["official"]) <= {"note"}


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.RECEIVED])
def test_actions_by_role_kept_by_state_and_routing_are_each_questions_own(status: Status) -> None:
    """actions_by_role keeps its answers by state and routing and hands the
    same answer to each question that has them: another official changes
    nothing, and no caller can change a list of it (tuples)."""
    first = actions_by_role(question(status, "o1"))
    for actions in first.values():
        with pytest.raises(AttributeError):
            actions.append("changed by the caller")  # type: ignore[attr-defined]
    q = question(status, "o2")
    again = actions_by_role(q)
    assert again is first
    assert list(again["official"]) == allowed_actions(
        q, Actor("x", frozenset({Role.OFFICIAL}), "o2")
    )
