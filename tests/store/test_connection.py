"""The store's Redis client: its timeouts are the settings', never redis-py's
defaults (which changed between its versions)."""

from __future__ import annotations

from server.config import Settings
from server.store.connection import MAX_BLOCK, Store


async def test_the_clients_have_the_settings_timeouts(redis_url: str) -> None:
    """Every connection of the store has the command and connect timeouts
    the settings give; the follower's blocking one outlasts its longest wait."""
    settings = Settings(redis_timeout=3.0, redis_connect_timeout=1.5)
    store = Store.open(
        redis_url,
        1000,
        b"secret",
        timeout=settings.redis_timeout,
        connect_timeout=settings.redis_connect_timeout,
    )
    follower = store.follower()
    try:
        await store.ping()
        kwargs = store._redis.connection_pool.connection_kwargs
        assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (3.0, 1.5)
        assert kwargs["driver_info"] is None  # no CLIENT SETINFO on connect
        blocking = follower._blocking.connection_pool.connection_kwargs
        assert blocking["socket_timeout"] == 3.0 + MAX_BLOCK
        assert await follower.read({"none": "0-0"}, 10) == []
    finally:
        await follower.close()
        await store.close()
