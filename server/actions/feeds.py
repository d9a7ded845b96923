"""What a feed's client is sent on connecting: a snapshot of the dialogue for
its audience, consistent with the last event id it names, or the events it
missed since the id it last saw."""

from __future__ import annotations

from ..domain.events import public_dialogue, public_question, staff_question
from ..domain.model import PUBLIC_STATUSES, Dialogue, Status, iso
from ..domain.views import ConsoleFeed, Feed
from ..store.events import StoredEvent
from .base import Family


class Feeds(Family):
    async def public(self, dialogue: Dialogue) -> Feed:
        """The public feed: the dialogue, what is on air, every published
        question, the on-air queue's order and whether the overlay shows,
        consistent with its ``last_event_id``."""
        board = await self.store.questions.board(dialogue.id, PUBLIC_STATUSES)
        questions = sorted(board.questions, key=lambda q: int(q.id))
        on_air = next((q for q in questions if q.status is Status.ON_AIR), None)
        return {
            "last_event_id": board.last_id,
            "dialogue": public_dialogue(dialogue),
            "on_air": public_question(on_air, dialogue) if on_air else None,
            "questions": [public_question(q, dialogue) for q in questions],
            "queue": board.queue,
            "overlay": {"visible": board.overlay_visible},
        }

    async def staff(self, dialogue: Dialogue) -> ConsoleFeed:
        """The staff feed: every screened question, the on-air queue's order,
        whether the overlay shows, and who handles which question now."""
        board = await self.store.questions.board(
            dialogue.id, [s for s in Status if s is not Status.RECEIVED]
        )
        questions = sorted(board.questions, key=lambda q: int(q.id))
        return {
            "last_event_id": board.last_id,
            "questions": [staff_question(q, dialogue) for q in questions],
            "queue": board.queue,
            "overlay": {"visible": board.overlay_visible},
            "handling": await self.store.questions.handling(dialogue.id, iso(self._now())),
        }

    async def missed(self, dialogue: Dialogue, after: str) -> list[StoredEvent] | None:
        """The events after ``after``, or None when the client must start over
        from a snapshot: the id is unknown or trimmed, or more than
        ``DOITHOAI_REPLAY_MAX`` events follow it (a snapshot is then cheaper
        than the replay)."""
        return await self.store.events.after(dialogue.id, after, limit=self.settings.replay_max)
