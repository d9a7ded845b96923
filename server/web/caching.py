"""Cache headers of the JSON API: no answer of ``/api/`` is stored by a
browser or a proxy unless its handler says otherwise.

Staff answers carry contact data, moderators' notes, tracking codes and the
session's CSRF token; the tracking answer is keyed by a citizen's code; the
rest is live data a stored copy would only make stale. Pages set their own
headers (``templating.security_headers``) and static files and the widget
their own caching; this middleware never touches a path outside ``/api/``
nor a Cache-Control a handler chose (the export's, the challenge's).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The paths this applies to: the JSON API, staff and public.
API_PREFIX = "/api/"
NO_STORE = "no-store"
_NO_STORE = (b"cache-control", NO_STORE.encode())


class NoStoreApi:
    """Pure-ASGI middleware: ``Cache-Control: no-store`` on every API answer
    that has no Cache-Control of its own, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                no_store(message)
            await send(message)

        await self.app(scope, receive, send_no_store)


def no_store(message: Message) -> None:
    """``MutableHeaders(scope=message).setdefault("Cache-Control", "no-store")``
    on the raw header list of an answer's start."""
    headers = message["headers"] = list(message["headers"])
    if not any(key == b"cache-control" for key, _ in headers):
        headers.append(_NO_STORE)
