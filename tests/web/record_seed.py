"""Broadcasts for the record and official-console tests, made the way the app
makes them: dialogues, staff accounts and every staff step through
``Services`` and ``Accounts`` (with a clock the test moves), questions through
the real server's public API, waited for until intake has screened them.

Each test makes a dialogue of its own (its own slug), so tests can share one
server and one Redis and still count exactly their own questions."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import httpx

from server.actions import Services, build
from server.domain import lifecycle
from server.domain.access import actor_in
from server.domain.model import Dialogue, DialogueStatus, Question, Role
from server.store.connection import Store, connect
from tests.support.staff import make_members

from .seed import PASSWORD, run

#: When the test broadcasts went live: the recording's moments count from here.
LIVE_AT = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
STREAM_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
TOPICS = [
    {"id": "chinh-quyen-so", "name": "Chính quyền số"},
    {"id": "kinh-te-so", "name": "Kinh tế số"},
]
OFFICIALS = [
    {
        "id": "o1",
        "name": "Nguyễn Văn An",
        "title": "Giám đốc Sở Thông tin và Truyền thông",
        "username": "official",
        "aides": ["aide"],
    },
    {
        "id": "o2",
        "name": "Trần Thị Bình",
        "title": "Phó Chủ tịch UBND tỉnh",
        "username": "official2",
    },
]
STAFF: dict[str, frozenset[Role]] = {
    "admin": frozenset({Role.ADMIN}),
    "moderator": frozenset({Role.MODERATOR}),
    "producer": frozenset({Role.PRODUCER}),
    "official": frozenset({Role.OFFICIAL}),
    "official2": frozenset({Role.OFFICIAL}),
    "aide": frozenset({Role.OFFICIAL}),
}
#: Intake screens a question in well under a second; the margin is for a loaded machine.
PENDING_TIMEOUT = 15.0
POLL_INTERVAL = 0.05

T = TypeVar("T")


class Clock:
    """The actions' clock: each reading is one minute after the previous one,
    so on-air, answer and deferral times are known and ordered."""

    def __init__(self, start: datetime = LIVE_AT) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


def with_store(redis_url: str, work: Callable[[Store], Awaitable[T]]) -> T:
    """Run ``work(store)`` on a fresh connection to ``redis_url``."""

    async def go() -> T:
        redis = connect(redis_url)
        try:
            return await work(Store(redis, 10_000, b"test-secret"))
        finally:
            await redis.aclose()

    return run(go())


def with_actions(redis_url: str, clock: Clock, work: Callable[[Services], Awaitable[T]]) -> T:
    """Run ``work(actions)`` on a fresh connection to ``redis_url``."""
    return with_store(redis_url, lambda store: work(build(store, clock=clock)))


def add_staff(redis_url: str, staff: Mapping[str, frozenset[Role]] = STAFF) -> None:
    """The staff accounts (password ``seed.PASSWORD``): administrators of the
    system, the others members of no dialogue until a ``Broadcast`` makes them
    members of its own."""

    async def work(actions: Services) -> None:
        accounts = actions.accounts
        for username, roles in staff.items():
            await accounts.add(username, PASSWORD, roles & {Role.ADMIN})

    with_actions(redis_url, Clock(), work)


class Broadcast:
    """One live dialogue (``slug``) and the staff steps on its questions."""

    def __init__(self, redis_url: str, base_url: str, slug: str, **fields: Any) -> None:
        self.redis_url = redis_url
        self.base_url = base_url
        self.slug = slug
        self.clock = Clock()
        doc: dict[str, Any] = {
            "slug": slug,
            "title": f"Đối thoại trực tuyến về chuyển đổi số ({slug})",
            "description": "Lãnh đạo tỉnh trả lời câu hỏi của người dân và doanh nghiệp.",
            "status": "live",
            "live_at": LIVE_AT.isoformat(timespec="milliseconds"),
            "stream_url": STREAM_URL,
            "topics": TOPICS,
            "officials": OFFICIALS,
            "localities": ["Thành phố Huế", "Huyện A Lưới"],
            **fields,
        }
        self.dialogue: Dialogue = self._run(lambda actions: actions.dialogues.create(**doc))
        self._run(lambda actions: make_members(actions.accounts, self.dialogue, STAFF))

    def _run(self, work: Callable[[Services], Awaitable[T]]) -> T:
        return with_actions(self.redis_url, self.clock, work)

    def ask(self, text: str, name: str = "Hồ Thị Lan", **fields: Any) -> str:
        """Submit ``text`` through the public API and wait until it is pending;
        return its tracking code."""
        body = {"text": text, "name": name, **fields}
        response = httpx.post(
            f"{self.base_url}/api/v1/dialogues/{self.slug}/questions", json=body, timeout=10
        )
        assert response.status_code == 202, response.text
        code = str(response.json()["tracking_code"])
        self.wait(code, "pending")
        return code

    def wait(self, code: str, status: str) -> None:
        """Poll the tracking API until the question is in ``status``."""
        deadline = time.monotonic() + PENDING_TIMEOUT
        seen = None
        while time.monotonic() < deadline:
            seen = httpx.get(f"{self.base_url}/api/v1/tracking/{code}", timeout=10).json()
            if seen.get("status") == status:
                return
            time.sleep(POLL_INTERVAL)
        raise AssertionError(f"question {code} still {seen!r} after {PENDING_TIMEOUT} s")

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

    def owe(self, code: str, official: str | None, due: date) -> Question:
        """Owe the question in writing by ``official`` on ``due``, as the
        wrap-up does (here with a due day of its own)."""
        found = self.question(code)

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
