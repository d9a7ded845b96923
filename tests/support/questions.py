"""Citizens' questions in the tests: asked through the real server's public
API, then found once intake has screened them. A citizen holds a tracking
code, staff see question ids, and no staff payload carries the code; the
tests, which played the citizen, look the code up in the store as the
tracking page does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from server.actions import Services
from server.domain.model import Actor, Dialogue, Role, Status
from server.store.connection import Store
from tests.helpers import ServerProcess

from .store import with_store
from .waiting import INTAKE_TIMEOUT, eventually, wait_for

#: Who asks, unless a test says otherwise.
ASKER = "Hồ Thị Lan"


def submit(base_url: str, slug: str, text: str, **fields: Any) -> str:
    """Ask ``text`` in dialogue ``slug`` through the public API (as ``ASKER``
    unless ``fields`` name another); the tracking code."""
    body = {"text": text, "name": ASKER, **fields}
    response = httpx.post(f"{base_url}/api/v1/dialogues/{slug}/questions", json=body, timeout=20)
    assert response.status_code == 202, response.text
    return str(response.json()["tracking_code"])


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

    def look() -> dict[str, str] | None:
        found = with_store(redis_url, lambda store: screened_ids(store, wanted))
        if any(qid is None for qid in found.values()):
            return None
        return {code: qid for code, qid in found.items() if qid is not None}

    return wait_for(look, f"intake screening {len(wanted)} question(s)", timeout)


def question_id(redis_url: str, code: str, timeout: float = INTAKE_TIMEOUT) -> str:
    """The id of the question with tracking code ``code``, once intake has screened it."""
    return question_ids(redis_url, [code], timeout)[code]


def ask(site: ServerProcess, slug: str, text: str, **fields: Any) -> tuple[str, str]:
    """Ask ``text`` on ``site`` and wait until intake has screened it: (tracking code, id)."""
    code = submit(site.url, slug, text, **fields)
    return code, question_id(site.env["REDIS_URL"], code)


def tracking_code(redis_url: str, slug: str, question_id: str) -> str:
    """The tracking code of question ``question_id`` of dialogue ``slug`` (the
    one its asker was given)."""

    async def look(store: Store) -> str:
        dialogue = await store.dialogues.by_slug(slug)
        assert dialogue is not None, slug
        q = await store.questions.get(dialogue.id, question_id)
        assert q is not None, question_id
        return q.tracking_code

    return with_store(redis_url, look)


async def wait_screened(store: Store, code: str) -> str:
    """The id of the question with tracking code ``code``, once intake has
    screened it (for async tests that hold the app's store)."""

    async def look() -> str | None:
        return (await screened_ids(store, [code]))[code]

    return await eventually(look, f"intake screening {code}")


#: Who moderates the questions the tests have published.
MODERATOR = Actor("moderator", frozenset({Role.MODERATOR}))


async def published(actions: Services, dialogue: Dialogue, count: int = 1) -> list[str]:
    """``count`` questions asked, screened and approved the app's way: their ids."""
    ids = await screened(actions, dialogue, count)
    for qid in ids:
        await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
    return ids


async def screened(actions: Services, dialogue: Dialogue, count: int) -> list[str]:
    """``count`` questions asked and screened into moderation: their ids."""
    ids = []
    for n in range(count):
        body = {"text": f"Xin hỏi về phủ sóng 4G ở thôn số {n} của A Lưới?", "name": ASKER}
        ids.append((await actions.submissions.submit(dialogue, body)).question_id)
    await actions.intake.screen_now(dialogue, ids)
    return ids
