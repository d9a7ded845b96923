"""The asker's side after the 202: their question's status by tracking code,
and the deletion of their contact data (on request, or after retention)."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from ..domain import audit
from ..domain.events import public_question
from ..domain.model import Actor, Dialogue, Status, iso
from ..domain.views import TrackingView
from ..domain.wording import Refused
from ..store.questions import dialogue_of
from .base import Family

#: Who the audit trail names for what a citizen does on their own question.
CITIZEN = Actor("citizen", frozenset())


class Tracking(Family):
    async def dialogue(self, code: str) -> Dialogue | None:
        """The dialogue a tracking code is of (its first group names it), if any."""
        dialogue_id = dialogue_of(code)
        return await self.store.dialogues.by_id(dialogue_id) if dialogue_id else None

    async def view(self, code: str) -> TrackingView:
        """The asker's view of their question, from the moment of the 202."""
        q = await self.store.questions.by_tracking(code)
        if q is None:
            trapped = await self.store.questions.trapped(code)
            if trapped is not None:
                return cast(TrackingView, trapped)
            raise Refused("not_found", "no question has this tracking code")
        dialogue = await self.store.dialogues.by_id(q.dialogue_id)
        assert dialogue is not None
        view: TrackingView = {
            "tracking_code": q.tracking_code,
            "id": q.id,
            "dialogue": {"slug": dialogue.slug, "title": dialogue.title},
            "status": q.status,
            "text": q.original_text if q.original_text is not None else q.text,
            "topic": q.topic,
            "submitted_at": q.submitted_at,
            "has_contact": await self.store.questions.has_contact(dialogue.id, q.id),
        }
        if q.status is Status.REJECTED:
            view["reason"] = q.reason
        if q.status is Status.DEFERRED:
            view["due_at"] = q.due_at
        public = public_question(q, dialogue)
        if public["answer"] is not None:
            view["answer"] = public["answer"]
            view["recording_url"] = public["recording_url"]
            view["recording_offset"] = public["recording_offset"]
        if q.merged_into:
            target = await self.store.questions.get(dialogue.id, q.merged_into)
            if target is not None and target.is_public:
                view["merged_into"] = public_question(target, dialogue)
        return view

    async def feed_position(self, code: str) -> str | None:
        """The id of the last event of the public feed of the code's dialogue,
        read before its view so that a page following the feed from there
        misses nothing; None for a code of no dialogue."""
        dialogue_id = dialogue_of(code)
        return await self.store.events.last_id(dialogue_id) if dialogue_id else None

    async def forget_contact(self, code: str) -> bool:
        """The asker's request, by tracking code, to delete their contact data.
        True if there was some; Refused(not_found) for an unknown code. A
        deletion is recorded in the dialogue's audit trail: that it happened,
        on which question, never the data."""
        q = await self.store.questions.by_tracking(code)
        if q is None:
            if await self.store.questions.trapped(code) is not None:
                return False  # as a real question given without contact data
            raise Refused("not_found", "no question has this tracking code")
        removed = await self.store.questions.forget_contact(q.dialogue_id, q.id)
        if removed:
            entry = audit.by(CITIZEN, "contact.deleted", q.id, {}, {}, iso(self._now()))
            await self.store.audit.append(q.dialogue_id, [entry])
        return removed

    async def purge_contacts(self, older_than: timedelta) -> int:
        """Delete contact data given longer ago than ``older_than`` (retention)."""
        cutoff = iso(self._now() - older_than)
        removed = 0
        for dialogue_id in await self.store.dialogues.ids():
            for qid in await self.store.questions.contacts_consented_before(dialogue_id, cutoff):
                removed += await self.store.questions.forget_contact(dialogue_id, qid)
        return removed
