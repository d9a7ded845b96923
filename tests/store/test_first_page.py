"""The first message a viewer gets is bounded whatever the dialogue's size,
older public questions page over HTTP each once, and the staff snapshot
carries only the questions that need work, the finished ones paging on
demand (issue 15 item 5, issue 16 item 3)."""

from __future__ import annotations

from collections import Counter

import pytest
from redis.asyncio import Redis

from server.actions import Services
from server.actions.feeds import FIRST_BYTES, size
from server.domain.lifecycle import FINISHED_STATES, OPEN_STATES
from server.domain.model import PUBLIC_STATUSES, Dialogue, Status
from server.realtime.messages import snapshot
from server.store import keys
from server.store.connection import Store
from tests.support.bulk import seed

from .conftest import MODERATOR

BIG = 20_000


@pytest.fixture
async def big(redis: Redis, dialogue: Dialogue) -> dict[str, Status]:
    return await seed(redis, dialogue, BIG)


async def test_the_first_message_is_bounded_at_20000_questions(
    actions: Services, dialogue: Dialogue, big: dict[str, Status]
) -> None:
    """The WebSocket snapshot (envelope and all) is at most 64 KiB at 20,000
    questions, one in seven of them 2,000 characters long, and carries what
    a viewer needs first: the question on air, the head of the queue, the
    newest answered, the most supported open ones, the newest, with counts."""
    feed = await actions.feeds.public(dialogue)
    for reset in (False, True):
        assert len(snapshot(dialogue, feed, reset=reset)) <= FIRST_BYTES
    assert len(snapshot(dialogue, feed, reset=True)) > FIRST_BYTES // 2  # filled
    given = {q["id"]: q for q in feed["questions"]}
    on_air = next(i for i, s in big.items() if s is Status.ON_AIR)
    assert feed["on_air"] is not None and feed["on_air"]["id"] == on_air and on_air in given
    queued = sorted((i for i, s in big.items() if s is Status.QUEUED), key=int)
    assert feed["queue"] == queued[:20]
    assert set(queued[:3]) <= set(given)
    answered = sorted((i for i, s in big.items() if s is Status.ANSWERED), key=int)
    assert answered[-1] in given
    assert any(q["votes"] == 40 and q["status"] in ("approved", "queued") for q in given.values())
    assert all(Status(q["status"]) in PUBLIC_STATUSES for q in given.values())
    counts = Counter(s.value for s in big.values() if s in PUBLIC_STATUSES)
    assert feed["counts"] == {s.value: counts[s.value] for s in Status if s in PUBLIC_STATUSES}
    # The newest published questions down to the cursor, without a gap.
    cursor = feed["next_before"]
    assert cursor is not None
    public = sorted((i for i, s in big.items() if s in PUBLIC_STATUSES), key=int, reverse=True)
    newest = [i for i in public if int(i) >= int(cursor)]
    assert newest and set(newest) <= set(given)


async def test_paging_gives_every_public_question_once(
    actions: Services, dialogue: Dialogue, big: dict[str, Status]
) -> None:
    """From the first page's cursor to a null one, each page newest first and
    bounded: with the first page's newest questions, every published question
    of the 20,000, each exactly once."""
    feed = await actions.feeds.public(dialogue)
    cursor = feed["next_before"]
    assert cursor is not None
    seen = [q["id"] for q in feed["questions"] if int(q["id"]) >= int(cursor)]
    pages = 0
    while cursor is not None:
        page = await actions.feeds.older(dialogue, int(cursor))
        ids = [q["id"] for q in page["questions"]]
        assert ids and ids == sorted(ids, key=int, reverse=True) and int(ids[0]) < int(cursor)
        assert size(page) <= FIRST_BYTES
        seen.extend(ids)
        cursor = page["next_before"]
        pages += 1
    public = [i for i, s in big.items() if s in PUBLIC_STATUSES]
    assert len(seen) == len(set(seen)) == len(public) and set(seen) == set(public)
    assert pages > 100  # 50 or fewer a page


async def test_a_small_dialogue_fits_whole(
    store: Store, actions: Services, redis: Redis, dialogue: Dialogue
) -> None:
    """Under the bound, the first page is every published question and no cursor."""
    states = await seed(redis, dialogue, 30, long_every=1000)
    feed = await actions.feeds.public(dialogue)
    public = {i for i, s in states.items() if s in PUBLIC_STATUSES}
    assert {q["id"] for q in feed["questions"]} == public
    assert feed["next_before"] is None


async def test_the_staff_snapshot_leaves_finished_questions_to_the_history(
    actions: Services, dialogue: Dialogue, redis: Redis
) -> None:
    """The console's snapshot carries every question that needs work and none
    that is finished, and counts those; the history pages through every
    finished one exactly once, newest first."""
    states = await seed(redis, dialogue, 3_000, long_every=1000)
    feed = await actions.feeds.staff(dialogue)
    given = [q["id"] for q in feed["questions"]]
    assert set(given) == {i for i, s in states.items() if s in OPEN_STATES}
    finished = [i for i, s in states.items() if s in FINISHED_STATES]
    assert finished and not set(given) & set(finished)
    counts = Counter(states[i].value for i in finished)
    assert feed["finished"] == {s.value: counts[s.value] for s in Status if s in FINISHED_STATES}
    seen: list[str] = []
    before: int | None = None
    while True:
        items, cursor = await actions.moderation.history(
            dialogue, MODERATOR, before=before, limit=97
        )
        assert len(items) <= 97 and all(Status(q["status"]) in FINISHED_STATES for q in items)
        seen.extend(q["id"] for q in items)
        if cursor is None:
            break
        before = int(cursor)
    assert seen == sorted(finished, key=int, reverse=True)


async def test_votes_rank_the_most_supported_after_a_merge(
    store: Store, actions: Services, redis: Redis, dialogue: Dialogue
) -> None:
    """The most supported open questions come from every vote, a merge's
    moved votes included."""
    from .test_questions import pending

    ids = [await pending(store, actions, dialogue, n) for n in range(3)]
    for qid in ids:
        await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
    for n in range(3):
        await actions.submissions.vote(dialogue, ids[1], f"voter-{n:08d}")
    await actions.submissions.vote(dialogue, ids[2], "voter-99999999")
    await actions.moderation.act(dialogue, ids[1], "merge", {"into": ids[0]}, MODERATOR)
    front = await store.questions.front(
        dialogue.id, PUBLIC_STATUSES, newest=0, answered=0, top=10, queue=0
    )
    assert front.top == [ids[0], ids[2]]


async def test_votes_cast_before_the_votes_set_rank_too(
    store: Store, actions: Services, redis: Redis, dialogue: Dialogue
) -> None:
    """A dialogue whose votes came before the votes set was kept (only in the
    questions): the first public snapshot builds it, once."""
    states = await seed(redis, dialogue, 300, long_every=1000)
    await redis.delete(keys.votes(dialogue.id), keys.votes_ready(dialogue.id))
    front = await store.questions.front(
        dialogue.id, PUBLIC_STATUSES, newest=0, answered=0, top=10, queue=0
    )
    assert len(front.top) == 10
    assert all(states[qid] in (Status.APPROVED, Status.QUEUED) for qid in front.top)
    assert await redis.exists(keys.votes_ready(dialogue.id))
