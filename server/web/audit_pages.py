"""The audit trail of a dialogue: a page to browse and filter it, and the same
as JSON, for moderators and admins. The page checks the hash chain each time
it is opened and says whether it is intact."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..actions.audit import FILTERS, check_cursor, row_doc
from ..domain.access import Permission
from ..domain.wording import Refused
from .auth import require, require_dialogue_scope, require_staff
from .context import services
from .staff_gate import open_staff_page
from .templating import error_page


def _cursor(request: Request) -> str | None:
    return check_cursor(request.query_params.get("before"))


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    return {k: params[k].strip()[:100] for k in FILTERS if params.get(k, "").strip()}


async def audit_api(request: Request) -> Response:
    identity = await require_staff(request)
    require_dialogue_scope(identity, request.path_params["slug"])
    app = services(request)
    dialogue = await app.dialogues.get(request.path_params["slug"])
    require(identity, dialogue, Permission.AUDIT)
    rows, cursor = await app.audit.page(dialogue, _filters(request), _cursor(request))
    chain = await app.audit.chain(dialogue)
    return JSONResponse(
        {"items": [row_doc(r) for r in rows], "next_before": cursor, "chain": chain.to_doc()}
    )


async def audit_page(request: Request) -> Response:
    page = await open_staff_page(request, Permission.AUDIT)
    if isinstance(page, Response):
        return page
    app = services(request)
    dialogue = page.dialogue
    filters = _filters(request)
    try:
        before = _cursor(request)
    except Refused:
        return error_page(request, 400)
    rows, cursor = await app.audit.page(dialogue, filters, before)
    chain = await app.audit.chain(dialogue)
    return page.render(
        "audit.html",
        rows=rows,
        filters=filters,
        older_query=urlencode({**filters, "before": cursor}) if cursor else "",
        problems=chain.problems,
        head=chain.head,
        count=chain.count,
    )
