"""Finding the tests' questions: a citizen holds a tracking code, staff see
question ids, and no staff payload carries the code. The tests, which played
the citizen, look the code up in the store as the tracking page does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from server.domain.model import Status
from server.store.connection import Store, connect
from tests.web.seed import run

#: Intake screens a question in well under a second; the margin is for a
#: loaded machine.
INTAKE_TIMEOUT = 20.0
POLL = 0.05


async def screened_ids(store: Store, codes: Iterable[str]) -> dict[str, str | None]:
    """tracking code -> question id of each question intake has screened
    (None while it is still received)."""
    found: dict[str, str | None] = {}
    for code in codes:
        q = await store.questions.by_tracking(code)
        assert q is not None, f"no question has the tracking code {code}"
        found[code] = q.id if q.status is not Status.RECEIVED else None
    return found


def question_ids(
    redis_url: str, codes: Iterable[str], timeout: float = INTAKE_TIMEOUT
) -> dict[str, str]:
    """tracking code -> question id, once intake has screened every one."""
    wanted = list(codes)

    async def look() -> dict[str, str | None]:
        redis = connect(redis_url)
        try:
            return await screened_ids(Store(redis, 10_000, b"unused"), wanted)
        finally:
            await redis.aclose()

    deadline = time.monotonic() + timeout
    while True:
        found = run(look())
        waiting = [code for code, qid in found.items() if qid is None]
        if not waiting:
            return {code: qid for code, qid in found.items() if qid is not None}
        assert time.monotonic() < deadline, f"not screened after {timeout} s: {waiting}"
        time.sleep(POLL)


def question_id(redis_url: str, code: str, timeout: float = INTAKE_TIMEOUT) -> str:
    """The id of the question with tracking code ``code``, once intake has screened it."""
    return question_ids(redis_url, [code], timeout)[code]


def tracking_code(redis_url: str, slug: str, question_id: str) -> str:
    """The tracking code of question ``question_id`` of dialogue ``slug`` (the
    one its asker was given)."""

    async def look() -> str:
        redis = connect(redis_url)
        try:
            store = Store(redis, 10_000, b"unused")
            dialogue = await store.dialogues.by_slug(slug)
            assert dialogue is not None, slug
            q = await store.questions.get(dialogue.id, question_id)
            assert q is not None, question_id
            return q.tracking_code
        finally:
            await redis.aclose()

    return run(look())


async def wait_screened(store: Store, code: str) -> str:
    """The id of the question with tracking code ``code``, once intake has
    screened it (for async tests that hold the app's store)."""
    async with asyncio.timeout(INTAKE_TIMEOUT):
        while True:
            qid = (await screened_ids(store, [code]))[code]
            if qid is not None:
                return qid
            await asyncio.sleep(POLL)
