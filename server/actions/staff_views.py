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

A node just started has none: ``warm`` makes them ahead of the first
snapshot, in slices between which the event loop runs its other work.
"""

from __future__ import annotations

import asyncio

from ..domain.events import snapshot_question
from ..domain.lifecycle import actions_by_role
from ..domain.model import Dialogue
from ..domain.views import ActionsByRole, SnapshotQuestion
from ..store.questions import Row, load

#: What is kept of a question: its document and votes, and its view and
#: the ``actions_by_role`` its ``action_set`` names.
_Kept = tuple[str, str | None, SnapshotQuestion, ActionsByRole]

#: Dialogues whose staff views a node keeps (the least recently used go).
DIALOGUES = 16
#: Questions ``warm`` makes views of between two turns of the event loop
#: (about 15 ms of CPU on this machine).
SLICE = 500


class StaffViews:
    def __init__(self, dialogues: int = DIALOGUES) -> None:
        self._dialogues = dialogues
        # dialogue id -> (its version, {question id: _Kept})
        self._kept: dict[str, tuple[int, dict[str, _Kept]]] = {}

    def views(
        self, dialogue: Dialogue, rows: list[Row]
    ) -> tuple[list[SnapshotQuestion], dict[str, ActionsByRole]]:
        """The snapshot's view of each of ``rows``, in their order, and the
        ``actions_by_role`` each ``action_set`` they name stands for: the
        view kept when its document and votes are those it was made from
        (and the dialogue is at the same version), else made now. The views
        are shared by every snapshot that holds them: callers only read them."""
        version, before = self._kept.pop(dialogue.id, (dialogue.version, {}))
        if version != dialogue.version:
            before = {}
        now: dict[str, _Kept] = {}
        out: list[SnapshotQuestion] = []
        sets: dict[str, ActionsByRole] = {}
        for row in rows:
            qid, doc, votes = row
            kept = before.get(qid)
            if kept is None or kept[0] != doc or kept[1] != votes:
                kept = _made(dialogue, row)
            now[qid] = kept
            out.append(kept[2])
            sets[kept[2]["action_set"]] = kept[3]
        self._keep(dialogue, now)
        return out, sets

    async def warm(self, dialogue: Dialogue, rows: list[Row], every: int = SLICE) -> None:
        """Make the views of ``rows`` now, ``every`` at a time between turns
        of the event loop, for the next ``views`` of ``dialogue`` to keep
        (a node just started: its first console then finds them made). What
        a snapshot kept meanwhile stays (it read the rows later); all is
        dropped if that snapshot saw another version of the dialogue."""
        made: dict[str, _Kept] = {}
        for start in range(0, len(rows), every):
            await asyncio.sleep(0)
            for row in rows[start : start + every]:
                made[row[0]] = _made(dialogue, row)
        version, kept = self._kept.get(dialogue.id, (dialogue.version, {}))
        if version == dialogue.version:
            self._keep(dialogue, made | kept)

    def _keep(self, dialogue: Dialogue, views: dict[str, _Kept]) -> None:
        self._kept.pop(dialogue.id, None)
        while len(self._kept) >= self._dialogues:
            del self._kept[next(iter(self._kept))]
        self._kept[dialogue.id] = (dialogue.version, views)


def _made(dialogue: Dialogue, row: Row) -> _Kept:
    """What is kept of the question ``row`` holds (``_Kept``)."""
    _, doc, votes = row
    q = load(row)
    view = snapshot_question(q, dialogue)
    return (doc, votes, view, actions_by_role(q, dialogue.status, view["action_set"]))
