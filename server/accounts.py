"""Staff accounts: argon2id password hashes, login, sessions.

Passwords are hashed with argon2-cffi's defaults (argon2id) and rehashed at
login when those parameters change. Sessions live server-side in Redis; the
cookie holds only a random id. Nothing here logs a password or a session id.

Every change to an account (made by the CLI, the admin page or the API, or by
seeding) goes through ``Accounts._commit``: it writes the change, ends the
account's sessions when the change must (a new password, a disabled account)
and logs who changed what. Roles are never cached in a session: ``identify``
reads them afresh on every request, so a change of roles takes effect at once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .domain import audit
from .domain.lifecycle import Refused
from .domain.model import Role, iso
from .store.connection import Store
from .store.users import ApiToken, Session, User

log = logging.getLogger(__name__)

#: Shortest password of a staff account, from any door (CLI, admin page, API):
#: an account that can put a question on air must not fall to a short guess list.
MIN_PASSWORD = 12
#: Longest password accepted: the login form's limit too (argon2 would take
#: more, but a megabyte "password" is only a way to make the server work).
MAX_PASSWORD = 1024
#: Usernames: lowercase ASCII, digits, ``.``, ``_``, ``-``; 2 to 32 characters,
#: starting with a letter or digit. They appear in URLs, logs and key names.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")
#: Longest display name (characters, after NFC).
MAX_DISPLAY_NAME = 100

_hasher = PasswordHasher()
#: Verified against when the account does not exist, so that a wrong username
#: costs the same time as a wrong password and does not reveal which it was.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(secret: str) -> str:
    # Tokens are long random secrets: a plain SHA-256 is enough (no brute force).
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Identity:
    """A signed-in staff member, as a request sees them."""

    username: str
    roles: frozenset[Role]
    csrf_token: str | None  # None for API-token requests (no cookie, no CSRF)
    #: The dialogues (slugs) an API token is scoped to; None: every dialogue.
    dialogues: frozenset[str] | None = None

    def may_use(self, slug: str) -> bool:
        return self.dialogues is None or slug in self.dialogues


class Accounts:
    def __init__(self, store: Store, session_ttl: int) -> None:
        self._users = store.users
        self._audit = store.audit
        self._ttl = session_ttl

    async def add(
        self,
        username: str,
        password: str,
        roles: frozenset[Role],
        display_name: str = "",
        *,
        actor: str = "system",
    ) -> User:
        """Make the account, or replace the one of that name (seeding, ``doithoai
        user add``); the caller has checked the values. ``create`` is the
        checked, never-replacing door of the admin page."""
        before = await self._users.get(username)
        password_hash = await asyncio.to_thread(hash_password, password)
        user = User(username, password_hash, roles, False, display_name)
        if before is not None:
            user = dataclasses.replace(user, created_at=before.created_at)
        return await self._commit(actor, before, user, replace=True)

    async def verify(self, username: str, password: str) -> User | None:
        """The user if ``password`` is theirs and the account is enabled."""
        user = await self._users.get(username)
        try:
            # argon2 takes a good part of a second by design: off the event loop.
            await asyncio.to_thread(
                _hasher.verify, user.password_hash if user else _DUMMY_HASH, password
            )
        except (VerificationError, InvalidHashError):
            return None
        if user is None or user.disabled:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user = User(
                user.username, hash_password(password), user.roles, user.disabled, user.display_name
            )
            await self._users.save(user)
        return user

    async def open_session(self, user: User) -> tuple[str, Identity]:
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        await self._users.open_session(session_id, Session(user.username, csrf), self._ttl)
        await self._users.record_login(user.username, iso(datetime.now(UTC)))
        return session_id, Identity(user.username, user.roles, csrf)

    async def identify(self, session_id: str) -> Identity | None:
        """The identity behind a session cookie; None if the session or the
        account is gone or disabled (roles are read afresh every time)."""
        session = await self._users.session(session_id, self._ttl)
        if session is None:
            return None
        user = await self._users.get(session.username)
        if user is None or user.disabled:
            return None
        return Identity(user.username, user.roles, session.csrf_token)

    async def close_session(self, session_id: str) -> None:
        await self._users.close_session(session_id)

    # -- account management (the CLI and the admin page) --------------------------

    async def create(
        self,
        actor: str,
        username: object,
        password: object,
        roles: object,
        display_name: object = "",
        address: str | None = None,
    ) -> User:
        """A new account, every value checked; Refused ``conflict`` if the name
        is taken (never replaces an account, unlike ``add``)."""
        name, checked_roles = check_username(username), check_roles(roles)
        shown, secret = check_display_name(display_name), check_password(password)
        hashed = await asyncio.to_thread(hash_password, secret)
        new = User(name, hashed, checked_roles, False, shown)
        return await self._commit(actor, None, new, address=address)

    async def update(
        self,
        actor: str,
        username: str,
        *,
        roles: object = None,
        disabled: object = None,
        password: object = None,
        display_name: object = None,
        address: str | None = None,
    ) -> User:
        """Change an account: any of its roles, disabled state, password and
        display name (None: leave it). Every value is checked before anything
        is written. ``actor`` may not disable their own account or take their
        own admin role away (an admin could otherwise lock everyone out)."""
        before = await self._require(username)
        after = before
        if roles is not None:
            after = dataclasses.replace(after, roles=check_roles(roles))
        if disabled is not None:
            if not isinstance(disabled, bool):
                raise Refused(
                    "invalid",
                    "disabled must be true or false",
                    "disabled",
                    "Trạng thái khóa phải là true hoặc false.",
                )
            after = dataclasses.replace(after, disabled=disabled)
        if display_name is not None:
            after = dataclasses.replace(after, display_name=check_display_name(display_name))
        new_password = check_password(password) if password is not None else None
        if actor == username and after.disabled and not before.disabled:
            raise Refused(
                "forbidden",
                "you cannot disable your own account",
                "disabled",
                "Bạn không thể tự khóa tài khoản của chính mình.",
            )
        if actor == username and Role.ADMIN in before.roles and Role.ADMIN not in after.roles:
            raise Refused(
                "forbidden",
                "you cannot take your own admin role away",
                "roles",
                "Bạn không thể tự bỏ vai trò quản trị viên của chính mình.",
            )
        if new_password is not None:
            hashed = await asyncio.to_thread(hash_password, new_password)
            after = dataclasses.replace(after, password_hash=hashed)
        if after == before:
            return before
        return await self._commit(actor, before, after, address=address)

    async def set_password(self, username: str, password: str, *, actor: str = "system") -> User:
        """A new password; ends the account's sessions."""
        return await self.update(actor, username, password=password)

    async def set_disabled(self, username: str, disabled: bool, *, actor: str = "system") -> User:
        """Disable (or enable) an account; disabling ends its sessions at once
        (its open consoles notice within seconds and close)."""
        return await self.update(actor, username, disabled=disabled)

    async def session_count(self, username: str) -> int:
        return await self._users.session_count(username)

    async def _commit(
        self,
        actor: str,
        before: User | None,
        after: User,
        *,
        replace: bool = False,
        address: str | None = None,
    ) -> User:
        """The one door of every account change: write ``after`` (a new
        account when ``before`` is None: Refused ``conflict`` if the name was
        taken meanwhile, unless ``replace``), end the sessions when the
        password changed or the account was disabled, and log who changed
        what (never a password or its hash)."""
        if before is None:
            after = dataclasses.replace(after, created_at=iso(datetime.now(UTC)))
            if replace:
                await self._users.save(after)
            elif not await self._users.create(after):
                raise Refused(
                    "conflict",
                    f"an account named {after.username!r} already exists",
                    "username",
                    "Tên đăng nhập này đã được dùng.",
                )
        else:
            await self._users.save(after)
        changes = describe_change(before, after)
        if before is not None and (
            after.password_hash != before.password_hash or (after.disabled and not before.disabled)
        ):
            await self._users.close_all_sessions(after.username)
        action = "created" if before is None else "changed"
        await self._audit.append(
            None,
            [
                audit.Entry(
                    at=iso(datetime.now(UTC)),
                    actor=actor,
                    roles=(),
                    action=f"account.{action}",
                    question=None,
                    after={"username": after.username, **changes},
                    address=address,
                )
            ],
        )
        log.info(
            "account %s %s by %s: %s",
            after.username,
            action,
            actor,
            "; ".join(f"{k} {v}" for k, v in changes.items()) or "no change",
        )
        return after

    async def users(self) -> list[User]:
        found = [await self._users.get(name) for name in await self._users.usernames()]
        return [u for u in found if u is not None]

    async def user(self, username: str) -> User:
        return await self._require(username)

    async def _require(self, username: str) -> User:
        user = await self._users.get(username)
        if user is None:
            raise LookupError(f"no account {username!r}")
        return user

    # -- API tokens ---------------------------------------------------------------

    async def create_token(
        self, username: str, role: Role, dialogues: tuple[str, ...], label: str, created_at: str
    ) -> tuple[str, ApiToken]:
        """A new token for ``username`` acting as ``role`` (one the account
        holds; an admin's may take any) in ``dialogues`` (empty: all). The
        secret is returned once; only its hash is stored."""
        user = await self._require(username)
        if Role.ADMIN not in user.roles and role not in user.roles:
            raise PermissionError(f"{username} does not hold the role {role.value}")
        secret = "dt_" + secrets.token_urlsafe(32)
        token_hash = _token_hash(secret)
        token = ApiToken(token_hash[:12], username, role, dialogues, created_at, label)
        await self._users.save_token(token_hash, token)
        return secret, token

    async def identify_token(self, secret: str) -> Identity | None:
        """The identity behind an API token: its one role, its dialogues; None
        if the token is unknown or revoked or its account is disabled."""
        if not secret.startswith("dt_") or len(secret) > 100:
            return None
        token = await self._users.token(_token_hash(secret))
        if token is None:
            return None
        user = await self._users.get(token.username)
        if user is None or user.disabled:
            return None
        if Role.ADMIN not in user.roles and token.role not in user.roles:
            return None  # the account lost the role since the token was made
        scope = frozenset(token.dialogues) if token.dialogues else None
        return Identity(user.username, frozenset({token.role}), None, scope)

    async def tokens(self) -> list[ApiToken]:
        return await self._users.tokens()

    async def revoke_token(self, token_id: str) -> bool:
        return await self._users.revoke_token(token_id)


