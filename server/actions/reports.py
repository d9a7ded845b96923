"""What the organisers take away from a dialogue: its record (every question,
the exports' rows) and its figures (``domain.figures``), for the XLSX
export, the report to the leadership and the public accountability page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain import access, audit, export, figures
from ..domain.access import Permission
from ..domain.model import Actor, Dialogue, Question, Status, iso
from ..domain.wording import Refused
from .base import Family


@dataclass(frozen=True)
class Record:
    """A dialogue as it stands at ``at``: its screened questions, oldest
    first, their export rows (contact columns only ``with_contact``), and
    the figures of every question (those not yet screened included)."""

    dialogue: Dialogue
    questions: list[Question]
    rows: list[dict[str, Any]]
    figures: figures.Figures
    with_contact: bool
    at: datetime


class Reports(Family):
    async def figures(self, dialogue: Dialogue) -> figures.Figures:
        """``dialogue``'s figures now, from every one of its questions."""
        _, questions = await self.store.questions.snapshot(dialogue.id, list(Status))
        return figures.count(dialogue, questions, self._now())

    async def record(self, dialogue: Dialogue, actor: Actor, with_contact: bool = False) -> Record:
        """The record of ``dialogue``; contact columns only ``with_contact``,
        for moderators and admins, and that access is audited."""
        if with_contact and not access.allows(actor.roles, Permission.CONTACT):
            raise Refused("forbidden", "only moderators and admins may export contact data")
        now = self._now()
        _, every = await self.store.questions.snapshot(dialogue.id, list(Status))
        screened = sorted((q for q in every if q.status is not Status.RECEIVED), key=_number)
        contacts = None
        if with_contact:
            contacts = await self.store.questions.contacts(dialogue.id, [q.id for q in screened])
            after = {"with_contact": True, "questions": len(screened)}
            entry = audit.by(actor, "export", None, {}, after, iso(now))
            await self.store.audit.append(dialogue.id, [entry])
        rows = export.rows(screened, dialogue, contacts)
        counted = figures.count(dialogue, every, now)
        return Record(dialogue, screened, rows, counted, with_contact, now)


def _number(q: Question) -> int:
    return int(q.id)
