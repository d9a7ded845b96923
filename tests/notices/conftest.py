"""Notices to askers, in the test process: the app's own store, services and
notifier (built from settings as the app builds them) on the test's Redis,
delivering to a real SMTP server and a real HTTP receiver (``sinks.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from server.actions import Services, build
from server.actions.notices import lease
from server.app import outbox, stop_tasks
from server.config import Settings
from server.domain.model import Actor, Dialogue, Role
from server.store.connection import Store, connect

from .sinks import HookReceiver, SmtpSink

SLUG = "chuyen-doi-so"
TITLE = "Đối thoại trực tuyến về chuyển đổi số thành phố Huế"
ORIGIN = "https://doithoai.example.vn"
SENDER = "Ban tổ chức đối thoại <doithoai@example.vn>"
SECRET = "khoa-bi-mat-cua-webhook-dai-hon-32-ky-tu"
ADMIN = Actor("admin", frozenset({Role.ADMIN}))
OFFICIAL = {"id": "o1", "name": "Giám đốc Sở Khoa học và Công nghệ", "title": "Sở KH&CN"}
#: Retries in tenths of a second, not minutes. An attempt's timeout stays
#: long: no test here waits one out, and on a loaded machine (CI beside other
#: work) a 2 s SMTP conversation or POST timed out four times and
#: dead-lettered a notice that was being delivered.
FAST = {"notify_backoff": 0.05, "notify_timeout": 30.0, "notify_attempts": 4, "air_undo": 0.0}


def settings(**changes: Any) -> Settings:
    return Settings(public_url=ORIGIN, **{**FAST, **changes})


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url, timeout=30.0)  # a loaded machine's replies are slow, not lost
    yield client
    await client.aclose()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    """An SMTP server on a free port, not started (a test starts it, or shows it down)."""
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture
def hook() -> Iterator[HookReceiver]:
    receiver = HookReceiver().start()
    yield receiver
    receiver.stop()


@dataclass
class Node:
    """One app node's services and notifier."""

    services: Services
    settings: Settings
    name: str

    @contextlib.asynccontextmanager
    async def notifying(self) -> AsyncIterator[None]:
        """The node's notifier running, as the app's lifespan runs it."""
        store: Store = self.services._store
        notifier = store.notifier(
            store.dialogues.ids,
            self.services.notifications.deliver,
            self.name,
            backoff=self.settings.notify_backoff,
            attempts=self.settings.notify_attempts,
            lease=lease(self.settings),
            delay=self.settings.air_undo,
        )
        task = asyncio.create_task(notifier.run())
        try:
            yield
        finally:
            # As the app stops its workers: a cancel can be lost in redis-py.
            await stop_tasks([task])


def node(redis: Redis, given: Settings, name: str = "node-1") -> Node:
    store = Store(redis, 10_000, b"test-secret")
    box = dataclasses.replace(outbox(given), node=name)
    return Node(build(store, given, outbox=box), given, name)


async def make_dialogue(services: Services) -> Dialogue:
    return await services.dialogues.create(
        slug=SLUG,
        title=TITLE,
        status="live",
        topics=[{"id": "kinh-te-so", "name": "Kinh tế số"}],
        officials=[OFFICIAL],
        localities=["Phường Thuận Hóa"],
    )


async def asked(
    services: Services,
    dialogue: Dialogue,
    text: str,
    contact: dict[str, str] | None = None,
    lang: str | None = None,
) -> tuple[str, str]:
    """A citizen's question, screened and approved: (question id, tracking code)."""
    body: dict[str, Any] = {"text": text, "name": "Nguyễn Văn An", "locality": "Phường Thuận Hóa"}
    if contact:
        body |= {"contact": contact, "consent": True}
    submitted = await services.submissions.submit(dialogue, body, lang=lang)
    await services.intake.screen_now(dialogue, [submitted.question_id])
    await services.moderation.act(dialogue, submitted.question_id, "approve", {}, ADMIN)
    return submitted.question_id, submitted.tracking_code


async def act(services: Services, dialogue: Dialogue, qid: str, action: str, **body: Any) -> None:
    await services.moderation.act(dialogue, qid, action, body, ADMIN)


async def answer_in_writing(services: Services, dialogue: Dialogue, qid: str, text: str) -> None:
    await act(services, dialogue, qid, "assign", official_id="o1")
    await act(services, dialogue, qid, "defer")
    await act(services, dialogue, qid, "answer", text=text)


async def handled(services: Services, dialogue: Dialogue) -> bool:
    """Whether the notifier has handled every notice queued in the dialogue."""
    return await services._store.notices.waiting(dialogue.id) == 0
