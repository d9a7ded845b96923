"""The broadcast: the producer's "next question", and the token that opens
the dialogue's overlay in a vision mixer."""

from __future__ import annotations

import hmac
from typing import Any

from ..domain import audit, lifecycle
from ..domain.lifecycle import Command
from ..domain.model import Actor, Dialogue, Question, Role, iso
from ..domain.wording import Refused
from .base import Family


class Broadcast(Family):
    async def next(
        self, dialogue: Dialogue, actor: Actor, then: Any = "back", current: Any = None
    ) -> Question:
        """The producer's "next question": the head of the on-air queue goes on
        air; the question on air (if any) goes back to the head of the queue
        (``then="back"``) or is deferred to a written answer (``"defer"``).
        ``current`` is the on-air id the producer saw (``""`` for none): if it
        changed meanwhile, nothing happens (409), so two producers pressing at
        once put exactly one question on air."""
        if not actor.has(Role.PRODUCER):
            raise Refused("forbidden", "only a producer puts the next question on air")
        if then not in ("back", "defer"):
            raise Refused("invalid", 'then must be "back" or "defer"', "then")
        current_id = await self.store.questions.on_air_id(dialogue.id)
        if current is not None and current != (current_id or ""):
            raise Refused("conflict", "the question on air changed meanwhile", "current")
        head_id = await self.store.questions.queue_head(dialogue.id)
        if head_id is None:
            raise Refused("conflict", "the on-air queue is empty")
        now = self._now()
        head = await self.question(dialogue, head_id)
        decisions = [lifecycle.decide(head, Command("on_air"), actor, now, dialogue)]
        queue: dict[str, str | int] = {}
        if current_id:
            on_air = await self.question(dialogue, current_id)
            if then == "back":
                decisions.insert(0, lifecycle.displace(on_air, actor, now))
                queue[current_id] = "head"
            else:
                decisions.insert(
                    0, lifecycle.decide(on_air, Command("defer"), actor, now, dialogue)
                )
        await self.commit(dialogue, decisions, actor, queue=queue, on_air=(current_id, head_id))
        return decisions[-1].question

    async def screen_token(self, dialogue: Dialogue) -> str:
        """The token of the dialogue's overlay URL (made the first time)."""
        return await self.store.dialogues.screen_token(dialogue.id)

    async def rotate_screen_token(self, dialogue: Dialogue, actor: Actor) -> str:
        """A new overlay token (the old one stops working at once)."""
        token = await self.store.dialogues.rotate_screen_token(dialogue.id)
        entry = audit.of_settings(actor, "screen.rotate", {}, {}, iso(self._now()))
        await self.store.audit.append(dialogue.id, [entry])
        return token

    async def screen_token_ok(self, dialogue: Dialogue, token: str) -> bool:
        """Whether ``token`` opens the dialogue's broadcast overlay."""
        current = await self.store.dialogues.screen_token(dialogue.id)
        return bool(token) and hmac.compare_digest(token.encode(), current.encode())
