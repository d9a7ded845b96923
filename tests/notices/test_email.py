"""E-mail to askers, delivered to a real SMTP server: once per question and
address when the question they follow is answered (their own, or the one
theirs was merged into), never without contact data given with consent,
retried while the server is down, dead-lettered after the last attempt."""

from __future__ import annotations

from redis.asyncio import Redis

from server.domain.model import Actor, Role
from server.store import keys

from .conftest import (
    ORIGIN,
    SENDER,
    TITLE,
    act,
    answer_in_writing,
    asked,
    handled,
    make_dialogue,
    node,
    settings,
)
from .sinks import SmtpSink, until

AN = "an.nguyen.hoi@example.vn"
BINH = "binh.tran.hoi@example.vn"
CHI = "chi.le.hoi@example.vn"
ANSWER = "Sở sẽ cấp chữ ký số miễn phí cho hộ kinh doanh từ quý tới."
PRODUCER = Actor("producer", frozenset({Role.PRODUCER}))


async def test_an_answered_question_is_emailed_once_and_only_with_consent(
    redis: Redis, smtp: SmtpSink
) -> None:
    """The asker who left an e-mail address gets one e-mail with the answer
    and the links; askers who left none, who deleted it, or whose data holds
    no consent get nothing; a notice queued again sends nothing more."""
    app = node(redis, settings(smtp_url=smtp.start().url, smtp_from=SENDER))
    d = await make_dialogue(app.services)
    qid, code = await asked(app.services, d, "Khi nào cấp chữ ký số miễn phí?", {"email": AN})
    bare, _ = await asked(app.services, d, "Thủ tục đăng ký hộ kinh doanh mất bao lâu?")
    gone, gone_code = await asked(
        app.services, d, "Mạng 5G khi nào phủ sóng vùng núi?", {"email": BINH}
    )
    assert await app.services.tracking.forget_contact(gone_code)
    legacy, _ = await asked(app.services, d, "Ứng dụng Hue-S có thêm dịch vụ gì?")
    await redis.hset(keys.contact(d.id, legacy), mapping={"email": CHI})  # no consent_at
    async with app.notifying():
        for q in (qid, bare, gone, legacy):
            await answer_in_writing(app.services, d, q, ANSWER)
        await until(lambda: handled(app.services, d), "every notice handled")
        await redis.xadd(keys.notices(d.id), {"qid": qid})  # queued again: a retry
        await until(lambda: handled(app.services, d), "the repeat handled")
    assert [rcpt for rcpt, _ in smtp.messages] == [[AN]]
    mail = smtp.to(AN)[0]
    assert mail["From"] == SENDER and mail["To"] == AN
    assert mail["Subject"] == f"Câu hỏi của Ông/Bà gửi tới “{TITLE}” đã được trả lời"
    assert mail["Message-ID"] == f"<answered.{d.id}-{qid}@example.vn>"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert body.startswith("Kính gửi Ông/Bà,\n")
    assert "Khi nào cấp chữ ký số miễn phí?" in body
    assert f"Trả lời bằng văn bản của Giám đốc Sở Khoa học và Công nghệ:\n{ANSWER}" in body
    assert f"{ORIGIN}/t/{code}" in body and f"{ORIGIN}/d/{d.slug}" in body
    assert "bạn" not in body.lower()
    delivered = await app.services._store.notices.delivered(d.id)
    assert list(delivered) == [f"{qid}:email"]


async def test_merged_askers_are_told_of_the_answer_they_follow(
    redis: Redis, smtp: SmtpSink
) -> None:
    """A question answered live without a summary yet: its asker and the
    asker of a question merged into it are told, and so is one merged into it
    after the answer, each once, in their language; the summary written
    later sends nothing more."""
    app = node(redis, settings(smtp_url=smtp.start().url, smtp_from=SENDER))
    d = await make_dialogue(app.services)
    target, code = await asked(app.services, d, "Khi nào cấp chữ ký số miễn phí?", {"email": AN})
    merged, merged_code = await asked(
        app.services, d, "Chữ ký số cho hộ kinh doanh có mất phí không?", {"email": BINH}, "en"
    )
    late, _ = await asked(app.services, d, "Chữ ký số miễn phí bao giờ có?", {"email": CHI})
    await act(app.services, d, merged, "merge", into=target)
    async with app.notifying():
        await act(app.services, d, target, "on_air")
        await act(app.services, d, target, "answer")
        await until(lambda: len(smtp.messages) == 2, "two e-mails")
        await act(app.services, d, late, "merge", into=target)
        await until(lambda: smtp.to(CHI), "the e-mail of the one merged after the answer")
        await act(app.services, d, target, "summarize", text=ANSWER)
        await until(lambda: handled(app.services, d), "every notice handled")
    assert sorted(r[0] for r, _ in smtp.messages) == sorted([AN, BINH, CHI])
    own = smtp.to(AN)[0].get_content()
    assert "đã được trả lời trực tiếp trong buổi đối thoại" in own
    assert f"{ORIGIN}/t/{code}" in own
    english = smtp.to(BINH)[0]
    assert english["Subject"] == f"Your question to “{TITLE}” has been answered"
    text = english.get_content()
    assert "was joined with another question on the same matter" in text
    assert f"{ORIGIN}/t/{merged_code}?lang=en" in text
    assert "gộp với một câu hỏi cùng nội dung" in smtp.to(CHI)[0].get_content()


