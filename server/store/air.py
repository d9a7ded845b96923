"""The air's short-lived state beside the questions: the last air change
(for its undo, while it lasts) and whether the overlay shows."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from . import keys
from .errors import guarded


@guarded
class Air:
    def __init__(self, redis: Redis, events_maxlen: int) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis
        self._maxlen = events_maxlen

    async def remember(self, dialogue_id: str, change: dict[str, Any], seconds: float) -> None:
        """Keep ``change`` (the last air change, for its undo) for ``seconds``."""
        ms = max(1, int(seconds * 1000))
        await self._redis.set(keys.air_change(dialogue_id), json.dumps(change), px=ms)

    async def last(self, dialogue_id: str) -> dict[str, Any] | None:
        """The last air change, if it may still be undone."""
        raw = await self._redis.get(keys.air_change(dialogue_id))
        return json.loads(raw) if raw else None

    async def forget(self, dialogue_id: str, change_id: str) -> None:
        """Drop the last air change if it is still ``change_id``."""
        key = keys.air_change(dialogue_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            # Read after the WATCH (on any connection: a Cluster's pipeline
            # runs no command before MULTI): a change since fails the EXEC.
            raw = await self._redis.get(key)
            if raw and json.loads(raw).get("id") == change_id:
                pipe.multi()
                pipe.delete(key)
                await pipe.execute()

    async def set_overlay(self, dialogue_id: str, visible: bool) -> None:
        """Show or hide the overlay, and say so on the feeds, in one step."""
        async with self._redis.pipeline(transaction=True) as pipe:
            if visible:
                pipe.delete(keys.overlay_hidden(dialogue_id))
            else:
                pipe.set(keys.overlay_hidden(dialogue_id), "1")
            pipe.xadd(
                keys.events(dialogue_id),
                {"type": "overlay.changed", "visible": "1" if visible else "0"},
                maxlen=self._maxlen,
                approximate=True,
            )
            await pipe.execute()
