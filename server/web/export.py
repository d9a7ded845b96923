"""``GET /api/v1/dialogues/{slug}/export``: the dialogue's questions as CSV,
XLSX or JSON for moderators and admins; contact columns only with
``contact=true`` (audited). The CSV and the workbook are in the reader's
language (``?lang=``, the language switch's cookie, Accept-Language;
Vietnamese by default); the JSON is data."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..documents.words import DOCX, XLSX
from ..domain import export as table
from ..domain.access import Permission
from ..domain.figures import Figures
from ..domain.model import Dialogue, Question
from ..domain.wording import Gettext, Refused
from ..domain.wrapup import ICT
from .auth import actor_of, require, require_dialogue_scope, require_staff
from .catalogs import gettext_for
from .context import services, settings

FORMATS = ("csv", "xlsx", "json")


# The documents are imported on the first export, in the thread that writes
# it: openpyxl and python-docx are a fifth of a node's start, which every
# node and intake worker would pay for a page few ever ask for.


def _workbook(
    dialogue: Dialogue,
    questions: Sequence[Question],
    rows: Sequence[dict[str, Any]],
    figures: Figures,
    with_contact: bool,
    gettext: Gettext,
) -> bytes:
    from ..documents import spreadsheet

    return spreadsheet.workbook(dialogue, questions, rows, figures, with_contact, gettext)


def _report(
    dialogue: Dialogue,
    questions: Sequence[Question],
    figures: Figures,
    organiser: str,
    place: str,
    at: datetime,
    gettext: Gettext,
) -> bytes:
    from ..documents import report

    issuer = report.Issuer(organiser, place)
    return report.document(dialogue, questions, figures, issuer, at, gettext)


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
            _workbook, dialogue, record.questions, record.rows, record.figures,
            record.with_contact, gettext,
        )  # fmt: skip
        return Response(book, media_type=XLSX, headers=headers)
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
    body = await asyncio.to_thread(
        _report, dialogue, record.questions, record.figures, given.organiser, given.place,
        record.at, gettext_for(request),
    )  # fmt: skip
    name = f"{dialogue.slug}-report-{record.at.astimezone(ICT).date().isoformat()}.docx"
    headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=DOCX, headers=headers)
