"""The staff HTTP API: sessions, question lists, actions, the overlay token."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..accounts import Accounts, Identity
from ..actions import Actions
from ..config import Settings
from ..domain import devices
from ..domain.access import Permission
from ..domain.model import Actor, Dialogue, Status
from ..domain.wording import Refused
from .auth import (
    actor_of,
    clear_session_cookie,
    client_key,
    cookie_name,
    device_cookie_name,
    identify_api,
    own_origins,
    require,
    require_dialogue_scope,
    require_staff,
    same_origin,
    set_login_cookies,
)
from .catalogs import say
from .errors import error_body, read_object

#: The most questions one page may hold (API.md).
MAX_LIMIT = 500


def _state(request: Request) -> tuple[Actions, Settings]:
    return request.app.state.actions, request.app.state.settings


@dataclass(frozen=True)
class SignedIn:
    session_id: str
    identity: Identity
    #: The browser's known-device token for this account (a cookie).
    device_token: str


async def sign_in(request: Request, username: object, password: object) -> SignedIn:
    """Check the Origin, the login rate limits and the password; open a
    session, or raise Refused. Shared by ``POST /api/v1/session`` and the
    login page.

    Failures count per account and per address, except from a browser that
    has signed in as this account before (a valid device cookie): those count
    per device only, so that nobody can lock a moderator out by failing with
    their name from elsewhere."""
    actions, settings = _state(request)
    accounts: Accounts = request.app.state.accounts
    if request.headers.get("origin") and not same_origin(request, own_origins(request)):
        raise Refused("forbidden", "cross-site login refused")
    if not isinstance(username, str) or not username or len(username) > 64:
        raise Refused("invalid", "username is required", "username")
    if not isinstance(password, str) or not password or len(password) > 1024:
        raise Refused("invalid", "password is required", "password")
    key: bytes = request.app.state.device_key
    cookie = request.cookies.get(device_cookie_name(settings), "")
    device = devices.verify(key, cookie, username) if cookie else None
    subjects: tuple[tuple[str, str], ...] = (
        (("login-device", device),)
        if device
        else (("login-user", username.lower()), ("login-addr", client_key(request)))
    )
    # Every attempt is counted before its password is checked, atomically per
    # bucket, and given back once the password proves right: N attempts sent
    # at once get at most the limit's worth of password checks.
    rate = actions.store.rate
    taken: list[tuple[str, str]] = []
    for scope, subject in subjects:
        wait = await rate.take(scope, subject, settings.login_limit)
        if wait:
            for given in taken:
                await rate.take(*given, settings.login_limit, cost=-1)
            raise Refused(
                "rate_limited", "too many failed logins; try again later", retry_after=wait
            )
        taken.append((scope, subject))
    user = await accounts.verify(username, password)
    if user is None:
        raise Refused("unauthenticated", "wrong username or password")
    for given in taken:
        await rate.take(*given, settings.login_limit, cost=-1)
    session_id, identity = await accounts.open_session(user)
    token = devices.issue(key, username, device or secrets.token_urlsafe(12))
    return SignedIn(session_id, identity, token)


async def _identity_body(request: Request, identity: Identity) -> dict[str, object]:
    """The session as its holder sees it: the roles held anywhere, whether a
    system administrator, and the dialogues (by slug) with the roles held in each."""
    actions, _ = _state(request)
    memberships = {}
    for dialogue_id, roles in sorted(identity.memberships.items()):
        dialogue = await actions.store.dialogues.by_id(dialogue_id)
        if dialogue is not None and identity.may_use(dialogue.slug):
            memberships[dialogue.slug] = sorted(r.value for r in roles)
    return {
        "username": identity.username,
        "roles": sorted(r.value for r in identity.roles),
        "admin": identity.admin,
        "memberships": memberships,
        "csrf_token": identity.csrf_token,
    }


async def login(request: Request) -> Response:
    _, settings = _state(request)
    body = await read_object(request, settings.max_body)
    signed = await sign_in(request, body.get("username"), body.get("password"))
    response = JSONResponse(await _identity_body(request, signed.identity))
    set_login_cookies(response, settings, signed.session_id, signed.device_token)
    return response


async def logout(request: Request) -> Response:
    _, settings = _state(request)
    await require_staff(request)
    session_id = request.cookies.get(cookie_name(settings), "")
    await request.app.state.accounts.close_session(session_id)
    response = Response(status_code=204)
    clear_session_cookie(response, settings)
    return response


async def whoami(request: Request) -> Response:
    identity = await identify_api(request)
    if identity is None:
        raise Refused("unauthenticated", "sign in first")
    return JSONResponse(await _identity_body(request, identity))


async def _dialogue(
    request: Request, permission: Permission = Permission.SEE
) -> tuple[Actions, Dialogue, Actor]:
    """The path's dialogue and the staff member acting in it, who must have
    ``permission`` there (401, 403, or 404 for someone else's draft)."""
    actions, _ = _state(request)
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    dialogue = await actions.dialogue(request.path_params["slug"])
    require(identity, dialogue, permission)
    return actions, dialogue, actor_of(request, identity, dialogue)


#: The longest cursor a page gives: a question id, well under 64 bits.
MAX_CURSOR_DIGITS = 19


def _digits(value: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also takes "²" and Arabic-Indic
    digits, which ``int()`` refuses or reads as another number."""
    return value.isascii() and value.isdigit()


def _int(value: str | None, field: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if not _digits(value) or len(value) > len(str(high)) or not low <= int(value) <= high:
        raise Refused(
            "invalid",
            "{name} must be a whole number from {low} to {high}",
            field,
            name=field,
            low=low,
            high=high,
        )
    return int(value)


async def list_questions(request: Request) -> Response:
    actions, dialogue, actor = await _dialogue(request)
    params = request.query_params
    status = None
    if params.get("status"):
        try:
            status = Status(params["status"])
        except ValueError:
            raise Refused("invalid", "unknown status", "status") from None
    limit = _int(params.get("limit"), "limit", 100, 1, MAX_LIMIT)
    cursor = params.get("cursor")
    if cursor is not None and not (_digits(cursor) and len(cursor) <= MAX_CURSOR_DIGITS):
        raise Refused("invalid", "cursor must come from a previous page", "cursor")
    official = params.get("official")
    items, next_cursor = await actions.store.questions.page(
        dialogue.id, status, limit, cursor, official or None
    )
    return JSONResponse(
        {
            "items": await actions.staff_views(dialogue, items, actor),
            "next_cursor": next_cursor,
        }
    )


async def get_question(request: Request) -> Response:
    actions, dialogue, actor = await _dialogue(request)
    q = await actions.question(dialogue, request.path_params["id"])
    return JSONResponse(await actions.staff_view(dialogue, q, actor))


async def act(request: Request) -> Response:
    actions, dialogue, actor = await _dialogue(request)
    body = await read_object(request, request.app.state.settings.max_body)
    q = await actions.act(
        dialogue, request.path_params["id"], request.path_params["action"], body, actor
    )
    return JSONResponse(await actions.staff_view(dialogue, q, actor))


async def next_question(request: Request) -> Response:
    """The producer's "next question" (see ``Actions.next_question``)."""
    actions, dialogue, actor = await _dialogue(request, Permission.PRODUCE)
    body = await read_object(request, request.app.state.settings.max_body)
    q = await actions.next_question(dialogue, actor, body.get("then", "back"), body.get("current"))
    return JSONResponse(await actions.staff_view(dialogue, q, actor))


async def bulk(request: Request) -> Response:
    """Approve or reject a selection; each question its own atomic step, and
    each one's outcome in the answer (partial failures are normal: 200)."""
    actions, dialogue, actor = await _dialogue(request)
    body = await read_object(request, request.app.state.settings.max_body)
    results = await actions.bulk(dialogue, body.get("action"), body.get("ids"), body, actor)
    done = [r["question"] for r in results if r["ok"]]
    views = iter(await actions.staff_views(dialogue, done, actor))
    for result in results:
        if result["ok"]:
            result["question"] = next(views)
        else:
            refused = result["error"]
            said = say(request, refused)
            result["error"] = error_body(refused.code, said, refused.field)["error"]
    return JSONResponse({"results": results})


async def claim(request: Request) -> Response:
    """This moderator has the question open: shown to the others for a minute."""
    actions, dialogue, actor = await _dialogue(request, Permission.MODERATE)
    return JSONResponse(await actions.handle(dialogue, request.path_params["id"], actor))


async def unclaim(request: Request) -> Response:
    actions, dialogue, actor = await _dialogue(request, Permission.MODERATE)
    await actions.release_handling(dialogue, request.path_params["id"], actor)
    return Response(status_code=204)


def _screen_body(request: Request, dialogue: Dialogue, token: str) -> dict[str, str]:
    origin = request.app.state.settings.origin
    return {"token": token, "url": f"{origin}/d/{dialogue.slug}/screen?token={token}"}


async def screen(request: Request) -> Response:
    actions, dialogue, _ = await _dialogue(request, Permission.PRODUCE)
    token = await actions.store.dialogues.screen_token(dialogue.id)
    return JSONResponse(_screen_body(request, dialogue, token))


async def rotate_screen(request: Request) -> Response:
    actions, dialogue, actor = await _dialogue(request, Permission.MANAGE)
    token = await actions.rotate_screen_token(dialogue, actor)
    return JSONResponse(_screen_body(request, dialogue, token))


routes = [
    Route("/api/v1/session", login, methods=["POST"]),
    Route("/api/v1/session", logout, methods=["DELETE"]),
    Route("/api/v1/session", whoami, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/questions", list_questions, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/questions/bulk", bulk, methods=["POST"]),
    Route("/api/v1/dialogues/{slug}/questions/{id}", get_question, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/questions/{id}/handling", claim, methods=["POST"]),
    Route("/api/v1/dialogues/{slug}/questions/{id}/handling", unclaim, methods=["DELETE"]),
    Route("/api/v1/dialogues/{slug}/questions/{id}/actions/{action}", act, methods=["POST"]),
    Route("/api/v1/dialogues/{slug}/next", next_question, methods=["POST"]),
    Route("/api/v1/dialogues/{slug}/screen", screen, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/screen/rotate", rotate_screen, methods=["POST"]),
]
