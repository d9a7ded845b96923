"""A Hypothesis state machine over the real store: two moderators, a producer
and an official take random actions (with random versions, some stale) on
random questions while citizens keep asking. After every step:

- every question is in exactly one state: its document, its state index and
  the queue / on-air slot agree, and at most one question is on air;
- every change was a move of the transition table (or the side effect the
  table's action causes: the displaced question, the merge target);
- every successful action has its audit entries (one per question it
  changed, by that actor), a refused one changes nothing and has none, and
  the chain stays intact.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from server.actions import build
from server.domain.lifecycle import ACTIONS, allowed_actions, rule_for
from server.domain.model import Actor, Dialogue, Role, Status
from server.domain.wording import Refused
from server.store import keys
from server.store.connection import connect
from server.store.intake import Intake
from tests.support.store import store_on

from .conftest import OFFICIALS, TOPICS, payload

ACTORS = {
    "mod1": Actor("mod1", frozenset({Role.MODERATOR})),
    "mod2": Actor("mod2", frozenset({Role.MODERATOR})),
    "producer": Actor("producer", frozenset({Role.PRODUCER})),
    "official": Actor("official", frozenset({Role.OFFICIAL}), "o1"),
}
PARAMS: dict[str, dict[str, Any]] = {
    "reject": {"reason": "off_topic"},
    "edit": {"text": "Câu hỏi đã được biên tập lại cho rõ ý hơn."},
    "set_topic": {"topic": "kinh-te-so"},
    "assign": {"official_id": "o1"},
    "answer": {"text": "Xin trả lời như sau."},
    "summarize": {"text": "Tóm tắt câu trả lời."},
    "air_text": {"text": "Chữ ký số cho hộ kinh doanh?"},
    "note": {"text": "Cần số liệu của Sở."},
    "move": {"position": 0},
}
#: Successful actions over all the examples of a run.
DONE: dict[str, int] = {}
#: Side effects a table action causes on another question (history action).
SIDE_EFFECTS = {
    "on_air": {"back", "answer"},
    "skip": {"on_air"},
    "merge": {"absorb"},
    "unmerge": {"release"},
}


class Lifecycle(RuleBasedStateMachine):
    def __init__(self, redis_url: str) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.redis = connect(redis_url)
        self.store = store_on(self.redis)
        self.actions = build(self.store)
        self.run(self.redis.flushall())
        self.dialogue: Dialogue = self.run(
            self.actions.dialogues.create(
                slug="machine", title="Máy trạng thái", status="live",
                topics=TOPICS, officials=OFFICIALS,
            )
        )  # fmt: skip
        self.intake = Intake(
            self.redis, self.store.dialogues.ids, self.actions.intake.materialise, "m", 30, 5
        )
        self.ids: list[str] = []
        self.asked = 0
        #: Successful actions by name (the test checks the machine went far).
        self.done: dict[str, int] = DONE

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        self.run(self.redis.aclose())
        self.loop.close()

    # -- reading the store ------------------------------------------------------

    def questions(self) -> dict[str, Any]:
        return {
            q.id: q for q in self.run(self.store.questions.get_many(self.dialogue.id, self.ids))
        }

    def audit_count(self) -> int:
        return int(self.run(self.store.audit.head(self.dialogue.id))[1])

    # -- rules ----------------------------------------------------------------

    @initialize()
    def first_questions(self) -> None:
        for _ in range(3):
            self.citizen_asks()

    @rule()
    def citizen_asks(self) -> None:
        self.asked += 1
        submitted = self.run(self.actions.submissions.submit(self.dialogue, payload(self.asked)))
        self.run(self.intake.run_once())
        self.ids.append(submitted.question_id)

    @rule(
        pick=st.integers(min_value=0),
        other=st.integers(min_value=0),
        action=st.sampled_from(ACTIONS),
        who=st.sampled_from(sorted(ACTORS)),
        # Hypothesis favours the first value and boundaries: list the usual case first.
        stale=st.sampled_from([False] * 9 + [True]),
        legal=st.sampled_from([True, True, True, False]),
    )
    def staff_acts(
        self, pick: int, other: int, action: str, who: str, stale: bool, legal: bool
    ) -> None:
        """Mostly (3 in 4) an action the table allows this actor now, so that
        long lifecycles happen; else any action; 1 in 10 on a stale version."""
        if not self.ids:
            return
        qid = self.ids[pick % len(self.ids)]
        before = self.questions()
        audit_before = self.audit_count()
        q = before[qid]
        actor = ACTORS[who]
        # Side notes would crowd out the moves of the lifecycle.
        choices = [a for a in allowed_actions(q, actor) if a not in ("note", "air_text")]
        if legal and choices:
            action = choices[other % len(choices)]
        body: dict[str, Any] = dict(PARAMS.get(action, {}))
        if action == "merge":
            body["into"] = self.ids[other % len(self.ids)]
        body["version"] = q.version - 1 if stale else q.version
        try:
            self.run(self.actions.moderation.act(self.dialogue, qid, action, body, actor))
        except Refused:
            assert self.questions() == before, "a refused action changed something"
            assert self.audit_count() == audit_before, "a refused action was audited"
            return
        assert not stale, "an action on a stale version went through"
        self.done[action] = self.done.get(action, 0) + 1
        table_rule = rule_for(action, q.status)
        assert table_rule is not None, f"{action} on {q.status} is not in the table"
        self.check_changes(before, action, actor, audit_before, main=qid)

    @rule(
        op=st.sampled_from(["next", "defer", "skip", "back"]),
        undo=st.sampled_from([False, True]),
    )
    def producer_changes_the_air(self, op: str, undo: bool) -> None:
        """Next (answered or owed), skip or back; then, half the time, its
        undo, which must give back exactly the air it found."""
        changes = {
            "next": (lambda b, p, d: b.next(d, p, "answered"), "on_air"),
            "defer": (lambda b, p, d: b.next(d, p, "defer"), "on_air"),
            "skip": (lambda b, p, d: b.skip(d, p), "skip"),
            "back": (lambda b, p, d: b.back(d, p), "back"),
        }
        # As a producer would: feed the queue, and have something on air to move on from.
        for _ in range(2):
            self.producer_queues(0)
        if op in ("skip", "back") and not self.run(
            self.store.questions.on_air_id(self.dialogue.id)
        ):
            self.air(changes["next"][0], "on_air")
        before = self.questions()
        queue_before = self.run(self.store.questions.queue_ids(self.dialogue.id))
        change, action = changes[op]
        if not self.air(change, action) or not undo:
            return
        assert self.air(lambda b, p, d: b.undo(d, p), "undo")
        after = self.questions()
        for qid, old in before.items():
            new = after[qid]
            assert (new.status, new.answer, new.official_id) == (
                old.status, old.answer, old.official_id
            ), f"{qid} not restored by the undo"  # fmt: skip
        assert self.run(self.store.questions.queue_ids(self.dialogue.id)) == queue_before

    @rule(pick=st.integers(min_value=0))
    def producer_queues(self, pick: int) -> None:
        """Keep the queue fed, so that the air has somewhere to go (a
        moderator approves a waiting question first if none is approved)."""
        approved = [q for q in self.questions().values() if q.status is Status.APPROVED]
        pending = [q for q in self.questions().values() if q.status is Status.PENDING]
        if not approved and pending:
            q = pending[pick % len(pending)]
            body = {"version": q.version}
            self.run(
                self.actions.moderation.act(self.dialogue, q.id, "approve", body, ACTORS["mod1"])
            )
            approved = [q for q in self.questions().values() if q.status is Status.APPROVED]
        if approved:
            q = approved[pick % len(approved)]
            body = {"version": q.version}
            self.run(
                self.actions.moderation.act(self.dialogue, q.id, "queue", body, ACTORS["producer"])
            )

    def air(self, change: Any, action: str) -> bool:
        """An air change by the producer: all of it or nothing. Whether it was made."""
        before = self.questions()
        audit_before = self.audit_count()
        try:
            self.run(change(self.actions.broadcast, ACTORS["producer"], self.dialogue))
        except Refused:
            assert self.questions() == before
            assert self.audit_count() == audit_before
            return False
        self.done[action] = self.done.get(action, 0) + 1
        self.check_changes(before, action, ACTORS["producer"], audit_before, main=None)
        return True

    def check_changes(
        self, before: dict[str, Any], action: str, actor: Actor, audit_before: int, main: str | None
    ) -> None:
        after = self.questions()
        changed = [qid for qid in after if after[qid].version != before[qid].version]
        allowed = {action} | SIDE_EFFECTS.get(action, set()) | {"defer"}
        for qid in changed:
            old, new = before[qid], after[qid]
            done = new.history[-1].action
            assert done in allowed, f"{qid}: {done} after {action}"
            if done in ACTIONS:
                move = rule_for(done, old.status)
                assert move is not None, f"{done} from {old.status} is not in the table"
                expected = move.target or old.status
                if done == "unmerge":
                    expected = old.merged_status or Status.PENDING
                assert new.status is expected, f"{done}: {old.status} -> {new.status}"
        if main is not None:
            assert main in changed
        rows = self.run(self.store.audit.read(self.dialogue.id, count=10_000))[audit_before:]
        assert sorted(r.entry["question"] for r in rows) == sorted(changed)
        assert {r.entry["actor"] for r in rows} == {actor.username}

    # -- invariants -------------------------------------------------------------

    @invariant()
    def one_state_each(self) -> None:
        d = self.dialogue.id
        members: dict[str, list[str]] = {}
        for status in Status:
            for qid in self.run(self.redis.zrange(keys.by_status(d, status.value), 0, -1)):
                members.setdefault(qid, []).append(status.value)
        questions = self.questions()
        for qid, q in questions.items():
            assert members.get(qid) == [q.status.value], f"{qid}: {members.get(qid)} vs {q.status}"
        queued = set(self.run(self.redis.zrange(keys.queue(d), 0, -1)))
        assert queued == {qid for qid, q in questions.items() if q.status is Status.QUEUED}
        on_air = [qid for qid, q in questions.items() if q.status is Status.ON_AIR]
        assert len(on_air) <= 1
        slot = self.run(self.redis.get(keys.on_air(d)))
        assert (slot or None) == (on_air[0] if on_air else None)

    @invariant()
    def chain_intact(self) -> None:
        assert self.run(self.store.audit.verify(self.dialogue.id)) == []


def test_lifecycle_state_machine(redis_url: str) -> None:
    class OnTheTestsRedis(Lifecycle):
        def __init__(self) -> None:
            super().__init__(redis_url)

    run_state_machine_as_test(
        OnTheTestsRedis,
        settings=settings(
            max_examples=40,
            derandomize=True,
            stateful_step_count=60,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # The machine must have gone through whole lifecycles, not only refusals.
    missing = {
        "approve", "reject", "merge", "unmerge", "queue", "on_air", "answer", "defer", "skip",
        "back", "undo",
    }  # fmt: skip
    assert missing <= set(DONE), f"never succeeded: {sorted(missing - set(DONE))} ({DONE})"
