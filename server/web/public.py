"""The public HTTP API: dialogues, submissions, tracking, the feed, votes,
and the proof-of-work challenge.

A citizen's submission passes, in this order: the token buckets of its
device and of its client address (429 with Retry-After from whichever is
empty); the dialogue's proof of work when an admin has switched it on (403
``proof_required``); and the honeypot: a body whose hidden ``website`` field
is filled (people never see it; form robots fill every field) is validated
like any other and answered like a success, 202 with a tracking code of the
real shape, but nothing is stored and one log line, without personal data,
says so. Staff entries skip all three. This module never logs what a citizen
typed or where they came from.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..actions import Actions
from ..config import Settings
from ..domain.access import Permission
from ..domain.events import public_dialogue
from ..domain.model import Dialogue, DialogueStatus, iso
from ..domain.text import DEVICE_ID
from ..domain.wording import N_, Refused
from .auth import actor_of, check_csrf, client_key, identify_api, may_see, require
from .errors import read_object

log = logging.getLogger(__name__)

#: The submission form's hidden field; see the module docstring.
HONEYPOT = "website"


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


async def _visible(request: Request) -> Dialogue:
    """The path's dialogue, if this request may see it (a draft: staff only)."""
    dialogue = await _actions(request).dialogue(request.path_params["slug"])
    if not await may_see(request, dialogue):
        raise Refused("not_found", "no such dialogue")
    return dialogue


async def get_dialogue(request: Request) -> Response:
    return JSONResponse(public_dialogue(await _visible(request)))


async def submit_question(request: Request) -> Response:
    """A citizen's question (rate limited, proof of work when the dialogue asks,
    honeypot), or a staff member's entry of one received by hotline, email or on
    paper (with ``channel``; none of those)."""
    actions = _actions(request)
    settings = _settings(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    body = await read_object(request, settings.max_body)
    identity = await identify_api(request) if "channel" in body else None
    staff = None
    if identity is not None:
        if identity.csrf_token is not None:
            check_csrf(request, identity)
        require(identity, dialogue, Permission.ENTER)
        staff = actor_of(request, identity, dialogue)
    else:
        device = body.get("device")
        if isinstance(device, str) and DEVICE_ID.fullmatch(device):
            # The device first: a device refused here has not spent its address's token.
            await _take(request, "submit-device", device, settings.device_limit, _TOO_MANY)
        await _take(request, "submit", client_key(request), settings.submit_limit, _TOO_MANY)
        if dialogue.proof_of_work and dialogue.accepting_questions:
            await actions.store.proofs.redeem(
                body.get("proof"), dialogue.id, settings.proof_difficulty
            )
        if body.get(HONEYPOT):
            return await _pretend(request, dialogue, body)
    submitted = await actions.submit(dialogue, body, staff)
    return JSONResponse({"tracking_code": submitted.tracking_code, "status": "received"}, 202)


_TOO_MANY = N_("too many questions from this address or device; try again shortly")
_TOO_MANY_VOTES = N_("too many votes from this device or address; try again shortly")


async def _take(
    request: Request, scope: str, subject: str, limit: tuple[int, float], says: str
) -> None:
    """One token from ``subject``'s bucket, or 429 with the seconds to wait."""
    wait = await _actions(request).store.rate.take(scope, subject, limit)
    if wait:
        raise Refused("rate_limited", says, retry_after=wait)


async def _pretend(request: Request, dialogue: Dialogue, body: dict[str, Any]) -> Response:
    """The honeypot's answer: a 202 like ``submit_question``'s (see
    ``Actions.trap``), and one log line without personal data."""
    code = await _actions(request).trap(dialogue, body, request.app.state.trap_key)
    log.info("honeypot: a submission to %s filled the hidden field", dialogue.slug)
    return JSONResponse({"tracking_code": code, "status": "received"}, 202)


async def challenge(request: Request) -> Response:
    """A proof-of-work challenge for the dialogue: ``{challenge, difficulty,
    expires_at}``. Signed and self-contained, so issuing one writes nothing."""
    actions = _actions(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    issued = actions.store.proofs.challenge(dialogue.id, _settings(request).proof_difficulty)
    return JSONResponse(
        {
            "challenge": issued.text,
            "difficulty": issued.difficulty,
            "expires_at": iso(datetime.fromtimestamp(issued.expires_at, UTC)),
        },
        headers={"Cache-Control": "no-store"},
    )


async def tracking(request: Request) -> Response:
    return JSONResponse(await _actions(request).tracking(request.path_params["code"]))


async def forget_contact(request: Request) -> Response:
    """The asker deletes their contact data (phone, email) by tracking code."""
    await _actions(request).forget_contact(request.path_params["code"])
    return Response(status_code=204)


async def feed(request: Request) -> Response:
    return JSONResponse(await _actions(request).feed(await _visible(request)))


async def archive(request: Request) -> Response:
    actions = _actions(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    if dialogue.status is DialogueStatus.DRAFT:
        raise Refused("not_found", "no such dialogue")
    return JSONResponse(await actions.archive(dialogue))


async def vote(request: Request) -> Response:
    actions = _actions(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    settings = _settings(request)
    body = await read_object(request, settings.max_body)
    # The voter id is the device id: one vote per question per device is kept
    # by the store; its bucket holds a person to a person's pace, the
    # address's bucket a flood of made-up devices.
    voter = actions.check_voter(body.get("voter"))
    await _take(request, "vote-device", voter, settings.voter_limit, _TOO_MANY_VOTES)
    await _take(request, "vote", client_key(request), settings.vote_limit, _TOO_MANY_VOTES)
    votes = await actions.vote(
        dialogue, request.path_params["id"], voter, body.get("proof"), settings.proof_difficulty
    )
    return JSONResponse({"votes": votes})


routes = [
    Route("/api/v1/dialogues", list_dialogues, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}", get_dialogue, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/questions", submit_question, methods=["POST"]),
    Route("/api/v1/dialogues/{slug}/feed", feed, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/challenge", challenge, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/archive", archive, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/questions/{id}/votes", vote, methods=["POST"]),
    Route("/api/v1/tracking/{code}", tracking, methods=["GET"]),
    Route("/api/v1/tracking/{code}/contact", forget_contact, methods=["DELETE"]),
]
