"""The people of the security tests, acting over HTTP as the consoles, the
widget and citizens' browsers do: staff sign in on the real server and send
their cookie, Origin and CSRF token; citizens submit through the public API.

Accounts are made through ``Accounts`` (the code behind ``doithoai user
add``), questions through the public API and moved through their lives by
the staff API, so every piece of data went through the app's own checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from server.actions import build
from server.actions.accounts import Accounts
from server.domain.model import Role
from server.store.connection import Store, connect
from tests.helpers import ServerProcess
from tests.support.questions import question_ids
from tests.web.seed import PASSWORD, SLUG, run

#: Accounts these tests add to tests/web/seed.py's (moderator and producer of
#: its dialogue, admin of the system), with their roles in the seed's
#: dialogue: the dialogue's official ``o1`` answers as ``official``;
#: ``quan-ly`` manages that dialogue only; the former administrator is
#: disabled once signed in (see ``disable``).
EXTRA_ACCOUNTS = {
    "official": frozenset({Role.OFFICIAL}),
    "quan-ly": frozenset({Role.ADMIN}),
    "cuu-quan-tri": frozenset(),
}
DISABLED = "cuu-quan-tri"
MANAGER = "quan-ly"
#: Another live dialogue, and a member of each role in it and in no other:
#: every request of theirs about the seed's dialogue must be refused.
OTHER_SLUG = "doi-thoai-khac"
OUTSIDERS = {
    "khac-moderator": Role.MODERATOR,
    "khac-producer": Role.PRODUCER,
    "khac-official": Role.OFFICIAL,
    "khac-quan-ly": Role.ADMIN,
}
OFFICIAL_ID = "o1"
#: How long intake may take to screen questions into moderation (well under
#: a second; the margin is for a loaded machine).
INTAKE_TIMEOUT = 20.0
STAFF_SECRET = b"test-secret"


async def _with_accounts(redis_url: str, work: Any) -> Any:
    redis = connect(redis_url)
    try:
        return await work(Accounts(Store(redis, 10_000, STAFF_SECRET), 3600))
    finally:
        await redis.aclose()


def add_accounts(redis_url: str) -> None:
    """Make ``EXTRA_ACCOUNTS`` (with the seed's password), the other dialogue
    and its ``OUTSIDERS``."""

    async def work(store: Store) -> None:
        accounts = Accounts(store, 3600)
        await accounts.add(DISABLED, PASSWORD, frozenset({Role.ADMIN}))
        for username, roles in EXTRA_ACCOUNTS.items():
            if roles:
                await accounts.add(username, PASSWORD)
                given = sorted(r.value for r in roles)
                await accounts.update("tests", username, memberships={SLUG: given})
        await build(store).dialogues.create(
            slug=OTHER_SLUG,
            title="Đối thoại về cải cách hành chính",
            status="live",
            officials=[
                {
                    "id": "o9",
                    "name": "Lê Văn Chín",
                    "title": "Giám đốc Sở Nội vụ",
                    "username": "khac-official",
                }
            ],
        )
        for username, role in OUTSIDERS.items():
            await accounts.add(username, PASSWORD)
            await accounts.update("tests", username, memberships={OTHER_SLUG: [role.value]})

    async def go() -> None:
        redis = connect(redis_url)
        try:
            await work(Store(redis, 10_000, STAFF_SECRET))
        finally:
            await redis.aclose()

    run(go())


def disable(redis_url: str, username: str) -> None:
    """Disable an account as ``doithoai user disable`` does."""

    async def work(accounts: Accounts) -> None:
        await accounts.set_disabled(username, True)

    run(_with_accounts(redis_url, work))


def create_token(redis_url: str, username: str, role: Role) -> str:
    """An API token's secret, made as ``doithoai token create`` makes it."""

    async def work(accounts: Accounts) -> str:
        secret, _ = await accounts.create_token(username, role, (), "security tests", "")
        return secret

    return str(run(_with_accounts(redis_url, work)))


class Staff:
    """A signed-in staff member's browser: session cookie, Origin, CSRF token."""

    def __init__(self, base_url: str, username: str) -> None:
        self.username = username
        self.client = httpx.Client(base_url=base_url, headers={"Origin": base_url}, timeout=20)
        response = self.client.post(
            "/api/v1/session", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.csrf: str = response.json()["csrf_token"]
        self.session: str = next(iter(self.client.cookies.values()))

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def act(self, qid: str, action: str, **body: Any) -> dict[str, Any]:
        """Take ``action`` on question ``qid`` of ``SLUG``; it must succeed."""
        response = self.post(f"/api/v1/dialogues/{SLUG}/questions/{qid}/actions/{action}", body)
        assert response.status_code == 200, f"{self.username} {action} {qid}: {response.text}"
        return dict(response.json())

    def questions(self, status: str | None = None) -> list[dict[str, Any]]:
        query = f"?status={status}&limit=500" if status else "?limit=500"
        response = self.client.get(f"/api/v1/dialogues/{SLUG}/questions{query}")
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    def close(self) -> None:
        self.client.close()


def submit(base_url: str, **body: Any) -> str:
    """A citizen's question through the public API; its tracking code."""
    response = httpx.post(f"{base_url}/api/v1/dialogues/{SLUG}/questions", json=body, timeout=20)
    assert response.status_code == 202, response.text
    return str(response.json()["tracking_code"])


def pending_ids(server: ServerProcess, codes: Iterable[str]) -> dict[str, str]:
    """tracking code -> question id, once intake has put every one in moderation
    (looked up in the server's store: no staff payload carries a tracking code)."""
    return question_ids(server.env["REDIS_URL"], codes, INTAKE_TIMEOUT)


def ask(server: ServerProcess, **body: Any) -> tuple[str, str]:
    """Submit one question and wait for it in moderation: (tracking code, id)."""
    code = submit(server.url, **body)
    return code, pending_ids(server, [code])[code]
