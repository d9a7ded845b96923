"""Every HTTP route and WebSocket of the app, read from its Starlette router
(mounted apps included), so that the security tables can require a row for
each: a route added without one fails them."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.routing import BaseRoute, Host, Mount, Route, WebSocketRoute

from server.app import create_app
from server.config import Settings

#: The method name the tables use for a WebSocket route.
WS = "WS"
#: The path parameter a mounted app (static files) serves under.
MOUNTED = "{path}"


def app_routes() -> set[tuple[str, str]]:
    """``(method, path template)`` of every route of the app: HEAD is left out
    (Starlette adds it to every GET), a WebSocket is ``("WS", path)``, and a
    mounted app without routes of its own is ``("GET", "<mount>/{path}")``."""
    app = create_app(Settings.from_env({}, redis_url="redis://127.0.0.1:1/0"))
    return set(_walk(app.routes, ""))


def _walk(routes: Iterable[BaseRoute], prefix: str) -> Iterable[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Route):
            for method in sorted(route.methods or ()):
                if method != "HEAD":
                    yield method, prefix + route.path
        elif isinstance(route, WebSocketRoute):
            yield WS, prefix + route.path
        elif isinstance(route, Mount):
            inner = list(route.routes)
            if inner:
                yield from _walk(inner, prefix + route.path)
            else:
                yield "GET", f"{prefix}{route.path}/{MOUNTED}"
        elif isinstance(route, Host):
            yield from _walk(route.routes, prefix)
        else:  # a kind of route these tables do not know: make them fail
            yield "UNKNOWN", f"{prefix}{route!r}"


def unsafe(routes: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The routes whose method may change something."""
    return {(m, p) for m, p in routes if m in ("POST", "PUT", "PATCH", "DELETE")}
