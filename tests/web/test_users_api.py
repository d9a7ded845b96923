"""The staff accounts API (/api/v1/users) on a real server and real Redis:
only admins reach it, with the Origin and CSRF checks; an account made there
can sign in; a change of memberships applies to the very next request and closes
the account's open console within seconds; disabling refuses the login and
closes the console; a password reset ends the sessions; every change is logged
without a password; ``doithoai user roles`` goes through the same door."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from server.actions import Services
from server.actions.accounts import MIN_PASSWORD
from server.domain.model import Role
from server.web.openapi import document
from tests.helpers import REPO_ROOT, ServerProcess
from tests.support.staff import StaffClient, sign_in_status
from tests.support.store import with_actions

from .seed import PASSWORD, SLUG, seeded_site

pytestmark = [pytest.mark.e2e]

USERS = "/api/v1/users"
NEW_PASSWORD = "mật khẩu mới đủ dài 2026"
EVIL = "https://evil.example"
#: Accounts this module adds to the seeded ones (moderator, producer, admin),
#: with their roles in the seeded dialogue (``official`` is its official's
#: account: the dialogue's settings name it).
EXTRA = {
    "official": frozenset(),
    "admin-off": frozenset({Role.ADMIN}),
    "target": frozenset({Role.MODERATOR}),
}
#: Generous bound on waiting for a socket to be closed (the server re-checks
#: every 3 s); the tests never assert how long it took.
CLOSE_WAIT = 60.0


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    """The app on an emptied Redis with the seeded dialogue and staff, plus ``EXTRA``."""
    with seeded_site(redis_server, also=_add_extra) as server:
        yield server


def _add_extra(redis_url: str) -> None:
    async def add(actions: Services) -> None:
        accounts = actions.accounts
        for username, roles in EXTRA.items():
            await accounts.add(username, PASSWORD, roles & {Role.ADMIN})
            if roles - {Role.ADMIN}:
                given = sorted(r.value for r in roles)
                await accounts.update("seed", username, memberships={SLUG: given})

    with_actions(redis_url, add)


@pytest.fixture
def admin(site: ServerProcess) -> Iterator[StaffClient]:
    with StaffClient(site.url, "admin") as staff:
        yield staff


def documented(instance: Any, schema: str) -> None:
    """``instance`` matches the OpenAPI document's component ``schema``."""
    registry = Registry().with_resource(
        "urn:doc", Resource.from_contents(document(), default_specification=DRAFT202012)
    )
    validator = Draft202012Validator(
        {"$ref": f"urn:doc#/components/schemas/{schema}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    problems = [e.message for e in validator.iter_errors(instance)]
    assert not problems, problems


def listed(admin: StaffClient) -> dict[str, dict[str, Any]]:
    response = admin.client.get(USERS)
    assert response.status_code == 200, response.text
    for user in response.json():
        documented(user, "StaffUser")
    return {u["username"]: u for u in response.json()}


def create(
    admin: StaffClient, username: str, roles: list[str], password: str = NEW_PASSWORD
) -> None:
    """A new account with ``roles`` in the seeded dialogue."""
    body = {"username": username, "password": password, "memberships": {SLUG: roles}}
    response = admin.send("POST", USERS, body)
    assert response.status_code == 201, response.text


# -- who may use it -------------------------------------------------------------------


def test_only_admins_reach_the_users_api(site: ServerProcess, redis_server: str) -> None:
    """Anonymous, moderator, producer, official, a disabled admin (old session
    and new login) and tokens that are not unscoped admin ones: 401/403 on
    every route, with an error body only; an admin cookie without the CSRF
    token, or from a foreign Origin, is refused too."""
    fresh = {"username": "khong-duoc-tao", "password": NEW_PASSWORD, "admin": True}
    routes = [
        ("GET", USERS, None),
        ("POST", USERS, fresh),
        ("PATCH", f"{USERS}/target", {"admin": True}),
        ("PATCH", f"{USERS}/target", {"memberships": {SLUG: ["admin"]}}),
        ("PATCH", f"{USERS}/target", {"disabled": True}),
        ("PATCH", f"{USERS}/target", {"password": NEW_PASSWORD}),
    ]

    async def tokens(actions: Services) -> dict[str, str]:
        accounts = actions.accounts
        scoped, _ = await accounts.create_token("admin", Role.ADMIN, (SLUG,), "scoped", "")
        producer, _ = await accounts.create_token("producer", Role.PRODUCER, (), "vmix", "")
        unscoped, _ = await accounts.create_token("admin", Role.ADMIN, (), "ops", "")
        return {"scoped": scoped, "producer": producer, "admin": unscoped}

    secrets = with_actions(redis_server, tokens)
    disabled = StaffClient(site.url, "admin-off")
    with_actions(redis_server, lambda actions: actions.accounts.set_disabled("admin-off", True))
    assert sign_in_status(site.url, "admin-off", PASSWORD) == 401
    staff = {name: StaffClient(site.url, name) for name in ("moderator", "producer", "official")}
    anonymous = httpx.Client(base_url=site.url, headers={"Origin": site.url}, timeout=30)
    admin = StaffClient(site.url, "admin")
    try:
        csrf = {"X-CSRF-Token": admin.csrf}
        # (who, client, headers, status, whether reads are refused too: a
        # signed-in admin may read without a CSRF token, from any page).
        callers: list[tuple[str, Any, dict[str, str], int, bool]] = [
            ("anonymous", anonymous, {}, 401, True),
            ("disabled admin", disabled.client, {"X-CSRF-Token": disabled.csrf}, 401, True),
            *[(n, s.client, {"X-CSRF-Token": s.csrf}, 403, True) for n, s in staff.items()],
            ("admin token for one dialogue", anonymous, _bearer(secrets["scoped"]), 403, True),
            ("producer token", anonymous, _bearer(secrets["producer"]), 403, True),
            ("admin without CSRF token", admin.client, {}, 403, False),
            ("admin from another site", admin.client, {**csrf, "Origin": EVIL}, 403, False),
        ]
        for who, client, headers, expected, reads_refused in callers:
            for method, url, body in routes:
                if method == "GET" and not reads_refused:
                    continue
                response = client.request(method, url, json=body, headers=headers)
                assert response.status_code == expected, (who, method, url, response.text)
                assert list(response.json()) == ["error"], (who, method, url)
                assert "target" not in response.text and "$argon2" not in response.text
        # The same requests do work for an admin (the refusals above are not vacuous).
        assert admin.client.get(USERS).status_code == 200
        assert anonymous.get(USERS, headers=_bearer(secrets["admin"])).status_code == 200
        accounts = listed(admin)
        assert "khong-duoc-tao" not in accounts
        assert accounts["target"]["memberships"] == {SLUG: ["moderator"]}
        assert accounts["target"]["admin"] is False
        assert accounts["target"]["disabled"] is False
        assert sign_in_status(site.url, "target", PASSWORD) == 200
    finally:
        for s in (*staff.values(), disabled, admin):
            s.close()
        anonymous.close()
        with_actions(
            redis_server, lambda actions: actions.accounts.set_disabled("admin-off", False)
        )


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# -- creating and changing accounts -----------------------------------------------------


def test_admin_creates_an_account_that_can_sign_in(site: ServerProcess, admin: StaffClient) -> None:
    """POST makes an account that signs in with its roles in its dialogue; the
    list shows it with its sessions and never a hash or a session id."""
    body = {
        "username": "lan.nguyen",
        "password": NEW_PASSWORD,
        "memberships": {SLUG: ["moderator", "producer"]},
        "display_name": "  Nguyễn   Thị Lan ",
    }
    response = admin.send("POST", USERS, body)
    assert response.status_code == 201, response.text
    made = response.json()
    documented(made, "StaffUser")
    assert made["username"] == "lan.nguyen" and made["display_name"] == "Nguyễn Thị Lan"
    assert made["memberships"] == {SLUG: ["moderator", "producer"]}
    assert made["admin"] is False and made["disabled"] is False
    assert made["created_at"] and made["last_login_at"] is None and made["sessions"] == 0

    lan = StaffClient(site.url, "lan.nguyen", NEW_PASSWORD)
    try:
        session = lan.client.get("/api/v1/session").json()
        assert session["roles"] == ["moderator", "producer"]
        assert session["memberships"] == {SLUG: ["moderator", "producer"]}
        seen = listed(admin)["lan.nguyen"]
        assert seen["sessions"] == 1 and seen["last_login_at"]
        everything = admin.client.get(USERS).text
        for secret in (NEW_PASSWORD, "$argon2", "password", lan.csrf, *lan.client.cookies.values()):
            assert secret not in everything
        again = admin.send("POST", USERS, {**body, "password": "một mật khẩu khác nữa"})
        assert again.status_code == 409
        taken = "Tên đăng nhập này đã được dùng."
        assert again.json()["error"] == {
            "code": "conflict",
            "message": taken,
            "field": "username",
            "errors": [{"field": "username", "code": "conflict", "message": taken}],
        }
    finally:
        lan.close()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"username": "Lan Nguyen"},
            "username",
            "Tên đăng nhập gồm 2 đến 32 ký tự: chữ thường không dấu (a-z), chữ số, dấu chấm, "
            "gạch dưới hoặc gạch ngang, bắt đầu bằng chữ hoặc số.",
        ),
        (
            {"password": "x" * (MIN_PASSWORD - 1)},
            "password",
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.",
        ),
        ({"password": None}, "password", f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự."),
        (
            {"memberships": {SLUG: ["moderator", "superuser"]}},
            "memberships",
            "Vai trò phải là một trong: moderator, official, producer, secretary, admin.",
        ),
        ({"memberships": {SLUG: "admin"}}, "memberships", "Vai trò phải là một danh sách."),
        (
            {"memberships": [SLUG]},
            "memberships",
            "Vai trò phải là một đối tượng.",
        ),
        (
            {"memberships": {"khong-co": ["official"]}},
            "memberships",
            "Không có cuộc đối thoại “khong-co”.",
        ),
        ({"admin": "yes"}, "admin", "Quyền quản trị phải là có hoặc không."),
        ({"display_name": "x" * 101}, "display_name", "Tên hiển thị dài tối đa 100 ký tự."),
    ],
)
def test_new_accounts_are_checked(
    admin: StaffClient, change: dict[str, Any], field: str, message: str
) -> None:
    """A bad username, password, role list or display name is a 400 naming the
    field, in Vietnamese; nothing is made."""
    body = {
        "username": "hoa-le",
        "password": NEW_PASSWORD,
        "memberships": {SLUG: ["official"]},
        **change,
    }
    response = admin.send("POST", USERS, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == {
        "code": "invalid",
        "message": message,
        "field": field,
        "errors": [{"field": field, "code": "invalid", "message": message}],
    }
    documented(response.json(), "Error")
    assert "hoa-le" not in listed(admin)


def test_errors_follow_the_request_language(admin: StaffClient) -> None:
    """An English client gets the English sentence for the same refusal."""
    body = {"username": "en-user", "password": "short", "memberships": {SLUG: ["official"]}}
    response = admin.send("POST", USERS, body, **{"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        f"The password must have at least {MIN_PASSWORD} characters."
    )


def test_patch_refuses_unknown_fields_and_accounts(admin: StaffClient) -> None:
    """PATCH names an unknown field (400) and an unknown account (404)."""
    odd = admin.send("PATCH", f"{USERS}/target", {"admin": False, "is_admin": True})
    assert odd.status_code == 400 and odd.json()["error"]["field"] == "is_admin"
    gone = admin.send("PATCH", f"{USERS}/khong-co-ai", {"disabled": True})
    assert gone.status_code == 404
    assert gone.json()["error"]["message"] == "Không có tài khoản này."
    long = admin.send("PATCH", f"{USERS}/{'a' * 200}", {"disabled": True})
    assert long.status_code == 404


def test_admin_cannot_lock_themselves_out(admin: StaffClient) -> None:
    """An admin may not disable their own account or drop their own admin flag."""
    own = f"{USERS}/admin"
    off = admin.send("PATCH", own, {"disabled": True})
    assert off.status_code == 403
    own_lock = "Không thể tự khóa tài khoản của chính mình."
    assert off.json()["error"] == {
        "code": "forbidden",
        "message": own_lock,
        "field": "disabled",
        "errors": [{"field": "disabled", "code": "forbidden", "message": own_lock}],
    }
    demoted = admin.send("PATCH", own, {"admin": False})
    assert demoted.status_code == 403 and demoted.json()["error"]["field"] == "admin"
    assert admin.client.get("/api/v1/session").json()["roles"] == ["admin"]
    assert listed(admin)["admin"]["disabled"] is False
    widened = admin.send("PATCH", own, {"memberships": {SLUG: ["moderator"]}})
    assert widened.status_code == 200 and widened.json()["admin"] is True
    assert admin.client.get("/api/v1/session").json()["roles"] == ["admin", "moderator"]
    narrowed = admin.send("PATCH", own, {"memberships": {SLUG: []}})
    assert narrowed.status_code == 200 and narrowed.json()["memberships"] == {}


# -- a change takes effect at once ------------------------------------------------------


def ws_url(site: ServerProcess) -> str:
    return site.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/console"


async def open_console(site: ServerProcess, staff: StaffClient) -> ClientConnection:
    console = await connect(
        ws_url(site),
        origin=Origin(site.url),
        additional_headers={"Cookie": staff.cookie_header},
    )
    first = await asyncio.wait_for(console.recv(), 30)
    assert '"snapshot"' in str(first)
    return console


async def close_code(console: ClientConnection) -> int:
    """Read until the server closes the socket; its close code."""
    try:
        async with asyncio.timeout(CLOSE_WAIT):
            while True:
                await console.recv()
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, "the client closed, not the server"
        return closed.rcvd.code
    raise AssertionError("unreachable")


@pytest.fixture
async def consoles() -> AsyncIterator[list[ClientConnection]]:
    opened: list[ClientConnection] = []
    yield opened
    for console in opened:
        await console.close()


async def test_changing_roles_closes_the_console_and_forbids_the_next_request(
    site: ServerProcess, admin: StaffClient, consoles: list[ClientConnection]
) -> None:
    """Taking the producer role in the dialogue away: the account's console
    socket closes (4403), its next producer request is 403, its session lives
    on with the roles left."""
    create(admin, "quang", ["moderator", "producer"])
    quang = StaffClient(site.url, "quang", NEW_PASSWORD)
    try:
        screen = f"/api/v1/dialogues/{SLUG}/screen"
        assert quang.client.get(screen).status_code == 200
        consoles.append(await open_console(site, quang))
        response = admin.send("PATCH", f"{USERS}/quang", {"memberships": {SLUG: ["moderator"]}})
        assert response.status_code == 200
        assert response.json()["memberships"] == {SLUG: ["moderator"]}
        assert await close_code(consoles[0]) == 4403
        assert quang.client.get(screen).status_code == 403
        assert quang.client.get("/api/v1/session").json()["roles"] == ["moderator"]
        assert listed(admin)["quang"]["sessions"] == 1
    finally:
        quang.close()


async def test_disabling_refuses_login_and_closes_the_console(
    site: ServerProcess, admin: StaffClient, consoles: list[ClientConnection]
) -> None:
    """Disabling ends the account's sessions (its console closes with 4401)
    and refuses its login until it is enabled again."""
    create(admin, "minh", ["moderator"])
    minh = StaffClient(site.url, "minh", NEW_PASSWORD)
    try:
        consoles.append(await open_console(site, minh))
        response = admin.send("PATCH", f"{USERS}/minh", {"disabled": True})
        assert response.status_code == 200, response.text
        assert response.json()["disabled"] is True and response.json()["sessions"] == 0
        assert await close_code(consoles[0]) == 4401
        assert minh.client.get("/api/v1/session").status_code == 401
        assert sign_in_status(site.url, "minh", NEW_PASSWORD) == 401
        assert admin.send("PATCH", f"{USERS}/minh", {"disabled": False}).status_code == 200
        assert sign_in_status(site.url, "minh", NEW_PASSWORD) == 200
    finally:
        minh.close()


def test_password_reset_ends_sessions_and_is_logged_without_it(
    site: ServerProcess, admin: StaffClient
) -> None:
    """A new password ends the account's sessions; the old one stops working;
    the server logs who changed what, never a password."""
    create(admin, "thu", ["official"])
    thu = StaffClient(site.url, "thu", NEW_PASSWORD)
    reset = "đặt lại mật khẩu cho Thu 2026"
    try:
        response = admin.send("PATCH", f"{USERS}/thu", {"password": reset})
        assert response.status_code == 200 and response.json()["sessions"] == 0
        assert thu.client.get("/api/v1/session").status_code == 401
        assert sign_in_status(site.url, "thu", NEW_PASSWORD) == 401
        assert sign_in_status(site.url, "thu", reset) == 200
    finally:
        thu.close()
    log = site.output()
    created = r"account thu created by admin: memberships \w{4}:official; state enabled"
    assert re.search(created, log)
    assert "account thu changed by admin: password reset" in log
    for secret in (NEW_PASSWORD, reset, "$argon2"):
        assert secret not in log


def test_cli_sets_roles_through_the_same_checks(
    site: ServerProcess, admin: StaffClient, redis_server: str
) -> None:
    """``doithoai user roles --dialogue`` replaces an account's roles in one
    dialogue (checked the same way: an unknown role is refused), and the API
    sees the change."""
    create(admin, "cli-user", ["official"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOITHOAI_")}
    env.update(REDIS_URL=redis_server, PYTHONPATH=str(REPO_ROOT))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "server", "user", "roles", *args],
            capture_output=True, text=True, env=env, timeout=60, check=False,
        )  # fmt: skip

    done = cli("cli-user", "--dialogue", SLUG, "--roles", "moderator,producer")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"cli-user: {SLUG}:moderator,producer"
    assert listed(admin)["cli-user"]["memberships"] == {SLUG: ["moderator", "producer"]}
    bad = cli("cli-user", "--dialogue", SLUG, "--roles", "moderator,boss")
    assert (
        bad.returncode == 1
        and "Vai trò “boss” không hợp lệ" in bad.stderr
        and "Unknown role “boss”" in bad.stderr
    )
    assert cli("nobody", "--dialogue", SLUG, "--roles", "moderator").returncode == 1
    assert listed(admin)["cli-user"]["memberships"] == {SLUG: ["moderator", "producer"]}
