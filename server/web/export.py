"""``GET /api/v1/dialogues/{slug}/export``: the dialogue's questions as CSV or
JSON for moderators and admins; contact columns only with ``contact=true``
(audited). The CSV is in the reader's language (``?lang=``, the language
switch's cookie, Accept-Language; Vietnamese by default); the JSON is data."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..domain import export as table
from ..domain.access import Permission
from ..domain.wording import Refused
from .auth import actor_of, require, require_dialogue_scope, require_staff
from .catalogs import gettext_for
from .context import services


async def export(request: Request) -> Response:
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    params = request.query_params
    fmt = params.get("format", "csv")
    if fmt not in ("csv", "json"):
        raise Refused("invalid", 'format must be "csv" or "json"', "format")
    contact = params.get("contact", "false")
    if contact not in ("true", "false"):
        raise Refused("invalid", 'contact must be "true" or "false"', "contact")
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    require(identity, dialogue, Permission.CONTACT if contact == "true" else Permission.EXPORT)
    actor = actor_of(request, identity, dialogue)
    rows = await app.moderation.export(dialogue, actor, with_contact=contact == "true")
    headers = {"Cache-Control": "no-store"}
    if fmt == "json":
        return JSONResponse({"dialogue": dialogue.slug, "questions": rows}, headers=headers)
    name = f"{dialogue.slug}-questions{'-contact' if contact == 'true' else ''}.csv"
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(
        table.to_csv(rows, contact == "true", gettext_for(request)),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )
