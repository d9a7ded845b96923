"""Moderation: the staff's view of questions and every action on them
(approve, route, queue, answer, merge, ...), one at a time or in bulk; who
has a question open; the export of a dialogue's questions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ..domain import access, lifecycle
from ..domain.access import Permission
from ..domain.events import staff_question
from ..domain.lifecycle import Command, Decision
from ..domain.model import Actor, Dialogue, Question, Status, iso
from ..domain.views import Contact, Handling, StaffQuestion
from ..domain.wording import Refused
from .duplicates import SuggestsDuplicates

#: The actions a moderator may take on a selection at once, and its size.
BULK_ACTIONS = ("approve", "reject")
BULK_MAX = 200
#: How long "being handled by" lasts without being renewed.
HANDLING_SECONDS = 60


def _contact(stored: Mapping[str, str]) -> Contact:
    """The phone and email of a stored contact (not its consent's record)."""
    contact: Contact = {}
    if "phone" in stored:
        contact["phone"] = stored["phone"]
    if "email" in stored:
        contact["email"] = stored["email"]
    return contact


class Moderation(SuggestsDuplicates):
    async def staff_view(self, dialogue: Dialogue, q: Question, actor: Actor) -> StaffQuestion:
        return (await self.staff_views(dialogue, [q], actor))[0]

    async def staff_views(
        self, dialogue: Dialogue, questions: list[Question], actor: Actor
    ) -> list[StaffQuestion]:
        """Staff questions as ``actor`` may see them: contact data (read in one
        round trip for the whole page) for moderators only, and the actions
        ``actor`` may take now."""
        contacts: list[Contact | None] = [None] * len(questions)
        if access.allows(actor.roles, Permission.CONTACT) and questions:
            found = await self.store.questions.contacts(dialogue.id, [q.id for q in questions])
            contacts = [_contact(c) for c in found]
        both_ways = await self.duplicates.both_ways(dialogue.id, questions) if questions else []
        return [
            {
                **staff_question(q, dialogue, contact, both),
                "actions": lifecycle.allowed_actions(q, actor, dialogue.status),
            }
            for q, contact, both in zip(questions, contacts, both_ways, strict=True)
        ]

    async def page(
        self,
        dialogue: Dialogue,
        actor: Actor,
        *,
        status: Status | None = None,
        limit: int = 100,
        cursor: str | None = None,
        official: str | None = None,
    ) -> tuple[list[StaffQuestion], str | None]:
        """One page of the dialogue's questions as ``actor`` sees them, oldest
        first, and the cursor of the next page (None after the last)."""
        items, next_cursor = await self.store.questions.page(
            dialogue.id, status, limit, cursor, official
        )
        return await self.staff_views(dialogue, items, actor), next_cursor

    async def history(
        self, dialogue: Dialogue, actor: Actor, *, before: int | None = None, limit: int = 50
    ) -> tuple[list[StaffQuestion], str | None]:
        """A page of the finished questions (``lifecycle.FINISHED_STATES``:
        the staff snapshot leaves them out) as ``actor`` sees them, newest
        first, and the cursor of the next page (None after the last)."""
        finished = lifecycle.FINISHED_STATES
        items, more = await self.store.questions.newest(dialogue.id, finished, before, limit)
        cursor = items[-1].id if more and items else None
        return await self.staff_views(dialogue, items, actor), cursor

    async def act(
        self,
        dialogue: Dialogue,
        question_id: str,
        action: str,
        body: Mapping[str, Any],
        actor: Actor,
    ) -> Question:
        """Take ``action`` on a question: decide, then write atomically or 409."""
        version = body.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            raise Refused("invalid", "version must be a whole number", "version")
        q = await self.question(dialogue, question_id)
        now = self._now()
        decision = lifecycle.decide(q, Command(action, body, version), actor, now, dialogue)
        if action == "edit":
            # Suggested again for the new text (itself left out).
            found = await self.duplicates.similar(decision.question)
            decision = lifecycle.suggest(decision, found)
        decisions: list[Decision] = [decision]
        queue: dict[str, str | int] = {}
        absorb: dict[str, str] = {}
        release: dict[str, str] = {}
        on_air: tuple[str | None, str | None] | None = None
        new = decision.question
        if action == "on_air":
            current_id = await self.store.questions.on_air_id(dialogue.id)
            if current_id and current_id != q.id:
                current = await self.question(dialogue, current_id)
                decisions.insert(0, lifecycle.displace(current, actor, now))
                queue[current_id] = "head"
            on_air = (current_id, q.id)
        elif q.status is Status.ON_AIR and new.status is not Status.ON_AIR:
            on_air = (q.id, None)
            if new.status is Status.QUEUED:
                queue[q.id] = "head"
        if action in ("queue", "move"):
            position = body.get("position")
            queue[q.id] = "tail" if position is None else position
        if action == "merge":
            target = await self.store.questions.get(dialogue.id, str(body["into"]))
            if target is None:
                raise Refused("invalid", "into names no question of this dialogue", "into")
            decisions.append(lifecycle.absorb(target, q, actor, now))
            absorb[target.id] = q.id
        if action == "unmerge" and q.merged_into:
            target = await self.store.questions.get(dialogue.id, q.merged_into)
            if target is not None and q.id in target.merged_from:
                decisions.append(lifecycle.release(target, q, actor, now))
                release[target.id] = q.id
            if new.status is Status.QUEUED:
                queue[q.id] = "tail"
        await self.commit(
            dialogue,
            decisions,
            actor,
            queue=queue,
            absorb_votes=absorb,
            release_votes=release,
            on_air=on_air,
        )
        return new

    async def bulk(
        self,
        dialogue: Dialogue,
        action: Any,
        ids: Any,
        body: Mapping[str, Any],
        actor: Actor,
    ) -> list[dict[str, Any]]:
        """Approve or reject many questions, each in its own atomic step: one
        result per id, ``{id, ok, question}`` or ``{id, ok: False, error}``."""
        if action not in BULK_ACTIONS:
            raise Refused(
                "invalid",
                "action must be one of {listed}",
                "action",
                listed=", ".join(BULK_ACTIONS),
            )
        valid = isinstance(ids, list) and all(isinstance(i, str) and i for i in ids)
        if not valid or not 0 < len(ids) <= BULK_MAX:
            raise Refused(
                "invalid", "ids must be a list of 1 to {most} question ids", "ids", most=BULK_MAX
            )
        versions = body.get("versions") or {}
        if not isinstance(versions, dict):
            raise Refused("invalid", "versions must map question ids to versions", "versions")
        if action != "reject" and body.get("reason") is not None:
            # Only a rejection has a reason: one sent with another action is a
            # mistake to say, not to drop.
            raise lifecycle.unknown_field("reason", ("action", "ids", "versions"))
        params = {"reason": body.get("reason")} if action == "reject" else {}
        results: list[dict[str, Any]] = []
        for qid in dict.fromkeys(ids):
            try:
                q = await self.act(
                    dialogue, qid, action, {**params, "version": versions.get(qid)}, actor
                )
            except Refused as exc:
                results.append({"id": qid, "ok": False, "error": exc})
            else:
                results.append({"id": qid, "ok": True, "question": q})
        return results

    async def handle(self, dialogue: Dialogue, question_id: str, actor: Actor) -> Handling:
        """``actor`` has the question open in the console: tell the others,
        for ``HANDLING_SECONDS`` (the console repeats it while it stays open)."""
        await self.question(dialogue, question_id)
        until = iso(self._now() + timedelta(seconds=HANDLING_SECONDS))
        await self.store.questions.set_handling(dialogue.id, question_id, actor.username, until)
        return {"question": question_id, "by": actor.username, "until": until}

    async def release_handling(self, dialogue: Dialogue, question_id: str, actor: Actor) -> None:
        await self.store.questions.clear_handling(dialogue.id, question_id, actor.username)

    async def handling(self, dialogue: Dialogue) -> dict[str, dict[str, str]]:
        """Who is handling which question now (for a console's snapshot)."""
        return await self.store.questions.handling(dialogue.id, iso(self._now()))
