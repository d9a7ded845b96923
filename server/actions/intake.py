"""Intake: a received question is screened (the dialogue's policy, duplicate
suggestions) into moderation. The store's intake worker calls
``Intake.materialise`` for every inbox entry, on whichever node claims it."""

from __future__ import annotations

from collections.abc import Iterable

from ..domain import lifecycle, screening
from ..domain.model import Dialogue, Status
from ..store.questions import Conflict, Missing
from .duplicates import SuggestsDuplicates


class Intake(SuggestsDuplicates):
    async def materialise(self, dialogue_id: str, question_id: str, entry_id: str) -> None:
        """Screen a received question into moderation, or reject it when the
        policy says so, and acknowledge its inbox entry in the same atomic
        step; a second delivery only acknowledges."""
        q = await self.store.questions.get(dialogue_id, question_id)
        if q is None:
            raise Missing(question_id)
        if q.status is not Status.RECEIVED:
            await self.store.questions.ack(dialogue_id, entry_id)
            return
        dialogue = await self.store.dialogues.by_id(dialogue_id)
        policy = screening.Policy.from_doc(dialogue.policy if dialogue else {})
        result = screening.screen(q.text, q.name, q.organization, policy)
        duplicates = await self.duplicates.similar(q) if result.decision != "reject" else ()
        decision = lifecycle.screen(q, result, duplicates, self._now())
        try:
            await self.store.questions.commit(dialogue_id, [decision], ack=entry_id)
        except Conflict:
            # Another consumer materialised it first (after taking the entry over).
            await self.store.questions.ack(dialogue_id, entry_id)

    async def materialise_many(self, dialogue_id: str, entries: list[tuple[str, str]]) -> None:
        """``materialise`` for a batch of one dialogue's inbox entries
        (question id, entry id), read together: the questions in one round
        trip, the dialogue and its policy once, the duplicate index caught
        up once, and every decision with its acknowledgement written in one
        pipeline (each atomic on its own, as ``materialise``'s). A question
        missing raises ``Missing``: the worker then handles the entries one
        by one."""
        ids = [qid for qid, _ in entries]
        found = {q.id: q for q in await self.store.questions.get_many(dialogue_id, ids)}
        if missing := [qid for qid in ids if qid not in found]:
            raise Missing(missing[0])
        dialogue = await self.store.dialogues.by_id(dialogue_id)
        policy = screening.Policy.from_doc(dialogue.policy if dialogue else {})
        received = [(found[qid], e) for qid, e in entries if found[qid].status is Status.RECEIVED]
        done = [e for qid, e in entries if found[qid].status is not Status.RECEIVED]
        decisions = []
        if received:
            batch = await self.duplicates.similar_many([q for q, _ in received])
            now = self._now()
            for q, entry_id in received:
                result = screening.screen(q.text, q.name, q.organization, policy)
                duplicates = batch.similar(q) if result.decision != "reject" else ()
                decision = lifecycle.screen(q, result, duplicates, now)
                batch.note(decision.question)
                decisions.append((decision, entry_id))
        await self.store.questions.commit_each(dialogue_id, decisions, done)

    async def screen_now(self, dialogue: Dialogue, question_ids: Iterable[str]) -> None:
        """Screen these received questions now, as the intake worker would,
        rather than wait for it (the demo's seeding; tests).

        Each question's inbox entry goes through the worker's own handler,
        ``materialise``, which is idempotent: if the worker gets to an entry
        first, this finds the question screened and only acknowledges; if this
        is first, the worker's later delivery finds the question no longer
        received and only acknowledges. Either way each question is screened
        once, and when this returns every one of them is at least pending."""
        entry_of = await self.store.questions.inbox_entries(dialogue.id)
        for qid in question_ids:
            await self.materialise(dialogue.id, qid, entry_of[qid])
