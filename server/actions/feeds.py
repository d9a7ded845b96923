"""What a feed's client is sent on connecting: a snapshot of the dialogue for
its audience, consistent with the last event id it names, or the events it
missed since the id it last saw; and the pages of what a snapshot leaves out.

The public snapshot (the first message a viewer gets, and ``GET .../feed``)
is bounded, whatever the dialogue's size, to ``FIRST_BYTES``: the question on
air, the head of the queue, the newest answered, the most supported open
questions and the newest published ones, in that order of need, as many as
fit; older questions page over HTTP (``GET .../feed?before=``), newest first.
The staff snapshot carries only the questions that need work
(``lifecycle.OPEN_STATES``); the finished ones page on demand (``history``).
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.events import SNAPSHOT_ABSENT, VOTES_LOOK_BACK_MS, public_dialogue, public_question
from ..domain.lifecycle import FINISHED_STATES, OPEN_STATES
from ..domain.model import ACCEPTING_STATUSES, PUBLIC_STATUSES, Dialogue, Question, Status, iso
from ..domain.views import ConsoleFeed, Feed, FeedPage, PublicQuestion
from ..store.events import StoredEvent, parse_id
from .base import Family
from .staff_views import DIALOGUES, StaffViews

#: The public feed's first message (the WebSocket snapshot with its envelope,
#: or ``GET .../feed``) is at most this many bytes of UTF-8 JSON (issue 15).
FIRST_BYTES = 64 * 1024
#: Room kept for the WebSocket envelope (id, type, the dialogue's slug, reset).
ENVELOPE_BYTES = 512
#: How many of each kind the first page asks the store for (the bound in bytes
#: then decides how many of them it carries).
NEWEST, ANSWERED, TOP, QUEUE = 50, 10, 10, 20
#: Questions per page of ``GET .../feed?before=`` (bounded in bytes too) and
#: of the staff history.
PAGE = 50
#: The finished states, in the order the staff snapshot counts them.
FINISHED = tuple(s for s in Status if s in FINISHED_STATES)


def size(value: Any) -> int:
    """Bytes of ``value`` as the feeds send it (compact UTF-8 JSON)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


class _Budget:
    """Public questions chosen while they fit in ``room`` bytes."""

    def __init__(self, dialogue: Dialogue, room: int) -> None:
        self.dialogue = dialogue
        self.room = room
        self.chosen: dict[str, PublicQuestion] = {}

    def take(self, question: Question | None) -> bool:
        """Whether ``question`` is (now) among the chosen; False if it does not fit."""
        if question is None or question.status not in PUBLIC_STATUSES:
            return False
        if question.id in self.chosen:
            return True
        view = public_question(question, self.dialogue)
        cost = size(view) + 1  # and its comma
        if cost > self.room:
            return False
        self.chosen[question.id] = view
        self.room -= cost
        return True


