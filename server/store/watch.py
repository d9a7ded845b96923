"""What an operator watches, read from Redis: each dialogue's intake backlog
and lag, its dead letters and how many events it ever appended (``/metrics``);
whether Redis takes a write (``/readyz``)."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from ..metrics import DialogueGauges
from . import keys
from .errors import guarded

#: How long the ready probe's key lives: it needs no cleaning up.
PROBE_MS = 60_000


def _ms(entry_id: str) -> int:
    return int(entry_id.partition("-")[0])


def _appended(info: dict[str, Any]) -> int:
    return int(info.get("entries-added", info["length"]))


def _group(groups: Any, name: str) -> dict[str, Any] | None:
    if isinstance(groups, ResponseError):  # no inbox yet
        return None
    return next((g for g in groups if g["name"] == name), None)


@guarded
class Watch:
    def __init__(self, redis: Redis) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis

    async def probe(self, node: str) -> None:
        """A write Redis must take (raises ``StoreUnavailable`` when it will not)."""
        now = await self._redis.time()
        await self._redis.set(keys.ready_probe(node), str(now[0]), px=PROBE_MS)

    async def dialogues(self) -> list[DialogueGauges]:
        """The gauges of every dialogue, by slug."""
        slugs = await self._redis.hgetall(keys.DIALOGUE_SLUGS)
        seconds, micros = await self._redis.time()
        now_ms = seconds * 1000 + micros // 1000
        return [await self._one(slug, did, now_ms) for slug, did in sorted(slugs.items())]

    async def _one(self, slug: str, dialogue_id: str, now_ms: int) -> DialogueGauges:
        inbox = keys.inbox(dialogue_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xinfo_groups(inbox)
            pipe.xpending(inbox, keys.INTAKE_GROUP)
            pipe.xlen(keys.dead_letters(dialogue_id))
            pipe.xlen(keys.notice_dead_letters(dialogue_id))
            pipe.xinfo_stream(keys.events(dialogue_id))
            groups, pending, dead, dead_notices, events = await pipe.execute(raise_on_error=False)
        group = _group(groups, keys.INTAKE_GROUP)
        oldest: list[int] = []
        backlog = 0
        if group is not None and not isinstance(pending, ResponseError):
            backlog = int(pending["pending"])
            if backlog:
                oldest.append(_ms(pending["min"]))
            waiting = await self._redis.xrange(
                inbox, f"({group['last-delivered-id']}", "+", count=1
            )
            if waiting:
                oldest.append(_ms(waiting[0][0]))
                lag = group.get("lag")
                backlog += int(lag) if lag is not None else await self._count_after(group, inbox)
        return DialogueGauges(
            slug=slug,
            backlog=backlog,
            lag_seconds=max(0, now_ms - min(oldest)) / 1000 if oldest else 0.0,
            dead_intake=0 if isinstance(dead, ResponseError) else int(dead),
            dead_notices=0 if isinstance(dead_notices, ResponseError) else int(dead_notices),
            events_appended=0 if isinstance(events, ResponseError) else _appended(events),
        )

    async def _count_after(self, group: dict[str, Any], inbox: str) -> int:
        """Entries after the group's last delivered one, when Redis cannot say (lag nil)."""
        rows = await self._redis.xrange(inbox, f"({group['last-delivered-id']}", "+")
        return len(rows)
