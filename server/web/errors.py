"""The API's error body, said in the request's language, for every failure.

Everything refused raises ``Refused`` (a code and a ``Message``); this
module gives the code its HTTP status and says the message through the
catalogs. Redis being unreachable (or refusing: out of disk, loading, read
only ...) becomes 503 ``unavailable``, and a browser's page the error page
saying so; a write that never got its turn among concurrent ones 409
``conflict``. Nothing escapes as a bare 500 page.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..actions import Contended, NotReplicated, StoreUnavailable
from ..domain.views import FieldErrorDetail
from ..domain.wording import N_, Refused
from .access_log import redact
from .caching import API_PREFIX
from .catalogs import say
from .templating import error_page

log = logging.getLogger(__name__)

STATUS = {
    "invalid": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "proof_required": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "not_accepting": 409,
    "too_large": 413,
    "rate_limited": 429,
    "internal": 500,
    "unavailable": 503,
}

#: What a code says when nothing more specific is known (a route that does
#: not exist, a method it does not take).
GENERIC = {
    "invalid": N_("The data is not valid."),
    "unauthenticated": N_("Please sign in."),
    "forbidden": N_("You may not do this."),
    "proof_required": N_("Please send again, so that your browser completes the anti-robot check."),
    "not_found": N_("Not found."),
    "method_not_allowed": N_("This method is not supported here."),
    "conflict": N_("It was changed meanwhile; reload and try again."),
    "not_accepting": N_("This dialogue is not taking questions now."),
    "too_large": N_("What was sent is too large."),
    "rate_limited": N_("Too many requests; please try again in a few minutes."),
    "internal": N_("Something went wrong; please try again."),
    "unavailable": N_("The service is briefly unavailable; try again in a few seconds."),
}

#: A submission the primary took but not enough replicas confirmed in time
#: (DOITHOAI_REPLICA_ACKS): a retry with its submission id is safe.
NOT_REPLICATED = N_(
    "Your question reached us but is not yet safely stored, so it may still arrive. "
    "Please send it again in a few seconds: it will not be counted twice."
)

#: Seconds a 429 asks the client to wait when its limit named no time of its own.
RETRY_AFTER_DEFAULT = 60
#: Seconds a 503 asks the client to wait: Redis is back within seconds, or
#: an operator is at work.
RETRY_AFTER_UNAVAILABLE = 5


def error_body(
    code: str, message: str, field: str | None = None, errors: list[FieldErrorDetail] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, "errors": errors or []}}


def refusal_body(request: Request, refused: Refused) -> dict[str, Any]:
    """The error body of ``refused``, said in the request's language: its
    message, its first field, and every field at fault with its own message."""
    errors: list[FieldErrorDetail] = [
        {"field": f.field, "code": f.code, "message": say(request, f.message)}
        for f in refused.fields
    ]
    return error_body(refused.code, say(request, refused), refused.field, errors)


def refusal_headers(refused: Refused) -> dict[str, str]:
    """``Retry-After`` when ``refused`` is a wait (every 429 and 503 says one)."""
    wait = refused.retry_after
    if wait is None and STATUS[refused.code] == 429:
        wait = RETRY_AFTER_DEFAULT
    if wait is None and STATUS[refused.code] == 503:
        wait = RETRY_AFTER_UNAVAILABLE
    return {} if wait is None else {"Retry-After": str(max(1, math.ceil(wait)))}


def error_response(request: Request, refused: Refused) -> JSONResponse:
    """The API's error body for ``refused``, said in the request's language."""
    body = refusal_body(request, refused)
    return JSONResponse(body, STATUS[refused.code], headers=refusal_headers(refused))


def unavailable() -> Refused:
    return Refused("unavailable", GENERIC["unavailable"])


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    return error_response(request, exc)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "invalid"
    )
    return error_response(request, Refused(code, GENERIC[code]))


async def _store_down(request: Request, exc: Exception) -> Response:
    """503 ``unavailable`` with Retry-After: the API's body, or for a
    browser's page the error page saying so in the reader's language."""
    log.warning("Redis unavailable: %s", exc)
    refused = unavailable()
    if isinstance(exc, NotReplicated):
        refused = Refused("unavailable", NOT_REPLICATED)
    if not _browsing(request):
        return error_response(request, refused)
    page = error_page(request, STATUS[refused.code])
    page.headers.update(refusal_headers(refused))
    return page


def _browsing(request: Request) -> bool:
    """A browser asking for a page (not the API, nor a script or a probe)."""
    wants = request.headers.get("accept", "")
    return not request.url.path.startswith(API_PREFIX) and "text/html" in wants


async def _contended(request: Request, exc: Exception) -> Response:
    log.warning("gave up a write under contention: %s", exc)
    return error_response(request, Refused("conflict", GENERIC["conflict"]))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, redact(request.url.path))
    return error_response(request, Refused("internal", GENERIC["internal"]))


HANDLERS = {
    Refused: _refused,
    HTTPException: _http,
    StoreUnavailable: _store_down,
    Contended: _contended,
    Exception: _unexpected,
}