class Feeds(Family):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._views = StaffViews()

    async def public(self, dialogue: Dialogue) -> Feed:
        """The public feed's first page (at most ``FIRST_BYTES``): the dialogue,
        what is on air, the questions a viewer needs first (the module's
        docstring), the head of the on-air queue, how many questions each
        state holds, whether the overlay shows, and the cursor of the older
        questions; consistent with its ``last_event_id``."""
        front = await self.store.questions.front(
            dialogue.id, PUBLIC_STATUSES, newest=NEWEST, answered=ANSWERED, top=TOP, queue=QUEUE
        )
        found = front.questions
        air = found.get(front.on_air) if front.on_air else None
        on_air = public_question(air, dialogue) if air and air.status is Status.ON_AIR else None
        feed: Feed = {
            "last_event_id": front.last_id,
            "dialogue": public_dialogue(dialogue),
            "on_air": on_air,
            "questions": [],
            "queue": front.queue,
            "overlay": {"visible": front.overlay_visible},
            "counts": {
                s.value: front.counts.get(s.value, 0) for s in Status if s in PUBLIC_STATUSES
            },
            "next_before": "0",
        }
        budget = _Budget(dialogue, FIRST_BYTES - ENVELOPE_BYTES - size(feed))
        for qid in [front.on_air or "", *front.queue, *front.answered, *front.top]:
            budget.take(found.get(qid))
        # The newest questions, newest first and without a gap: the older ones page on.
        next_before: str | None = None
        for qid in front.newest:
            if not budget.take(found.get(qid)):
                next_before = str(int(qid) + 1)
                break
            next_before = qid
        else:
            if len(front.newest) < NEWEST:
                next_before = None
        feed["questions"] = sorted(budget.chosen.values(), key=lambda q: int(q["id"]))
        feed["next_before"] = next_before
        return feed

    async def older(self, dialogue: Dialogue, before: int, limit: int = PAGE) -> FeedPage:
        """The published questions older than ``before`` (an id), newest
        first, as many as ``limit`` and ``FIRST_BYTES`` allow (one at
        least), and the cursor of the next page."""
        questions, more = await self.store.questions.newest(
            dialogue.id, PUBLIC_STATUSES, before, limit
        )
        budget = _Budget(dialogue, FIRST_BYTES - size({"questions": [], "next_before": "0"}))
        page: list[PublicQuestion] = []
        for question in questions:
            if not budget.take(question) and page:
                more = True
                break
            page.append(budget.chosen.get(question.id) or public_question(question, dialogue))
        return {"questions": page, "next_before": page[-1]["id"] if more and page else None}

    async def staff(self, dialogue: Dialogue) -> ConsoleFeed:
        """The staff feed: the dialogue (its phase as of the snapshot, not
        as the socket found it), every question that needs work (``OPEN_STATES``),
        the on-air queue's order, whether the overlay shows, who handles
        which question now, and how many finished ones the history pages
        (``Moderation.history``)."""
        board = await self.store.questions.board(dialogue.id, OPEN_STATES)
        rows = sorted(board.rows, key=lambda row: int(row[0]))
        counts = await self.store.questions.counts(dialogue.id)
        # The dialogue as it stands once the board is read: a change of phase
        # made while the socket opened (its event at or before the board's
        # last_event_id, which the page never gets) is in it, and in what the
        # questions' actions allow.
        dialogue = await self.store.dialogues.by_id(dialogue.id) or dialogue
        # Each question's own suggestions, as its events carry them (the
        # console adds the reverse): a snapshot and the events after it
        # agree. Views kept from the last snapshot where nothing changed.
        questions, action_sets = self._views.views(dialogue, rows)
        return {
            "last_event_id": board.last_id,
            "dialogue": public_dialogue(dialogue),
            "questions": questions,
            # Sent once each, not with each of thousands of questions.
            "action_sets": action_sets,
            # Each question leaves out the fields that hold these values.
            "absent": SNAPSHOT_ABSENT,
            "queue": board.queue,
            "overlay": {"visible": board.overlay_visible},
            "handling": await self.store.questions.handling(dialogue.id, iso(self._now())),
            "finished": {s.value: counts.get(s.value, 0) for s in FINISHED},
        }

    async def worked_on(self) -> list[Dialogue]:
        """The dialogues open to questions, where moderators work (at most
        as many as a node keeps the staff views of): ``warm``'s."""
        dialogues = await self.store.dialogues.all()
        return [d for d in dialogues if d.status in ACCEPTING_STATUSES][:DIALOGUES]

    async def warm(self, dialogues: list[Dialogue]) -> None:
        """Make the staff views of ``dialogues`` ahead of their first
        snapshot: a node just started otherwise makes 10,000 of them (~0.3 s
        of CPU) while the first console to open waits for them."""
        for dialogue in dialogues:
            board = await self.store.questions.board(dialogue.id, OPEN_STATES)
            await self._views.warm(dialogue, board.rows)

    async def missed(self, dialogue: Dialogue, after: str) -> list[StoredEvent] | None:
        """The events after ``after``, or None when the client must start over
        from a snapshot: the id is unknown or trimmed, or more than
        ``DOITHOAI_REPLAY_MAX`` events follow it (a snapshot is then cheaper
        than the replay).

        First come, under the id ``after`` itself, the votes of each
        question whose last vote was in the ``VOTES_LOOK_BACK_MS`` up to
        ``after``: a change the node held back (at most one a second is
        sent live) when the client got ``after`` is among them
        (realtime/reader.py). Counts are absolute: one the client had
        changes nothing, and a later one in the replay or live comes after."""
        found = await self.store.events.after(dialogue.id, after, limit=self.settings.replay_max)
        at = parse_id(after)  # a stream id, as ``after`` found it one
        if found is None or at is None or at == (0, 0):
            return found
        upto = at[0]
        voted = await self.store.questions.voted(dialogue.id, upto - VOTES_LOOK_BACK_MS, upto)
        counts = [
            StoredEvent(after, dialogue.id, "votes.changed", question_id=qid, votes=votes)
            for qid, votes in voted
        ]
        return counts + found
