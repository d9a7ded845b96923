"""A real `doithoai serve` process on the test's Redis, and the app's own
actions in the test process to make data the way the app does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from server.actions import Services, build
from server.actions.accounts import Accounts
from server.domain.model import Dialogue, Role
from server.store.connection import Store, connect
from tests.helpers import ServerProcess

PASSWORD = "mat-khau-thu-nghiem"
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
    redis = connect(redis_url)
    store = Store(redis, 10_000, b"test-secret")
    actions = build(store)
    dialogue = await actions.dialogues.create(
        slug="chuyen-doi-so",
        title="Đối thoại trực tuyến về chuyển đổi số",
        status="live",
        topics=[{"id": "kinh-te-so", "name": "Kinh tế số"}],
        officials=[
            {"id": "o1", "name": "Giám đốc Sở TT&TT", "title": "Sở TT&TT", "username": "official"}
        ],
        localities=["Thành phố Huế"],
    )
    accounts = Accounts(store, 3600)
    for username, roles in STAFF.items():
        await accounts.add(username, PASSWORD, frozenset(roles), dialogues=[dialogue.id])
    yield World(store, actions, dialogue)
    await redis.aclose()


class Staff:
    """A logged-in staff client: cookie, Origin and CSRF token as a browser sends them."""

    def __init__(self, client: httpx.AsyncClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    async def act(self, qid: str, action: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/dialogues/chuyen-doi-so/questions/{qid}/actions/{action}",
            json=body,
            headers={"X-CSRF-Token": self.csrf},
        )

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.client.cookies.items())


async def login(server: ServerProcess, username: str) -> Staff:
    client = httpx.AsyncClient(base_url=server.url, headers={"Origin": server.url}, timeout=10)
    response = await client.post(
        "/api/v1/session", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return Staff(client, response.json()["csrf_token"])
