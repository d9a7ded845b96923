"""Staff accounts and their sessions in Redis. Passwords arrive here already hashed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import WatchError
from redis.typing import EncodableT, FieldT

from ..domain.model import Role
from . import keys
from .errors import guarded


@dataclass(frozen=True)
class User:
    username: str
    password_hash: str
    #: A system administrator: admin of every dialogue, manages accounts.
    admin: bool = False
    disabled: bool = False
    display_name: str = ""
    #: When the account was made (ISO 8601); "" for accounts made before it was kept.
    created_at: str = ""
    #: The last successful sign-in; written by ``record_login`` only, never by ``save``.
    last_login_at: str = ""
    #: Its roles in each dialogue it is a member of: dialogue id -> roles.
    memberships: Mapping[str, frozenset[Role]] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiToken:
    """An integration's token, stored by the hash of its secret."""

    token_id: str  # the first 12 hex digits of the hash: shown, listed, revoked by
    username: str
    role: Role
    dialogues: tuple[str, ...]  # slugs; empty: every dialogue
    created_at: str
    label: str = ""


@dataclass(frozen=True)
class Session:
    username: str
    csrf_token: str


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _user_fields(user: User) -> dict[FieldT, EncodableT]:
    """The hash fields ``save`` writes: never ``last_login_at`` (``record_login``
    keeps it), and ``created_at`` only when known, so that a change made from
    an older copy of the account does not erase either."""
    fields: dict[FieldT, EncodableT] = {
        "password_hash": user.password_hash,
        # The account's own roles: only "admin" is an account-wide role.
        "roles": Role.ADMIN.value if user.admin else "",
        "disabled": "1" if user.disabled else "0",
        "display_name": user.display_name,
        "memberships": json.dumps(
            {d: sorted(r.value for r in roles) for d, roles in sorted(user.memberships.items())}
        ),
    }
    if user.created_at:
        fields["created_at"] = user.created_at
    return fields


def _memberships(raw: str) -> dict[str, frozenset[Role]]:
    """The stored memberships (a JSON object: dialogue id -> role names).
    Accounts stored before memberships existed have none: their old
    account-wide roles other than admin give nothing until an admin makes
    them members of dialogues."""
    doc = json.loads(raw) if raw else {}
    return {d: frozenset(Role(r) for r in roles) for d, roles in doc.items() if roles}


def _session_key(session_id: str) -> str:
    # Only a hash of the cookie value is stored: a leaked dump holds no usable session.
    return keys.session(hashlib.sha256(session_id.encode()).hexdigest())


@guarded
class Users:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def save(self, user: User) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.user(user.username), mapping=_user_fields(user))
            pipe.sadd(keys.USERS, user.username)
            await pipe.execute()

    async def create(self, user: User) -> bool:
        """Save ``user`` only if no account has its name; False if one does
        (two admins adding the same name at once: exactly one wins)."""
        key = keys.user(user.username)
        async with self._redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                # Read after the WATCH, as in air.py: a creation since fails the EXEC.
                if await self._redis.exists(key):
                    return False
                pipe.multi()
                pipe.hset(key, mapping=_user_fields(user))
                pipe.sadd(keys.USERS, user.username)
                await pipe.execute()
            except WatchError:
                return False
        return True

    async def record_login(self, username: str, at: str) -> None:
        # Only an existing account: a sign-in racing a deletion must not leave half a hash.
        if await self._redis.exists(keys.user(username)):
            await self._redis.hset(keys.user(username), "last_login_at", at)

    async def get(self, username: str) -> User | None:
        raw = await self._redis.hgetall(keys.user(username))
        if not raw:
            return None
        f = {_s(k): _s(v) for k, v in raw.items()}
        if "password_hash" not in f:
            return None
        return User(
            username,
            f["password_hash"],
            admin=Role.ADMIN.value in f.get("roles", "").split(","),
            disabled=f.get("disabled") == "1",
            display_name=f.get("display_name", ""),
            created_at=f.get("created_at", ""),
            last_login_at=f.get("last_login_at", ""),
            memberships=_memberships(f.get("memberships", "")),
        )

    async def usernames(self) -> list[str]:
        return sorted(_s(u) for u in await self._redis.smembers(keys.USERS))

    async def open_session(self, session_id: str, session: Session, ttl: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                _session_key(session_id),
                mapping={"username": session.username, "csrf_token": session.csrf_token},
            )
            pipe.expire(_session_key(session_id), ttl)
            pipe.sadd(keys.user_sessions(session.username), _session_key(session_id))
            await pipe.execute()

    async def session(self, session_id: str, ttl: int) -> Session | None:
        """The live session for ``session_id``, its lifetime renewed; or None."""
        key = _session_key(session_id)
        # Not a MULTI: renewing (EXPIRE XX) a session closed meanwhile does
        # nothing, and redis-py's Cluster transactions fail on HGETALL's reply.
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(key)
            pipe.expire(key, ttl, xx=True)
            raw, _ = await pipe.execute()
        if not raw:
            return None
        f = {_s(k): _s(v) for k, v in raw.items()}
        return Session(f["username"], f["csrf_token"])

    async def close_session(self, session_id: str) -> None:
        await self._redis.delete(_session_key(session_id))

    async def save_token(self, token_hash: str, token: ApiToken) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                keys.token(token_hash),
                mapping={
                    "token_id": token.token_id,
                    "username": token.username,
                    "role": token.role.value,
                    "dialogues": ",".join(token.dialogues),
                    "created_at": token.created_at,
                    "label": token.label,
                },
            )
            pipe.hset(keys.TOKENS, token.token_id, token_hash)
            await pipe.execute()

    async def token(self, token_hash: str) -> ApiToken | None:
        raw = await self._redis.hgetall(keys.token(token_hash))
        if not raw:
            return None
        f = {_s(k): _s(v) for k, v in raw.items()}
        return ApiToken(
            f["token_id"],
            f["username"],
            Role(f["role"]),
            tuple(d for d in f.get("dialogues", "").split(",") if d),
            f.get("created_at", ""),
            f.get("label", ""),
        )

    async def tokens(self) -> list[ApiToken]:
        hashes = [_s(h) for h in (await self._redis.hgetall(keys.TOKENS)).values()]
        found = [await self.token(h) for h in hashes]
        return sorted((t for t in found if t), key=lambda t: t.created_at)

    async def revoke_token(self, token_id: str) -> bool:
        token_hash = await self._redis.hget(keys.TOKENS, token_id)
        if token_hash is None:
            return False
        await self._redis.delete(keys.token(_s(token_hash)))
        await self._redis.hdel(keys.TOKENS, token_id)
        return True

    async def session_count(self, username: str) -> int:
        """How many of ``username``'s sessions are still open (forgetting the
        ones that expired or were signed out)."""
        members = [_s(m) for m in await self._redis.smembers(keys.user_sessions(username))]
        if not members:
            return 0
        async with self._redis.pipeline(transaction=False) as pipe:
            for member in members:
                pipe.exists(member)
            alive = await pipe.execute()
        gone = [m for m, live in zip(members, alive, strict=True) if not live]
        if gone:
            await self._redis.srem(keys.user_sessions(username), *gone)
        return len(members) - len(gone)

    async def close_all_sessions(self, username: str) -> None:
        members = await self._redis.smembers(keys.user_sessions(username))
        if members:
            await self._redis.delete(*[_s(m) for m in members], keys.user_sessions(username))
