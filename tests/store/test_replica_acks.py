"""DOITHOAI_REPLICA_ACKS: a submission's 202 waits (WAIT) until that many
replicas have it. The test's Redis has no replica, so none ever confirms:
the store refuses with ``NotReplicated`` (a 503 that says the question may
still arrive), having kept the question, and a retry with the same
submission id finds that same question rather than making another. The
failover this guards against is tests/e2e/test_sentinel_failover.py.
Replica acks are not offered on a Cluster (the settings refuse them), so
these tests run on the single Redis only (``one_redis``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from server.actions import NotReplicated, build
from server.domain.model import Dialogue
from server.store.connection import Store, connect
from tests.support.store import EVENTS_MAXLEN, SECRET

from .conftest import payload

pytestmark = pytest.mark.one_redis


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """The test's single Redis (the module runs without ``--redis-cluster`` alone)."""
    client = connect(redis_url)
    yield client
    await client.aclose()


async def test_unconfirmed_submission_is_refused_and_a_retry_is_not_a_second(
    redis: Redis, store: Store, dialogue: Dialogue
) -> None:
    waiting = build(Store(redis, EVENTS_MAXLEN, SECRET, replica_acks=1))
    body = payload(1, submission_id="retry-safe-0001")
    for _ in range(2):
        with pytest.raises(NotReplicated):
            await waiting.submissions.submit(dialogue, body)
    first = await build(store).submissions.submit(dialogue, body)
    assert not first.created
    assert await store.questions.last_id(dialogue.id) == int(first.question_id) == 1


async def test_without_replica_acks_nothing_waits(store: Store, dialogue: Dialogue) -> None:
    submitted = await build(store).submissions.submit(dialogue, payload(2))
    assert submitted.created
