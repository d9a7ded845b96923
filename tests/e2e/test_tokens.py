"""API tokens: Bearer auth for integrations, scoped to a role and dialogues,
revocable, dead with their account; no CSRF (browsers never send them alone)."""

from __future__ import annotations

import httpx
import pytest

from server.actions.accounts import Accounts
from server.domain.model import Role
from tests.helpers import ServerProcess
from tests.support.questions import wait_screened
from tests.support.staff import PASSWORD

from .conftest import World
from .test_flow import submit

Q = "/api/v1/dialogues/chuyen-doi-so"
NOW = "2026-11-27T10:00:00+00:00"


async def test_a_token_acts_within_its_role_and_dialogues(
    server: ServerProcess, world: World
) -> None:
    """A moderator token approves in its dialogue; elsewhere and for other roles it is refused."""
    accounts = Accounts(world.store, 3600)
    secret, token = await accounts.create_token(
        "moderator", Role.MODERATOR, ("chuyen-doi-so",), "bot", NOW
    )
    other, _ = await accounts.create_token("moderator", Role.MODERATOR, ("khac",), "", NOW)
    await world.actions.dialogues.create(slug="khac", title="Khác", status="live")
    headers = {"Authorization": f"Bearer {secret}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as bot:
        who = (await bot.get("/api/v1/session")).json()
        assert who == {
            "username": "moderator",
            "roles": ["moderator"],
            "admin": False,
            "memberships": {"chuyen-doi-so": ["moderator"]},
            "csrf_token": None,
        }

        qid = await wait_screened(world.store, await submit(server))
        approved = await bot.post(f"{Q}/questions/{qid}/actions/approve", json={})  # no CSRF header
        assert approved.status_code == 200, approved.text
        assert (await bot.get("/api/v1/dialogues/khac/questions")).status_code == 403
        assert (await bot.post(f"{Q}/next", json={})).status_code == 403  # producer's work
        assert (await bot.post(f"{Q}/status", json={"status": "closed"})).status_code == 403
    async with httpx.AsyncClient(base_url=server.url) as client:
        scoped = await client.get(f"{Q}/questions", headers={"Authorization": f"Bearer {other}"})
        assert scoped.status_code == 403
        for bad in ("Bearer dt_forged", "Bearer", "Basic bW9kOnB3"):
            assert (
                await client.get(f"{Q}/questions", headers={"Authorization": bad})
            ).status_code == 401
        assert await accounts.revoke_token(token.token_id)
        assert (await client.get(f"{Q}/questions", headers=headers)).status_code == 401


async def test_a_disabled_account_loses_its_tokens_and_sessions(
    server: ServerProcess, world: World
) -> None:
    """Disabling an account stops its tokens and ends its sessions at once."""
    accounts = Accounts(world.store, 3600)
    secret, _ = await accounts.create_token("producer", Role.PRODUCER, (), "", NOW)
    async with httpx.AsyncClient(base_url=server.url, headers={"Origin": server.url}) as browser:
        login = await browser.post(
            "/api/v1/session", json={"username": "producer", "password": PASSWORD}
        )
        assert login.status_code == 200
        assert (await browser.get(f"{Q}/questions")).status_code == 200
        token_headers = {"Authorization": f"Bearer {secret}"}
        assert (await browser.get(f"{Q}/questions", headers=token_headers)).status_code == 200
        await accounts.set_disabled("producer", True)
        assert (await browser.get(f"{Q}/questions")).status_code == 401
        assert (await browser.get(f"{Q}/questions", headers=token_headers)).status_code == 401
        await accounts.set_disabled("producer", False)
        assert (await browser.get(f"{Q}/questions", headers=token_headers)).status_code == 200
        assert (await browser.get(f"{Q}/questions")).status_code == 401  # the session stays ended


async def test_a_token_cannot_take_a_role_its_account_lacks(world: World) -> None:
    """Only an admin's token may act in a role the account does not hold."""
    accounts = Accounts(world.store, 3600)
    with pytest.raises(PermissionError):
        await accounts.create_token("moderator", Role.ADMIN, (), "", NOW)
    secret, _ = await accounts.create_token("admin", Role.PRODUCER, (), "", NOW)
    identity = await accounts.identify_token(secret)
    assert identity is not None and identity.roles == frozenset({Role.PRODUCER})
