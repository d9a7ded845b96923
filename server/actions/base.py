"""What every family of use cases shares: the store, the clock, loading a
question, and committing decisions with their audit entries."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..config import Settings
from ..domain import audit, notices
from ..domain.lifecycle import Decision
from ..domain.model import Actor, Dialogue, Question, iso
from ..domain.views import AirChangeRef
from ..domain.wording import Refused
from ..store.connection import Store
from ..store.questions import Conflict, Missing

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class AirChange:
    """A change of what is on air, kept for its undo until ``until``: the
    questions as it found them (``before``), their versions after it, the
    queue's order before it (question id -> index), and the on-air slot's
    (before, after) ids ("" for none)."""

    id: str
    until: str
    by: str
    before: list[dict[str, Any]]
    after: dict[str, int]
    queue: dict[str, int]
    on_air: tuple[str, str]

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> AirChange:
        before, after = doc["on_air"]
        return cls(
            doc["id"], doc["until"], doc["by"], list(doc["before"]), dict(doc["after"]),
            dict(doc["queue"]), (str(before), str(after)),
        )  # fmt: skip

    def public(self) -> AirChangeRef:
        """What a producer's console needs to offer the undo."""
        return {"id": self.id, "until": self.until}


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
        self,
        dialogue: Dialogue,
        decisions: list[Decision],
        actor: Actor,
        *,
        remember: bool = True,
        **options: Any,
    ) -> AirChange | None:
        """Write ``decisions`` with their audit entries, and queue the notices
        they bring askers (``notices.due``), in one atomic step
        (``QuestionRepo.commit``), or raise ``Refused``. A change of what is
        on air (``on_air`` given) is remembered for its undo (unless not
        ``remember``: an undo itself): the change."""
        now = self._now()
        entries = audit.of_decisions(decisions, actor, iso(now))
        air = options.get("on_air")
        queue_before = await self.store.questions.queue_ids(dialogue.id) if air and remember else []
        try:
            await self.store.questions.commit(
                dialogue.id, decisions, audit=entries, notify=notices.due(decisions), **options
            )
        except Conflict as exc:
            raise Refused(
                "conflict", "the question changed meanwhile: {what}", what=str(exc)
            ) from None
        except Missing:
            raise Refused("not_found", "no such question") from None
        if not air or not remember:
            return None
        change = AirChange(
            id=secrets.token_hex(8),
            until=iso(now + timedelta(seconds=self.settings.air_undo)),
            by=actor.username,
            before=[d.before.to_doc() for d in decisions if d.before is not None],
            after={d.question.id: d.question.version for d in decisions},
            queue={qid: n for n, qid in enumerate(queue_before)},
            on_air=(air[0] or "", air[1] or ""),
        )
        await self.store.air.remember(dialogue.id, change.to_doc(), self.settings.air_undo)
        return change
