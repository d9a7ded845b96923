"""Closing a dialogue is a wrap-up, not a switch: "end the broadcast" lists
every question not answered live and, in one action, closes the dialogue
and turns each into a written answer owed by an official by a due day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..config import Settings
from ..domain import lifecycle, phases, wrapup
from ..domain.model import Actor, Dialogue, DialogueStatus, Status
from ..domain.views import WrapUpPlan
from ..domain.wording import N_, Message, Refused
from ..store.connection import Store
from .base import Clock, Family, utcnow
from .dialogues import Dialogues

#: The phases in which a broadcast may be wrapped up (again, for questions
#: that came back into play after an earlier wrap-up).
WRAPPABLE = (DialogueStatus.LIVE, DialogueStatus.CLOSED)
#: Each phase as the pages name it (templates/_labels.html), for a refusal
#: that names it: never its code.
PHASE_NAMES = {
    DialogueStatus.DRAFT: N_("Draft"),
    DialogueStatus.OPEN: N_("Taking questions"),
    DialogueStatus.LIVE: N_("Live now"),
    DialogueStatus.CLOSED: N_("Ended"),
    DialogueStatus.ARCHIVED: N_("Archived"),
}


class Closing(Family):
    def __init__(
        self, store: Store, settings: Settings, dialogues: Dialogues, clock: Clock = utcnow
    ) -> None:
        super().__init__(store, settings, clock)
        self._dialogues = dialogues

    async def plan(self, dialogue: Dialogue) -> WrapUpPlan:
        """What "end the broadcast" will do: each question not answered live,
        with the official it would be owed by (routed, else the topic's
        default; null: nobody yet) and the due day."""
        proposal = await self._proposal(dialogue)
        return {
            "status": dialogue.status,
            "due": self._due(dialogue).isoformat(),
            "answer_days": dialogue.answer_days,
            "questions": [
                {
                    "id": o.question.id,
                    "status": o.question.status,
                    "text": o.question.text,
                    "topic": o.question.topic,
                    "official_id": o.official_id,
                }
                for o in proposal
            ],
        }

    async def close(
        self,
        dialogue: Dialogue,
        actor: Actor,
        officials: Any = None,
        version: Any = None,
        seen: Any = None,
    ) -> dict[str, Any]:
        """End the broadcast: the dialogue closes (no more questions or votes)
        and every question not answered live becomes a written answer owed by
        its official (``officials`` may choose: question id -> official id or
        null) by the due day, each in its own atomic step. One result per
        question; a question that changed meanwhile is left as it is (run
        the wrap-up again to take it). ``seen``: the ids of the questions the
        producer was shown; when the questions to owe are others now (one
        approved or owed meanwhile), nothing is done: 409 ``questions``."""
        if dialogue.status not in WRAPPABLE:
            raise Refused(
                "conflict",
                "a {status} dialogue has no broadcast to end",
                "status",
                status=Message(PHASE_NAMES[dialogue.status]),
            )
        proposal = await self._proposal(dialogue)
        wrapup.check_seen(proposal, seen)
        chosen = wrapup.choose(dialogue, proposal, officials)
        if dialogue.status is DialogueStatus.LIVE:
            dialogue = await self._dialogues.end_broadcast(dialogue, actor, version)
        else:
            phases.check_version(dialogue, version)
        due = self._due(dialogue).isoformat()
        results: list[dict[str, Any]] = []
        for owed in chosen:
            q = owed.question
            decision = lifecycle.owe(q, owed.official_id, due, actor, self._now())
            air = (q.id, None) if q.status is Status.ON_AIR else None
            try:
                await self.commit(dialogue, [decision], actor, on_air=air, remember=False)
            except Refused as exc:
                results.append({"id": q.id, "ok": False, "error": exc})
            else:
                results.append({"id": q.id, "ok": True, "question": decision.question})
        return {"dialogue": dialogue, "due": due, "results": results}

    async def _proposal(self, dialogue: Dialogue) -> list[wrapup.Owed]:
        _, questions = await self.store.questions.snapshot(dialogue.id, wrapup.OPEN)
        return wrapup.plan(dialogue, questions)

    def _due(self, dialogue: Dialogue) -> date:
        ended = datetime.fromisoformat(dialogue.closed_at) if dialogue.closed_at else self._now()
        return wrapup.due_date(ended, dialogue.answer_days)
