"""The intake worker: a consumer group on every dialogue's inbox stream
(``groups.py`` says how entries are taken over and dead-lettered).

An entry left pending on a consumer (dead, or whose ``handle`` failed) is
taken over after ``claim_idle``; after ``max_deliveries`` it goes to the
dialogue's dead-letter stream. ``handle`` materialises the question and
acknowledges the entry in the same atomic step.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from . import keys
from .groups import GroupWorker, Handler

__all__ = ["Handler", "Intake"]

log = logging.getLogger(__name__)


class Intake(GroupWorker):
    name = "intake"
    group = keys.INTAKE_GROUP

    def __init__(
        self,
        redis: Redis,
        dialogue_ids: Callable[[], Awaitable[list[str]]],
        handle: Handler,
        consumer: str,
        claim_idle: float,
        max_deliveries: int,
    ) -> None:
        super().__init__(redis, dialogue_ids, handle, consumer, max_deliveries)
        self._claim_idle_ms = int(claim_idle * 1000)

    def _stream(self, dialogue_id: str) -> str:
        return keys.inbox(dialogue_id)

    def _dead_stream(self, dialogue_id: str) -> str:
        return keys.dead_letters(dialogue_id)

    def _wait_ms(self, deliveries: int, consumer: str) -> int:
        return self._claim_idle_ms

    async def _failed(self, dialogue_id: str, entry_id: str, exc: Exception) -> None:
        log.exception("intake could not materialise %s %s", keys.inbox(dialogue_id), entry_id)
