"""Questions in Redis: idempotent submit, versioned transitions under races,
the on-air slot, votes, snapshots and resume."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from redis.asyncio import Redis

from server.actions import Services
from server.domain.model import Dialogue, Status
from server.domain.wording import Refused
from server.store import keys
from server.store.connection import Store
from tests.support.streams import newest, oldest

from .conftest import MODERATOR, MODERATOR2, PRODUCER, payload

#: A replay bound no test here comes near.
ANY = 1000


async def intake_all(store: Store, actions: Services) -> None:
    worker = store.intake_worker(
        store.dialogues.ids, actions.intake.materialise, "test-node", 30, 5
    )
    await worker.run_once()


async def pending(store: Store, actions: Services, dialogue: Dialogue, n: int = 0) -> str:
    submitted = await actions.submissions.submit(dialogue, payload(n))
    await intake_all(store, actions)
    q = await store.questions.get(dialogue.id, submitted.question_id)
    assert q is not None and q.status is Status.PENDING
    return q.id


async def test_same_submission_id_gives_one_question(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """The same submission_id twice: one question, the same tracking code."""
    first = await actions.submissions.submit(dialogue, payload(submission_id="3f2a9c1e-retry"))
    again = await actions.submissions.submit(dialogue, payload(submission_id="3f2a9c1e-retry"))
    assert (again.tracking_code, again.question_id, again.created) == (
        first.tracking_code,
        first.question_id,
        False,
    )
    assert await redis.xlen(keys.inbox(dialogue.id)) == 1
    assert await redis.get(keys.prefix(dialogue.id) + "seq") == "1"


async def test_concurrent_retries_make_one_question(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Twenty simultaneous retries of one submission make exactly one question."""
    results = await asyncio.gather(
        *(
            actions.submissions.submit(dialogue, payload(submission_id="burst-000001"))
            for _ in range(20)
        )
    )
    assert len({r.tracking_code for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert await redis.xlen(keys.inbox(dialogue.id)) == 1


async def test_tracking_answers_from_the_202(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A tracking code answers `received` before intake, `pending` after."""
    submitted = await actions.submissions.submit(dialogue, payload())
    assert (await actions.tracking.view(submitted.tracking_code))["status"] == "received"
    await intake_all(store, actions)
    assert (await actions.tracking.view(submitted.tracking_code))["status"] == "pending"


async def test_contact_is_stored_apart(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Contact data lives in its own key, with consent time, never in the question or an event."""
    submitted = await actions.submissions.submit(
        dialogue, payload(contact={"phone": "0912 345 678", "email": "an@example.vn"}, consent=True)
    )
    await intake_all(store, actions)
    contact = await store.questions.contact(dialogue.id, submitted.question_id)
    assert contact["phone"] == "+84912345678" and contact["email"] == "an@example.vn"
    assert contact["consent_at"] and contact["notice_version"]
    raw_question = await redis.hget(keys.question(dialogue.id, submitted.question_id), "doc")
    events = await redis.xrange(keys.events(dialogue.id))
    inbox = await redis.xrange(keys.inbox(dialogue.id))
    for blob in [raw_question, repr(events), repr(inbox)]:
        assert "912345678" not in str(blob) and "an@example.vn" not in str(blob)


async def test_two_moderators_race_exactly_one_wins(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Two moderators act on the same question at once, 50 times: one wins, the other gets 409."""
    for n in range(50):
        qid = await pending(store, actions, dialogue, n)
        moves = [
            actions.moderation.act(dialogue, qid, "approve", {"version": 1}, MODERATOR),
            actions.moderation.act(
                dialogue, qid, "reject", {"version": 1, "reason": "spam"}, MODERATOR2
            ),
        ]
        results = await asyncio.gather(*moves, return_exceptions=True)
        wins = [r for r in results if not isinstance(r, BaseException)]
        losses = [r for r in results if isinstance(r, Refused)]
        assert len(wins) == 1 and len(losses) == 1, results
        assert losses[0].code == "conflict"
        stored = await store.questions.get(dialogue.id, qid)
        assert stored is not None and stored.status is wins[0].status and stored.version == 2
        members = [await redis.zscore(keys.by_status(dialogue.id, s.value), qid) for s in Status]
        assert sum(m is not None for m in members) == 1  # indexed under exactly one state


async def test_racing_without_versions_still_one_wins(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Without an expected version, the store still lets one of two approvals through."""
    for n in range(30):
        qid = await pending(store, actions, dialogue, n)
        results = await asyncio.gather(
            actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR),
            actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR2),
            return_exceptions=True,
        )
        assert sorted(type(r).__name__ for r in results) == ["Question", "Refused"]
        events = await oldest(redis, keys.events(dialogue.id))
        assert [e[1]["type"] for e in events].count("question.approved") == n + 1


async def test_one_question_on_air(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Putting a question on air moves the one on air to the head of the queue, with both events."""
    a, b, c = [await pending(store, actions, dialogue, n) for n in range(3)]
    for qid in (a, b, c):
        await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
        await actions.moderation.act(dialogue, qid, "queue", {}, PRODUCER)
    await actions.moderation.act(dialogue, a, "on_air", {}, PRODUCER)
    await actions.moderation.act(dialogue, c, "on_air", {}, PRODUCER)
    assert await store.questions.on_air_id(dialogue.id) == c
    queue = await redis.zrange(keys.queue(dialogue.id), 0, -1)
    assert queue == [a, b]
    last = await newest(redis, keys.events(dialogue.id), count=3)
    assert [e[1]["type"] for e in reversed(last)] == [
        "question.returned",
        "question.on_air",
        "queue.changed",
    ]
    page, _ = await store.questions.page(dialogue.id, Status.QUEUED, 10, None)
    assert [q.id for q in page] == [a, b]


async def test_concurrent_on_air_leaves_one(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Two producers put two questions on air at once: at most one is on air after."""
    for round_ in range(10):
        ids = [await pending(store, actions, dialogue, round_ * 2 + n) for n in range(2)]
        for qid in ids:
            await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
        await asyncio.gather(
            *(actions.moderation.act(dialogue, qid, "on_air", {}, PRODUCER) for qid in ids),
            return_exceptions=True,
        )
        on_air = await redis.zrange(keys.by_status(dialogue.id, "on_air"), 0, -1)
        assert len(on_air) == 1
        assert await store.questions.on_air_id(dialogue.id) == on_air[0]
        await actions.moderation.act(
            dialogue, on_air[0], "answer", {"text": "Đã trả lời."}, PRODUCER
        )


async def test_merge_moves_askers_and_votes(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Merging adds the source's askers and votes to the target, atomically."""
    source, target = [await pending(store, actions, dialogue, n) for n in range(2)]
    for qid in (source, target):
        await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
    await actions.submissions.vote(dialogue, source, "voter-aaaaaaaa")
    await actions.submissions.vote(dialogue, source, "voter-bbbbbbbb")
    await actions.submissions.vote(dialogue, target, "voter-cccccccc")
    await actions.moderation.act(dialogue, source, "merge", {"into": target}, MODERATOR)
    merged = await store.questions.get(dialogue.id, target)
    assert merged is not None and (merged.asked_by, merged.votes) == (2, 3)
    gone = await store.questions.get(dialogue.id, source)
    assert gone is not None
    view = await actions.tracking.view(gone.tracking_code)
    assert view["status"] == "merged" and view["merged_into"]["id"] == target


async def test_votes_once_per_voter(store: Store, actions: Services, dialogue: Dialogue) -> None:
    """A voter counts once; unpublished questions take no votes."""
    qid = await pending(store, actions, dialogue)
    with pytest.raises(Refused):
        await actions.submissions.vote(dialogue, qid, "voter-aaaaaaaa")
    await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
    assert await actions.submissions.vote(dialogue, qid, "voter-aaaaaaaa") == 1
    assert await actions.submissions.vote(dialogue, qid, "voter-aaaaaaaa") == 1
    assert await actions.submissions.vote(dialogue, qid, "voter-bbbbbbbb") == 2


async def test_resume_after_and_reset(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Events after an id come in order; unknown, future or trimmed ids ask for a
    snapshot, and so does an id more than ``limit`` events behind."""
    qid = await pending(store, actions, dialogue)
    first = await store.events.last_id(dialogue.id)
    await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
    await actions.moderation.act(dialogue, qid, "queue", {}, PRODUCER)
    missed = await store.events.after(dialogue.id, first, limit=3)
    assert missed is not None and [e.type for e in missed] == [
        "question.approved",
        "question.queued",
        "queue.changed",
    ]
    assert await store.events.after(dialogue.id, first, limit=2) is None
    assert await store.events.after(dialogue.id, "9999999999999-0", limit=ANY) is None
    assert await store.events.after(dialogue.id, "not-an-id", limit=ANY) is None
    for refused_by_redis in (f"{2**64}-0", f"0-{2**64}", "\u0661-\u0660", "\u00b2-0", "1-1\n"):
        assert await store.events.after(dialogue.id, refused_by_redis, limit=ANY) is None
    all_events = await store.events.after(dialogue.id, "0-0", limit=4)
    assert all_events is not None and len(all_events) == 4
    assert await store.events.after(dialogue.id, "0-0", limit=3) is None
    await redis.xtrim(keys.events(dialogue.id), maxlen=1, approximate=False)
    assert await store.events.after(dialogue.id, first, limit=ANY) is None
    assert await store.events.after(dialogue.id, "0-0", limit=ANY) is None


async def test_a_replay_starts_with_the_counts_voted_just_before_it(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """The votes of each question last voted on in the look-back before the
    id resumed after come first, under that id; then the events after it.
    The set of questions voted on keeps only the look-back's span."""
    one, two, three = [await pending(store, actions, dialogue, n) for n in range(3)]
    for qid in (one, two, three):
        await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
    await redis.zadd(keys.voted(dialogue.id), {three: 0})  # voted on long ago
    for n in range(3):
        await actions.submissions.vote(dialogue, one, f"voter-one-{n}")
    await actions.submissions.vote(dialogue, two, "voter-two-0")
    assert await redis.zscore(keys.voted(dialogue.id), three) is None
    await actions.moderation.act(dialogue, one, "queue", {}, PRODUCER)
    after = await store.events.last_id(dialogue.id)
    missed = await actions.feeds.missed(dialogue, after)
    assert missed is not None
    assert sorted((e.id, e.type, e.question_id, e.votes) for e in missed) == [
        (after, "votes.changed", one, 3),
        (after, "votes.changed", two, 1),
    ]
    await actions.submissions.vote(dialogue, two, "voter-two-1")
    missed = await actions.feeds.missed(dialogue, after)
    assert missed is not None
    assert [(e.type, e.question_id, e.votes) for e in missed[-1:]] == [("votes.changed", two, 2)]
    # Voted on since: left out, its votes after the id being in the replay
    # (unless the new vote fell in the id's own ms).
    assert {e.question_id for e in missed[:-1]} in ({one}, {one, two})
    assert all(e.id == after for e in missed[:-1])


async def test_pages_walk_every_question_once(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Paging by state, by official and over all states visits each question once, in order."""
    ids = [await pending(store, actions, dialogue, n) for n in range(7)]
    for qid in ids[::2]:
        await actions.moderation.act(dialogue, qid, "assign", {"official_id": "o1"}, MODERATOR)

    async def walk(status: Status | None, official: str | None = None) -> list[str]:
        seen: list[str] = []
        cursor: str | None = None
        while True:
            page, cursor = await store.questions.page(dialogue.id, status, 2, cursor, official)
            assert len(page) <= 2
            seen.extend(q.id for q in page)
            if cursor is None:
                return seen

    assert await walk(Status.PENDING) == ids
    assert await walk(None) == ids
    assert await walk(Status.PENDING, "o1") == ids[::2]
    assert await walk(None, "nobody") == []


async def test_contact_data_can_be_forgotten(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """The asker deletes their contact data by tracking code; retention purges old contact data."""
    contact = {"contact": {"phone": "0912345678"}, "consent": True}
    mine = await actions.submissions.submit(dialogue, payload(1, **contact))
    old = await actions.submissions.submit(dialogue, payload(2, **contact))
    assert await actions.tracking.forget_contact(mine.tracking_code) is True
    assert await store.questions.contact(dialogue.id, mine.question_id) == {}
    assert await actions.tracking.forget_contact(mine.tracking_code) is False
    with pytest.raises(Refused):
        await actions.tracking.forget_contact("ABCD-EFGHJ-KMNPQ")
    assert await actions.tracking.purge_contacts(timedelta(days=30)) == 0
    assert await actions.tracking.purge_contacts(timedelta(seconds=-1)) == 1
    assert await store.questions.contact(dialogue.id, old.question_id) == {}
    assert (
        await store.questions.get(dialogue.id, old.question_id)
    ) is not None  # the question stays


async def test_a_citizens_deletion_is_audited_without_the_data(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Deleting one's contact data leaves an entry in the dialogue's audit
    trail: who (the citizen), what, on which question; never the data, nor
    the tracking code. Nothing deleted, nothing recorded."""
    contact = {"contact": {"phone": "0912345678", "email": "a@example.vn"}, "consent": True}
    mine = await actions.submissions.submit(dialogue, payload(3, **contact))
    before = len(await store.audit.read(dialogue.id))
    assert await actions.tracking.forget_contact(mine.tracking_code) is True
    rows = await store.audit.read(dialogue.id)
    assert len(rows) == before + 1
    entry = rows[-1].entry
    assert (entry["actor"], entry["action"], entry["question"]) == (
        "citizen",
        "contact.deleted",
        mine.question_id,
    )
    text = json.dumps(entry, ensure_ascii=False)
    for secret in ("0912345678", "84912345678", "a@example.vn", mine.tracking_code):
        assert secret not in text
    assert await actions.tracking.forget_contact(mine.tracking_code) is False
    assert len(await store.audit.read(dialogue.id)) == before + 1
    assert await store.audit.verify(dialogue.id) == []
