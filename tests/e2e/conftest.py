"""A real `doithoai serve` process on the test's Redis, and the app's own
actions in the test process to make data the way the app does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from server.actions import Services, build
from server.domain.model import Dialogue, Role
from server.store.connection import Store
from tests.helpers import ServerProcess
from tests.support.dialogues import OFFICIAL, TITLE
from tests.support.staff import PASSWORD
from tests.support.store import opened

SLUG = "chuyen-doi-so"
STAFF = {
    "moderator": {Role.MODERATOR},
    "moderator2": {Role.MODERATOR},
    "producer": {Role.PRODUCER},
    "official": {Role.OFFICIAL},
    "admin": {Role.ADMIN},
}


@pytest.fixture(scope="module")
def server(redis_server: str) -> Iterator[ServerProcess]:
    """One app process per test module on the session's Redis (each test's
    ``redis_url`` empties that Redis first, so tests do not see each other)."""
    with ServerProcess(env={"REDIS_URL": redis_server, "DOITHOAI_SUBMIT_LIMIT": "0"}) as process:
        yield process


@dataclass
class World:
    store: Store
    actions: Services
    dialogue: Dialogue


@pytest.fixture
async def world(redis_url: str) -> AsyncIterator[World]:
    async with opened(redis_url) as store:
        actions = build(store)
        dialogue = await actions.dialogues.create(
            slug=SLUG,
            title=TITLE,
            status="live",
            topics=[{"id": "kinh-te-so", "name": "Kinh tế số"}],
            officials=[OFFICIAL],
            localities=["Phường Thuận Hóa"],
        )
        for username, roles in STAFF.items():
            await actions.accounts.add(
                username, PASSWORD, frozenset(roles), dialogues=[dialogue.id]
            )
        yield World(store, actions, dialogue)
