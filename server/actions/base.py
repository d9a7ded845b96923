"""What every family of use cases shares: the store, the clock, loading a
question, and committing decisions with their audit entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ..config import Settings
from ..domain import audit
from ..domain.lifecycle import Decision
from ..domain.model import Actor, Dialogue, Question, iso
from ..domain.wording import Refused
from ..store.connection import Store
from ..store.questions import Conflict, Missing

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Family:
    """One family of use cases (``Moderation``, ``Submissions``, ...): each
    loads, decides with the pure domain, and saves through the store."""

    def __init__(self, store: Store, settings: Settings, clock: Clock = utcnow) -> None:
        self.store = store
        self.settings = settings
        self._now = clock

    async def question(self, dialogue: Dialogue, question_id: str) -> Question:
        q = await self.store.questions.get(dialogue.id, question_id)
        if q is None:
            raise Refused("not_found", "no such question")
        return q

    async def commit(
        self, dialogue: Dialogue, decisions: list[Decision], actor: Actor, **options: Any
    ) -> None:
        """Write ``decisions`` with their audit entries in one atomic step
        (``QuestionRepo.commit``), or raise ``Refused``."""
        entries = audit.of_decisions(decisions, actor, iso(self._now()))
        try:
            await self.store.questions.commit(dialogue.id, decisions, audit=entries, **options)
        except Conflict as exc:
            raise Refused(
                "conflict", "the question changed meanwhile: {what}", what=str(exc)
            ) from None
        except Missing:
            raise Refused("not_found", "no such question") from None
