"""The API's error body, said in the request's language, for every failure.

Everything refused raises ``Refused`` (a code and a ``Message``); this
module gives the code its HTTP status and says the message through the
catalogs. Redis being unreachable becomes 503 ``unavailable``; nothing
escapes as a bare 500 page.
"""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..actions import StoreUnavailable
from ..domain.wording import N_, Refused
from .access_log import redact
from .catalogs import say

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

#: Seconds a 429 asks the client to wait when its limit named no time of its own.
RETRY_AFTER_DEFAULT = 60
#: Seconds a 503 asks the client to wait: Redis is back within seconds, or
#: an operator is at work.
RETRY_AFTER_UNAVAILABLE = 5


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


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
    body = error_body(refused.code, say(request, refused), refused.field)
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
    log.warning("Redis unavailable: %s", exc)
    return error_response(request, unavailable())


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, redact(request.url.path))
    return error_response(request, Refused("internal", GENERIC["internal"]))


HANDLERS = {
    Refused: _refused,
    HTTPException: _http,
    StoreUnavailable: _store_down,
    Exception: _unexpected,
}


#: Half of a UTF-16 pair. JSON may spell one alone (``"\udc00"``) and
#: Python decodes it into a str that is no text: it cannot be encoded to
#: UTF-8, so it would fail deep inside (Redis, hashing, the response).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def lone_surrogate(value: Any) -> str | None:
    """The field (``name``, ``contact.phone``, ``ids.2``) of the first string
    in ``value``, a decoded JSON body, that holds a lone surrogate: ``body``
    for the body itself or a key of its top level; None when there is none."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path or "body"
        elif isinstance(item, dict):
            for key, inner in item.items():
                if _SURROGATE.search(key):
                    return path or "body"
                pending.append((f"{path}.{key}" if path else key, inner))
        elif isinstance(item, list):
            pending.extend((f"{path}.{i}" if path else str(i), x) for i, x in enumerate(item))
    return None


async def read_json(request: Request, max_body: int) -> Any:
    """The request's JSON body, or Refused: 413 over ``max_body``, 400 if not
    JSON (NaN and Infinity are not) or if a string in it is not text."""
    declared = request.headers.get("content-length")
    if declared is not None and (
        not (declared.isascii() and declared.isdigit()) or int(declared) > max_body
    ):
        raise Refused("too_large", "the body is over {most} bytes", most=max_body)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise Refused("too_large", "the body is over {most} bytes", most=max_body)
    if not body:
        return {}
    try:
        # ValueError: a JSON number with more digits than Python converts.
        value = json.loads(body, parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused("invalid", "the body is not valid JSON", "body") from None
    field = lone_surrogate(value)
    if field is not None:
        raise Refused(
            "invalid",
            "{name} holds a lone surrogate (half of a UTF-16 pair), which is not text",
            field,
            name=field,
        )
    return value


async def read_object(request: Request, max_body: int) -> dict[str, Any]:
    body = await read_json(request, max_body)
    if not isinstance(body, dict):
        raise Refused("invalid", "the body must be a JSON object", "body")
    return body
