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
from .model import Dialogue, Question, Status
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


def still_to_owe(question: Question) -> bool:
    """Whether the wrap-up has still to owe ``question``: not answered live
    (approved, queued, on air, or deferred during the broadcast) and not yet
    owed by a due day (an earlier wrap-up's deferred questions are done)."""
    if question.status not in UNANSWERED:
        return False
    return not (question.status is Status.DEFERRED and question.due_at)


def plan(dialogue: Dialogue, questions: Iterable[Question]) -> list[Owed]:
    """The wrap-up's proposal: every question still to owe (``still_to_owe``),
    oldest first, with the official it is routed to, else its topic's
    default official."""
    found = []
    for q in sorted(questions, key=lambda q: int(q.id)):
        if not still_to_owe(q):
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


def check_seen(proposal: list[Owed], seen: Any) -> None:
    """Refuse (409) a wrap-up whose ``seen`` question ids (the list the
    producer confirmed) are not the questions it would owe now: a question
    approved, answered or owed meanwhile was not chosen for. None: not
    checked (a caller that shows no list)."""
    if seen is None:
        return
    if not isinstance(seen, Iterable) or isinstance(seen, str | bytes | Mapping):
        raise Refused(
            "invalid", "The questions sent must be a list of the question ids shown.", "questions"
        )
    now = {o.question.id for o in proposal}
    given = {str(qid) for qid in seen}
    if given != now:
        raise Refused(
            "conflict",
            "The questions to owe have changed since the list was shown ({added} added, "
            "{gone} gone): check the list again, then confirm.",
            "questions",
            added=len(now - given),
            gone=len(given - now),
        )
