"""What a node made of each open question for the staff feed's snapshot,
kept while the question's stored row is the same.

A console opened on a big queue (10,000 pending questions before a
broadcast) needs a staff view of each: decoding the stored document,
folding the text for search, the actions each role may take. Those depend
only on the question's stored row (its document, rewritten by every change,
and its votes) and on the dialogue (topic names, officials: its version),
so the views made for one snapshot serve the next console to open, a
reconnect or a reload, for every question that has not changed since.
Only the current snapshot's questions are kept (a finished question's view
goes with the next snapshot), for a bounded number of dialogues.
"""

from __future__ import annotations

from ..domain.events import staff_question
from ..domain.model import Dialogue
from ..domain.views import ConsoleQuestion
from ..store.questions import Row, load

#: Dialogues whose staff views a node keeps (the least recently used go).
DIALOGUES = 16


class StaffViews:
    def __init__(self, dialogues: int = DIALOGUES) -> None:
        self._dialogues = dialogues
        # dialogue id -> (its version, {question id: (document, votes, view)})
        self._kept: dict[str, tuple[int, dict[str, tuple[str, str | None, ConsoleQuestion]]]] = {}

    def views(self, dialogue: Dialogue, rows: list[Row]) -> list[ConsoleQuestion]:
        """The staff view of each of ``rows``, in their order: the one kept
        when its document and votes are those it was made from (and the
        dialogue is at the same version), else made now. The views are
        shared by every snapshot that holds them: callers only read them."""
        version, before = self._kept.pop(dialogue.id, (dialogue.version, {}))
        if version != dialogue.version:
            before = {}
        now: dict[str, tuple[str, str | None, ConsoleQuestion]] = {}
        out: list[ConsoleQuestion] = []
        for row in rows:
            qid, doc, votes = row
            kept = before.get(qid)
            if kept is not None and kept[0] == doc and kept[1] == votes:
                view = kept[2]
            else:
                view = staff_question(load(row), dialogue)
            now[qid] = (doc, votes, view)
            out.append(view)
        while len(self._kept) >= self._dialogues:
            del self._kept[next(iter(self._kept))]
        self._kept[dialogue.id] = (dialogue.version, now)
        return out
