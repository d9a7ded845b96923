"""``doithoai notify dead`` and ``retry``, run as an operator runs them, on a
notice that failed every attempt while the SMTP server was down."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile

from redis.asyncio import Redis

from tests.helpers import REPO_ROOT, clean_env

from .conftest import SENDER, answer_in_writing, asked, handled, make_dialogue, node, settings
from .sinks import SmtpSink, until

EMAIL = "an.nguyen.hoi@example.vn"


async def _cli(redis_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="dt-cli-") as data:
        env = clean_env() | {"REDIS_URL": redis_url, "DOITHOAI_DATA_DIR": data}
        return await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "server", *args],
            env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip


async def test_dead_letters_are_listed_and_retried_from_the_cli(
    redis: Redis, redis_url: str, smtp: SmtpSink
) -> None:
    app = node(redis, settings(smtp_url=smtp.url, smtp_from=SENDER, notify_attempts=2))
    d = await make_dialogue(app.services)
    qid, _ = await asked(app.services, d, "Khi nào cấp chữ ký số miễn phí?", {"email": EMAIL})
    async with app.notifying():
        await answer_in_writing(app.services, d, qid, "Từ quý tới.")
        await until(app.services.notifications.dead, "the dead letter")
    dead = await _cli(redis_url, "notify", "dead")
    assert dead.returncode == 0, dead.stderr
    ((slug, dead_id, question, attempts, error),) = [
        line.split("\t") for line in dead.stdout.splitlines()
    ]
    assert (slug, question, attempts) == (d.slug, f"question {qid}", "2 attempts")
    assert error == "email: ConnectionRefusedError"
    assert EMAIL not in dead.stdout + dead.stderr
    unknown = await _cli(redis_url, "notify", "retry", d.slug, "1-0")
    assert unknown.returncode == 1 and "not dead letters" in unknown.stderr
    smtp.start()
    retried = await _cli(redis_url, "notify", "retry", d.slug, dead_id)
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout == "queued 1 notice(s) again\n"
    async with app.notifying():
        await until(lambda: smtp.to(EMAIL), "the e-mail, retried")
        await until(lambda: handled(app.services, d), "the notice handled")
    assert len(smtp.messages) == 1
    assert (await _cli(redis_url, "notify", "dead")).stdout == ""
