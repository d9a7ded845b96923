"""The staff snapshot's views of open questions, kept by the node while each
question's stored row is the same: a console opened again (a reload, a
second moderator) makes a view only for what changed since."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from server.actions import Services, staff_views
from server.domain.events import SNAPSHOT_ABSENT, staff_question
from server.domain.lifecycle import actions_by_role, allowed_actions
from server.domain.model import Dialogue, Question, Status
from server.domain.views import ConsoleQuestion, SnapshotQuestion
from server.store.connection import Store

from .conftest import MODERATOR
from .test_moderation import OTHER, SAME, submitted

THIRD = "Xin hỏi thành phố hỗ trợ hộ kinh doanh mở tài khoản thanh toán điện tử thế nào?"


async def test_views_are_kept_while_nothing_changes_and_made_again_when_it_does(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    ids = [await submitted(store, actions, dialogue, text) for text in (SAME[0], OTHER)]
    ids.append(await submitted(store, actions, dialogue, THIRD, topic="kinh-te-so"))
    snapshot = await actions.feeds.staff(dialogue)
    first = {q["id"]: q for q in snapshot["questions"]}
    again = {q["id"]: q for q in (await actions.feeds.staff(dialogue))["questions"]}
    assert all(again[i] is first[i] for i in ids)  # nothing changed: the same views
    # Each question names its actions_by_role, sent once in the snapshot.
    q = await store.questions.get(dialogue.id, ids[0])
    assert q is not None
    assert snapshot["action_sets"] == {"pending": actions_by_role(q, dialogue.status)}
    assert {v["action_set"] for v in first.values()} == {"pending"}
    assert all("actions_by_role" not in v for v in first.values())

    # A change to one question (approved, then voted for) makes its view again, only its.
    await actions.moderation.act(dialogue, ids[0], "approve", {}, MODERATOR)
    after = {q["id"]: q for q in (await actions.feeds.staff(dialogue))["questions"]}
    assert after[ids[0]] is not first[ids[0]] and after[ids[0]]["status"] == "approved"
    assert after[ids[1]] is first[ids[1]] and after[ids[2]] is first[ids[2]]
    await actions.submissions.vote(dialogue, ids[0], "device-0001")
    voted = {q["id"]: q for q in (await actions.feeds.staff(dialogue))["questions"]}
    assert voted[ids[0]]["votes"] == 1 and after[ids[0]]["votes"] == 0
    assert voted[ids[1]] is first[ids[1]]

    # A finished question leaves the snapshot (and what the node keeps).
    await actions.moderation.act(dialogue, ids[1], "reject", {"reason": "other"}, MODERATOR)
    snapshot = await actions.feeds.staff(dialogue)
    left = {q["id"]: q for q in snapshot["questions"]}
    assert ids[1] not in left and left[ids[2]] is first[ids[2]]
    assert set(snapshot["action_sets"]) == {"approved", "pending"}
    approved = await store.questions.get(dialogue.id, ids[0])
    assert approved is not None
    moderator = snapshot["action_sets"]["approved"]["moderator"]
    assert moderator == tuple(allowed_actions(approved, MODERATOR))

    # The dialogue changed (a topic renamed): every view is made again.
    stored = await actions.dialogues.get(dialogue.slug)
    assert stored is not None
    topics = [{"id": t.id, "name": f"{t.name} (mới)"} for t in stored.topics]
    renamed = await actions.dialogues.update(stored, {"topics": topics})
    fresh = {q["id"]: q for q in (await actions.feeds.staff(renamed))["questions"]}
    assert all(fresh[i] is not left[i] for i in (ids[0], ids[2]))
    assert set(fresh) == {ids[0], ids[2]}
    assert (left[ids[2]]["topic_name"], fresh[ids[2]]["topic_name"]) == (
        "Kinh tế số",
        "Kinh tế số (mới)",
    )


async def test_a_snapshot_question_with_its_absent_fields_is_the_console_question(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """What a page makes of a snapshot question (common.js: the snapshot's
    ``absent`` fields put back, its ``action_set`` expanded) is the question
    the events carry, but for a pending question's history, which only the
    published ones bring, and the folded text, which the page makes itself;
    and the snapshot's type says which fields may be left out."""
    ids = [await submitted(store, actions, dialogue, text) for text in (SAME[0], OTHER, THIRD)]
    await actions.moderation.act(dialogue, ids[0], "approve", {}, MODERATOR)
    await actions.moderation.act(dialogue, ids[1], "note", {"text": "Gọi lại."}, MODERATOR)
    snapshot = await actions.feeds.staff(dialogue)
    assert snapshot["absent"] == SNAPSHOT_ABSENT
    views = {q["id"]: q for q in snapshot["questions"]}
    for qid in ids:
        q = await store.questions.get(dialogue.id, qid)
        assert q is not None
        full: dict[str, Any] = {**snapshot["absent"], **views[qid]}
        full["actions_by_role"] = snapshot["action_sets"][full.pop("action_set")]
        expected = dict(staff_question(q, dialogue))
        assert "folded" not in full and expected.pop("folded") == q.folded
        if q.status is Status.PENDING:
            assert "history" not in full
            del expected["history"]
        assert full == expected, qid
    assert "history" in views[ids[0]] and "notes" in views[ids[1]]
    assert "notes" not in views[ids[2]] and views[ids[2]]["votes"] == 0
    # The types as msgspec reads them (the API's schema), string annotations and all.
    snapshot_fields = msgspec.inspect.type_info(SnapshotQuestion).fields  # type: ignore[attr-defined]
    console_fields = msgspec.inspect.type_info(ConsoleQuestion).fields  # type: ignore[attr-defined]
    optional = {f.name for f in snapshot_fields if not f.required}
    assert optional == {*SNAPSHOT_ABSENT, "history"}
    console = {f.name for f in console_fields if f.required} - {"actions_by_role"}
    assert {f.name for f in snapshot_fields} == console - {"folded"} | {"action_set"}


async def test_views_made_ahead_serve_the_first_snapshot_of_a_dialogue_open_to_questions(
    store: Store, actions: Services, dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A node just started makes the views of the dialogues open to questions
    (``Feeds.warm``, in the background): the first snapshot makes again only
    what changed since; an open dialogue's are made too, a draft's not."""
    ids = [await submitted(store, actions, dialogue, text) for text in (SAME[0], OTHER, THIRD)]
    made: list[str] = []
    real = staff_views.snapshot_question

    def counted(q: Question, d: Dialogue) -> SnapshotQuestion:
        made.append(q.id)
        return real(q, d)

    monkeypatch.setattr(staff_views, "snapshot_question", counted)
    assert [d.id for d in await actions.feeds.worked_on()] == [dialogue.id]
    await actions.feeds.warm(await actions.feeds.worked_on())
    assert sorted(made) == sorted(ids)
    await actions.moderation.act(dialogue, ids[0], "approve", {}, MODERATOR)
    made.clear()
    first = {q["id"]: q for q in (await actions.feeds.staff(dialogue))["questions"]}
    assert made == [ids[0]] and first[ids[0]]["status"] == "approved"
    assert set(first) == set(ids)

    # Back to open (questions still come in), then to a draft (no console opens on it).
    opened = await actions.dialogues.set_status(await actions.dialogues.get(dialogue.slug), "open")
    assert await actions.feeds.worked_on() == [opened]
    await actions.dialogues.set_status(opened, "draft")
    assert await actions.feeds.worked_on() == []
