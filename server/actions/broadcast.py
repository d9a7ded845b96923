"""The air, which is the producer's alone: "next" (the question on air is
answered live, or owed in writing, and the head of the queue goes on air),
"skip" (move on without answering: it waits at the end of the queue),
"back" (to the head of the queue, nothing on air), the undo of the last of
these for a few seconds, the overlay shown or hidden, and the token that
opens the overlay in a vision mixer."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from ..domain import audit, lifecycle
from ..domain.lifecycle import Command, Decision
from ..domain.model import Actor, Dialogue, Question, Role, Status, iso
from ..domain.wording import Refused
from .base import AirChange, Family

#: What the question on air becomes when "next" moves on.
NEXT_THEN = ("answered", "defer")


@dataclass(frozen=True)
class AirResult:
    """What is on air after an air change (None: nothing), and the change to
    offer the undo of (None: an undo, which is not undone in turn)."""

    on_air: Question | None
    change: AirChange | None


class Broadcast(Family):
    async def next(
        self, dialogue: Dialogue, actor: Actor, then: Any = "answered", current: Any = None
    ) -> AirResult:
        """The producer's "next question": the question on air (if any) is
        answered live (``then="answered"``, stamped with its moment in the
        recording; the summary may come later) or owed in writing
        (``"defer"``), and the head of the queue (if any) goes on air.
        ``current`` is the on-air id the producer saw (``""`` for none): if it
        changed meanwhile nothing happens (409), so two producers pressing at
        once put exactly one question on air."""
        if then not in NEXT_THEN:
            raise Refused("invalid", 'then must be "answered" or "defer"', "then")
        current_id = await self._on_air(actor, dialogue, current)
        head_id = await self.store.questions.queue_head(dialogue.id)
        if head_id is None and current_id is None:
            raise Refused("conflict", "nothing is on air and the on-air queue is empty")
        now = self._now()
        decisions: list[Decision] = []
        if current_id:
            on_air = _still(await self.question(dialogue, current_id), Status.ON_AIR)
            action = "answer" if then == "answered" else "defer"
            decisions.append(lifecycle.decide(on_air, Command(action), actor, now, dialogue))
        if head_id:
            head = _still(await self.question(dialogue, head_id), Status.QUEUED)
            decisions.append(lifecycle.decide(head, Command("on_air"), actor, now, dialogue))
        change = await self.commit(dialogue, decisions, actor, on_air=(current_id, head_id))
        return AirResult(decisions[-1].question if head_id else None, change)

    async def skip(self, dialogue: Dialogue, actor: Actor, current: Any = None) -> AirResult:
        """Move on without answering: the question on air waits at the end of
        the queue, and the head of the queue goes on air."""
        current_id = await self._on_air(actor, dialogue, current)
        if current_id is None:
            raise Refused("conflict", "nothing is on air to skip")
        head_id = await self.store.questions.queue_head(dialogue.id)
        if head_id is None:
            raise Refused("conflict", "the on-air queue is empty")
        now = self._now()
        on_air = _still(await self.question(dialogue, current_id), Status.ON_AIR)
        skipped = lifecycle.skip(on_air, actor, now)
        head = _still(await self.question(dialogue, head_id), Status.QUEUED)
        decisions = [skipped, lifecycle.decide(head, Command("on_air"), actor, now, dialogue)]
        change = await self.commit(
            dialogue, decisions, actor, queue={current_id: "tail"}, on_air=(current_id, head_id)
        )
        return AirResult(decisions[-1].question, change)

    async def back(self, dialogue: Dialogue, actor: Actor, current: Any = None) -> AirResult:
        """The question on air goes back to the head of the queue; nothing is on air."""
        current_id = await self._on_air(actor, dialogue, current)
        if current_id is None:
            raise Refused("conflict", "nothing is on air to take back")
        on_air = await self.question(dialogue, current_id)
        decision = lifecycle.decide(on_air, Command("back"), actor, self._now(), dialogue)
        change = await self.commit(
            dialogue, [decision], actor, queue={current_id: "head"}, on_air=(current_id, None)
        )
        return AirResult(None, change)

    async def undo(self, dialogue: Dialogue, actor: Actor, change_id: Any = None) -> AirResult:
        """Undo the last air change (``change_id``, if given, must name it)
        while it lasts (``DOITHOAI_AIR_UNDO``) and if none of its questions
        changed since: each goes back to the state, queue place and on-air
        slot the change found."""
        self._producer(actor)
        doc = await self.store.air.last(dialogue.id)
        if doc is None:
            raise Refused("conflict", "there is no air change left to undo")
        change = AirChange.from_doc(doc)
        if change_id is not None and change_id != change.id:
            raise Refused("conflict", "a later air change came after this one", "change")
        now = self._now()
        decisions = []
        for before_doc in change.before:
            current = await self.question(dialogue, before_doc["id"])
            if current.version != change.after.get(current.id):
                raise Refused(
                    "conflict", "question {id} changed since; nothing was undone", id=current.id
                )
            before = Question.from_doc(before_doc, votes=current.votes)
            decisions.append(lifecycle.revert(current, before, actor, now))
        queue: dict[str, str | int] = {}
        for d in sorted(decisions, key=lambda d: change.queue.get(d.question.id, 0)):
            index = change.queue.get(d.question.id)
            if index is not None:
                queue[d.question.id] = "head" if index == 0 else index
        before_id, after_id = change.on_air
        await self.commit(
            dialogue,
            decisions,
            actor,
            queue=queue,
            on_air=(after_id or None, before_id or None),
            remember=False,
        )
        await self.store.air.forget(dialogue.id, change.id)
        on_air = next((d.question for d in decisions if d.question.id == before_id), None)
        return AirResult(on_air, None)

    async def show_overlay(self, dialogue: Dialogue, actor: Actor, visible: Any) -> bool:
        """Show or hide the overlay's lower third; what is on air stays."""
        self._producer(actor)
        if not isinstance(visible, bool):
            raise Refused("invalid", "visible must be true or false", "visible")
        await self.store.air.set_overlay(dialogue.id, visible)
        return visible

    async def _on_air(self, actor: Actor, dialogue: Dialogue, current: Any) -> str | None:
        """The question on air, after checking that ``actor`` is a producer and
        that ``current`` (if given) is what they saw on air."""
        self._producer(actor)
        current_id = await self.store.questions.on_air_id(dialogue.id)
        if current is not None and current != (current_id or ""):
            raise Refused("conflict", "the question on air changed meanwhile", "current")
        return current_id

    @staticmethod
    def _producer(actor: Actor) -> None:
        if not actor.has(Role.PRODUCER):
            raise Refused("forbidden", "only a producer changes what is on air")

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


def _still(question: Question, status: Status) -> Question:
    """``question`` if it is still ``status``: read after another producer's
    change landed (two pressing "next" at once), it has moved on, and the
    press that lost is told so (409), not refused by the table (403)."""
    if question.status is not status:
        raise Refused("conflict", "what is on air changed meanwhile: look again")
    return question
