"""The demo's portal page: a stand-in for a province's portal that embeds the
widget cross-origin, as a real portal would (``client_widget/demo/``).

Only ``doithoai demo`` serves it, and on an origin of its own: the other
loopback name on the same port (``http://localhost:8000`` beside an app on
``http://127.0.0.1:8000``). ``split_by_host`` sends the requests whose Host
is the portal's to the portal and every other request to the app, so the
portal's origin is never one of the app's (it holds no cookie of the app and
passes none of its Origin checks), and the app's origin serves no portal.

The page names its app once, at start: the app's origin goes into the page
(a ``<meta>`` the page's script reads) and into its Content-Security-Policy.
Nothing here takes an origin, or anything else, from the request.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

PORTAL_ROOT = Path(__file__).resolve().parent.parent.parent / "client_widget" / "demo"
#: The portal's files, by path, with their media types: nothing else is served.
FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/demo.js": ("demo.js", "text/javascript; charset=utf-8"),
    "/demo.css": ("demo.css", "text/css; charset=utf-8"),
}
#: What the page carries where the app's origin goes (index.html).
API_META = '<meta name="doithoai-api" content="">'
NOT_FOUND = (b"Not found\n", "text/plain; charset=utf-8")


def portal_origin(app_origin: str) -> str:
    """The portal's origin: the app's, under the other loopback name
    (localhost for 127.0.0.1 and the other way round; localhost for an app
    that is not on loopback, which then only this machine reaches)."""
    parts = urlsplit(app_origin)
    other = "127.0.0.1" if parts.hostname == "localhost" else "localhost"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{other}:{port}"


def portal_csp(api: str) -> dict[str, str]:
    """The Content-Security-Policy docs/embedding.md gives a portal embedding
    the widget from ``api`` (the app's origin)."""
    parts = urlsplit(api)
    sockets = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    policy = "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' {api}",
            f"connect-src 'self' {api} {sockets}",
            "style-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )
    return {"Content-Security-Policy": policy}


class Portal:
    """The portal's three files for the app at ``api``; 404 for anything else."""

    def __init__(self, api: str) -> None:
        self.api = api
        headers = {
            **portal_csp(api),
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
        self._headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        self._files: dict[str, tuple[bytes, str]] = {}
        for path, (name, media_type) in FILES.items():
            body = (PORTAL_ROOT / name).read_bytes()
            if name == "index.html":
                filled = f'<meta name="doithoai-api" content="{html.escape(api, quote=True)}">'
                body = body.replace(API_META.encode(), filled.encode())
            self._files[path] = (body, media_type)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            return
        head = scope["method"] == "HEAD"
        found = self._files.get(scope["path"]) if head or scope["method"] == "GET" else None
        status, (body, media_type) = (200, found) if found else (404, NOT_FOUND)
        headers = [
            *self._headers,
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})


def split_by_host(app: ASGIApp, portal: Portal, portal_host: str) -> ASGIApp:
    """An ASGI app that gives the requests for ``portal_host`` (``host:port``)
    to ``portal`` and everything else (the lifespan included) to ``app``."""
    wanted = portal_host.lower().encode()

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = next((v for k, v in scope["headers"] if k == b"host"), b"")
            if host.lower() == wanted:
                await portal(scope, receive, send)
                return
        await app(scope, receive, send)

    return dispatch
