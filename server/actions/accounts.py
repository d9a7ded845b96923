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
import functools
import hashlib
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..domain import access, audit, devices
from ..domain.access import Memberships, Permission
from ..domain.model import Dialogue, Role, iso
from ..domain.wording import FieldError, Refused
from ..store.connection import Store
from ..store.users import ApiToken, Session, User

log = logging.getLogger(__name__)
T = TypeVar("T")

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


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so that a wrong
    username costs the same time as a wrong password and does not reveal which
    it was. Made at the first sign-in, in the hasher's thread, not at import:
    hashing takes half a second of CPU, which every process importing the
    server (each CLI command, each intake worker) paid before it did anything."""
    return _hasher.hash("not a password of anyone")


def _verify(password_hash: str | None, password: str) -> None:
    """argon2's verify against the account's hash, or the dummy one when there is no account."""
    _hasher.verify(password_hash if password_hash is not None else _dummy_hash(), password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


#: argon2 runs here, off the event loop, one at a time: it is made to take a
#: good part of a second of CPU, and a flood of sign-ins spread over every
#: core would starve the requests of citizens. With one thread it takes at
#: most one core; the sign-ins queue (and the login limits stop a flood
#: before it gets here: see ``Accounts.sign_in``).
_HASHER_THREADS = 1
_hasher_pool = ThreadPoolExecutor(_HASHER_THREADS, thread_name_prefix="argon2")


async def _in_hasher(work: Callable[..., T], *args: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(_hasher_pool, work, *args)


def _token_hash(secret: str) -> str:
    # Tokens are long random secrets: a plain SHA-256 is enough (no brute force).
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Identity:
    """A signed-in staff member, as a request sees them."""

    username: str
    #: A system administrator (admin of every dialogue, manages accounts).
    admin: bool
    csrf_token: str | None  # None for API-token requests (no cookie, no CSRF)
    #: The account's roles per dialogue (dialogue id -> roles).
    memberships: Memberships = field(default_factory=dict)
    #: An API token acts with its one role only.
    token_role: Role | None = None
    #: The dialogues (slugs) an API token is scoped to; None: every dialogue.
    dialogues: frozenset[str] | None = None

    def may_use(self, slug: str) -> bool:
        return self.dialogues is None or slug in self.dialogues

    def roles_in(self, dialogue: Dialogue) -> frozenset[Role]:
        """The roles this identity holds in ``dialogue`` (none outside a token's scope)."""
        if not self.may_use(dialogue.slug):
            return frozenset()
        return access.roles_in(
            dialogue,
            self.username,
            admin=self.admin,
            memberships=self.memberships,
            token_role=self.token_role,
        )

    def may(self, dialogue: Dialogue, permission: Permission) -> bool:
        return access.allows(self.roles_in(dialogue), permission)

    @property
    def system_admin(self) -> bool:
        """May manage accounts and create dialogues: an administrator signed in,
        or through an admin token scoped to no dialogue in particular."""
        return self.admin and self.token_role in (None, Role.ADMIN) and self.dialogues is None

    @property
    def roles(self) -> frozenset[Role]:
        """Every role held anywhere (to describe a session only: what a request
        may do is decided by ``roles_in`` its dialogue)."""
        if self.token_role is not None:
            return frozenset({self.token_role})
        held: set[Role] = set().union(*self.memberships.values())
        if self.admin:
            held.add(Role.ADMIN)
        return frozenset(held)


@dataclass(frozen=True)
class SignedIn:
    session_id: str
    identity: Identity
    #: The browser's known-device token for this account (a cookie).
    device_token: str


class Accounts:
    def __init__(
        self,
        store: Store,
        session_ttl: int,
        *,
        login_limit: tuple[int, float] = (10, 60.0),
        secret: bytes = b"",
    ) -> None:
        self._users = store.users
        self._audit = store.audit
        self._dialogues = store.dialogues
        self._rate = store.rate
        self._ttl = session_ttl
        self._login_limit = login_limit
        self._device_key = devices.signing_key(secret)

    async def sign_in(
        self, username: object, password: object, *, device_cookie: str, client: str
    ) -> SignedIn:
        """Check the login rate limits and the password; open a session, or
        raise Refused. ``device_cookie`` is the browser's known-device token
        (or ""), ``client`` its address's limit key.

        Failures count per account and per address, except from a browser that
        has signed in as this account before (a valid device token): those
        count per device only, so that nobody can lock a moderator out by
        failing with their name from elsewhere."""
        if not isinstance(username, str) or not username or len(username) > 64:
            raise Refused("invalid", "username is required", "username")
        if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
            raise Refused("invalid", "password is required", "password")
        key = self._device_key
        device = devices.verify(key, device_cookie, username) if device_cookie else None
        subjects: tuple[tuple[str, str], ...] = (
            (("login-device", device),)
            if device
            else (("login-user", username.lower()), ("login-addr", client))
        )
        # Every attempt is counted before its password is checked, atomically per
        # bucket, and given back once the password proves right: N attempts sent
        # at once get at most the limit's worth of password checks.
        limit = self._login_limit
        taken: list[tuple[str, str]] = []
        for scope, subject in subjects:
            wait = await self._rate.take(scope, subject, limit)
            if wait:
                for given in taken:
                    await self._rate.take(*given, limit, cost=-1)
                raise Refused(
                    "rate_limited", "too many failed logins; try again later", retry_after=wait
                )
            taken.append((scope, subject))
        user = await self.verify(username, password)
        if user is None:
            raise Refused("unauthenticated", "wrong username or password")
        for given in taken:
            await self._rate.take(*given, limit, cost=-1)
        session_id, identity = await self.open_session(user)
        token = devices.issue(key, username, device or secrets.token_urlsafe(12))
        return SignedIn(session_id, identity, token)

    async def memberships_by_slug(self, identity: Identity) -> dict[str, list[Role]]:
        """The dialogues (by slug) ``identity`` may act in, with its roles there."""
        found = {}
        for dialogue_id, roles in sorted(identity.memberships.items()):
            dialogue = await self._dialogues.by_id(dialogue_id)
            if dialogue is not None and identity.may_use(dialogue.slug):
                found[dialogue.slug] = sorted(roles)
        return found

    async def add(
        self,
        username: str,
        password: str,
        roles: Iterable[Role] = (),
        display_name: str = "",
        *,
        dialogues: Iterable[str] = (),
        actor: str = "system",
    ) -> User:
        """Make the account, or replace the one of that name (seeding, ``doithoai
        user add``); the caller has checked the values. ``admin`` among
        ``roles`` makes a system administrator; the other roles are given in
        each dialogue of ``dialogues`` (ids), beside the memberships a
        replaced account had elsewhere. ``create`` is the checked,
        never-replacing door of the admin page."""
        wanted = frozenset(roles)
        given = wanted - {Role.ADMIN}
        places = tuple(dialogues)
        if given and not places:
            raise ValueError("roles other than admin are held in dialogues: name them")
        before = await self._users.get(username)
        password_hash = await _in_hasher(hash_password, password)
        memberships = dict(before.memberships) if before else {}
        memberships.update({d: given for d in places})
        user = User(
            username,
            password_hash,
            admin=Role.ADMIN in wanted,
            display_name=display_name,
            created_at=before.created_at if before else "",
            memberships={d: r for d, r in memberships.items() if r},
        )
        return await self._commit(actor, before, user, replace=True)

    async def verify(self, username: str, password: str) -> User | None:
        """The user if ``password`` is theirs and the account is enabled."""
        user = await self._users.get(username)
        try:
            await _in_hasher(_verify, user.password_hash if user else None, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or user.disabled:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            rehashed = await _in_hasher(hash_password, password)
            user = dataclasses.replace(user, password_hash=rehashed)
            await self._users.save(user)
        return user

    async def open_session(self, user: User) -> tuple[str, Identity]:
        session_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        await self._users.open_session(session_id, Session(user.username, csrf), self._ttl)
        await self._users.record_login(user.username, iso(datetime.now(UTC)))
        return session_id, _identity(user, csrf)

    async def identify(self, session_id: str) -> Identity | None:
        """The identity behind a session cookie; None if the session or the
        account is gone or disabled (roles and memberships are read afresh
        every time, so a change applies to the next request)."""
        session = await self._users.session(session_id, self._ttl)
        if session is None:
            return None
        user = await self._users.get(session.username)
        if user is None or user.disabled:
            return None
        return _identity(user, session.csrf_token)

    async def close_session(self, session_id: str) -> None:
        await self._users.close_session(session_id)

    # -- account management (the CLI and the admin page) --------------------------

    async def create(
        self,
        actor: str,
        username: object,
        password: object,
        *,
        admin: object = False,
        memberships: object = None,
        display_name: object = "",
        address: str | None = None,
    ) -> User:
        """A new account, every value checked; Refused ``conflict`` if the name
        is taken (never replaces an account, unlike ``add``). ``memberships``
        maps dialogue slugs to role lists."""
        faults: list[FieldError] = []

        def checked(check: Callable[[object], T], value: object) -> T | None:
            try:
                return check(value)
            except Refused as exc:
                faults.extend(exc.fields)
                return None

        name, is_admin = checked(check_username, username), checked(check_admin, admin)
        shown, secret = checked(check_display_name, display_name), checked(check_password, password)
        places: dict[str, frozenset[Role]] | None = None
        try:
            places = await self._memberships(memberships if memberships is not None else {})
        except Refused as exc:
            faults.extend(exc.fields)
        if faults:
            first = faults[0]
            raise Refused(first.code, first.message, first.field, fields=faults)
        assert name is not None and is_admin is not None and shown is not None
        assert secret is not None and places is not None
        hashed = await _in_hasher(hash_password, secret)
        new = User(name, hashed, admin=is_admin, display_name=shown, memberships=places)
        return await self._commit(actor, None, new, address=address)

    async def update(
        self,
        actor: str,
        username: str,
        *,
        admin: object = None,
        memberships: object = None,
        disabled: object = None,
        password: object = None,
        display_name: object = None,
        address: str | None = None,
    ) -> User:
        """Change an account: whether it is an administrator, its memberships
        (slug -> roles; a slug with no roles ends that membership; slugs not
        named keep theirs), disabled state, password and display name (None:
        leave it). Every value is checked before anything is written.
        ``actor`` may not disable their own account or take their own admin
        role away (an admin could otherwise lock everyone out)."""
        before = await self._require(username)
        after = before
        if admin is not None:
            after = dataclasses.replace(after, admin=check_admin(admin))
        if memberships is not None:
            changed = {**before.memberships, **await self._memberships(memberships, keep=True)}
            after = dataclasses.replace(after, memberships={d: r for d, r in changed.items() if r})
        if disabled is not None:
            if not isinstance(disabled, bool):
                raise Refused("invalid", "disabled must be true or false", "disabled")
            after = dataclasses.replace(after, disabled=disabled)
        if display_name is not None:
            after = dataclasses.replace(after, display_name=check_display_name(display_name))
        new_password = check_password(password) if password is not None else None
        if actor == username and after.disabled and not before.disabled:
            raise Refused("forbidden", "you cannot disable your own account", "disabled")
        if actor == username and before.admin and not after.admin:
            raise Refused("forbidden", "you cannot take your own admin role away", "admin")
        if new_password is not None:
            hashed = await _in_hasher(hash_password, new_password)
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

    async def _memberships(
        self, value: object, *, keep: bool = False
    ) -> dict[str, frozenset[Role]]:
        """Checked memberships by dialogue id, from slug -> role names; an
        empty role list is kept (as "no longer a member") only with ``keep``."""
        by_slug = check_memberships(value)
        found: dict[str, frozenset[Role]] = {}
        for slug, roles in by_slug.items():
            dialogue = await self._dialogues.by_slug(slug)
            if dialogue is None:
                raise Refused("invalid", "no dialogue “{slug}”", "memberships", slug=slug)
            if roles or keep:
                found[dialogue.id] = roles
        return found

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
                    "an account named “{username}” already exists",
                    "username",
                    username=after.username,
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
        held = frozenset().union(*user.memberships.values())
        if not user.admin and role not in held:
            raise PermissionError(f"{username} holds the role {role.value} in no dialogue")
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
        scope = frozenset(token.dialogues) if token.dialogues else None
        # Where the account no longer holds the token's role, the token holds nothing.
        return dataclasses.replace(_identity(user, None), token_role=token.role, dialogues=scope)

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
        )
    return value


def check_password(value: object) -> str:
    if not isinstance(value, str) or len(value) < MIN_PASSWORD:
        raise Refused(
            "invalid",
            "the password must have at least {least} characters",
            "password",
            least=MIN_PASSWORD,
        )
    if len(value) > MAX_PASSWORD:
        raise Refused(
            "invalid",
            "the password must have at most {most} characters",
            "password",
            most=MAX_PASSWORD,
        )
    return value


def check_admin(value: object) -> bool:
    if not isinstance(value, bool):
        raise Refused("invalid", "admin must be true or false", "admin")
    return value


def check_roles(value: object, field: str = "roles") -> frozenset[Role]:
    """A list of roles, each of moderator, official, producer, admin (an
    empty list is no role: the end of a membership)."""
    if not isinstance(value, (list, tuple)):
        raise Refused("invalid", "roles must be a list", field)
    known = {r.value for r in Role}
    unknown = [r for r in value if not isinstance(r, str) or r not in known]
    if unknown:
        raise Refused(
            "invalid",
            "unknown role “{role}”; the roles are {listed}",
            field,
            role=unknown[0],
            listed=", ".join(sorted(known)),
        )
    return frozenset(Role(r) for r in value)


def check_memberships(value: object) -> dict[str, frozenset[Role]]:
    """An object mapping dialogue slugs to lists of roles."""
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise Refused(
            "invalid", "memberships must map dialogue slugs to lists of roles", "memberships"
        )
    return {slug: check_roles(roles, "memberships") for slug, roles in value.items()}


def check_display_name(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused("invalid", "the display name must be text", "display_name")
    name = " ".join(unicodedata.normalize("NFC", value).split())
    if len(name) > MAX_DISPLAY_NAME:
        raise Refused(
            "invalid",
            "the display name must have at most {most} characters",
            "display_name",
            most=MAX_DISPLAY_NAME,
        )
    return name


def _identity(user: User, csrf_token: str | None) -> Identity:
    return Identity(user.username, user.admin, csrf_token, user.memberships)


def describe_change(before: User | None, after: User) -> dict[str, str]:
    """What a change did, for the log (and the audit trail): administrator or
    not, memberships (by dialogue id), state, display name; a new password
    only as "password reset"."""

    def places(user: User | None) -> str:
        found = user.memberships if user else {}
        text = " ".join(
            f"{d}:{','.join(sorted(r.value for r in roles))}" for d, roles in sorted(found.items())
        )
        return text or "-"

    changes: dict[str, str] = {}
    if (before.admin if before else False) != after.admin:
        changes["admin"] = "yes" if after.admin else "no"
    if (before.memberships if before else {}) != after.memberships:
        changes["memberships"] = (
            places(after) if before is None else f"{places(before)} -> {places(after)}"
        )
    if before is None or before.disabled != after.disabled:
        changes["state"] = "disabled" if after.disabled else "enabled"
    if (before.display_name if before else "") != after.display_name:
        changes["display_name"] = repr(after.display_name)
    if before is not None and before.password_hash != after.password_hash:
        changes["password"] = "reset"
    return changes
