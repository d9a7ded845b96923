"""Notices to askers from real ``doithoai`` processes: a node killed (-9)
while its SMTP server holds an e-mail loses nothing (restarted, it delivers
the e-mail once); a node without an SMTP server sends nothing and logs
nothing personal; the demo writes the e-mails it would send to its log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import redis

from server.actions import Services, build
from server.domain.model import Dialogue
from server.store import keys
from server.store.connection import Store, connect
from tests.helpers import ServerProcess
from tests.notices.conftest import SENDER, answer_in_writing, asked, make_dialogue
from tests.notices.sinks import SmtpSink, until, wait_until

pytestmark = pytest.mark.e2e

EMAIL = "an.nguyen.hoi@example.vn"
PHONE = "0912 345 678"


@pytest.fixture
async def services(redis_url: str) -> AsyncIterator[Services]:
    """The app's own services in the test process, on the test's Redis: they
    answer questions as a node would (queueing the notices)."""
    client = connect(redis_url)
    yield build(Store(client, 10_000, b"test-secret"))
    await client.aclose()


def _pending(redis_url: str, dialogue: Dialogue) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.xpending(keys.notices(dialogue.id), keys.NOTIFY_GROUP)["pending"])
    finally:
        client.close()


def _left(redis_url: str, dialogue: Dialogue) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.xlen(keys.notices(dialogue.id)))
    finally:
        client.close()


async def test_a_node_killed_mid_delivery_loses_no_email(
    redis_url: str, services: Services
) -> None:
    """The SMTP server holds the e-mail's DATA; the node is killed meanwhile
    (nothing was delivered, and the notice stays pending); restarted under
    its name, the node takes the notice up and the e-mail goes out once."""
    smtp = SmtpSink().start()
    smtp.hold.set()
    env = {
        "REDIS_URL": redis_url,
        "DOITHOAI_SMTP_URL": smtp.url,
        "DOITHOAI_SMTP_FROM": SENDER,
        "DOITHOAI_NODE_NAME": "node-a",
        # Long enough that the node is still waiting for the server when killed.
        "DOITHOAI_NOTIFY_TIMEOUT": "60",
        "DOITHOAI_NOTIFY_BACKOFF": "0.05",
        "DOITHOAI_AIR_UNDO": "0",
    }
    try:
        d = await make_dialogue(services)
        qid, _ = await asked(services, d, "Khi nào cấp chữ ký số miễn phí?", {"email": EMAIL})
        first = await asyncio.to_thread(ServerProcess(env=env).start)
        try:
            await answer_in_writing(services, d, qid, "Từ quý tới.")
            await asyncio.to_thread(wait_until, smtp.held.is_set, "the e-mail's DATA, held")
        finally:
            first.kill()
            first.stop()
        smtp.hold.clear()
        smtp.release.set()  # the held DATA is refused, to no one
        assert smtp.messages == []
        assert _pending(redis_url, d) == 1
        second = await asyncio.to_thread(ServerProcess(env=env).start)
        try:
            await until(lambda: smtp.to(EMAIL), "the e-mail, from the restarted node")
            await until(lambda: _left(redis_url, d) == 0, "the notice handled")
        finally:
            second.stop()
        assert len(smtp.messages) == 1
    finally:
        smtp.stop()


async def test_without_smtp_a_node_sends_and_logs_nothing(
    redis_url: str, services: Services
) -> None:
    """No SMTP server and no webhook: the notice of an answer is handled
    (taken off the queue) and the node's log, at debug level, has no address."""
    env = {"REDIS_URL": redis_url, "DOITHOAI_AIR_UNDO": "0", "DOITHOAI_LOG_LEVEL": "debug"}
    d = await make_dialogue(services)
    contact = {"email": EMAIL, "phone": PHONE}
    qid, _ = await asked(services, d, "Khi nào cấp chữ ký số miễn phí?", contact)
    with ServerProcess(env=env) as server:
        await answer_in_writing(services, d, qid, "Từ quý tới.")
        await until(lambda: _left(redis_url, d) == 0, "the notice handled")
        output = server.output()
    for secret in (EMAIL, "912345678", "would send", "not delivered"):
        assert secret not in output


def test_the_demo_writes_its_emails_to_its_log(redis_url: str) -> None:
    """``doithoai demo`` without an SMTP server: the e-mails of its answered
    questions' askers are in its log, in Vietnamese."""
    env = {"REDIS_URL": redis_url, "DOITHOAI_AIR_UNDO": "0"}
    with ServerProcess(["demo"], env=env) as server:
        wait_until(lambda: "To: mai.tran@example.com" in server.output(), "the demo's e-mail")
        output = server.output()
    assert "the e-mail an SMTP server would send (DOITHOAI_SMTP_URL is unset)" in output
    assert "Kính gửi Ông/Bà," in output


async def test_the_asker_s_language_is_kept_with_their_contact(
    redis_url: str, services: Services
) -> None:
    """A question sent from the English page or widget (``?lang=en``) is told
    of its answer in English; one from the Vietnamese page, in Vietnamese."""
    d = await make_dialogue(services)
    env = {"REDIS_URL": redis_url, "DOITHOAI_SUBMIT_LIMIT": "0", "DOITHOAI_DEVICE_LIMIT": "0"}
    body = {
        "text": "Khi nào cấp chữ ký số miễn phí cho hộ kinh doanh?",
        "name": "Nguyễn Văn An",
        "contact": {"email": EMAIL},
        "consent": True,
    }
    with ServerProcess(env=env) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
            url = f"/api/v1/dialogues/{d.slug}/questions"
            codes = {}
            for query, lang in (("?lang=en", "en"), ("", "vi")):
                sent = await client.post(url + query, json=body, headers={"Accept-Language": "en"})
                assert sent.status_code == 202, sent.text
                codes[lang] = sent.json()["tracking_code"]
    for lang, code in codes.items():
        q = await services.tracking.store.questions.by_tracking(code)
        assert q is not None
        contact = await services.tracking.store.questions.contact(d.id, q.id)
        assert contact["lang"] == lang
