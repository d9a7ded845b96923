"""What /metrics and /readyz read from Redis (``store/watch.py``): each
dialogue's intake backlog (entries waiting and entries read but not
finished) and the age of its oldest, its dead letters and the events it
appended; and the ready probe's write."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from server.actions import Services
from server.domain.model import Dialogue
from server.metrics import DialogueGauges
from server.store import keys
from server.store.connection import Store

from .conftest import payload
from .test_intake import AT_ONCE, NOT_YET, read_and_die, worker


async def gauges(store: Store, dialogue: Dialogue) -> DialogueGauges:
    (found,) = [d for d in await store.watch.dialogues() if d.slug == dialogue.slug]
    return found


async def test_a_dialogue_without_an_inbox_yet(store: Store, dialogue: Dialogue) -> None:
    found = await gauges(store, dialogue)
    assert (found.backlog, found.lag_seconds, found.dead_intake, found.dead_notices) == (
        0,
        0.0,
        0,
        0,
    )


async def test_backlog_and_lag_follow_the_inbox(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Entries waiting and entries read by a consumer that died count in the
    backlog; the lag is the oldest one's age (by Redis's clock); intake
    taking them all brings both back to 0."""
    for n in range(3):
        await actions.submissions.submit(dialogue, payload(n))
    await worker(store, actions, "node-dead", NOT_YET)._streams()  # the group, nothing read
    waiting = await gauges(store, dialogue)
    assert waiting.backlog == 3
    # The oldest entry's age, from its id's milliseconds, against Redis's TIME.
    # Any: redis-py's reply types do not follow the RESP2 replies the store's client asks for.
    rows: Any = await redis.xrange(keys.inbox(dialogue.id), count=1)
    seconds, micros = await redis.time()
    age = (seconds * 1000 + micros // 1000 - int(str(rows[0][0]).split("-")[0])) / 1000
    assert 0 <= waiting.lag_seconds <= age

    assert await read_and_die(redis, dialogue, "node-dead") == 3
    read = await gauges(store, dialogue)
    assert read.backlog == 3 and read.lag_seconds >= waiting.lag_seconds

    await worker(store, actions, "node-alive", AT_ONCE).run_once()
    done = await gauges(store, dialogue)
    assert (done.backlog, done.lag_seconds) == (0, 0.0)
    assert done.events_appended >= 3  # a question.received each


async def test_dead_letters_are_counted(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    await redis.xadd(keys.dead_letters(dialogue.id), {"qid": "1"})
    await redis.xadd(keys.notice_dead_letters(dialogue.id), {"qid": "2"})
    await redis.xadd(keys.notice_dead_letters(dialogue.id), {"qid": "3"})
    found = await gauges(store, dialogue)
    assert (found.dead_intake, found.dead_notices) == (1, 2)


async def test_the_ready_probe_writes(redis: Redis, store: Store) -> None:
    await store.watch.probe("node-1")
    assert await redis.exists(keys.ready_probe("node-1"))
    assert 0 < await redis.pttl(keys.ready_probe("node-1")) <= 60_000


async def test_unready_while_an_inbox_entry_waits_too_long(
    redis: Redis, actions: Services, dialogue: Dialogue
) -> None:
    """/readyz's answer: ready, until an entry has waited past the bound
    (an entry written with an id from long ago stands for one)."""
    assert await actions.unready("node-1", max_lag=60) == []
    inbox = keys.inbox(dialogue.id)
    await redis.xgroup_create(inbox, keys.INTAKE_GROUP, id="0", mkstream=True)
    await redis.xadd(inbox, {"qid": "1"}, id="1000-1")
    assert await actions.unready("node-1", max_lag=60) == ["intake_lag"]
