"""One real server per test module on the session's Redis, emptied first and
seeded with tests/web/seed.py's live dialogue, draft and staff accounts, plus
the official and the soon-disabled admin of ``people.EXTRA_ACCOUNTS``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import pytest
import redis

from tests.helpers import ServerProcess
from tests.web.seed import seed, server_env

from .people import add_accounts


@contextlib.contextmanager
def seeded_server(redis_url: str, env: Mapping[str, str] | None = None) -> Iterator[ServerProcess]:
    """Empty Redis, seed it, and run the app on it (``env`` added to the test environment)."""
    client = redis.Redis.from_url(redis_url)
    try:
        client.flushall()
    finally:
        client.close()
    seed(redis_url)
    add_accounts(redis_url)
    with ServerProcess(env={**server_env(redis_url), **(env or {})}) as server:
        yield server


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    """A running app with the seeded dialogue and every staff account."""
    with seeded_server(redis_server) as server:
        yield server
