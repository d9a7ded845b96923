"""Intake: a consumer group per inbox, takeover from dead consumers,
exactly-once effect, dead letters."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from server.actions import Services
from server.domain.model import Dialogue, Status
from server.store import keys
from server.store.connection import Store
from server.store.intake import Intake

from .conftest import payload


def worker(
    store: Store, actions: Services, name: str, claim_idle: float = 30.0, handle=None
) -> Intake:  # type: ignore[no-untyped-def]
    return store.intake_worker(
        store.dialogues.ids, handle or actions.intake.materialise, name, claim_idle, 5
    )


async def received_events(store: Store, dialogue: Dialogue) -> list[str]:
    events = await store.events.after(dialogue.id, "0-0", limit=10_000) or []
    return [e.type for e in events if e.type == "question.received"]


async def test_dead_consumer_is_taken_over(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A consumer read an entry and died before XACK: another takes it over;
    the question exists exactly once."""
    submitted = await actions.submissions.submit(dialogue, payload())
    dead = worker(store, actions, "node-dead")
    await dead._streams()  # make the group
    read = await redis.xreadgroup(keys.INTAKE_GROUP, "node-dead", {keys.inbox(dialogue.id): ">"})
    assert len(read[0][1]) == 1  # it read the entry ... and died here, without XACK
    alive = worker(store, actions, "node-alive", claim_idle=0.05)
    await alive.run_once()  # too early: the entry is not idle long enough yet
    await asyncio.sleep(0.1)
    await alive.run_once()
    q = await store.questions.get(dialogue.id, submitted.question_id)
    assert q is not None and q.status is Status.PENDING and q.version == 1
    assert await received_events(store, dialogue) == ["question.received"]
    summary = await redis.xpending(keys.inbox(dialogue.id), keys.INTAKE_GROUP)
    assert summary["pending"] == 0
    pending_ids, _ = await store.questions.page(dialogue.id, Status.PENDING, 10, None)
    assert [p.id for p in pending_ids] == [submitted.question_id]


async def test_redelivery_after_materialise_changes_nothing(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Materialising the same entry twice (a retry after a lost XACK) writes once."""
    submitted = await actions.submissions.submit(dialogue, payload())
    entry_id = (await redis.xrange(keys.inbox(dialogue.id)))[0][0]
    await worker(store, actions, "n1")._streams()
    await actions.intake.materialise(dialogue.id, submitted.question_id, entry_id)
    await actions.intake.materialise(dialogue.id, submitted.question_id, entry_id)
    q = await store.questions.get(dialogue.id, submitted.question_id)
    assert q is not None and q.version == 1
    assert await received_events(store, dialogue) == ["question.received"]


async def test_restarted_node_takes_up_its_own_entries(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A node restarted under the same consumer name finishes what it had read, at once."""
    submitted = await actions.submissions.submit(dialogue, payload())
    before = worker(store, actions, "node-a")
    await before._streams()
    await redis.xreadgroup(keys.INTAKE_GROUP, "node-a", {keys.inbox(dialogue.id): ">"})
    restarted = worker(store, actions, "node-a", claim_idle=3600)
    await restarted.run_once()
    q = await store.questions.get(dialogue.id, submitted.question_id)
    assert q is not None and q.status is Status.PENDING


async def test_poison_entry_goes_to_dead_letters(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """An entry that fails every time is dead-lettered after 5 deliveries, not retried forever."""
    submitted = await actions.submissions.submit(dialogue, payload())
    calls = []

    async def failing(dialogue_id: str, question_id: str, entry_id: str) -> None:
        calls.append(entry_id)
        raise RuntimeError("screening crashed")

    broken = worker(store, actions, "node-b", claim_idle=0.01, handle=failing)
    for _ in range(8):
        await broken.run_once()
        await asyncio.sleep(0.02)
    dead = await redis.xrange(keys.dead_letters(dialogue.id))
    assert len(dead) == 1 and dead[0][1]["qid"] == submitted.question_id
    assert int(dead[0][1]["deliveries"]) == 5
    assert len(calls) == 5
    summary = await redis.xpending(keys.inbox(dialogue.id), keys.INTAKE_GROUP)
    assert summary["pending"] == 0


async def test_run_loop_materialises_new_dialogues(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """The running loop picks up questions, also in a dialogue created after it started."""
    task = asyncio.create_task(worker(store, actions, "node-loop").run())
    try:
        later = await actions.dialogues.create(slug="later", title="Later", status="open")
        first = await actions.submissions.submit(dialogue, payload())
        second = await actions.submissions.submit(later, payload())
        for _ in range(100):
            a = await store.questions.get(dialogue.id, first.question_id)
            b = await store.questions.get(later.id, second.question_id)
            if a and b and a.status is b.status is Status.PENDING:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("intake did not materialise both questions")
    finally:
        task.cancel()
