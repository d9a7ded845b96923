"""Store fixtures: the app's own Store and Services on the test's Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from server.actions import Services, build
from server.domain.model import Actor, Dialogue, Role, Status
from server.store.connection import Cluster, Store, Where, connect
from tests.support.cluster import flush_cluster, redis_cluster
from tests.support.dialogues import LOCALITIES, OFFICIAL, TITLE, TOPICS
from tests.support.store import store_on

OFFICIALS = [OFFICIAL]
MODERATOR = Actor("moderator", frozenset({Role.MODERATOR}))
MODERATOR2 = Actor("moderator2", frozenset({Role.MODERATOR}))
PRODUCER = Actor("producer", frozenset({Role.PRODUCER}))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``--redis-cluster``, only the tests that run on the Cluster: those
    on the ``redis`` fixture (the store's client), not those that start
    from the single Redis's URL or are marked ``one_redis`` (the run without
    the option has them)."""
    if not config.getoption("--redis-cluster"):
        return
    kept, left = [], []
    for item in items:
        on_cluster = "redis" in getattr(item, "fixturenames", ())
        if on_cluster and item.get_closest_marker("one_redis") is None:
            kept.append(item)
        else:
            left.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(scope="session")
def cluster_url() -> Iterator[str]:
    """A Redis Cluster for this session (``--redis-cluster``)."""
    with redis_cluster() as url:
        yield url


@pytest.fixture
async def redis(request: pytest.FixtureRequest, redis_url: str) -> AsyncIterator[Redis]:
    """The test's Redis client: the one the store below is built on, for
    tests that look at what the store wrote. With ``--redis-cluster``, a
    client of the session's Redis Cluster, emptied first."""
    where: Where = redis_url
    if request.config.getoption("--redis-cluster"):
        url = request.getfixturevalue("cluster_url")
        flush_cluster(url)
        where = Cluster(url)
    client = connect(where)
    yield client
    await client.aclose()


@pytest.fixture
def store(redis: Redis) -> Store:
    return store_on(redis)


@pytest.fixture
def actions(store: Store) -> Services:
    return build(store)


@pytest.fixture
async def dialogue(actions: Services) -> Dialogue:
    return await actions.dialogues.create(
        slug="chuyen-doi-so",
        title=TITLE,
        status="live",
        topics=TOPICS,
        officials=OFFICIALS,
        localities=LOCALITIES,
    )


def payload(n: int = 0, **extra: object) -> dict[str, object]:
    return {
        "text": f"Xin hỏi lộ trình triển khai dịch vụ công trực tuyến toàn trình số {n}?",
        "name": "Nguyễn Văn An",
        "locality": "Phường Thuận Hóa",
        **extra,
    }


async def status_of(store: Store, dialogue: Dialogue, qid: str) -> Status:
    """The status of question ``qid``, which must exist."""
    q = await store.questions.get(dialogue.id, qid)
    assert q is not None, qid
    return q.status
