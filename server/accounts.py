"""Staff accounts: argon2id password hashes, login, sessions.

Passwords are hashed with argon2-cffi's defaults (argon2id) and rehashed at
login when those parameters change. Sessions live server-side in Redis; the
cookie holds only a random id. Nothing here logs a password or a session id.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .domain.model import Role
from .store.connection import Store
from .store.users import Session, User

_hasher = PasswordHasher()
#: Verified against when the account does not exist, so that a wrong username
#: costs the same time as a wrong password and does not reveal which it was.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@dataclass(frozen=True)
class Identity:
    """A signed-in staff member, as a request sees them."""

    username: str
    roles: frozenset[Role]
    csrf_token: str | None  # None for API-token requests (no cookie, no CSRF)


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
