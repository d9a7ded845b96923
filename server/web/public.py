"""The public HTTP API: dialogues, submissions, tracking, the feed, votes,
and the proof-of-work challenge. The policies a citizen's question or vote
passes (limits, proof of work, honeypot) are ``actions.submissions``'s; this
module never logs what a citizen typed or where they came from.
"""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from ..actions import StoreUnavailable
from ..domain.access import Permission
from ..domain.events import dialogue_summary, public_dialogue
from ..domain.model import Dialogue, DialogueStatus
from ..domain.views import Submitted, Vote
from ..domain.wording import Refused
from ..metrics import SUBMISSIONS_REFUSED
from .auth import actor_of, check_csrf, client_key, identify_api, may_see, require
from .bodies import before_param, body, plain
from .catalogs import language
from .context import services
from .schemas import NewQuestion, NewVote


async def list_dialogues(request: Request) -> Response:
    listed = await services(request).dialogues.listed()
    return JSONResponse([dialogue_summary(d) for d in listed])


async def _visible(request: Request) -> Dialogue:
    """The path's dialogue, if this request may see it (a draft: staff only)."""
    dialogue = await services(request).dialogues.get(request.path_params["slug"])
    if not await may_see(request, dialogue):
        raise Refused("not_found", "no such dialogue")
    return dialogue


async def get_dialogue(request: Request) -> Response:
    return JSONResponse(public_dialogue(await _visible(request)))


class SubmitQuestion:
    """``POST /api/v1/dialogues/{slug}/questions`` as a bare ASGI endpoint
    (the route's ``app``, not a request/response function): a citizen's
    question (``Submissions.ask``), or a staff member's entry of one received
    by hotline, email or on paper (with ``channel``). The busiest write of a
    broadcast, so it makes no Response object and reads the body from the
    ASGI messages (``bodies.raw``); what goes wrong is raised, as from any
    handler, to the app's error handlers (the same error bodies), and the
    middlewares around the router (request id, latency, no-store, CORS) see
    it as any other route. A refusal is counted by its code
    (``doithoai_submissions_refused_total``)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            code = await _submit(Request(scope, receive))
        except Refused as exc:
            SUBMISSIONS_REFUSED.labels(exc.code).inc()
            raise
        except StoreUnavailable:
            SUBMISSIONS_REFUSED.labels("unavailable").inc()
            raise
        submitted: Submitted = {"tracking_code": code, "status": "received"}
        # As Starlette's JSONResponse says it (202, these headers, compact JSON).
        answer = msgspec.json.encode(submitted)
        headers = [(b"content-length", b"%d" % len(answer)), (b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 202, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


submit_question = SubmitQuestion()


async def _submit(request: Request) -> str:
    """The tracking code of the question the request submits."""
    app = services(request)
    # A citizen's question is checked against this node's copy of the
    # dialogue, which the submit script checks is still the stored one.
    dialogue = await app.dialogues.cached(request.path_params["slug"])
    question = await body(request, NewQuestion)
    identity = await identify_api(request) if question.channel is not None else None
    if identity is None:
        return await app.submissions.ask(
            dialogue, plain(question), client_key(request), language(request, header=False)
        )
    # Staff: their rights are read from the stored dialogue.
    dialogue = await app.dialogues.get(dialogue.slug)
    if identity.csrf_token is not None:
        check_csrf(request, identity)
    require(identity, dialogue, Permission.ENTER)
    staff = actor_of(request, identity, dialogue)
    return (await app.submissions.submit(dialogue, plain(question), staff)).tracking_code


async def challenge(request: Request) -> Response:
    """A proof-of-work challenge for the dialogue (``Submissions.challenge``)."""
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    return JSONResponse(app.submissions.challenge(dialogue), headers={"Cache-Control": "no-store"})


async def tracking(request: Request) -> Response:
    return JSONResponse(await services(request).tracking.view(request.path_params["code"]))


async def forget_contact(request: Request) -> Response:
    """The asker deletes their contact data (phone, email) by tracking code."""
    await services(request).tracking.forget_contact(request.path_params["code"])
    return Response(status_code=204)


async def feed(request: Request) -> Response:
    """The first page (bounded), or with ``before`` an older page."""
    before = before_param(request)
    dialogue = await _visible(request)
    feeds = services(request).feeds
    if before is None:
        return JSONResponse(await feeds.public(dialogue))
    return JSONResponse(await feeds.older(dialogue, before))


async def archive(request: Request) -> Response:
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    if dialogue.status is DialogueStatus.DRAFT:
        raise Refused("not_found", "no such dialogue")
    return JSONResponse(await app.dialogues.archive(dialogue))


async def vote(request: Request) -> Response:
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    ballot = await body(request, NewVote)
    votes = await app.submissions.cast(
        dialogue, request.path_params["id"], plain(ballot), client_key(request)
    )
    counted: Vote = {"votes": votes}
    return JSONResponse(counted)
