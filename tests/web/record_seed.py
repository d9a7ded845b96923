"""Broadcasts for the record and official-console tests, made the way the app
makes them: dialogues, staff accounts and every staff step through
``Services`` and ``Accounts`` (with a clock the test moves), questions through
the real server's public API, waited for until intake has screened them.

Each test makes a dialogue of its own (its own slug), so tests can share one
server and one Redis and still count exactly their own questions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from server.actions import Services
from server.domain import lifecycle
from server.domain.access import actor_in
from server.domain.model import Dialogue, DialogueStatus, Question, Role
from server.store.connection import Store
from tests.support.clock import SteppingClock
from tests.support.dialogues import DEPUTY, DESCRIPTION, LOCALITIES, OFFICIAL, TITLE, TOPICS
from tests.support.questions import question_id, submit
from tests.support.staff import PASSWORD, make_members
from tests.support.store import with_actions, with_store

#: When the test broadcasts went live: the recording's moments count from here.
LIVE_AT = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
STREAM_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
OFFICIALS = [{**OFFICIAL, "aides": ["aide"]}, {**DEPUTY, "username": "official2"}]

T = TypeVar("T")
STAFF: dict[str, frozenset[Role]] = {
    "admin": frozenset({Role.ADMIN}),
    "moderator": frozenset({Role.MODERATOR}),
    "producer": frozenset({Role.PRODUCER}),
    "official": frozenset({Role.OFFICIAL}),
    "official2": frozenset({Role.OFFICIAL}),
    "aide": frozenset({Role.OFFICIAL}),
}


def clock() -> SteppingClock:
    """The actions' clock: a minute on at each reading, from ``LIVE_AT``."""
    return SteppingClock(LIVE_AT)


def add_staff(redis_url: str, staff: Mapping[str, frozenset[Role]] = STAFF) -> None:
    """The staff accounts (password ``tests.support.staff.PASSWORD``): administrators of the
    system, the others members of no dialogue until a ``Broadcast`` makes them
    members of its own."""

    async def work(actions: Services) -> None:
        accounts = actions.accounts
        for username, roles in staff.items():
            await accounts.add(username, PASSWORD, roles & {Role.ADMIN})

    with_actions(redis_url, work)


class Broadcast:
    """One live dialogue (``slug``) and the staff steps on its questions."""

    def __init__(self, redis_url: str, base_url: str, slug: str, **fields: Any) -> None:
        self.redis_url = redis_url
        self.base_url = base_url
        self.slug = slug
        self.clock = clock()
        doc: dict[str, Any] = {
            "slug": slug,
            "title": f"{TITLE} ({slug})",
            "description": DESCRIPTION,
            "status": "live",
            "live_at": LIVE_AT.isoformat(timespec="milliseconds"),
            "stream_url": STREAM_URL,
            "topics": TOPICS,
            "officials": OFFICIALS,
            "localities": LOCALITIES,
            **fields,
        }
        self.dialogue: Dialogue = self._run(lambda actions: actions.dialogues.create(**doc))
        self._run(lambda actions: make_members(actions.accounts, self.dialogue, STAFF))

    def _run(self, work: Callable[[Services], Awaitable[T]]) -> T:
        return with_actions(self.redis_url, work, self.clock)

    def ask(self, text: str, **fields: Any) -> str:
        """Ask ``text`` through the public API and wait until intake has
        screened it; its tracking code."""
        code = submit(self.base_url, self.slug, text, **fields)
        question_id(self.redis_url, code)
        return code

    def question(self, code: str) -> Question:
        async def work(store: Store) -> Question:
            found = await store.questions.by_tracking(code)
            assert found is not None, code
            return found

        return with_store(self.redis_url, work)

    def act(self, code: str, action: str, by: str = "moderator", **body: Any) -> Question:
        """``by`` takes ``action`` on the question of ``code``, as the API would."""

        found = self.question(code)

        async def work(actions: Services) -> Question:
            dialogue = await actions.dialogues.get(self.slug)
            actor = actor_in(dialogue, by, STAFF[by])
            return await actions.moderation.act(dialogue, found.id, action, body, actor)

        return self._run(work)

    def steps(self, code: str, *steps: tuple[str, str, dict[str, Any]]) -> Question:
        """Several ``(action, by, body)`` steps in order; the question after the last."""
        question = self.question(code)
        for action, by, body in steps:
            question = self.act(code, action, by, **body)
        return question

    def publish(self, code: str, official: str | None = "o1", queue: bool = False) -> Question:
        """Approve the question, route it to ``official`` and (``queue``) queue it."""
        steps: list[tuple[str, str, dict[str, Any]]] = [("approve", "moderator", {})]
        if official:
            steps.append(("assign", "moderator", {"official_id": official}))
        if queue:
            steps.append(("queue", "producer", {}))
        return self.steps(code, *steps)

    def answer_live(self, code: str, text: str, by: str = "official") -> Question:
        """On air and answered live (by the producer), then its summary written by ``by``."""
        self.act(code, "on_air", "producer")
        self.act(code, "answer", "producer")
        return self.act(code, "summarize", by, text=text)

    def answered(self, text: str, answer: str, official: str = "o1") -> str:
        """``text`` asked, routed to ``official``, queued, answered live with
        ``answer`` as its summary; its tracking code."""
        code = self.ask(text)
        self.publish(code, official, queue=True)
        self.answer_live(code, answer)
        return code

    def owe(self, code: str, official: str | None, due: date) -> Question:
        """Owe the question in writing by ``official`` on ``due``, as the
        wrap-up does (here with a due day of its own, replacing one a
        wrap-up gave it)."""
        found = replace(self.question(code), due_at=None)

        async def work(actions: Services) -> Question:
            dialogue = await actions.dialogues.get(self.slug)
            producer = actor_in(dialogue, "producer", STAFF["producer"])
            decision = lifecycle.owe(found, official, due.isoformat(), producer, self.clock())
            await actions.closing.commit(dialogue, [decision], producer, remember=False)
            return decision.question

        return self._run(work)

    def phase(self, status: str) -> Dialogue:
        """Move the dialogue to the next (or previous) phase; a live one
        closes as the app closes it, by the producer's wrap-up (every
        question not answered live is then owed in writing)."""

        async def work(actions: Services) -> Dialogue:
            dialogue = await actions.dialogues.get(self.slug)
            if dialogue.status is DialogueStatus.LIVE and status == DialogueStatus.CLOSED:
                producer = actor_in(dialogue, "producer", STAFF["producer"])
                closed: Dialogue = (await actions.closing.close(dialogue, producer))["dialogue"]
                return closed
            return await actions.dialogues.set_status(dialogue, status)

        self.dialogue = self._run(work)
        return self.dialogue
