"""The broadcast through Services on real Redis: next question, queue moves,
routing suggestions, the archive."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from server.actions import Services, build
from server.actions.broadcast import AirResult
from server.config import Settings
from server.domain.model import Actor, Dialogue, Role, Status
from server.domain.wording import Refused
from server.store import keys
from server.store.connection import Store
from tests.support.streams import newest

from .conftest import MODERATOR, PRODUCER, status_of
from .test_questions import pending

PRODUCER2 = Actor("producer2", frozenset({Role.PRODUCER}))
OFFICIAL = Actor("official", frozenset({Role.OFFICIAL}), "o1")


async def queued(store: Store, actions: Services, dialogue: Dialogue, n: int) -> list[str]:
    ids = [await pending(store, actions, dialogue, i) for i in range(n)]
    for qid in ids:
        await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
        await actions.moderation.act(dialogue, qid, "queue", {}, PRODUCER)
    return ids


async def queue_order(store: Store, dialogue: Dialogue) -> list[str]:
    queued, _ = await store.questions.page(dialogue.id, Status.QUEUED, 500, None)
    return [q.id for q in queued]


async def on_air_of(result: AirResult) -> str | None:
    return result.on_air.id if result.on_air else None


async def test_next_walks_the_queue_and_answers_what_was_on_air(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Next three times puts three questions on air in queue order; each one
    before is answered live (no summary yet, its moment in the recording
    kept); never a question twice."""
    a, b, c = await queued(store, actions, dialogue, 3)
    assert await on_air_of(await actions.broadcast.next(dialogue, PRODUCER, current="")) == a
    assert await on_air_of(await actions.broadcast.next(dialogue, PRODUCER, current=a)) == b
    assert await on_air_of(await actions.broadcast.next(dialogue, PRODUCER, current=b)) == c
    for qid in (a, b):
        q = await actions.moderation.question(dialogue, qid)
        assert q.status is Status.ANSWERED and q.answer is not None
        assert (q.answer.kind, q.answer.text, q.answer.by) == ("live", "", "producer")
        assert q.on_air_at is not None
    assert await queue_order(store, dialogue) == []
    last = await actions.broadcast.next(dialogue, PRODUCER, current=c)
    assert last.on_air is None and await store.questions.on_air_id(dialogue.id) is None
    assert await status_of(store, dialogue, c) is Status.ANSWERED
    with pytest.raises(Refused) as empty:
        await actions.broadcast.next(dialogue, PRODUCER, current="")
    assert empty.value.code == "conflict"


