"""The embeddable widget's side of the app: the module itself, the public
API's CORS, the origin check the widget asks when the API refuses it, and a
demo host page.

- ``/widget.js`` (cached five minutes) and ``/widget.<hash>.js`` (the same
  bytes, cached for a year) with ``Access-Control-Allow-Origin: *``: any page
  may load the module; what it may then do is decided per dialogue. It is one
  file for portals, bundled once per process (``bundle.py``) from its sources
  in ``client_widget/src/`` and the pages' shared ``static/lib/`` modules, with
  its strings: the vi and en translations, from the pages' gettext catalogs,
  of exactly the msgids its sources pass to ``t()`` (where they differ from
  the msgid).
- ``PublicCors``, a pure-ASGI middleware in front of the router, answers CORS
  for the operations of the route table tagged ``widget`` only (the public
  API a portal's page may call: ``open_to_widget``): an ``Origin`` that is the app's own
  or exactly one of the dialogue's ``widget_origins`` gets
  ``Access-Control-Allow-Origin: <origin>``; any other gets no CORS header, and
  its unsafe requests and preflights are refused (403) before a handler runs,
  so nothing is written. Requests without ``Origin`` (servers, curl) and from
  the app's own origins pass without a Redis read; only a foreign origin costs
  one lookup of its dialogue. Credentials are never allowed.
- ``GET /widget/check/{slug}`` (``Access-Control-Allow-Origin: *``) tells a
  widget whether its page's origin may use the dialogue: a refused CORS call
  looks to a browser like any network failure, and the widget must tell
  "unavailable on this site" from "offline".
- ``origin_allowed`` is the same rule for the public feed's WebSocket handshake.

The demo's portal page is not here: it exists only under ``doithoai demo``,
on an origin of its own (``server/demo/portal.py``).

This module never changes a question and never sends credentials-bearing CORS.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import rjsmin
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..actions import StoreUnavailable
from ..domain.model import Dialogue
from ..domain.wording import N_, Refused
from .auth import UNSAFE, own_origins
from .bundle import bundle
from .catalogs import LANGUAGES, catalog, say, script_msgids
from .context import services
from .errors import error_body, error_response, unavailable
from .routing import WIDGET, ApiRoute
from .templating import STATIC

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
WIDGET_ROOT = REPO_ROOT / "client_widget"
#: The widget's sources: the entry, and the module whose text the catalog replaces.
SOURCES = WIDGET_ROOT / "src"
ENTRY = SOURCES / "widget.js"
CATALOG_MODULE = SOURCES / "catalog.js"
#: The pages' shared modules, which the widget imports (and whose strings it may use).
LIB = STATIC / "lib"
JAVASCRIPT = "text/javascript; charset=utf-8"
#: The bare URL names whatever version is current: portals pick up a new
#: release within five minutes.
SHORT_CACHE = "public, max-age=300"
#: A hashed URL names one version forever.
IMMUTABLE = "public, max-age=31536000, immutable"
#: How long a browser may reuse a preflight's answer. Short, so that an origin
#: taken off a dialogue's list stops preflighting soon; the request itself is
#: refused at once regardless.
PREFLIGHT_MAX_AGE = "600"
#: Retry-After is not a CORS-safelisted response header: the widget needs it
#: to wait as long as the server asks after a 429 or 503.
EXPOSED = "Retry-After"

#: A path the widget may call: its pattern, and the methods a foreign page may use on it.
OpenPath = tuple[re.Pattern[str], frozenset[str]]
NOT_HERE = N_("This dialogue is not available on this site.")


# -- the rule ---------------------------------------------------------------------


def open_to_widget(api: Iterable[ApiRoute]) -> tuple[OpenPath, ...]:
    """The paths of the operations tagged ``widget``, each with its methods."""
    methods: dict[str, set[str]] = {}
    patterns: dict[str, re.Pattern[str]] = {}
    for route in api:
        if WIDGET in route.operation.tags:
            methods.setdefault(route.path, set()).add(route.method)
            patterns[route.path] = route.path_regex
    return tuple((patterns[p], frozenset(m)) for p, m in methods.items())


def listed(origin: str, dialogue: Dialogue) -> bool:
    """Whether ``origin`` is exactly one of the dialogue's widget origins
    (host names compare without case; nothing else is loosened)."""
    wanted = origin.rstrip("/").lower()
    return any(wanted == o.rstrip("/").lower() for o in dialogue.widget_origins)


def origin_allowed(conn: HTTPConnection, dialogue: Dialogue) -> bool:
    """The public feed's handshake rule: no ``Origin`` (not a browser), the
    app's own origin, or one of the dialogue's widget origins."""
    origin = conn.headers.get("origin")
    if origin is None or origin.rstrip("/") in own_origins(conn):
        return True
    return listed(origin, dialogue)


async def _dialogue_of(conn: HTTPConnection, match: re.Match[str]) -> Dialogue | None:
    """The dialogue a public API path is about, or None if there is none."""
    app = services(conn)
    groups = match.groupdict()
    if "code" in groups:
        return await app.tracking.dialogue(groups["code"])
    try:
        return await app.dialogues.get(groups["slug"])
    except Refused:
        return None


# -- CORS for the public API ---------------------------------------------------------


#: What CORS does to an answer's ``http.response.start`` message.
Edit = Callable[[Message], None]


class PublicCors:
    """Pure-ASGI CORS for the operations tagged ``widget`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, api: Iterable[ApiRoute]) -> None:
        self.app = app
        self.open = open_to_widget(api)

    def opened(self, scope: Scope) -> tuple[re.Match[str], frozenset[str]] | None:
        """The open path an HTTP request is on (its match and methods), or None."""
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/v1/"):
            return None
        return next(((m, methods) for p, methods in self.open if (m := p.match(path))), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.opened(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        verdict = await self.verdict(scope, *found)
        if isinstance(verdict, Response):
            await verdict(scope, receive, send)
        else:
            await self.app(scope, receive, _edited(send, verdict))

    async def verdict(
        self, scope: Scope, match: re.Match[str], methods: frozenset[str]
    ) -> Response | Edit:
        """For a request on an open path: the answer CORS gives instead of the
        handler's (a refusal, a preflight's 204), or what it adds to the
        handler's (``Vary: Origin``, and the allowing headers if allowed)."""
        origin, asks_method = _origin(scope)
        method = scope["method"]
        preflight = method == "OPTIONS" and asks_method
        if origin is None:
            return vary_origin
        request = Request(scope)
        allowed = origin.rstrip("/") in own_origins(request)
        if not allowed:
            try:
                dialogue = await _dialogue_of(request, match)
            except StoreUnavailable:
                return error_response(request, unavailable())
            if dialogue is None:
                # Unknown dialogue or code: the handler answers 404 (no CORS header).
                return vary_origin
            allowed = listed(origin, dialogue)
        if not allowed:
            if preflight or method in UNSAFE:
                response = error_response(request, Refused("forbidden", NOT_HERE))
                response.headers["Vary"] = "Origin"
                return response
            return vary_origin
        if preflight:
            return _preflight(origin, methods)
        if method in methods or (method == "HEAD" and "GET" in methods):
            return functools.partial(_allow, origin=origin)
        return vary_origin  # a staff method on a public path: no CORS for it


def _origin(scope: Scope) -> tuple[str | None, bool]:
    """The request's ``Origin`` (its first, as ``Headers.get``), and whether
    it names an ``Access-Control-Request-Method``: read from the scope's
    headers in one pass, without a Request and its Headers (every call of
    the public API passes here)."""
    origin, asks_method = None, False
    for key, value in scope["headers"]:
        if key == b"origin" and origin is None:
            origin = value.decode("latin-1")
        elif key == b"access-control-request-method":
            asks_method = True
    return origin, asks_method


def _preflight(origin: str, methods: frozenset[str]) -> Response:
    return Response(
        status_code=204,
        headers={
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": ", ".join(sorted(methods)),
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            "Vary": "Origin",
        },
    )


def _edited(send: Send, edit: Edit) -> Send:
    """``send`` with ``edit`` made to the answer's start."""

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            edit(message)
        await send(message)

    return sender


def vary_origin(message: Message) -> None:
    """``MutableHeaders(scope=message).add_vary_header("Origin")`` on the raw
    header list (every answer of the public API passes here): "Origin"
    joined to the first Vary, the others dropped, or a Vary of its own.
    Whether CORS headers come depends on the Origin, so a shared cache must
    not hand one origin's answer to another."""
    headers = message["headers"] = list(message["headers"])
    found = [i for i, (key, _) in enumerate(headers) if key == b"vary"]
    if not found:
        headers.append((b"vary", b"Origin"))
        return
    headers[found[0]] = (b"vary", headers[found[0]][1] + b", Origin")
    for i in reversed(found[1:]):
        del headers[i]


def _allow(message: Message, origin: str) -> None:
    headers = MutableHeaders(scope=message)
    headers["Access-Control-Allow-Origin"] = origin
    headers["Access-Control-Expose-Headers"] = EXPOSED
    headers.add_vary_header("Origin")


# -- the module ------------------------------------------------------------------------


def msgids() -> list[str]:
    """Every msgid the widget's sources and the shared modules pass to ``t()``,
    found as ``make i18n`` finds them (babel.cfg's javascript sections)."""
    paths = [*SOURCES.glob("*.js"), *LIB.glob("*.js")]
    return sorted({m for path in paths for m in script_msgids(path)})


def catalog_source() -> str:
    """``catalog.js`` as served: each language's translation of each msgid that
    it says otherwise than the msgid itself (English, today, none: ``t()``
    falls back to the msgid, as gettext does, and a phone downloads each
    sentence once less)."""
    tables = {
        lang: {m: said for m in msgids() if (said := catalog(lang).gettext(m)) != m}
        for lang in LANGUAGES
    }
    text = json.dumps(tables, ensure_ascii=False, sort_keys=True, indent=0)
    return f"export const MESSAGES = {text};\n"


@functools.cache
def bundled() -> str:
    """The widget's modules bundled into one, with its catalog (readable)."""
    return bundle(ENTRY, REPO_ROOT, {CATALOG_MODULE: catalog_source()})


@functools.cache
def script() -> bytes:
    """The widget as served: ``bundled()`` minified by rjsmin (comments and
    spaces out, names and code untouched: its size is what a citizen's phone
    downloads)."""
    header = (
        "/*! doithoai's embeddable widget, one module bundled from client_widget/src/\n"
        "    and moderator_ui/static/lib/ (see docs/embedding.md). */\n"
    )
    minified: str = rjsmin.jsmin(header + bundled(), keep_bang_comments=True)
    return minified.encode()


@functools.cache
def _script() -> tuple[bytes, bytes, str]:
    """The bundled widget, gzipped once, and the first 12 hex digits of its sha256."""
    body = script()
    return body, gzip.compress(body, 9, mtime=0), hashlib.sha256(body).hexdigest()[:12]


def script_url() -> str:
    """The widget's content-hashed path, for portals that pin a version."""
    from .routes import path  # the table imports this module's handlers

    return path("pinned_script", digest=_script()[2])


def _serve_script(request: Request, cache: str) -> Response:
    body, packed, digest = _script()
    etag = f'"{digest}"'
    headers = {
        "Cache-Control": cache,
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "X-Content-Type-Options": "nosniff",
        "ETag": etag,
        "Vary": "Accept-Encoding",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type=JAVASCRIPT, headers=headers)
    return Response(body, media_type=JAVASCRIPT, headers=headers)


async def widget_script(request: Request) -> Response:
    return _serve_script(request, SHORT_CACHE)


async def pinned_script(request: Request) -> Response:
    if request.path_params["digest"] != _script()[2]:
        return error_response(request, Refused("not_found", "no such version of the widget"))
    return _serve_script(request, IMMUTABLE)


async def origin_check(request: Request) -> Response:
    """``{"allowed": bool, "error": <the API's error (docs/api.md)> or null}``
    for the caller's Origin; readable from any page, it says no more than a
    refused call does."""
    headers = {
        "Access-Control-Allow-Origin": "*",
        "Cache-Control": "no-store",
        "Vary": "Origin",
    }
    try:
        dialogue = await services(request).dialogues.get(request.path_params["slug"])
    except Refused:
        response = error_response(request, Refused("not_found", "no such dialogue"))
        response.headers.update(headers)
        return response
    if origin_allowed(request, dialogue):
        return JSONResponse({"allowed": True, "error": None}, headers=headers)
    body: dict[str, Any] = {"allowed": False, **error_body("forbidden", say(request, NOT_HERE))}
    return JSONResponse(body, headers=headers)
