"""A dialogue's audit trail as staff read it: pages of entries, newest
first, filtered, and whether its hash chain is intact."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from ..domain import views
from ..domain.audit import Problem
from ..domain.model import Dialogue
from ..domain.wording import Refused
from ..store.audit import Row
from ..store.events import parse_id
from .base import Family

#: Entries per page, and how many are read at most to fill one filtered page.
PAGE = 100
SCAN = 5000
#: What a page may be filtered by (an entry's field and the value it must have).
FILTERS = ("actor", "action", "question")


@dataclass(frozen=True)
class Chain:
    """The state of the trail's hash chain."""

    problems: list[Problem]
    head: str
    count: int

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_doc(self) -> views.Chain:
        return {
            "ok": self.ok,
            "count": self.count,
            "head": self.head,
            "problems": [{"at": p.at, "message": p.message} for p in self.problems],
        }


def check_cursor(before: str | None) -> str | None:
    """``before``: a stream id a previous page gave (``<ms>-<seq>``), or nothing."""
    if before and ("-" not in before or parse_id(before) is None):
        raise Refused("invalid", "before must be the next_before of a previous page", "before")
    return before or None


def row_doc(row: Row) -> views.AuditEntry:
    return cast(views.AuditEntry, {"id": row.id, **row.entry, "hash": row.hash})


class Audit(Family):
    async def page(
        self, dialogue: Dialogue, filters: dict[str, str], before: str | None
    ) -> tuple[list[Row], str | None]:
        """Newest first: up to PAGE entries matching ``filters`` before
        ``before``, and the cursor of the next page (None at the start of the
        trail)."""
        found: list[Row] = []
        scanned = 0
        while len(found) < PAGE and scanned < SCAN:
            batch = await self.store.audit.newest(dialogue.id, before, count=500)
            if not batch:
                return found, None
            scanned += len(batch)
            for row in batch:
                before = row.id
                if all(str(row.entry.get(k) or "") == v for k, v in filters.items()):
                    found.append(row)
                    if len(found) == PAGE:
                        break
        return found, before

    async def oldest(self, dialogue: Dialogue, count: int) -> list[Row]:
        """The first ``count`` entries of the trail, oldest first."""
        return await self.store.audit.read(dialogue.id, count=count)

    async def chain(self, dialogue: Dialogue | None) -> Chain:
        """Whether the trail of ``dialogue`` (None: the accounts' trail) is intact."""
        trail = dialogue.id if dialogue else None
        problems = await self.store.audit.verify(trail)
        head, count = await self.store.audit.head(trail)
        return Chain(problems, head, count)
