"""The audit trail of a dialogue: a page to browse and filter it, and the same
as JSON, for moderators and admins. The page checks the hash chain each time
it is opened and says whether it is intact."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..actions.audit import FILTERS, check_cursor, row_doc
from ..domain.access import Permission
from ..domain.audit import ACTIONS
from ..domain.wording import Refused
from .auth import identify, require, require_dialogue_scope, require_staff
from .catalogs import say
from .context import services
from .templating import error_page, login_redirect, page_refusal, render


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
    identity = await identify(request)
    if identity is None:
        return login_redirect(request)
    app = services(request)
    dialogue = await app.dialogues.find(request.path_params["slug"])
    if refused := page_refusal(request, identity, dialogue, Permission.AUDIT):
        return refused
    assert dialogue is not None
    filters = _filters(request)
    try:
        before = _cursor(request)
    except Refused:
        return error_page(request, 400)
    rows, cursor = await app.audit.page(dialogue, filters, before)
    chain = await app.audit.chain(dialogue)
    return render(
        request,
        "audit.html",
        dialogue=dialogue,
        rows=rows,
        filters=filters,
        older_query=urlencode({**filters, "before": cursor}) if cursor else "",
        problems=chain.problems,
        head=chain.head,
        count=chain.count,
        actions={code: say(request, label, header=False) for code, label in ACTIONS.items()},
        username=identity.username,
        csrf_token=identity.csrf_token or "",
    )
