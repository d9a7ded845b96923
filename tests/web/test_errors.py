"""The error handlers every route shares: what the store's failures become."""

from __future__ import annotations

import json

from starlette.requests import Request

from server.actions import Contended, StoreUnavailable
from server.web import errors


def request(path: str, accept: str = "application/json") -> Request:
    headers = [(b"accept", accept.encode())]
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": headers}
    return Request(scope)


async def test_a_write_that_never_got_its_turn_is_409_conflict() -> None:
    response = await errors.HANDLERS[Contended](request("/api/v1/x"), Contended("{d:AB12}:"))
    assert response.status_code == 409
    assert json.loads(bytes(response.body))["error"]["code"] == "conflict"


async def test_redis_away_is_503_with_retry_after_in_the_api() -> None:
    """Also when a browser asks for it (a page's 503 is in test_redis_outages.py)."""
    down = StoreUnavailable("ResponseError", "MISCONF Errors writing to the AOF file")
    api = await errors.HANDLERS[StoreUnavailable](request("/api/v1/x", "text/html"), down)
    assert api.status_code == 503 and api.headers["Retry-After"] == "5"
    assert json.loads(bytes(api.body))["error"]["code"] == "unavailable"
