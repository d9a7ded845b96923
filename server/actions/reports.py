"""What the organisers take away from a dialogue: its record (every question,
the exports' rows) and its figures (``domain.figures``), for the XLSX
export, the report to the leadership and the public accountability page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain import access, audit, dashboard, export, figures, tally
from ..domain.access import Permission
from ..domain.lifecycle import OPEN_STATES
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


@dataclass(frozen=True)
class Accountability:
    """What the public sees of a dialogue's promises (``/d/<slug>/report``):
    how many questions came and were published, and what each responsible
    body answered live and in writing, still owes, and is late with. No
    question, no asker: counts and bodies only."""

    received: int
    published: int
    answered_live: int
    answered_written: int
    owed: int
    overdue: int
    bodies: list[figures.Owing]


#: How many of the most supported open questions the dashboard shows, and
#: how many of the most supported (any state) it reads to find them.
SUPPORTED = 5
_SUPPORTED_READ = 50
#: A node's count of viewers is forgotten when it has not said it again
#: within this many of its reporting periods (``DOITHOAI_VIEWERS_EVERY``).
VIEWERS_PERIODS = 3
#: Attempts at recounting a dialogue's counters while its questions change.
RECOUNT_ATTEMPTS = 5


#: Dialogues whose public report a node keeps (``Reports.accountability``).
KEPT_REPORTS = 64


class Reports(Family):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # dialogue id -> ((last event id, dialogue version, day), its report)
        self._reports: dict[str, tuple[tuple[str, int, Any], Accountability]] = {}

    async def dashboard(self, dialogue: Dialogue) -> dashboard.Dashboard:
        """The live dashboard: the counters kept as questions come and change,
        the viewers of every node, and the most supported open questions (a
        bounded read whatever the dialogue's size)."""
        now = self._now()
        await self._count_every_question(dialogue)
        # Read first: any event after it may have changed the counters, and
        # the page's feed starts from it (no staff snapshot to send it).
        last_event_id = await self.store.events.last_id(dialogue.id)
        counters = await self.store.questions.figures(dialogue.id)
        viewers = await self.store.questions.viewers(
            dialogue.id, None, 0, _ms(now), self._viewers_ttl_ms()
        )
        top = await self.store.questions.most_supported(dialogue.id, _SUPPORTED_READ)
        found = await self.store.questions.get_many(dialogue.id, [qid for qid, _ in top])
        open_ = [q for q in found if q.status in OPEN_STATES and q.is_public and q.votes]
        supported = [
            dashboard.Supported(q.id, q.text, q.votes, q.status.value) for q in open_[:SUPPORTED]
        ]
        return dashboard.read(
            dialogue,
            counters,
            now,
            viewers=viewers,
            supported=supported,
            last_event_id=last_event_id,
        )

    async def _count_every_question(self, dialogue: Dialogue) -> None:
        """Once for a dialogue whose questions came before its counters were
        kept: count them from the questions (``tally.recount``), atomically
        against any change meanwhile (tried again a few times; after that the
        counters show what they have, and the next load tries again)."""
        questions = self.store.questions
        for _ in range(RECOUNT_ATTEMPTS):
            if await questions.counted(dialogue.id):
                return
            seq = await questions.last_id(dialogue.id)
            last, found = await questions.snapshot(dialogue.id, list(Status))
            counters, each = tally.recount(found)
            if await questions.recount(dialogue.id, last, seq, counters, each):
                return

    async def count_viewers(self, node: str, counts: dict[str, int]) -> None:
        """Say how many viewers (public sockets) ``node`` has on each dialogue
        of ``counts`` (dialogue id -> count)."""
        now, ttl = _ms(self._now()), self._viewers_ttl_ms()
        for dialogue_id, count in counts.items():
            await self.store.questions.viewers(dialogue_id, node, count, now, ttl)

    def _viewers_ttl_ms(self) -> int:
        return int(self.settings.viewers_every * VIEWERS_PERIODS * 1000)

    async def accountability(self, dialogue: Dialogue) -> Accountability:
        """The public report: the states' counters and the answered and owed
        questions only (not every question of the dialogue). Kept as of the
        dialogue's last event, version and day (what is overdue changes with
        the day): a page thousands read after a broadcast reads the questions
        once per change, not once per reader. The event id is read first, so
        a report kept is never older than the id it is kept under."""
        key = (
            await self.store.events.last_id(dialogue.id),
            dialogue.version,
            figures.today(self._now()),
        )
        kept = self._reports.get(dialogue.id)
        if kept is not None and kept[0] == key:
            return kept[1]
        account = await self._account(dialogue)
        self._reports.pop(dialogue.id, None)
        if len(self._reports) >= KEPT_REPORTS:
            del self._reports[next(iter(self._reports))]
        self._reports[dialogue.id] = (key, account)
        return account

    async def _account(self, dialogue: Dialogue) -> Accountability:
        counts = await self.store.questions.counts(dialogue.id)
        _, found = await self.store.questions.snapshot(
            dialogue.id, [Status.ANSWERED, Status.DEFERRED]
        )
        counted = figures.count(dialogue, found, self._now())
        public = (Status.APPROVED, Status.QUEUED, Status.ON_AIR, Status.ANSWERED, Status.DEFERRED)
        return Accountability(
            received=sum(counts.values()),
            published=sum(counts[s.value] for s in public),
            answered_live=counted.answered_live,
            answered_written=counted.answered_written,
            owed=counted.owed,
            overdue=counted.overdue,
            bodies=[o for o in counted.officials if o.answered_live + o.answered_written + o.owed],
        )

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


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _number(q: Question) -> int:
    return int(q.id)
