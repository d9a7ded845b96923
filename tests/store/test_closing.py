"""The wrap-up on real Redis: "end the broadcast" closes the dialogue and
leaves no question approved, queued or on air; each is owed in writing by an
official (or flagged as owed by nobody yet) by the due day; votes stop."""

from __future__ import annotations

from datetime import datetime

import pytest

from server.actions import Services
from server.domain import wrapup
from server.domain.model import Dialogue, DialogueStatus, Status
from server.domain.wording import Refused
from server.store.connection import Store

from .conftest import MODERATOR, PRODUCER
from .test_broadcast import queued
from .test_questions import pending


async def test_the_wrap_up_owes_every_unanswered_question(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    dialogue = await actions.dialogues.update(
        dialogue, {"topic_officials": {"kinh-te-so": "o1"}, "version": dialogue.version}
    )
    a, b, c, d = await queued(store, actions, dialogue, 4)
    await actions.moderation.act(dialogue, a, "set_topic", {"topic": "kinh-te-so"}, MODERATOR)
    await actions.moderation.act(dialogue, b, "dequeue", {}, PRODUCER)
    await actions.broadcast.next(dialogue, PRODUCER, current="")  # a on air
    await actions.broadcast.next(dialogue, PRODUCER, current=a)  # a answered, c on air
    await actions.moderation.act(dialogue, d, "defer", {}, PRODUCER)
    waiting = await pending(store, actions, dialogue, 9)

    plan = await actions.closing.plan(dialogue)
    assert [(q["id"], q["official_id"]) for q in plan["questions"]] == [
        (b, None),
        (c, None),
        (d, None),
    ]
    closed = await actions.closing.close(dialogue, PRODUCER, {c: "o1"})
    assert closed["dialogue"].status is DialogueStatus.CLOSED
    assert all(r["ok"] for r in closed["results"])
    closed_at = closed["dialogue"].closed_at
    assert closed_at is not None
    due = wrapup.due_date(datetime.fromisoformat(closed_at), 15)
    assert closed["due"] == due.isoformat()

    for qid, official in ((b, None), (c, "o1"), (d, None)):
        q = await actions.moderation.question(dialogue, qid)
        assert (q.status, q.official_id, q.due_at) == (Status.DEFERRED, official, due.isoformat())
    for status in (Status.APPROVED, Status.QUEUED, Status.ON_AIR):
        left, _ = await store.questions.page(dialogue.id, status, 500, None)
        assert left == []
    assert await store.questions.on_air_id(dialogue.id) is None
    assert await store.questions.queue_ids(dialogue.id) == []
    assert (await actions.moderation.question(dialogue, waiting)).status is Status.PENDING

    with pytest.raises(Refused) as votes:
        await actions.submissions.vote(closed["dialogue"], c, "voter-aaaaaaaa")
    assert votes.value.code == "not_accepting"

    # Owed already: a wrap-up after it neither lists nor owes them again.
    assert (await actions.closing.plan(closed["dialogue"]))["questions"] == []
    again = await actions.closing.close(closed["dialogue"], PRODUCER)
    assert again["results"] == []


async def test_only_a_broadcast_can_be_ended(actions: Services, dialogue: Dialogue) -> None:
    opened = await actions.dialogues.set_status(dialogue, "open")
    with pytest.raises(Refused) as refused:
        await actions.closing.close(opened, PRODUCER)
    assert refused.value.code == "conflict"
    live = await actions.dialogues.set_status(opened, "live")
    closed = (await actions.closing.close(live, PRODUCER))["dialogue"]
    with pytest.raises(Refused) as stale:
        await actions.closing.close(closed, PRODUCER, version=closed.version - 1)
    assert stale.value.code == "conflict"


async def test_the_phase_switch_cannot_end_a_broadcast(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Live -> closed by the phase switch alone (the admin API's, the CLI's)
    is refused and changes nothing: the queue, the question on air and the
    approved ones stay for the wrap-up, which alone ends the broadcast."""
    a, b, c = await queued(store, actions, dialogue, 3)
    await actions.moderation.act(dialogue, c, "dequeue", {}, PRODUCER)
    await actions.broadcast.next(dialogue, PRODUCER, current="")  # a on air
    with pytest.raises(Refused) as refused:
        await actions.dialogues.set_status(dialogue, "closed", PRODUCER, dialogue.version)
    assert (refused.value.code, refused.value.field) == ("conflict", "status")
    after = await actions.dialogues.get(dialogue.slug)
    assert (after.status, after.version, after.closed_at) == (
        DialogueStatus.LIVE,
        dialogue.version,
        None,
    )
    assert await store.questions.on_air_id(dialogue.id) == a
    assert await store.questions.queue_ids(dialogue.id) == [b]

    ended = await actions.closing.close(after, PRODUCER, version=after.version)
    assert ended["dialogue"].status is DialogueStatus.CLOSED
    assert [r["id"] for r in ended["results"] if r["ok"]] == [a, b, c]


async def test_the_wrap_up_owes_only_the_questions_the_producer_was_shown(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """The producer saw two questions; a moderator approved a third meanwhile:
    the wrap-up with the two ids shown is refused (409 ``questions``) and
    changes nothing; with the list read again it owes the three."""
    a, b = await queued(store, actions, dialogue, 2)
    shown = [q["id"] for q in (await actions.closing.plan(dialogue))["questions"]]
    assert shown == [a, b]
    late = await pending(store, actions, dialogue, 7)
    await actions.moderation.act(dialogue, late, "approve", {}, MODERATOR)

    with pytest.raises(Refused) as refused:
        await actions.closing.close(dialogue, PRODUCER, {}, dialogue.version, shown)
    assert (refused.value.code, refused.value.field) == ("conflict", "questions")
    after = await actions.dialogues.get(dialogue.slug)
    assert (after.status, after.version) == (DialogueStatus.LIVE, dialogue.version)
    assert (await actions.moderation.question(dialogue, late)).status is Status.APPROVED

    shown = [q["id"] for q in (await actions.closing.plan(after))["questions"]]
    assert shown == [a, b, late]
    closed = await actions.closing.close(after, PRODUCER, {}, after.version, shown)
    assert [r["id"] for r in closed["results"] if r["ok"]] == [a, b, late]
