"""The admin's HTTP API for staff accounts: list, create, change roles,
disable or enable, reset a password.

Only system administrators, signed in (cookie with the Origin and CSRF
checks) or with an admin token for every dialogue. An account is an
administrator of the system or not (``admin``), and a member of dialogues
with roles in each (``memberships``: slug -> roles). Answers are built from
an allowlist of fields: never a password, its hash, or a session id. Every
change goes through ``Accounts`` (``create``/``update``), which checks the
values, ends sessions when it must and logs it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..actions.accounts import Accounts, Identity, User
from ..domain.model import Role
from ..domain.views import StaffUser
from ..domain.wording import Refused
from .auth import client_address, require_staff
from .bodies import body, plain
from .context import services
from .schemas import NewStaffUser, StaffUserEdit

#: Longer path names are no account (usernames have at most 32 characters).
MAX_USERNAME = 64


async def _admin(request: Request) -> tuple[Accounts, Identity, dict[str, str]]:
    """The administrator, and the slug of each dialogue by id."""
    identity = await require_staff(request)
    if not identity.system_admin:
        raise Refused("forbidden", "only an administrator of the system may manage staff accounts")
    app = services(request)
    return app.accounts, identity, await app.dialogues.slugs()


async def user_view(accounts: Accounts, user: User, slugs: dict[str, str]) -> StaffUser:
    """An account as admins see it (an allowlist: no hash, no session id)."""
    memberships: dict[str, list[Role]] = {
        slugs[d]: sorted(roles) for d, roles in user.memberships.items() if d in slugs
    }
    return {
        "username": user.username,
        "display_name": user.display_name,
        "admin": user.admin,
        "memberships": dict(sorted(memberships.items())),
        "disabled": user.disabled,
        "created_at": user.created_at or None,
        "last_login_at": user.last_login_at or None,
        "sessions": await accounts.session_count(user.username),
    }


async def list_users(request: Request) -> Response:
    accounts, _, slugs = await _admin(request)
    return JSONResponse([await user_view(accounts, u, slugs) for u in await accounts.users()])


async def create_user(request: Request) -> Response:
    accounts, identity, slugs = await _admin(request)
    given = await body(request, NewStaffUser)
    user = await accounts.create(
        identity.username,
        given.username,
        given.password,
        admin=given.admin,
        memberships=given.memberships or {},
        display_name=given.display_name,
        address=client_address(request),
    )
    return JSONResponse(await user_view(accounts, user, slugs), 201)


async def update_user(request: Request) -> Response:
    accounts, identity, slugs = await _admin(request)
    username = request.path_params["username"]
    edit = plain(await body(request, StaffUserEdit))
    try:
        if len(username) > MAX_USERNAME:
            raise LookupError(username)
        user = await accounts.update(
            identity.username, username, **edit, address=client_address(request)
        )
    except LookupError:
        raise Refused("not_found", "no account “{username}”", username=username) from None
    return JSONResponse(await user_view(accounts, user, slugs))