# -- checks shared by every door (pure) ----------------------------------------------


def check_username(value: object) -> str:
    if not isinstance(value, str) or not USERNAME.fullmatch(value):
        raise Refused(
            "invalid",
            "the username must be 2 to 32 characters: lowercase letters a-z, digits, "
            "'.', '_' or '-', starting with a letter or digit",
            "username",
            "Tên đăng nhập gồm 2 đến 32 ký tự: chữ thường không dấu (a-z), chữ số, "
            "dấu chấm, gạch dưới hoặc gạch ngang, bắt đầu bằng chữ hoặc số.",
        )
    return value


def check_password(value: object) -> str:
    if not isinstance(value, str) or len(value) < MIN_PASSWORD:
        raise Refused(
            "invalid",
            f"the password must have at least {MIN_PASSWORD} characters",
            "password",
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.",
        )
    if len(value) > MAX_PASSWORD:
        raise Refused(
            "invalid",
            f"the password must have at most {MAX_PASSWORD} characters",
            "password",
            f"Mật khẩu dài tối đa {MAX_PASSWORD} ký tự.",
        )
    return value


def check_roles(value: object) -> frozenset[Role]:
    """At least one role, each of moderator, official, producer, admin."""
    if not isinstance(value, (list, tuple)):
        raise Refused("invalid", "roles must be a list", "roles", "Vai trò phải là một danh sách.")
    known = {r.value for r in Role}
    unknown = [r for r in value if not isinstance(r, str) or r not in known]
    if unknown:
        raise Refused(
            "invalid",
            f"unknown role {unknown[0]!r}; the roles are {', '.join(sorted(known))}",
            "roles",
            "Vai trò không hợp lệ. Các vai trò là: moderator, official, producer, admin.",
        )
    if not value:
        raise Refused(
            "invalid",
            "give the account at least one role",
            "roles",
            "Hãy chọn ít nhất một vai trò.",
        )
    return frozenset(Role(r) for r in value)


def check_display_name(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(
            "invalid", "the display name must be text", "display_name", "Tên hiển thị phải là chữ."
        )
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if len(name) > MAX_DISPLAY_NAME:
        raise Refused(
            "invalid",
            f"the display name must have at most {MAX_DISPLAY_NAME} characters",
            "display_name",
            f"Tên hiển thị dài tối đa {MAX_DISPLAY_NAME} ký tự.",
        )
    return name


def describe_change(before: User | None, after: User) -> dict[str, str]:
    """What a change did, for the log (and the audit trail): roles, state,
    display name; a new password only as "password reset"."""

    def roles(user: User | None) -> str:
        return ",".join(sorted(r.value for r in user.roles)) if user and user.roles else "-"

    changes: dict[str, str] = {}
    if before is None or before.roles != after.roles:
        changes["roles"] = roles(after) if before is None else f"{roles(before)} -> {roles(after)}"
    if before is None or before.disabled != after.disabled:
        changes["state"] = "disabled" if after.disabled else "enabled"
    if (before.display_name if before else "") != after.display_name:
        changes["display_name"] = repr(after.display_name)
    if before is not None and before.password_hash != after.password_hash:
        changes["password"] = "reset"
    return changes
