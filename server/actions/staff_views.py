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
                q = load(row)
                view = snapshot_question(q, dialogue)
                by_role = actions_by_role(q, dialogue.status, view["action_set"])
                kept = (doc, votes, view, by_role)
            now[qid] = kept
            out.append(kept[2])
            sets[kept[2]["action_set"]] = kept[3]
        while len(self._kept) >= self._dialogues:
            del self._kept[next(iter(self._kept))]
        self._kept[dialogue.id] = (dialogue.version, now)
        return out, sets
