"""The app's own store and use cases over a test's Redis, from async tests
and from sync code (fixtures, Playwright tests) alike: every test makes and
reads its data through these, the way the app does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import redis
from redis.asyncio import Redis

from server.actions import Services, build, utcnow
from server.actions.base import Clock
from server.store.connection import Store, Where, connect

#: The store's settings in the tests (the app's defaults need no secret here:
#: rate limits and proofs are keyed by the server process's own).
EVENTS_MAXLEN = 10_000
SECRET = b"test-secret"

T = TypeVar("T")


def store_on(client: Redis) -> Store:
    """The app's store over ``client`` (a test that also reads Redis itself)."""
    return Store(client, EVENTS_MAXLEN, SECRET)


@asynccontextmanager
async def opened(redis_url: Where) -> AsyncIterator[Store]:
    """The app's store on a client of its own for ``redis_url`` (or Sentinels), closed after."""
    client = connect(redis_url)
    try:
        yield store_on(client)
    finally:
        await client.aclose()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on its own loop in a worker thread, so that it
    works whatever the calling thread's loop state (Playwright's sync API marks
    the main thread as running a loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def with_store(redis_url: str, work: Callable[[Store], Awaitable[T]]) -> T:
    """``await work(store)`` on a fresh connection to ``redis_url``, from sync code."""

    async def go() -> T:
        async with opened(redis_url) as store:
            return await work(store)

    return run(go())


def with_actions(
    redis_url: str, work: Callable[[Services], Awaitable[T]], clock: Clock = utcnow
) -> T:
    """``await work(actions)`` on the app's own Services over ``redis_url``,
    reading ``clock``, from sync code."""
    return with_store(redis_url, lambda store: work(build(store, clock=clock)))


def flush(redis_url: str) -> None:
    """Empty the Redis at ``redis_url`` (a module's server starts from nothing)."""
    with redis.Redis.from_url(redis_url) as client:
        client.flushall()
