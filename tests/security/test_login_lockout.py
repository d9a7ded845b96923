"""Failed logins are limited per account, so a password cannot be guessed
from many addresses; but a stranger failing with a moderator's name must not
lock the moderator out mid-broadcast. A browser that has signed in as the
account before (its device cookie, server/domain/devices.py) counts its
failures per device only; every other browser stays under the account's and
the address's limits."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.staff import DEVICE, PASSWORD, sign_in_status

from .conftest import seeded_server

pytestmark = pytest.mark.e2e

#: Per hour, not per minute: the bucket must not refill while a test runs,
#: however slowly a loaded machine runs it (a minute's bucket of 10 refills
#: one attempt every 6 s).
LIMITS = {"DOITHOAI_LOGIN_LIMIT": "3/hour"}


def _device_of(server_url: str, username: str) -> str:
    with httpx.Client(base_url=server_url, timeout=20) as client:
        response = client.post("/api/v1/session", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        return client.cookies[DEVICE]


def test_a_strangers_failures_do_not_lock_out_a_known_device(redis_server: str) -> None:
    with seeded_server(redis_server, LIMITS) as server:
        moderators_browser = _device_of(server.url, "moderator")
        admins_browser = _device_of(server.url, "admin")

        # Someone else fails with the moderator's name until the account is limited.
        stranger = [sign_in_status(server.url, "moderator", "doan-mo-mat-khau") for _ in range(4)]
        assert stranger == [401, 401, 401, 429]
        # A new browser is held by the account's limit, even with the password...
        assert sign_in_status(server.url, "moderator", PASSWORD) == 429
        # ...and so is one showing another account's device, or a forged one.
        assert sign_in_status(server.url, "moderator", PASSWORD, device=admins_browser) == 429
        nonce = moderators_browser.partition(".")[0]
        assert (
            sign_in_status(server.url, "moderator", PASSWORD, device=f"{nonce}.{'0' * 32}") == 429
        )

        # The moderator's own browser signs in.
        assert sign_in_status(server.url, "moderator", PASSWORD, device=moderators_browser) == 200


def test_a_known_device_is_limited_per_device(redis_server: str) -> None:
    """A device cookie is no way around the limit: its failures count for it."""
    with seeded_server(redis_server, LIMITS) as server:
        device = _device_of(server.url, "moderator")
        tries = [
            sign_in_status(server.url, "moderator", "sai-mat-khau", device=device) for _ in range(4)
        ]
        assert tries == [401, 401, 401, 429]
        assert sign_in_status(server.url, "moderator", PASSWORD, device=device) == 429


def test_failures_sent_at_once_are_counted_before_the_password_is_checked(
    redis_server: str,
) -> None:
    """Sixty wrong passwords for one account sent at once: every attempt is
    counted before its password is checked, so at most the limit's worth are
    checked (401) and the rest are refused (429); the right password, from a
    new browser, is refused too while the account's limit lasts."""
    limit = 10
    with seeded_server(redis_server, {"DOITHOAI_LOGIN_LIMIT": f"{limit}/hour"}) as server:
        with ThreadPoolExecutor(max_workers=60) as pool:
            statuses = list(
                pool.map(
                    lambda n: sign_in_status(server.url, "producer", f"doan-{n:02d}"), range(60)
                )
            )
        counts = Counter(statuses)
        assert set(counts) <= {401, 429}, counts
        assert 1 <= counts[401] <= limit, counts
        assert counts[429] == 60 - counts[401]
        assert sign_in_status(server.url, "producer", PASSWORD) == 429


def test_a_right_password_gives_its_attempt_back(redis_server: str) -> None:
    """Only failures count: signing in rightly many times never reaches the limit."""
    with seeded_server(redis_server, LIMITS) as server:
        assert [sign_in_status(server.url, "moderator", PASSWORD) for _ in range(6)] == [200] * 6
        assert [sign_in_status(server.url, "moderator", "sai-mat-khau") for _ in range(4)] == [
            401,
            401,
            401,
            429,
        ]
