"""``GET /api/v1/dialogues/{slug}/export``: the dialogue's questions as CSV,
XLSX or JSON for moderators and admins; contact columns only with
``contact=true`` (audited). The CSV and the workbook are in the reader's
language (``?lang=``, the language switch's cookie, Accept-Language;
Vietnamese by default); the JSON is data."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..documents import report as document
from ..documents import spreadsheet
from ..domain import export as table
from ..domain.access import Permission
from ..domain.wording import Refused
from ..domain.wrapup import ICT
from .auth import actor_of, require, require_dialogue_scope, require_staff
from .catalogs import gettext_for
from .context import services, settings

FORMATS = ("csv", "xlsx", "json")


async def export(request: Request) -> Response:
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    params = request.query_params
    fmt = params.get("format", "csv")
    if fmt not in FORMATS:
        raise Refused("invalid", 'format must be "csv", "xlsx" or "json"', "format")
    contact = params.get("contact", "false")
    if contact not in ("true", "false"):
        raise Refused("invalid", 'contact must be "true" or "false"', "contact")
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    require(identity, dialogue, Permission.CONTACT if contact == "true" else Permission.EXPORT)
    actor = actor_of(request, identity, dialogue)
    record = await app.reports.record(dialogue, actor, with_contact=contact == "true")
    headers = {"Cache-Control": "no-store"}
    if fmt == "json":
        return JSONResponse({"dialogue": dialogue.slug, "questions": record.rows}, headers=headers)
    name = f"{dialogue.slug}-questions{'-contact' if contact == 'true' else ''}.{fmt}"
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    gettext = gettext_for(request)
    if fmt == "xlsx":
        book = await asyncio.to_thread(
            spreadsheet.workbook, dialogue, record.questions, record.rows, record.figures,
            record.with_contact, gettext,
        )  # fmt: skip
        return Response(book, media_type=spreadsheet.MEDIA_TYPE, headers=headers)
    return Response(
        table.to_csv(record.rows, record.with_contact, gettext),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )


async def report(request: Request) -> Response:
    """``GET /api/v1/dialogues/{slug}/report?format=docx``: the report to the
    leadership as a Word document, for the dialogue's staff, in the reader's
    language."""
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    if request.query_params.get("format", "docx") != "docx":
        raise Refused("invalid", 'format must be "docx"', "format")
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    require(identity, dialogue, Permission.SEE)
    record = await app.reports.record(dialogue, actor_of(request, identity, dialogue))
    given = settings(request)
    issuer = document.Issuer(given.organiser, given.place)
    body = await asyncio.to_thread(
        document.document, dialogue, record.questions, record.figures, issuer, record.at,
        gettext_for(request),
    )  # fmt: skip
    name = f"{dialogue.slug}-report-{record.at.astimezone(ICT).date().isoformat()}.docx"
    headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=document.MEDIA_TYPE, headers=headers)