async def test_an_answer_undone_in_time_tells_no_one_until_it_is_given(
    redis: Redis, smtp: SmtpSink
) -> None:
    """The producer's "next" answers the question on air and is undone within
    the undo window: the notice waits out that window, finds the question on
    air again and tells no one; answered again, its asker gets one e-mail."""
    app = node(redis, settings(smtp_url=smtp.start().url, smtp_from=SENDER, air_undo=2.0))
    d = await make_dialogue(app.services)
    qid, _ = await asked(app.services, d, "Khi nào cấp chữ ký số miễn phí?", {"email": AN})
    await act(app.services, d, qid, "queue")
    broadcast = app.services.broadcast
    async with app.notifying():
        await broadcast.next(d, PRODUCER)  # on air
        await broadcast.next(d, PRODUCER)  # answered live ...
        await broadcast.undo(d, PRODUCER)  # ... undone at once
        await until(lambda: handled(app.services, d), "the notice handled")
        assert smtp.messages == []
        await broadcast.next(d, PRODUCER)
        await until(lambda: handled(app.services, d), "the second notice handled")
    assert len(smtp.to(AN)) == 1


async def test_two_nodes_send_each_email_once(redis: Redis, smtp: SmtpSink) -> None:
    """Two nodes' notifiers on the same queue, which holds the same notice
    three times (a retry, a second answer): one e-mail."""
    given = settings(smtp_url=smtp.start().url, smtp_from=SENDER)
    one, two = node(redis, given, "node-1"), node(redis, given, "node-2")
    d = await make_dialogue(one.services)
    qid, _ = await asked(one.services, d, "Khi nào cấp chữ ký số miễn phí?", {"email": AN})
    await answer_in_writing(one.services, d, qid, ANSWER)
    for _ in range(2):
        await redis.xadd(keys.notices(d.id), {"qid": qid})
    async with one.notifying(), two.notifying():
        await until(lambda: handled(one.services, d), "every notice handled")
    assert len(smtp.messages) == 1


async def test_smtp_down_is_retried_and_delivered_when_it_returns(
    redis: Redis, smtp: SmtpSink
) -> None:
    """The SMTP server is down when the question is answered: the attempt
    fails and is tried again (the queue keeps it) until the server is back;
    then one e-mail, and nothing left."""
    app = node(redis, settings(smtp_url=smtp.url, smtp_from=SENDER, notify_attempts=1000))
    d = await make_dialogue(app.services)
    qid, _ = await asked(app.services, d, "Khi nào cấp chữ ký số miễn phí?", {"email": AN})
    async with app.notifying():
        await answer_in_writing(app.services, d, qid, ANSWER)
        failures = await until(
            lambda: redis.hgetall(keys.notice_failures(d.id)), "a failed attempt"
        )
        assert list(failures.values()) == ["email: ConnectionRefusedError"]
        assert not await handled(app.services, d)  # kept for a retry
        smtp.start()
        await until(lambda: smtp.messages, "the e-mail, once the server is back")
        await until(lambda: handled(app.services, d), "the notice handled")
    assert len(smtp.to(AN)) == 1
    assert await redis.hlen(keys.notice_failures(d.id)) == 0
    assert await app.services.notifications.dead() == []


async def test_a_refused_address_is_dead_lettered_and_retried_on_request(
    redis: Redis, smtp: SmtpSink
) -> None:
    """A server that refuses the address every time: after the last attempt
    the notice is a dead letter (its error, not the address); the others'
    e-mails went out meanwhile; retried once the address works, it is sent."""
    app = node(redis, settings(smtp_url=smtp.start().url, smtp_from=SENDER, notify_attempts=3))
    smtp.refuse.add(AN)
    d = await make_dialogue(app.services)
    qid, _ = await asked(app.services, d, "Khi nào cấp chữ ký số miễn phí?", {"email": AN})
    merged, _ = await asked(app.services, d, "Chữ ký số có mất phí không?", {"email": BINH})
    await act(app.services, d, merged, "merge", into=qid)
    async with app.notifying():
        await answer_in_writing(app.services, d, qid, ANSWER)
        (dead,) = await until(app.services.notifications.dead, "a dead letter")
        assert dead[1].question_id == qid and dead[1].deliveries == 3
        assert dead[1].error == "email: SMTPRecipientsRefused 550"
        assert await handled(app.services, d)
        assert [r for r, _ in smtp.messages] == [[BINH]]
        smtp.refuse.clear()
        assert await app.services.notifications.retry(d) == 1
        await until(lambda: smtp.to(AN), "the e-mail, retried")
        await until(lambda: handled(app.services, d), "the notice handled")
    assert len(smtp.to(AN)) == len(smtp.to(BINH)) == 1
    assert await app.services.notifications.dead() == []
