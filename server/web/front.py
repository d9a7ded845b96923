"""The app's middleware in front of the router (Starlette's own error
middleware aside): each request's id, latency and log line
(``observe.Observe``), ``Cache-Control: no-store`` on the API
(``caching.NoStoreApi``) and the public API's CORS (``widget.PublicCors``),
in that order from the outside in, then Starlette's exception middleware and
the router.

A citizen's question (``POST /api/v1/dialogues/{slug}/questions``, the
busiest write of a broadcast) is taken before that stack: the same work in
one coroutine and one sender (its id, the CORS verdict, what the router puts
in the scope, the route's endpoint, the app's exception handlers for what it
raises, the headers each middleware adds, in the same order, the latency and
the log line), without four middleware coroutines, their four senders, the
exception middleware's Request and the router's walk through the table
(about a fifth of a submission's CPU: docs/benchmarks.md, "The submit
path's CPU, a third time"). Its answers are the general path's, header for
header (``tests/web/test_front.py`` compares them, with ``FAST`` off);
what no handler takes goes on to Starlette's error middleware, as before.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from ipaddress import IPv4Network, IPv6Network
from typing import Any

from starlette._utils import is_async_callable
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send

from .caching import NoStoreApi, no_store
from .observe import CURRENT, Observe, tag
from .routing import ApiRoute
from .widget import Edit, PublicCors

#: The operation taken before the middleware stack.
SUBMIT = "submitQuestion"
#: A path of it, to check at start that the router would choose its route.
_SAMPLE = "/api/v1/dialogues/sample/questions"


class Front:
    """Pure-ASGI: ``Observe``, ``NoStoreApi`` and ``PublicCors`` around
    ``app`` (Starlette's exception middleware and the router), and the
    submit route taken before them (see the module docstring)."""

    #: The submit route's own path on (off: every request takes the general
    #: path; the tests compare the two).
    FAST = True

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Sequence[BaseRoute],
        api: Iterable[ApiRoute],
        handlers: Mapping[Any, ExceptionHandler],
        trusted: Iterable[IPv4Network | IPv6Network] = (),
        json_lines: bool = False,
    ) -> None:
        self.cors = PublicCors(app, api)
        self.observe = Observe(NoStoreApi(self.cors), trusted=trusted, json_lines=json_lines)
        self.route = _chosen(routes, SUBMIT)
        # What ``PublicCors.opened`` finds for the route's paths: its own pattern's
        # methods, when no open path before it takes them.
        scope = {"type": "http", "path": _SAMPLE}
        found = self.cors.opened(scope)
        if found is not None and found[0].re.pattern != self.route.path_regex.pattern:
            raise LookupError(f"another open path than {SUBMIT}'s takes POST {_SAMPLE}")
        self.open = None if found is None else found[1]
        # The exception middleware's own tables, as Starlette makes it for the
        # app's handlers (500 and Exception are its error middleware's).
        own = {k: v for k, v in handlers.items() if k not in (500, Exception)}
        inner = ExceptionMiddleware(app, own)
        self.handlers = (inner._exception_handlers, inner._status_handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and self.FAST
            and not scope.get("root_path")
            and (match := self.route.path_regex.match(scope["path"]))
        ):
            await self._submit(scope, receive, send, match)
        else:
            await self.observe(scope, receive, send)

    async def _submit(
        self, scope: Scope, receive: Receive, send: Send, match: re.Match[str]
    ) -> None:
        """The submit route, as the middlewares, the exception middleware and
        the router would run it."""
        observe, route = self.observe, self.route
        rid = observe.id_of(scope)
        token = CURRENT.set((rid, scope))
        status = 500
        started = time.perf_counter()
        edit: Edit | None = None
        answered = False

        async def sending(message: Message) -> None:
            # The senders of the exception middleware, PublicCors, NoStoreApi
            # and Observe, in that order.
            nonlocal status, answered
            if message["type"] == "http.response.start":
                answered = True
                if edit is not None:
                    edit(message)
                no_store(message)
                status = message["status"]
                tag(message, rid)
            await send(message)

        try:
            if self.open is not None:
                verdict = await self.cors.verdict(scope, match, self.open)
                if isinstance(verdict, Response):
                    await verdict(scope, receive, sending)
                    return
                edit = verdict
            handlers, by_status = scope["starlette.exception_handlers"] = self.handlers
            if "router" not in scope:
                scope["router"] = scope["app"].router
            scope["route"] = route
            convert = route.param_convertors
            scope["endpoint"] = route.endpoint
            scope["path_params"] = {k: convert[k].convert(v) for k, v in match.groupdict().items()}
            try:
                await route.app(scope, receive, sending)
            except Exception as exc:
                handler = None
                if isinstance(exc, HTTPException):
                    handler = by_status.get(exc.status_code)
                if handler is None:
                    handler = next((handlers[c] for c in type(exc).__mro__ if c in handlers), None)
                if handler is None:
                    raise
                if answered:
                    raise RuntimeError(
                        "Caught handled exception, but response already started."
                    ) from exc
                request = Request(scope, receive, sending)
                if is_async_callable(handler):
                    response = await handler(request, exc)  # type: ignore[arg-type]
                else:
                    response = await run_in_threadpool(handler, request, exc)
                if response is not None:
                    await response(scope, receive, sending)
                exc.__traceback__ = None
        finally:
            observe.observed(scope, status, started)
            CURRENT.reset(token)


def _chosen(routes: Sequence[BaseRoute], name: str) -> Route:
    """The route named ``name``, which must be the one the router chooses
    for a POST to its path (no route before it takes that path)."""
    scope = {"type": "http", "method": "POST", "path": _SAMPLE, "root_path": ""}
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            if isinstance(route, Route) and route.name == name:
                return route
            break
    raise LookupError(f"the router does not choose {name} for POST {_SAMPLE}")
