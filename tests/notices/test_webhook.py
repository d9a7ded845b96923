"""The signed webhook, received by a real HTTP server: the body an operator
relays to an SMS or Zalo gateway, its HMAC-SHA256 signature over the exact
bytes, retried after a failure with the same id and a new signed time."""

from __future__ import annotations

import json
import time

import pytest
from redis.asyncio import Redis

from .conftest import (
    ORIGIN,
    SECRET,
    SENDER,
    TITLE,
    answer_in_writing,
    asked,
    handled,
    make_dialogue,
    node,
    settings,
)
from .sinks import HookReceiver, SmtpSink, until, verified

ANSWER = "Sở sẽ cấp chữ ký số miễn phí cho hộ kinh doanh từ quý tới."
PHONE = "0912 345 678"
EMAIL = "an.nguyen.hoi@example.vn"


async def test_the_webhook_is_signed_retried_and_carries_the_contact(
    redis: Redis, hook: HookReceiver
) -> None:
    """An asker who left only a phone number: the webhook gets their phone
    (as stored) and a text to relay, signed; a 500 is retried with the same
    id; an asker who left nothing gets no POST."""
    hook.statuses = [500]
    app = node(redis, settings(notify_webhook=hook.url, notify_webhook_secret=SECRET))
    d = await make_dialogue(app.services)
    qid, code = await asked(app.services, d, "Khi nào cấp chữ ký số miễn phí?", {"phone": PHONE})
    bare, _ = await asked(app.services, d, "Thủ tục đăng ký hộ kinh doanh mất bao lâu?")
    async with app.notifying():
        await answer_in_writing(app.services, d, qid, ANSWER)
        await answer_in_writing(app.services, d, bare, ANSWER)
        await until(hook.accepted, "the webhook, after its retry")
        await until(lambda: handled(app.services, d), "every notice handled")
    (failed, first), (accepted, second) = [(h, b) for h, b, _ in hook.posts]
    assert [status for _, _, status in hook.posts] == [500, 200]
    docs = [verified(SECRET, h, b, time.time()) for h, b in ((failed, first), (accepted, second))]
    assert docs[0]["id"] == docs[1]["id"] == f"{d.id}-{qid}"
    assert accepted["Content-Type"] == "application/json; charset=utf-8"
    doc = docs[1]
    assert doc["contact"] == {"phone": "+84912345678"}
    assert doc["type"] == "question.answered" and doc["lang"] == "vi"
    assert doc["question"] == {"tracking_code": code, "url": f"{ORIGIN}/t/{code}", "merged": False}
    assert doc["dialogue"] == {"slug": d.slug, "title": TITLE, "url": f"{ORIGIN}/d/{d.slug}"}
    assert doc["answer"]["text"] == ANSWER and doc["answer"]["kind"] == "written"
    assert doc["message"] == (
        f"Câu hỏi {code} của Ông/Bà gửi tới “{TITLE}” đã được trả lời: {ORIGIN}/t/{code}"
    )
    tampered = second.replace(ANSWER.encode(), "Không trả lời.".encode())
    with pytest.raises(AssertionError, match="signature"):
        verified(SECRET, accepted, tampered, time.time())
    with pytest.raises(AssertionError, match="signature"):
        verified("another-key-" * 3, accepted, second, time.time())
    with pytest.raises(AssertionError, match="replay"):
        verified(SECRET, accepted, second, time.time() + 600)


async def test_email_and_webhook_each_once_for_an_asker_who_left_both(
    redis: Redis, hook: HookReceiver, smtp: SmtpSink
) -> None:
    """Both channels on: one e-mail and one POST (with both contacts), in
    the asker's language."""
    given = settings(
        smtp_url=smtp.start().url,
        smtp_from=SENDER,
        notify_webhook=hook.url,
        notify_webhook_secret=SECRET,
    )
    app = node(redis, given)
    d = await make_dialogue(app.services)
    contact = {"phone": PHONE, "email": EMAIL}
    qid, code = await asked(app.services, d, "Khi nào cấp chữ ký số?", contact, lang="en")
    async with app.notifying():
        await answer_in_writing(app.services, d, qid, ANSWER)
        await until(lambda: handled(app.services, d), "the notice handled")
    assert len(smtp.to(EMAIL)) == 1
    ((headers, body, _),) = hook.posts
    doc = verified(SECRET, headers, body, time.time())
    assert doc["contact"] == {"phone": "+84912345678", "email": EMAIL}
    assert doc["lang"] == "en" and doc["question"]["url"] == f"{ORIGIN}/t/{code}?lang=en"
    assert doc["message"].startswith(f"Your question {code} to “{TITLE}” has been answered")
    assert sorted(await app.services._store.notices.delivered(d.id)) == [
        f"{qid}:email",
        f"{qid}:webhook",
    ]
    assert json.loads(body) == doc
