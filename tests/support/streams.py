"""Redis streams as the tests read them besides the store: a stream's
entries, oldest or newest first, typed as the tests' clients return them
(``server.store.connection.connect`` decodes every reply into ``str``;
redis-py's own types do not follow ``decode_responses``)."""

from __future__ import annotations

import redis
from redis.asyncio import Redis

#: (entry id, fields)
Entry = tuple[str, dict[str, str]]


def _entries(rows: object) -> list[Entry]:
    assert isinstance(rows, list), rows
    return [
        (str(entry_id), {str(k): str(v) for k, v in (fields or {}).items()})
        for entry_id, fields in rows
    ]


async def oldest(client: Redis, stream: str, count: int | None = None) -> list[Entry]:
    """The first ``count`` entries of ``stream`` (all without it), oldest first."""
    return _entries(await client.xrange(stream, count=count))


async def newest(client: Redis, stream: str, count: int | None = None) -> list[Entry]:
    """The last ``count`` entries of ``stream`` (all without it), newest first."""
    return _entries(await client.xrevrange(stream, count=count))


def oldest_now(client: redis.Redis, stream: str, count: int | None = None) -> list[Entry]:
    """``oldest`` for sync code, on a client made with ``decode_responses=True``."""
    return _entries(client.xrange(stream, count=count))
