"""The seeded site of the page, browser and security tests: a live dialogue
``SLUG``, a draft one and the staff accounts, made the way the app makes
them (``Services`` and ``Accounts``), and the app serving them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from server.actions import Services
from server.domain.model import Role
from tests.helpers import ServerProcess
from tests.support.dialogues import DESCRIPTION, LOCALITIES, OFFICIAL, TOPICS
from tests.support.questions import question_id, submit
from tests.support.staff import PASSWORD
from tests.support.store import flush, with_actions

__all__ = ["PASSWORD", "SLUG", "STAFF", "TITLE", "ask", "seed", "seeded_site", "server_env"]

SLUG = "chuyen-doi-so"
TITLE = "Đối thoại trực tuyến về chuyển đổi số thành phố Huế"
STAFF = {
    "moderator": frozenset({Role.MODERATOR}),
    "producer": frozenset({Role.PRODUCER}),
    "admin": frozenset({Role.ADMIN}),
}


def seed(redis_url: str) -> None:
    """A live dialogue ``SLUG``, a draft one, and the ``STAFF`` accounts
    (members of the live one; ``admin`` administers the system)."""

    async def work(actions: Services) -> None:
        live = await actions.dialogues.create(
            slug=SLUG,
            title=TITLE,
            description=DESCRIPTION,
            status="live",
            topics=TOPICS,
            officials=[OFFICIAL],
            localities=LOCALITIES,
        )
        await actions.dialogues.create(slug="nhap", title="Bản nháp chưa công bố", status="draft")
        for username, roles in STAFF.items():
            await actions.accounts.add(username, PASSWORD, roles, dialogues=[live.id])

    with_actions(redis_url, work)


def server_env(redis_url: str) -> dict[str, str]:
    """The environment of the app under test (ServerProcess adds host, port and data dir)."""
    return {"REDIS_URL": redis_url, "DOITHOAI_SUBMIT_LIMIT": "0"}


@contextlib.contextmanager
def seeded_site(
    redis_url: str,
    env: Mapping[str, str] | None = None,
    *,
    also: Callable[[str], Any] | None = None,
) -> Iterator[ServerProcess]:
    """Empty Redis, ``seed`` it (then ``also(redis_url)``), and run the app
    on it, ``env`` added to its environment."""
    flush(redis_url)
    seed(redis_url)
    if also is not None:
        also(redis_url)
    with ServerProcess(env={**server_env(redis_url), **(env or {})}) as server:
        yield server


def ask(site: ServerProcess, text: str, **fields: Any) -> str:
    """Ask ``text`` in ``SLUG`` and wait until intake has screened it; the tracking code."""
    code = submit(site.url, SLUG, text, **fields)
    question_id(site.env["REDIS_URL"], code)
    return code
