"""The end of a broadcast: every question not answered live becomes a written
answer owed, by an official, by a due day. Pure: no I/O.

The due day counts working days (Monday to Friday) in Vietnam's time zone
from the day the broadcast ends; a public holiday is not known here, so an
official has at least the days the dialogue promises.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .lifecycle import UNANSWERED
from .model import Dialogue, Question
from .wording import Refused

#: Vietnam's time zone (no daylight saving): the day a due date names.
ICT = timezone(timedelta(hours=7))
#: The most working days a dialogue may give for written answers.
MAX_ANSWER_DAYS = 90
#: The states whose questions the wrap-up reads.
OPEN = tuple(sorted(UNANSWERED))


def due_date(ended_at: datetime, working_days: int) -> date:
    """The day ``working_days`` working days after the (Vietnamese) day of
    ``ended_at``: a Friday's broadcast with 1 day is due on Monday."""
    day = ended_at.astimezone(ICT).date()
    left = working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


@dataclass(frozen=True)
class Owed:
    """One question of the wrap-up: who will answer it in writing."""

    question: Question
    #: The official chosen, else the topic's default, else the one it was
    #: routed to; None: nobody yet (flagged until someone takes it).
    official_id: str | None


def plan(dialogue: Dialogue, questions: Iterable[Question]) -> list[Owed]:
    """The wrap-up's proposal: every question not answered live (approved,
    queued, on air, deferred), oldest first, with the official it is routed
    to, else its topic's default official."""
    found = []
    for q in sorted(questions, key=lambda q: int(q.id)):
        if q.status not in UNANSWERED:
            continue
        default = dialogue.default_official(q.topic)
        found.append(Owed(q, q.official_id or (default.id if default else None)))
    return found


def choose(dialogue: Dialogue, proposal: list[Owed], chosen: Any) -> list[Owed]:
    """``proposal`` with the officials the closing producer chose (question id
    -> official id, or None for nobody yet), or Refused."""
    if chosen is None:
        return proposal
    if not isinstance(chosen, Mapping):
        raise Refused("invalid", "officials must map question ids to official ids", "officials")
    for qid, official in chosen.items():
        if official is not None and dialogue.official(official) is None:
            raise Refused(
                "invalid",
                "official_id is not an official of the dialogue",
                f"officials.{qid}",
            )
    return [
        Owed(o.question, chosen[o.question.id]) if o.question.id in chosen else o for o in proposal
    ]
