"""Dialogues in Redis: create, load, save, list. Only this module knows their keys."""

from __future__ import annotations

import json
import secrets
from typing import Any

from redis.asyncio import Redis

from ..domain.model import Dialogue
from . import keys
from .errors import guarded
from .scripts import Scripts

#: Dialogue ids are 4 characters of Crockford base32: short enough to start
#: every tracking code, and 1M of them is far more than any deployment needs.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_dialogue_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(4))


class SlugTaken(Exception):
    pass


class IdTaken(Exception):
    pass


class StaleDialogue(Exception):
    """The stored dialogue is no longer at the version a change was made on."""


@guarded
class Dialogues:
    def __init__(self, redis: Redis, scripts: Scripts, events_maxlen: int) -> None:
        # Any: redis-py's reply types do not follow decode_responses.
        self._redis: Any = redis
        self._scripts = scripts
        self._maxlen = events_maxlen

    async def create(self, dialogue: Dialogue) -> Dialogue:
        """Store a new dialogue; its slug must be free."""
        if not await self._redis.set(
            keys.dialogue(dialogue.id), json.dumps(dialogue.to_doc()), nx=True
        ):
            raise IdTaken(dialogue.id)
        if not await self._redis.hsetnx(keys.DIALOGUE_SLUGS, dialogue.slug, dialogue.id):
            await self._redis.delete(keys.dialogue(dialogue.id))
            raise SlugTaken(dialogue.slug)
        await self._redis.set(keys.dialogue_version(dialogue.id), dialogue.version)
        return dialogue

    async def save(self, dialogue: Dialogue, expected_version: int) -> str:
        """Write the dialogue and append ``dialogue.updated`` in one step, if
        the stored dialogue is still at ``expected_version`` (else
        ``StaleDialogue``). Returns the event's id."""
        event_id = await self._scripts(
            "save_dialogue",
            [
                keys.dialogue(dialogue.id),
                keys.events(dialogue.id),
                keys.dialogue_version(dialogue.id),
            ],
            [json.dumps(dialogue.to_doc()), expected_version, self._maxlen],
        )
        if event_id is None:
            raise StaleDialogue(dialogue.id)
        return str(event_id)

    async def screen_token(self, dialogue_id: str) -> str:
        """The broadcast overlay's token, made on first use. Kept apart from the
        dialogue document so that no projection of the dialogue can carry it."""
        key = keys.prefix(dialogue_id) + "screen"
        await self._redis.set(key, secrets.token_urlsafe(24), nx=True)
        return str(await self._redis.get(key))

    async def rotate_screen_token(self, dialogue_id: str) -> str:
        """A new overlay token, and ``screen.rotated`` on the dialogue's events
        in the same step, so that every node closes the overlays opened with
        the old one. The event carries no token."""
        token = secrets.token_urlsafe(24)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.prefix(dialogue_id) + "screen", token)
            pipe.xadd(
                keys.events(dialogue_id),
                {"type": "screen.rotated"},
                maxlen=self._maxlen,
                approximate=True,
            )
            await pipe.execute()
        return token

    async def by_id(self, dialogue_id: str) -> Dialogue | None:
        raw = await self._redis.get(keys.dialogue(dialogue_id))
        return Dialogue.from_doc(json.loads(raw)) if raw else None

    async def by_slug(self, slug: str) -> Dialogue | None:
        dialogue_id = await self._redis.hget(keys.DIALOGUE_SLUGS, slug)
        return await self.by_id(dialogue_id) if dialogue_id else None

    async def ids(self) -> list[str]:
        return sorted(await self._redis.hvals(keys.DIALOGUE_SLUGS))

    async def all(self) -> list[Dialogue]:
        """Every dialogue, in one round trip for their documents (a pipeline:
        on a Cluster they are in as many slots as dialogues)."""
        ids = await self.ids()
        async with self._redis.pipeline(transaction=False) as pipe:
            for dialogue_id in ids:
                pipe.get(keys.dialogue(dialogue_id))
            raws = await pipe.execute()
        found = [Dialogue.from_doc(json.loads(raw)) for raw in raws if raw]
        return sorted(found, key=lambda d: (d.starts_at or "", d.slug))
