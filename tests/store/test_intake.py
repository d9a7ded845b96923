"""Intake: a consumer group per inbox, takeover from dead consumers,
exactly-once effect, dead letters.

How long an entry has been idle is Redis's own count (XPENDING's idle
time), which no test can move; so no test waits for it either: a worker
that must not take an entry over yet has a claim threshold of an hour, and
one that may has none."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

from server.actions import Services
from server.domain.model import Dialogue, Status
from server.store import keys
from server.store.connection import Store
from server.store.errors import StoreUnavailable
from server.store.intake import Handler, Intake
from tests.support.streams import oldest
from tests.support.waiting import eventually

from .conftest import payload, status_of

#: Claim thresholds, seconds: an entry is never idle that long in a test, and
#: always at least that long.
NOT_YET = 3600.0
AT_ONCE = 0.0


def worker(
    store: Store, actions: Services, name: str, claim_idle: float, handle: Handler | None = None
) -> Intake:
    return store.intake_worker(
        store.dialogues.ids, handle or actions.intake.materialise, name, claim_idle, 5
    )


async def received_events(store: Store, dialogue: Dialogue) -> list[str]:
    events = await store.events.after(dialogue.id, "0-0", limit=10_000) or []
    return [e.type for e in events if e.type == "question.received"]


async def read_and_die(redis: Redis, dialogue: Dialogue, consumer: str) -> int:
    """``consumer`` reads the inbox's new entries and never acknowledges
    them (it died); how many it read."""
    # Any: redis-py's reply types do not follow the RESP2 replies the store's client asks for.
    read: Any = await redis.xreadgroup(keys.INTAKE_GROUP, consumer, {keys.inbox(dialogue.id): ">"})
    return len(read[0][1])


async def test_dead_consumer_is_taken_over(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A consumer read an entry and died before XACK: another takes it over
    once it counts as idle; the question exists exactly once."""
    submitted = await actions.submissions.submit(dialogue, payload())
    await worker(store, actions, "node-dead", NOT_YET)._streams()  # make the group
    assert await read_and_die(redis, dialogue, "node-dead") == 1
    await worker(store, actions, "node-patient", NOT_YET).run_once()  # not idle long enough
    q = await store.questions.get(dialogue.id, submitted.question_id)
    assert q is not None and q.status is Status.RECEIVED
    await worker(store, actions, "node-alive", AT_ONCE).run_once()
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
    entry_id, _ = (await oldest(redis, keys.inbox(dialogue.id)))[0]
    await worker(store, actions, "n1", NOT_YET)._streams()
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
    await worker(store, actions, "node-a", NOT_YET)._streams()
    await read_and_die(redis, dialogue, "node-a")
    await worker(store, actions, "node-a", NOT_YET).run_once()
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

    broken = worker(store, actions, "node-b", AT_ONCE, handle=failing)
    for _ in range(8):
        await broken.run_once()
    dead = await oldest(redis, keys.dead_letters(dialogue.id))
    assert len(dead) == 1 and dead[0][1]["qid"] == submitted.question_id
    assert int(dead[0][1]["deliveries"]) == 5
    assert len(calls) == 5
    summary = await redis.xpending(keys.inbox(dialogue.id), keys.INTAKE_GROUP)
    assert summary["pending"] == 0


