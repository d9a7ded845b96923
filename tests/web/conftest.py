"""A real server on the session's Redis, with a seeded dialogue and staff
accounts, shared by the page tests of this folder (they only read, or sign
in and out, so one server per module is enough)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from tests.helpers import ServerProcess

from .seed import seed, server_env


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    """A running app with ``seed.SLUG`` live, a draft dialogue and the staff accounts."""
    client = redis.Redis.from_url(redis_server)
    try:
        client.flushall()
    finally:
        client.close()
    seed(redis_server)
    with ServerProcess(env=server_env(redis_server)) as server:
        yield server
