"""The broadcast through Services on real Redis: next question, queue moves,
routing suggestions, the archive."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from server.actions import Services
from server.domain.model import Actor, Dialogue, Role, Status
from server.domain.wording import Refused
from server.store import keys
from server.store.connection import Store

from .conftest import MODERATOR, PRODUCER
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


async def test_next_question_walks_the_queue(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Next puts the head on air; the one on air goes back to the head or is deferred."""
    a, b, c = await queued(store, actions, dialogue, 3)
    assert (await actions.broadcast.next(dialogue, PRODUCER, current="")).id == a
    assert (await actions.broadcast.next(dialogue, PRODUCER, "back", a)).id == b
    assert await queue_order(store, dialogue) == [a, c]
    assert (await actions.broadcast.next(dialogue, PRODUCER, "defer", b)).id == a
    deferred = await store.questions.get(dialogue.id, b)
    assert deferred is not None and deferred.status is Status.DEFERRED and deferred.deferred_at
    await actions.moderation.act(dialogue, a, "answer", {"text": "Đã trả lời trực tiếp."}, PRODUCER)
    assert await store.questions.on_air_id(dialogue.id) is None
    assert (await actions.broadcast.next(dialogue, PRODUCER, current="")).id == c
    with pytest.raises(Refused) as empty:
        await actions.broadcast.next(dialogue, PRODUCER, "defer", c)
    assert empty.value.code == "conflict"


async def test_next_question_refuses_stale_and_wrong_callers(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A stale view of the on-air slot, a bad `then` or a non-producer are refused."""
    await queued(store, actions, dialogue, 2)
    first = await actions.broadcast.next(dialogue, PRODUCER)
    with pytest.raises(Refused) as stale:
        await actions.broadcast.next(dialogue, PRODUCER, current="")
    assert stale.value.code == "conflict"
    with pytest.raises(Refused) as bad:
        await actions.broadcast.next(dialogue, PRODUCER, "skip", first.id)
    assert bad.value.code == "invalid" and bad.value.field == "then"
    for actor in (MODERATOR, OFFICIAL):
        with pytest.raises(Refused) as refused:
            await actions.broadcast.next(dialogue, actor, current=first.id)
        assert refused.value.code == "forbidden"


async def test_two_producers_press_next_at_once(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Of two producers pressing next against the same view, exactly one wins, every time."""
    await queued(store, actions, dialogue, 21)
    on_air = ""
    for _ in range(10):
        results = await asyncio.gather(
            actions.broadcast.next(dialogue, PRODUCER, "defer", on_air),
            actions.broadcast.next(dialogue, PRODUCER2, "defer", on_air),
            return_exceptions=True,
        )
        wins = [r for r in results if not isinstance(r, BaseException)]
        assert len(wins) == 1 and isinstance(results[results.index(wins[0]) - 1], Refused)
        on_air_now = await redis.zrange(keys.by_status(dialogue.id, "on_air"), 0, -1)
        assert on_air_now == [wins[0].id] == [await store.questions.on_air_id(dialogue.id)]
        on_air = wins[0].id


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
    assert view["suggested_official"]["id"] == "o1" and view["official"] is None
    await actions.moderation.act(routed, qid, "assign", {"official_id": "o1"}, MODERATOR)
    view = await actions.moderation.staff_view(
        routed, await actions.moderation.question(routed, qid), MODERATOR
    )
    assert view["suggested_official"] is None and view["official"]["id"] == "o1"


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
    await actions.moderation.act(dialogue, a, "answer", {"text": "Trả lời trực tiếp."}, OFFICIAL)
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
    kinds = {q["id"]: q["answer"]["kind"] for g in archive["by_topic"] for q in g["questions"]}
    assert kinds == {a: "live", b: "written"}


async def test_phase_changes_emit_dialogue_updated(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Closing the dialogue stops submissions and tells every feed."""
    closed = await actions.dialogues.set_status(dialogue, "closed")
    assert closed.closed_at is not None
    last = await redis.xrevrange(keys.events(dialogue.id), count=1)
    assert last[0][1]["type"] == "dialogue.updated"
    with pytest.raises(Refused) as refused:
        await actions.submissions.submit(
            closed, {"text": "Câu hỏi sau khi kết thúc?", "name": "Lê Văn C"}
        )
    assert refused.value.code == "not_accepting"
