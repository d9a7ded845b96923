"""The audit trail of a dialogue: a page to browse and filter it, and the same
as JSON, for moderators and admins. The page checks the hash chain each time
it is opened and says whether it is intact."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..actions import Actions
from ..domain.access import Permission
from ..domain.model import Dialogue
from ..domain.wording import Refused
from ..store.audit import Row
from ..store.events import parse_id
from .auth import identify, require, require_dialogue_scope, require_staff
from .templating import error_page, login_redirect, page_refusal, render

#: Entries per page, and how many are read at most to fill one filtered page.
PAGE = 100
SCAN = 5000
FILTERS = ("actor", "action", "question")


def _actions(request: Request) -> Actions:
    return request.app.state.actions  # type: ignore[no-any-return]


def _cursor(request: Request) -> str | None:
    """``before``: a stream id a previous page gave (``<ms>-<seq>``), or nothing."""
    before = request.query_params.get("before") or None
    if before is not None and ("-" not in before or parse_id(before) is None):
        raise Refused("invalid", "before must be the next_before of a previous page", "before")
    return before


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    return {k: params[k].strip()[:100] for k in FILTERS if params.get(k, "").strip()}


def _matches(row: Row, filters: dict[str, str]) -> bool:
    entry = row.entry
    return all(str(entry.get(k) or "") == v for k, v in filters.items())


async def _page(
    actions: Actions, dialogue: Dialogue, filters: dict[str, str], before: str | None
) -> tuple[list[Row], str | None]:
    """Newest first: up to PAGE matching entries before ``before``, and the
    cursor of the next page (None at the start of the trail)."""
    found: list[Row] = []
    scanned = 0
    while len(found) < PAGE and scanned < SCAN:
        batch = await actions.store.audit.newest(dialogue.id, before, count=500)
        if not batch:
            return found, None
        scanned += len(batch)
        for row in batch:
            before = row.id
            if _matches(row, filters):
                found.append(row)
                if len(found) == PAGE:
                    break
    return found, before


def _doc(row: Row) -> dict[str, Any]:
    return {"id": row.id, **row.entry, "hash": row.hash}


async def audit_api(request: Request) -> Response:
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    actions = _actions(request)
    dialogue = await actions.dialogue(request.path_params["slug"])
    require(identity, dialogue, Permission.AUDIT)
    rows, cursor = await _page(actions, dialogue, _filters(request), _cursor(request))
    problems = await actions.store.audit.verify(dialogue.id)
    head, count = await actions.store.audit.head(dialogue.id)
    return JSONResponse(
        {
            "items": [_doc(r) for r in rows],
            "next_before": cursor,
            "chain": {
                "ok": not problems,
                "count": count,
                "head": head,
                "problems": [{"at": p.at, "message": p.message} for p in problems],
            },
        }
    )


async def audit_page(request: Request) -> Response:
    identity = await identify(request)
    if identity is None:
        return login_redirect(request)
    actions = _actions(request)
    dialogue = await actions.store.dialogues.by_slug(request.path_params["slug"])
    if refused := page_refusal(request, identity, dialogue, Permission.AUDIT):
        return refused
    assert dialogue is not None
    filters = _filters(request)
    try:
        before = _cursor(request)
    except Refused:
        return error_page(request, 400)
    rows, cursor = await _page(actions, dialogue, filters, before)
    problems = await actions.store.audit.verify(dialogue.id)
    head, count = await actions.store.audit.head(dialogue.id)
    return render(
        request,
        "audit.html",
        dialogue=dialogue,
        rows=rows,
        filters=filters,
        older_query=urlencode({**filters, "before": cursor}) if cursor else "",
        problems=problems,
        head=head,
        count=count,
        username=identity.username,
        csrf_token=identity.csrf_token or "",
    )


routes: list[BaseRoute] = [
    Route("/console/{slug}/audit", audit_page, methods=["GET"]),
    Route("/api/v1/dialogues/{slug}/audit", audit_api, methods=["GET"]),
]
