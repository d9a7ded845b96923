"""The staff HTTP API: sessions, question lists, actions, the overlay token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..actions import Identity, Services, SignedIn
from ..actions.broadcast import AirResult
from ..domain import lifecycle
from ..domain.access import Permission
from ..domain.model import Actor, Dialogue, Status
from ..domain.views import (
    AirState,
    BulkResults,
    HistoryPage,
    Overlay,
    QuestionPage,
    QuestionResult,
    Screen,
    Session,
    WrapUpResult,
)
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
from .bodies import before_param, body, plain
from .context import services, settings
from .errors import refusal_body
from .schemas import (
    ActionBody,
    AirRequest,
    BulkRequest,
    Login,
    NextRequest,
    OverlayRequest,
    WrapUpRequest,
)

#: The most questions one page may hold.
MAX_LIMIT = 500
#: What ``POST .../air/{op}`` does to the air (see ``Broadcast``).
AIR_OPS = ("skip", "back", "undo")


async def sign_in(request: Request, username: object, password: object) -> SignedIn:
    """Check the Origin, then ``Accounts.sign_in`` (login limits, password):
    a new session, or Refused. Shared by ``POST /api/v1/session`` and the
    login page."""
    if request.headers.get("origin") and not same_origin(request, own_origins(request)):
        raise Refused("forbidden", "cross-site login refused")
    return await services(request).accounts.sign_in(
        username,
        password,
        device_cookie=request.cookies.get(device_cookie_name(settings(request)), ""),
        client=client_key(request),
    )


async def _identity_body(request: Request, identity: Identity) -> Session:
    """The session as its holder sees it: the roles held anywhere, whether a
    system administrator, and the dialogues (by slug) with the roles held in each."""
    return {
        "username": identity.username,
        "roles": sorted(identity.roles),
        "admin": identity.admin,
        "memberships": await services(request).accounts.memberships_by_slug(identity),
        "csrf_token": identity.csrf_token,
    }


async def login(request: Request) -> Response:
    config = settings(request)
    given = await body(request, Login)
    signed = await sign_in(request, given.username, given.password)
    response = JSONResponse(await _identity_body(request, signed.identity))
    set_login_cookies(response, config, signed.session_id, signed.device_token)
    return response


async def logout(request: Request) -> Response:
    config = settings(request)
    await require_staff(request)
    session_id = request.cookies.get(cookie_name(config), "")
    await services(request).accounts.close_session(session_id)
    response = Response(status_code=204)
    clear_session_cookie(response, config)
    return response


async def whoami(request: Request) -> Response:
    identity = await identify_api(request)
    if identity is None:
        raise Refused("unauthenticated", "sign in first")
    return JSONResponse(await _identity_body(request, identity))


async def _dialogue(
    request: Request, permission: Permission = Permission.SEE
) -> tuple[Services, Dialogue, Actor]:
    """The path's dialogue and the staff member acting in it, who must have
    ``permission`` there (401, 403, or 404 for someone else's draft)."""
    app = services(request)
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    dialogue = await app.dialogues.get(request.path_params["slug"])
    require(identity, dialogue, permission)
    return app, dialogue, actor_of(request, identity, dialogue)


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
    app, dialogue, actor = await _dialogue(request)
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
    items, next_cursor = await app.moderation.page(
        dialogue, actor, status=status, limit=limit, cursor=cursor, official=official or None
    )
    page: QuestionPage = {"items": items, "next_cursor": next_cursor}
    return JSONResponse(page)


async def history(request: Request) -> Response:
    """The finished questions the console snapshot leaves out, newest first."""
    app, dialogue, actor = await _dialogue(request)
    before = before_param(request)
    limit = _int(request.query_params.get("limit"), "limit", 50, 1, MAX_LIMIT)
    items, next_before = await app.moderation.history(dialogue, actor, before=before, limit=limit)
    page: HistoryPage = {"items": items, "next_before": next_before}
    return JSONResponse(page)


async def get_question(request: Request) -> Response:
    app, dialogue, actor = await _dialogue(request)
    q = await app.moderation.question(dialogue, request.path_params["id"])
    return JSONResponse(await app.moderation.staff_view(dialogue, q, actor))


async def act(request: Request) -> Response:
    app, dialogue, actor = await _dialogue(request)
    # One schema for every action; an unknown field's 400 lists this action's.
    action = request.path_params["action"]
    taken = {*lifecycle.FIELDS.get(action, ()), "version"} if action in lifecycle.ACTIONS else None
    given = plain(await body(request, ActionBody, taken))
    q = await app.moderation.act(
        dialogue, request.path_params["id"], request.path_params["action"], given, actor
    )
    return JSONResponse(await app.moderation.staff_view(dialogue, q, actor))


async def _air_body(app: Services, dialogue: Dialogue, actor: Actor, result: AirResult) -> AirState:
    """What an air change answers: the question now on air (or null) as staff
    see it, and the change to offer the undo of until ``until`` (or null)."""
    on_air = result.on_air
    return {
        "on_air": await app.moderation.staff_view(dialogue, on_air, actor) if on_air else None,
        "change": result.change.public() if result.change else None,
    }


async def next_question(request: Request) -> Response:
    """The producer's "next question" (see ``Broadcast.next``)."""
    app, dialogue, actor = await _dialogue(request, Permission.PRODUCE)
    given = await body(request, NextRequest)
    result = await app.broadcast.next(dialogue, actor, given.then, given.current)
    return JSONResponse(await _air_body(app, dialogue, actor, result))


async def air(request: Request) -> Response:
    """``skip``, ``back`` or ``undo`` the air (see ``Broadcast``)."""
    app, dialogue, actor = await _dialogue(request, Permission.PRODUCE)
    op = request.path_params["op"]
    if op not in AIR_OPS:
        raise Refused("not_found", "unknown air change “{op}”", op=op)
    given = await body(request, AirRequest)
    if op == "skip":
        result = await app.broadcast.skip(dialogue, actor, given.current)
    elif op == "back":
        result = await app.broadcast.back(dialogue, actor, given.current)
    else:
        result = await app.broadcast.undo(dialogue, actor, given.change)
    return JSONResponse(await _air_body(app, dialogue, actor, result))


async def wrap_up_plan(request: Request) -> Response:
    """What "end the broadcast" will do (``Closing.plan``)."""
    app, dialogue, _ = await _dialogue(request, Permission.CLOSE)
    return JSONResponse(await app.closing.plan(dialogue))


async def wrap_up(request: Request) -> Response:
    """End the broadcast (``Closing.close``): one result per question, as bulk's."""
    app, dialogue, actor = await _dialogue(request, Permission.CLOSE)
    given = await body(request, WrapUpRequest)
    closed = await app.closing.close(
        dialogue, actor, given.officials, given.version, given.questions
    )
    done: WrapUpResult = {
        "status": closed["dialogue"].status,
        "version": closed["dialogue"].version,
        "due": closed["due"],
        "results": await _results(request, app, dialogue, actor, closed["results"]),
    }
    return JSONResponse(done)


async def overlay(request: Request) -> Response:
    """Show or hide the overlay's lower third (``{"visible": bool}``)."""
    app, dialogue, actor = await _dialogue(request, Permission.PRODUCE)
    given = await body(request, OverlayRequest)
    shown: Overlay = {"visible": await app.broadcast.show_overlay(dialogue, actor, given.visible)}
    return JSONResponse(shown)


async def bulk(request: Request) -> Response:
    """Approve or reject a selection; each question its own atomic step, and
    each one's outcome in the answer (partial failures are normal: 200)."""
    app, dialogue, actor = await _dialogue(request)
    given = await body(request, BulkRequest)
    results = await app.moderation.bulk(dialogue, given.action, given.ids, plain(given), actor)
    done: BulkResults = {"results": await _results(request, app, dialogue, actor, results)}
    return JSONResponse(done)


async def _results(
    request: Request,
    app: Services,
    dialogue: Dialogue,
    actor: Actor,
    results: list[dict[str, Any]],
) -> list[QuestionResult]:
    """Per-question outcomes as the API gives them: the question as staff see
    it, or the error body of its refusal, in the reader's language."""
    done = [r["question"] for r in results if r["ok"]]
    views = iter(await app.moderation.staff_views(dialogue, done, actor))
    said: list[QuestionResult] = []
    for result in results:
        if result["ok"]:
            said.append({"id": result["id"], "ok": True, "question": next(views)})
        else:
            refused = result["error"]
            error = refusal_body(request, refused)["error"]
            said.append({"id": result["id"], "ok": False, "error": error})
    return said


async def claim(request: Request) -> Response:
    """This moderator has the question open: shown to the others for a minute."""
    app, dialogue, actor = await _dialogue(request, Permission.MODERATE)
    return JSONResponse(await app.moderation.handle(dialogue, request.path_params["id"], actor))


async def unclaim(request: Request) -> Response:
    app, dialogue, actor = await _dialogue(request, Permission.MODERATE)
    await app.moderation.release_handling(dialogue, request.path_params["id"], actor)
    return Response(status_code=204)


def _screen_body(request: Request, dialogue: Dialogue, token: str) -> Screen:
    """The overlay's token and its address on the app's own origin."""
    page = request.app.url_path_for("screen_page", slug=dialogue.slug)
    url = f"{settings(request).origin}{page}?{urlencode({'token': token})}"
    return {"token": token, "url": url}


async def screen(request: Request) -> Response:
    app, dialogue, _ = await _dialogue(request, Permission.PRODUCE)
    token = await app.broadcast.screen_token(dialogue)
    return JSONResponse(_screen_body(request, dialogue, token))


async def rotate_screen(request: Request) -> Response:
    app, dialogue, actor = await _dialogue(request, Permission.MANAGE)
    token = await app.broadcast.rotate_screen_token(dialogue, actor)
    return JSONResponse(_screen_body(request, dialogue, token))