async def test_run_loop_materialises_new_dialogues(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """The running loop picks up questions, also in a dialogue created after it started."""
    task = asyncio.create_task(worker(store, actions, "node-loop", NOT_YET).run())
    try:
        later = await actions.dialogues.create(slug="later", title="Later", status="open")
        first = await actions.submissions.submit(dialogue, payload())
        second = await actions.submissions.submit(later, payload())

        async def both_pending() -> bool:
            a = await store.questions.get(dialogue.id, first.question_id)
            b = await store.questions.get(later.id, second.question_id)
            return bool(a and b and a.status is b.status is Status.PENDING)

        await eventually(both_pending, "intake materialising both questions")
    finally:
        task.cancel()


async def test_an_entry_that_failed_here_is_retried_soon(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """An entry whose handling failed on this node is tried again within a
    second or so, not after the claim idle time (an hour here)."""
    submitted = await actions.submissions.submit(dialogue, payload())
    failures = [RuntimeError("screening crashed once")]

    async def flaky(dialogue_id: str, question_id: str, entry_id: str) -> None:
        if failures:
            raise failures.pop()
        await actions.intake.materialise(dialogue_id, question_id, entry_id)

    task = asyncio.create_task(worker(store, actions, "node-flaky", NOT_YET, flaky).run())
    try:

        async def pending() -> bool:
            return await status_of(store, dialogue, submitted.question_id) is Status.PENDING

        await eventually(pending, "the failed entry materialised on its retry")
        assert not failures
    finally:
        task.cancel()


async def test_after_a_redis_error_the_worker_takes_up_its_own_entries(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Redis failing mid-batch leaves entries read and not finished; the
    worker reads its own pending entries again on its next pass (XREADGROUP
    from 0), not after the claim idle time (an hour here)."""
    first = await actions.submissions.submit(dialogue, payload(1))
    second = await actions.submissions.submit(dialogue, payload(2))
    outages = [StoreUnavailable("ConnectionError", "Redis went away mid-batch")]

    async def cut_short(dialogue_id: str, question_id: str, entry_id: str) -> None:
        if outages:
            raise outages.pop()
        await actions.intake.materialise(dialogue_id, question_id, entry_id)

    task = asyncio.create_task(worker(store, actions, "node-cut", NOT_YET, cut_short).run())
    try:

        async def both_pending() -> bool:
            statuses = [await status_of(store, dialogue, q.question_id) for q in (first, second)]
            return statuses == [Status.PENDING, Status.PENDING]

        await eventually(both_pending, "both entries of the batch cut short materialised")
        assert not outages
        summary = await redis.xpending(keys.inbox(dialogue.id), keys.INTAKE_GROUP)
        assert summary["pending"] == 0
    finally:
        task.cancel()


def batch_worker(store: Store, actions: Services, name: str) -> Intake:
    """An intake worker process's consumer: entries read together are screened together."""
    return store.intake_worker(
        store.dialogues.ids,
        actions.intake.materialise,
        name,
        NOT_YET,
        5,
        batch=actions.intake.materialise_many,
    )


async def test_a_batch_is_screened_together_and_finds_its_own_duplicates(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Entries read in one XREADGROUP are screened as one batch: each once,
    all acknowledged, and a question finds an earlier one of the same batch
    as its duplicate (neither was written when the other was screened)."""
    texts = [
        "Xin hỏi khi nào tỉnh cấp chữ ký số miễn phí cho hộ kinh doanh cá thể?",
        "Khi nao tinh cap chu ky so mien phi cho ho kinh doanh ca the a?",
    ]
    ids = [
        (await actions.submissions.submit(dialogue, payload(n, text=t))).question_id
        for n, t in enumerate(
            texts + [f"Câu hỏi riêng số {n} về đường sá ở Huế?" for n in range(3)]
        )
    ]
    calls: list[int] = []

    async def counted(dialogue_id: str, entries: list[tuple[str, str]]) -> None:
        calls.append(len(entries))
        await actions.intake.materialise_many(dialogue_id, entries)

    worker = batch_worker(store, actions, "worker-1")
    worker._batch = counted
    await worker.run_once()
    assert calls == [len(ids)]
    for qid in ids:
        q = await store.questions.get(dialogue.id, qid)
        assert q is not None and q.status is Status.PENDING and q.version == 1
    second = await store.questions.get(dialogue.id, ids[1])
    assert second is not None and [d.id for d in second.duplicates] == [ids[0]]
    summary = await redis.xpending(keys.inbox(dialogue.id), keys.INTAKE_GROUP)
    assert summary["pending"] == 0
    # Delivered again (a worker that died before its acknowledgements were
    # read): only acknowledged, nothing written twice.
    entries = await store.questions.inbox_entries(dialogue.id)
    await actions.intake.materialise_many(dialogue.id, [(q, entries[q]) for q in ids])
    events = await store.events.after(dialogue.id, "0-0", limit=10_000) or []
    screened = [e.question_id or "" for e in events if e.type == "question.received"]
    assert sorted(screened) == sorted(ids)


async def test_a_batch_that_fails_is_handled_one_entry_at_a_time(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    ids = [(await actions.submissions.submit(dialogue, payload(n))).question_id for n in range(3)]

    async def broken(dialogue_id: str, entries: list[tuple[str, str]]) -> None:
        raise RuntimeError("a bug in the batch")

    worker = batch_worker(store, actions, "worker-1")
    worker._batch = broken
    await worker.run_once()
    for qid in ids:
        assert await status_of(store, dialogue, qid) is Status.PENDING
