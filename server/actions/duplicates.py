"""This node's duplicate indexes: one per dialogue, built from Redis the first
time it is needed and caught up from the dialogue's event stream before every
use, so questions materialised or edited on other nodes count too. A stream
trimmed past the index's position (or a restart) means a rebuild from the
questions themselves.

Each dialogue's state holds two things. The ``DuplicateIndex`` of its texts,
built only when a node first asks for suggestions (intake, or a moderator's
edit). And which questions suggest which (from each question's stored
``duplicates``), so that the staff API lists a suggestion on both questions
of a pair: the newer one stores it, the older one is given it by
``both_ways``.
"""

from __future__ import annotations

import asyncio
import logging

from ..config import Settings
from ..domain.model import Duplicate, Question, Status
from ..domain.similarity import DEFAULT_THRESHOLD, DuplicateIndex
from ..store.connection import Store
from ..store.events import StoredEvent
from .base import Clock, Family, utcnow

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
        self.threshold = threshold
        self._index: DuplicateIndex | None = None
        self.texts: dict[str, str] = {}
        #: Each indexed question's own suggestions, and for each question the
        #: indexed questions that suggest it (id -> score).
        self.suggests: dict[str, tuple[Duplicate, ...]] = {}
        self.suggested_by: dict[str, dict[str, float]] = {}
        self.position = "0-0"
        self.lock = asyncio.Lock()

    @property
    def index(self) -> DuplicateIndex:
        """The index of the texts, built on first use (a node that only
        serves the staff API never needs it)."""
        if self._index is None:
            self._index = DuplicateIndex(self.threshold)
            self._index.rebuild(self.texts.items())
        return self._index

    def apply(self, question: Question) -> None:
        self._unlist(question.id)
        if question.status not in INDEXED:
            self.texts.pop(question.id, None)
            if self._index is not None:
                self._index.remove(question.id)
            return
        if self.texts.get(question.id) != question.text:
            self.texts[question.id] = question.text
            if self._index is not None:
                self._index.add(question.id, question.text)
        if question.duplicates:
            self.suggests[question.id] = question.duplicates
            for d in question.duplicates:
                self.suggested_by.setdefault(d.id, {})[question.id] = d.score

    def _unlist(self, question_id: str) -> None:
        for d in self.suggests.pop(question_id, ()):
            by = self.suggested_by.get(d.id)
            if by is not None:
                by.pop(question_id, None)
                if not by:
                    del self.suggested_by[d.id]

    def reset(self, questions: list[Question], position: str) -> None:
        self._index = None
        self.texts.clear()
        self.suggests.clear()
        self.suggested_by.clear()
        for question in questions:
            self.apply(question)
        self.position = position

    def both_ways(self, question: Question) -> tuple[Duplicate, ...]:
        """``question``'s own suggestions and the questions that suggest it,
        best first (ties by id), at most ``LIMIT``. Only questions still
        indexed are named: a suggestion stored before the question it names
        was merged or rejected is left out (merging into it would be refused)."""
        scores = {d.id: d.score for d in question.duplicates if d.id in self.texts}
        for other, score in self.suggested_by.get(question.id, {}).items():
            if other != question.id and score > scores.get(other, -1.0):
                scores[other] = score
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return tuple(Duplicate(qid, score) for qid, score in ranked[:LIMIT])


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

    async def both_ways(
        self, dialogue_id: str, questions: list[Question]
    ) -> list[tuple[Duplicate, ...]]:
        """For each of ``questions``: its own suggestions and those of the
        dialogue's questions that name it, best first (at most ``LIMIT``)."""
        state = await self._current(dialogue_id)
        return [state.both_ways(q) for q in questions]

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
        state.reset(questions, last_id)
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


class SuggestsDuplicates(Family):
    """A family that asks for duplicate suggestions (intake, a moderator's
    edit, the staff views): one ``DuplicateFinder`` of the node, shared by
    every such family so that the node keeps one index per dialogue."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock = utcnow,
        duplicates: DuplicateFinder | None = None,
    ) -> None:
        super().__init__(store, settings, clock)
        self.duplicates = duplicates or DuplicateFinder(store)
