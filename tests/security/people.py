"""The people of the security tests, acting over HTTP as the consoles, the
widget and citizens' browsers do: staff sign in on the real server and send
their cookie, Origin and CSRF token; citizens submit through the public API.

Accounts are made through ``Accounts`` (the code behind ``doithoai user
add``), questions through the public API and moved through their lives by
the staff API, so every piece of data went through the app's own checks.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpx

from server.accounts import Accounts
from server.domain.model import Role
from server.store.connection import Store, connect
from tests.web.seed import PASSWORD, SLUG, run

#: Accounts these tests add to tests/web/seed.py's (moderator, producer,
#: admin): the dialogue's official ``o1`` answers as ``official``; the former
#: admin is disabled once signed in (see ``disable``).
EXTRA_ACCOUNTS = {
    "official": frozenset({Role.OFFICIAL}),
    "cuu-quan-tri": frozenset({Role.ADMIN}),
}
DISABLED = "cuu-quan-tri"
OFFICIAL_ID = "o1"
#: How long intake may take to screen questions into moderation (well under
#: a second; the margin is for a loaded machine).
INTAKE_TIMEOUT = 20.0
POLL = 0.05
STAFF_SECRET = b"test-secret"


async def _with_accounts(redis_url: str, work: Any) -> Any:
    redis = connect(redis_url)
    try:
        return await work(Accounts(Store(redis, 10_000, STAFF_SECRET), 3600))
    finally:
        await redis.aclose()


def add_accounts(redis_url: str) -> None:
    """Make ``EXTRA_ACCOUNTS`` (with the seed's password)."""

    async def work(accounts: Accounts) -> None:
        for username, roles in EXTRA_ACCOUNTS.items():
            await accounts.add(username, PASSWORD, roles)

    run(_with_accounts(redis_url, work))


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


def pending_ids(moderator: Staff, codes: Iterable[str]) -> dict[str, str]:
    """tracking code -> question id, once intake has put every one in moderation."""
    wanted = set(codes)
    deadline = time.monotonic() + INTAKE_TIMEOUT
    found: dict[str, str] = {}
    while True:
        found = {
            q["tracking_code"]: q["id"]
            for q in moderator.questions("pending")
            if q["tracking_code"] in wanted
        }
        if len(found) == len(wanted) or time.monotonic() > deadline:
            break
        time.sleep(POLL)
    assert set(found) == wanted, f"not screened after {INTAKE_TIMEOUT} s: {wanted - set(found)}"
    return found


def ask(base_url: str, moderator: Staff, **body: Any) -> tuple[str, str]:
    """Submit one question and wait for it in moderation: (tracking code, id)."""
    code = submit(base_url, **body)
    return code, pending_ids(moderator, [code])[code]
