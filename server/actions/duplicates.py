"""This node's duplicate indexes: one ``DuplicateIndex`` per dialogue, built
from Redis the first time intake needs it and caught up from the dialogue's
event stream before every query, so questions materialised or edited on other
nodes are found too. A stream trimmed past the index's position (or a
restart) means a rebuild from the questions themselves.
"""

from __future__ import annotations

import asyncio
import logging

from ..domain.model import Duplicate, Question, Status
from ..domain.similarity import DEFAULT_THRESHOLD, DuplicateIndex
from ..store.connection import Store
from ..store.events import StoredEvent

log = logging.getLogger(__name__)

#: The states whose questions are suggested as duplicates (the API's promise: not
#: rejected; merged ones live on in their target; received ones are not yet
#: screened).
INDEXED = frozenset(Status) - {Status.RECEIVED, Status.REJECTED, Status.MERGED}

#: Suggestions per question (the API promises at most 5).
LIMIT = 5
#: Events an index catches up on at most; further behind, it is rebuilt from
#: the questions. Far above DOITHOAI_REPLAY_MAX: a node has one index per
#: dialogue, not one per socket, and a rebuild re-indexes every question.
CATCH_UP_MAX = 10_000


class _Dialogue:
    def __init__(self, threshold: float) -> None:
        self.index = DuplicateIndex(threshold)
        self.texts: dict[str, str] = {}
        self.position = "0-0"
        self.lock = asyncio.Lock()

    def apply(self, question: Question) -> None:
        if question.status not in INDEXED:
            self.texts.pop(question.id, None)
            self.index.remove(question.id)
        elif self.texts.get(question.id) != question.text:
            self.texts[question.id] = question.text
            self.index.add(question.id, question.text)


class DuplicateFinder:
    def __init__(self, store: Store, threshold: float = DEFAULT_THRESHOLD) -> None:
        self._store = store
        self._threshold = threshold
        self._dialogues: dict[str, _Dialogue] = {}

    async def similar(self, question: Question) -> tuple[Duplicate, ...]:
        """The questions of ``question``'s dialogue that are the same question,
        best first (itself excluded)."""
        state = await self._current(question.dialogue_id)
        found = state.index.similar(question.text, limit=LIMIT + 1)
        return tuple(Duplicate(qid, score) for qid, score in found if qid != question.id)[:LIMIT]

    async def similar_many(self, questions: list[Question]) -> SimilarInBatch:
        """For a batch of one dialogue's questions: the index caught up once;
        each question then asked in turn (``SimilarInBatch.similar``), and
        each one screened in noted (``note``), so that a later question of
        the same batch finds an earlier one before either is written."""
        return SimilarInBatch(await self._current(questions[0].dialogue_id))

    async def _current(self, dialogue_id: str) -> _Dialogue:
        state = self._dialogues.get(dialogue_id)
        if state is None:
            state = self._dialogues[dialogue_id] = _Dialogue(self._threshold)
        async with state.lock:
            events = None
            if state.position != "0-0":
                events = await self._store.events.after(
                    dialogue_id, state.position, limit=CATCH_UP_MAX
                )
            if events is None:
                await self._rebuild(dialogue_id, state)
            else:
                self._catch_up(state, events)
        return state

    async def _rebuild(self, dialogue_id: str, state: _Dialogue) -> None:
        last_id, questions = await self._store.questions.snapshot(dialogue_id, INDEXED)
        state.index.rebuild((q.id, q.text) for q in questions)
        state.texts = {q.id: q.text for q in questions}
        state.position = last_id
        log.info("duplicate index of %s rebuilt: %d questions", dialogue_id, len(questions))

    def _catch_up(self, state: _Dialogue, events: list[StoredEvent]) -> None:
        for event in events:
            if event.question is not None:
                state.apply(event.question)
            state.position = event.id


class SimilarInBatch:
    """``DuplicateFinder.similar_many``'s answer."""

    def __init__(self, state: _Dialogue) -> None:
        self._state = state

    def similar(self, question: Question) -> tuple[Duplicate, ...]:
        found = self._state.index.similar(question.text, limit=LIMIT + 1)
        return tuple(Duplicate(qid, score) for qid, score in found if qid != question.id)[:LIMIT]

    def note(self, question: Question) -> None:
        """``question`` as it is about to be written (the events bring the
        same, which changes nothing)."""
        self._state.apply(question)
