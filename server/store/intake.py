"""The intake worker: a consumer group on every dialogue's inbox stream
(``groups.py`` says how entries are taken over and dead-lettered).

An entry left pending on another consumer (dead, perhaps) is taken over
after ``claim_idle``; one whose ``handle`` failed here is tried again within
a second or two (``RETRY_FIRST_MS``); after ``max_deliveries`` it goes to the
dialogue's dead-letter stream. ``handle`` materialises the question and
acknowledges the entry in the same atomic step.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from . import keys
from .groups import BLOCK_MS, BatchHandler, GroupWorker, Handler

log = logging.getLogger(__name__)

#: An entry whose handling failed on this node is tried again after this
#: long, doubling with each delivery (0.5 s, 1 s, 2 s ...) up to the claim
#: idle time, until it is dead-lettered.
RETRY_FIRST_MS = 500


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
        batch: BatchHandler | None = None,
        block: float = BLOCK_MS / 1000,
    ) -> None:
        super().__init__(
            redis, dialogue_ids, handle, consumer, max_deliveries, int(block * 1000), batch
        )
        self._claim_idle_ms = int(claim_idle * 1000)

    def _stream(self, dialogue_id: str) -> str:
        return keys.inbox(dialogue_id)

    def _dead_stream(self, dialogue_id: str) -> str:
        return keys.dead_letters(dialogue_id)

    def _wait_ms(self, deliveries: int, consumer: str) -> int:
        if consumer != self.consumer:  # that node may still be at it
            return self._claim_idle_ms
        # Its own entry failed here: again soon, sooner than another node would.
        retry = RETRY_FIRST_MS << max(0, deliveries - 1)
        return min(self._claim_idle_ms, retry)

    async def _failed(self, dialogue_id: str, entry_id: str, exc: Exception) -> None:
        log.exception("intake could not materialise %s %s", keys.inbox(dialogue_id), entry_id)
