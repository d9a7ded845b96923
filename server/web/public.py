"""The public HTTP API: dialogues, submissions, tracking, the feed, votes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..actions import Actions
from ..config import Settings
from ..domain.events import public_dialogue
from ..domain.model import DialogueStatus
from .auth import check_csrf, client_address, identify_api, require_dialogue_scope
from .errors import ApiError, read_object


def _actions(request: Request) -> Actions:
    return request.app.state.actions  # type: ignore[no-any-return]


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def list_dialogues(request: Request) -> Response:
    dialogues = await _actions(request).store.dialogues.all()
    return JSONResponse(
        [
            {"slug": d.slug, "title": d.title, "status": d.status.value, "starts_at": d.starts_at}
            for d in dialogues
            if d.status is not DialogueStatus.DRAFT
        ]
    )


async def get_dialogue(request: Request) -> Response:
    dialogue = await _actions(request).dialogue(request.path_params["slug"])
    return JSONResponse(public_dialogue(dialogue))


async def submit_question(request: Request) -> Response:
    """A citizen's question (rate limited), or a staff member's entry of one
    received by hotline, email or on paper (with ``channel``; not limited)."""
    actions = _actions(request)
    settings = _settings(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    body = await read_object(request, settings.max_body)
    identity = await identify_api(request) if "channel" in body else None
    staff = None
    if identity is not None:
        require_dialogue_scope(identity, dialogue.slug)
        if identity.csrf_token is not None:
            check_csrf(request, identity)
        staff = actions.actor_in(dialogue, identity.username, identity.roles)
    else:
        wait = await actions.store.rate.take(
            "submit", client_address(request), settings.submit_limit
        )
        if wait:
            raise ApiError(
                "rate_limited",
                "too many questions from this address; try again shortly",
                message_vi="Bạn đã gửi nhiều câu hỏi liên tiếp; vui lòng thử lại sau ít phút.",
                headers={"Retry-After": str(int(wait + 0.999))},
            )
    submitted = await actions.submit(dialogue, body, staff)
    return JSONResponse({"tracking_code": submitted.tracking_code, "status": "received"}, 202)


async def tracking(request: Request) -> Response:
    return JSONResponse(await _actions(request).tracking(request.path_params["code"]))


async def forget_contact(request: Request) -> Response:
    """The asker deletes their contact data (phone, email) by tracking code."""
    await _actions(request).forget_contact(request.path_params["code"])
    return Response(status_code=204)


async def feed(request: Request) -> Response:
    actions = _actions(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    return JSONResponse(await actions.feed(dialogue))


async def archive(request: Request) -> Response:
    actions = _actions(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    if dialogue.status is DialogueStatus.DRAFT:
        raise ApiError("not_found", "no such dialogue")
    return JSONResponse(await actions.archive(dialogue))


async def vote(request: Request) -> Response:
    actions = _actions(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    body = await read_object(request, _settings(request).max_body)
    votes = await actions.vote(dialogue, request.path_params["id"], body.get("voter"))
    return JSONResponse({"votes": votes})


routes = [
    Route("/api/v1/dialogues", list_dialogues, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}", get_dialogue, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/questions", submit_question, methods=["POST"]),
    Route("/api/v1/dialogues/{slug}/feed", feed, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/archive", archive, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/questions/{id}/votes", vote, methods=["POST"]),
    Route("/api/v1/tracking/{code}", tracking, methods=["GET"]),
    Route("/api/v1/tracking/{code}/contact", forget_contact, methods=["DELETE"]),
]