async def test_next_may_owe_the_answer_in_writing(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    a, b = await queued(store, actions, dialogue, 2)
    await actions.broadcast.next(dialogue, PRODUCER, current="")
    await actions.broadcast.next(dialogue, PRODUCER, "defer", a)
    deferred = await actions.moderation.question(dialogue, a)
    assert deferred.status is Status.DEFERRED and deferred.deferred_at
    assert await store.questions.on_air_id(dialogue.id) == b


async def test_skip_and_back_do_what_they_say(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Skip: the question on air waits at the end of the queue and the head
    goes on air. Back: it returns to the head, and nothing is on air."""
    a, b, c = await queued(store, actions, dialogue, 3)
    await actions.broadcast.next(dialogue, PRODUCER, current="")
    skipped = await actions.broadcast.skip(dialogue, PRODUCER, current=a)
    assert await on_air_of(skipped) == b
    assert await queue_order(store, dialogue) == [c, a]
    assert await status_of(store, dialogue, a) is Status.QUEUED
    back = await actions.broadcast.back(dialogue, PRODUCER, current=b)
    assert back.on_air is None and await store.questions.on_air_id(dialogue.id) is None
    assert await queue_order(store, dialogue) == [b, c, a]
    for air_change in (actions.broadcast.skip, actions.broadcast.back):
        with pytest.raises(Refused) as nothing:
            await air_change(dialogue, PRODUCER, "")
        assert nothing.value.code == "conflict"


async def test_undo_restores_the_previous_air(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Undo of next, skip or back puts every question back where the change
    found it: its state, its answer (none), its place in the queue, the
    on-air slot; an undo is not undone in turn."""
    a, b, c = await queued(store, actions, dialogue, 3)
    await actions.broadcast.next(dialogue, PRODUCER, current="")
    before = {q: await actions.moderation.question(dialogue, q) for q in (a, b, c)}
    moved = await actions.broadcast.next(dialogue, PRODUCER, current=a)
    assert moved.change is not None
    undone = await actions.broadcast.undo(dialogue, PRODUCER, moved.change.id)
    assert await on_air_of(undone) == a and undone.change is None
    assert await queue_order(store, dialogue) == [b, c]
    for qid, was in before.items():
        now = await actions.moderation.question(dialogue, qid)
        touched = 2 if qid in (a, b) else 0  # the change, then its undo
        assert (now.status, now.answer, now.version) == (
            was.status,
            was.answer,
            was.version + touched,
        )
    skipped = await actions.broadcast.skip(dialogue, PRODUCER, current=a)
    assert skipped.change is not None
    await actions.broadcast.undo(dialogue, PRODUCER)
    assert await store.questions.on_air_id(dialogue.id) == a
    assert await queue_order(store, dialogue) == [b, c]
    await actions.broadcast.back(dialogue, PRODUCER, current=a)
    await actions.broadcast.undo(dialogue, PRODUCER)
    assert await store.questions.on_air_id(dialogue.id) == a
    assert await queue_order(store, dialogue) == [b, c]
    with pytest.raises(Refused) as twice:
        await actions.broadcast.undo(dialogue, PRODUCER)
    assert twice.value.code == "conflict"


async def test_undo_refuses_when_a_question_changed_since_or_a_later_change_came(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    a, b, c = await queued(store, actions, dialogue, 3)
    first = await actions.broadcast.next(dialogue, PRODUCER, current="")
    await actions.moderation.act(dialogue, b, "note", {"text": "Đã chuẩn bị."}, MODERATOR)
    assert first.change is not None
    later = await actions.broadcast.next(dialogue, PRODUCER, current=a)
    with pytest.raises(Refused) as stale:
        await actions.broadcast.undo(dialogue, PRODUCER, first.change.id)
    assert stale.value.code == "conflict" and stale.value.field == "change"
    await actions.moderation.act(dialogue, a, "summarize", {"text": "Tóm tắt."}, PRODUCER)
    assert later.change is not None
    with pytest.raises(Refused) as changed:
        await actions.broadcast.undo(dialogue, PRODUCER, later.change.id)
    assert changed.value.code == "conflict"
    assert await store.questions.on_air_id(dialogue.id) == b
    assert await status_of(store, dialogue, c) is Status.QUEUED


async def test_undo_lasts_only_its_window(
    store: Store, dialogue: Dialogue, actions: Services
) -> None:
    """Past DOITHOAI_AIR_UNDO the change is forgotten (Redis expires it)."""
    brief = build(store, Settings(air_undo=0.001))
    await queued(store, actions, dialogue, 1)
    await brief.broadcast.next(dialogue, PRODUCER, current="")
    for _ in range(1000):  # Redis expires the key: wait on that state
        if await store.air.last(dialogue.id) is None:
            break
        await asyncio.sleep(0.01)
    with pytest.raises(Refused) as late:
        await brief.broadcast.undo(dialogue, PRODUCER)
    assert late.value.code == "conflict"


async def test_air_changes_refuse_stale_views_and_non_producers(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A stale view of the on-air slot, a bad `then` or a non-producer are refused."""
    await queued(store, actions, dialogue, 2)
    first = await actions.broadcast.next(dialogue, PRODUCER)
    assert first.on_air is not None
    with pytest.raises(Refused) as stale:
        await actions.broadcast.next(dialogue, PRODUCER, current="")
    assert stale.value.code == "conflict"
    with pytest.raises(Refused) as bad:
        await actions.broadcast.next(dialogue, PRODUCER, "back", first.on_air.id)
    assert bad.value.code == "invalid" and bad.value.field == "then"
    for actor in (MODERATOR, OFFICIAL):
        for change in (actions.broadcast.next, actions.broadcast.skip, actions.broadcast.back):
            with pytest.raises(Refused) as refused:
                await change(dialogue, actor, current=first.on_air.id)
            assert refused.value.code == "forbidden"
        with pytest.raises(Refused) as refused:
            await actions.broadcast.undo(dialogue, actor)
        assert refused.value.code == "forbidden"


async def test_two_producers_press_next_at_once(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Of two producers pressing next against the same view, exactly one wins, every time."""
    await queued(store, actions, dialogue, 21)
    on_air = ""
    for _ in range(10):
        results = await asyncio.gather(
            actions.broadcast.next(dialogue, PRODUCER, "answered", on_air),
            actions.broadcast.next(dialogue, PRODUCER2, "answered", on_air),
            return_exceptions=True,
        )
        wins = [r for r in results if isinstance(r, AirResult)]
        assert len(wins) == 1 and isinstance(results[results.index(wins[0]) - 1], Refused)
        assert wins[0].on_air is not None
        on_air_now = await redis.zrange(keys.by_status(dialogue.id, "on_air"), 0, -1)
        assert on_air_now == [wins[0].on_air.id] == [await store.questions.on_air_id(dialogue.id)]
        on_air = wins[0].on_air.id


async def test_the_queue_order_reaches_the_feeds(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Every change of the queue appends its new order; snapshots carry it."""
    a, b = await queued(store, actions, dialogue, 2)
    await actions.moderation.act(dialogue, b, "move", {"position": 0}, PRODUCER)
    last = await newest(redis, keys.events(dialogue.id), count=1)
    assert last[0][1]["type"] == "queue.changed" and last[0][1]["ids"] == f'["{b}","{a}"]'
    assert (await actions.feeds.public(dialogue))["queue"] == [b, a]
    assert (await actions.feeds.staff(dialogue))["queue"] == [b, a]
    await actions.broadcast.next(dialogue, PRODUCER, current="")
    await actions.broadcast.next(dialogue, PRODUCER, current=b)
    assert (await actions.feeds.public(dialogue))["queue"] == []
    last = await newest(redis, keys.events(dialogue.id), count=2)
    assert {"type": "queue.changed", "ids": "[]"} in [e[1] for e in last]


async def test_the_overlay_hides_and_shows_without_touching_the_air(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    (a,) = await queued(store, actions, dialogue, 1)
    await actions.broadcast.next(dialogue, PRODUCER, current="")
    assert (await actions.feeds.public(dialogue))["overlay"] == {"visible": True}
    await actions.broadcast.show_overlay(dialogue, PRODUCER, False)
    last = await newest(redis, keys.events(dialogue.id), count=1)
    assert last[0][1] == {"type": "overlay.changed", "visible": "0"}
    assert (await actions.feeds.public(dialogue))["overlay"] == {"visible": False}
    assert await store.questions.on_air_id(dialogue.id) == a
    await actions.broadcast.show_overlay(dialogue, PRODUCER, True)
    assert (await actions.feeds.staff(dialogue))["overlay"] == {"visible": True}
    with pytest.raises(Refused) as refused:
        await actions.broadcast.show_overlay(dialogue, MODERATOR, False)
    assert refused.value.code == "forbidden"
    with pytest.raises(Refused) as bad:
        await actions.broadcast.show_overlay(dialogue, PRODUCER, "no")
    assert bad.value.code == "invalid"


async def test_move_reorders_the_queue(store: Store, actions: Services, dialogue: Dialogue) -> None:
    """move puts a queued question at a position; the others keep their order."""
    a, b, c, d = await queued(store, actions, dialogue, 4)
    await actions.moderation.act(dialogue, d, "move", {"position": 0}, PRODUCER)
    assert await queue_order(store, dialogue) == [d, a, b, c]
    await actions.moderation.act(dialogue, d, "move", {"position": 2}, MODERATOR)
    assert await queue_order(store, dialogue) == [a, b, d, c]
    await actions.moderation.act(dialogue, a, "move", {"position": 99}, PRODUCER)
    assert await queue_order(store, dialogue) == [b, d, c, a]
    e = (await queued(store, actions, dialogue, 1))[0]
    await actions.moderation.act(dialogue, e, "dequeue", {}, PRODUCER)
    await actions.moderation.act(dialogue, e, "queue", {"position": 1}, PRODUCER)
    assert await queue_order(store, dialogue) == [b, e, d, c, a]


async def test_topic_default_is_suggested_until_routed(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """An unrouted question suggests its topic's default official; routing clears the suggestion."""
    routed = await actions.dialogues.update(dialogue, {"topic_officials": {"kinh-te-so": "o1"}})
    qid = await pending(store, actions, routed)
    await actions.moderation.act(routed, qid, "set_topic", {"topic": "kinh-te-so"}, MODERATOR)
    q = await actions.moderation.question(routed, qid)
    view = await actions.moderation.staff_view(routed, q, MODERATOR)
    suggested = view["suggested_official"]
    assert suggested is not None and suggested["id"] == "o1" and view["official"] is None
    await actions.moderation.act(routed, qid, "assign", {"official_id": "o1"}, MODERATOR)
    view = await actions.moderation.staff_view(
        routed, await actions.moderation.question(routed, qid), MODERATOR
    )
    official = view["official"]
    assert view["suggested_official"] is None and official is not None and official["id"] == "o1"


async def test_archive_groups_and_counts(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """The archive lists answered questions by topic and official, with the counts."""
    a, b, c = await queued(store, actions, dialogue, 3)
    for qid, topic in ((a, "kinh-te-so"), (b, "chinh-quyen-so")):
        await actions.moderation.act(dialogue, qid, "set_topic", {"topic": topic}, MODERATOR)
    await actions.moderation.act(dialogue, a, "assign", {"official_id": "o1"}, MODERATOR)
    await actions.moderation.act(dialogue, b, "assign", {"official_id": "o1"}, MODERATOR)
    await actions.broadcast.next(dialogue, PRODUCER)
    await actions.moderation.act(dialogue, a, "answer", {"text": "Trả lời trực tiếp."}, PRODUCER)
    await actions.moderation.act(dialogue, b, "defer", {}, PRODUCER)
    await actions.moderation.act(dialogue, b, "answer", {"text": "Trả lời bằng văn bản."}, OFFICIAL)
    await actions.moderation.act(dialogue, c, "defer", {}, PRODUCER)
    await pending(store, actions, dialogue, 9)
    archive = await actions.dialogues.archive(dialogue)
    assert archive["counts"] == {
        "received": 4,
        "answered_live": 1,
        "answered_written": 1,
        "owed": 1,
    }
    by_topic = {g["id"]: [q["id"] for q in g["questions"]] for g in archive["by_topic"]}
    assert by_topic == {"chinh-quyen-so": [b], "kinh-te-so": [a]}
    assert [g["id"] for g in archive["by_topic"]] == ["chinh-quyen-so", "kinh-te-so"]
    assert [(g["id"], len(g["questions"])) for g in archive["by_official"]] == [("o1", 2)]
    answers = {q["id"]: q["answer"] for g in archive["by_topic"] for q in g["questions"]}
    kinds = {qid: answer["kind"] if answer else None for qid, answer in answers.items()}
    assert kinds == {a: "live", b: "written"}
    assert [(q["id"], q["status"], q["due_at"]) for q in archive["owed"]] == [(c, "deferred", None)]


async def test_phase_changes_emit_dialogue_updated(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Ending the broadcast closes the dialogue: it stops submissions and tells every feed."""
    closed = (await actions.closing.close(dialogue, PRODUCER))["dialogue"]
    assert closed.closed_at is not None
    last = await newest(redis, keys.events(dialogue.id), count=1)
    assert last[0][1]["type"] == "dialogue.updated"
    with pytest.raises(Refused) as refused:
        await actions.submissions.submit(
            closed, {"text": "Câu hỏi sau khi kết thúc?", "name": "Lê Văn C"}
        )
    assert refused.value.code == "not_accepting"


async def test_a_staff_snapshot_names_the_phase_it_was_made_in(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A socket finds the dialogue as it opens, and the broadcast may end
    before its snapshot is read: the snapshot carries the dialogue as the
    store has it then (its phase, and the actions that phase allows), since
    the page never gets the events at or before its last_event_id."""
    (qid,) = await queued(store, actions, dialogue, 1)
    live = await actions.feeds.staff(dialogue)
    assert live["dialogue"]["status"] == "live"
    assert "dequeue" in str(live["action_sets"])
    await actions.closing.close(dialogue, PRODUCER)
    ended = await actions.feeds.staff(dialogue)  # the dialogue as the socket found it
    assert ended["dialogue"]["status"] == "closed"
    (view,) = [q for q in ended["questions"] if q["id"] == qid]
    assert view["action_set"].endswith("@closed"), view["action_set"]
