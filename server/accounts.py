"""Staff accounts: argon2id password hashes, login, sessions.

Passwords are hashed with argon2-cffi's defaults (argon2id) and rehashed at
login when those parameters change. Sessions live server-side in Redis; the
cookie holds only a random id. Nothing here logs a password or a session id.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .domain.model import Role
from .store.connection import Store
from .store.users import ApiToken, Session, User

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
        self._ttl = session_ttl

    async def add(
        self, username: str, password: str, roles: frozenset[Role], display_name: str = ""
    ) -> User:
        user = User(username, hash_password(password), roles, False, display_name)
        await self._users.save(user)
        return user

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

    async def set_password(self, username: str, password: str) -> User:
        user = await self._require(username)
        changed = User(
            username, await asyncio.to_thread(hash_password, password), user.roles,
            user.disabled, user.display_name,
        )  # fmt: skip
        await self._users.save(changed)
        await self._users.close_all_sessions(username)
        return changed

    async def set_disabled(self, username: str, disabled: bool) -> User:
        """Disable (or enable) an account; disabling ends its sessions at once
        (its open consoles notice within seconds and close)."""
        user = await self._require(username)
        changed = User(username, user.password_hash, user.roles, disabled, user.display_name)
        await self._users.save(changed)
        if disabled:
            await self._users.close_all_sessions(username)
        return changed

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
