"""The admin's HTTP API for dialogues: create, edit settings, change phase."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..actions import Services
from ..domain.access import Permission
from ..domain.events import staff_dialogue
from ..domain.model import Actor, Dialogue
from ..domain.wording import Refused
from .auth import actor_of, client_address, require, require_dialogue_scope, require_staff
from .bodies import body, plain
from .context import services
from .schemas import DialogueEdit, NewDialogue, PhaseChange


async def _admin(request: Request) -> tuple[Services, Actor]:
    """A system administrator (signed in, or with an admin token scoped to no
    dialogue in particular): only they create dialogues."""
    identity = await require_staff(request)
    if not identity.system_admin:
        raise Refused("forbidden", "only an administrator of the system may do this")
    actor = Actor(identity.username, identity.roles, address=client_address(request))
    return services(request), actor


async def _dialogue(request: Request) -> tuple[Services, Dialogue, Actor]:
    """The path's dialogue, for one who may manage it (its admins)."""
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    require(identity, dialogue, Permission.MANAGE)
    return app, dialogue, actor_of(request, identity, dialogue)


async def create(request: Request) -> Response:
    app, actor = await _admin(request)
    given = plain(await body(request, NewDialogue))
    return JSONResponse(staff_dialogue(await app.dialogues.new(given, actor)), 201)


async def dialogue_settings(request: Request) -> Response:
    _, dialogue, _ = await _dialogue(request)
    return JSONResponse(staff_dialogue(dialogue))


async def update(request: Request) -> Response:
    app, dialogue, actor = await _dialogue(request)
    given = plain(await body(request, DialogueEdit))
    return JSONResponse(staff_dialogue(await app.dialogues.update(dialogue, given, actor)))


async def change_status(request: Request) -> Response:
    app, dialogue, actor = await _dialogue(request)
    given = await body(request, PhaseChange)
    changed = await app.dialogues.set_status(dialogue, given.status, actor, given.version)
    return JSONResponse(staff_dialogue(changed))
