"""What an operator watches: ``/metrics`` (Prometheus), ``/readyz``, and
each request's id, latency and (``DOITHOAI_LOG_FORMAT=json``) its log line.

``/metrics`` is not for the internet: with ``DOITHOAI_METRICS_TOKEN`` set it
wants that bearer token, from anywhere; unset, it answers only a loopback
peer whose request came through no proxy (a proxy on the same machine is a
loopback peer too, but it adds X-Forwarded-For), and 404 to anyone else.

Every HTTP request gets an id: the ``X-Request-Id`` a trusted proxy
(``DOITHOAI_TRUSTED_PROXIES``) sent, if it is a plain token, else a new
one. The response carries it back, and every line logged while handling
it carries it too (JSON logs), with the dialogue's slug when the route has
one. The request line itself has the method, the route's template, the
path with its secrets redacted (``access_log.redact``), the status and the
duration: no client address, no query value that is not on the redactor's
list, nothing of the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import hmac
import json
import logging
import os
import random
import re
import time
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import metrics
from ..actions import StoreUnavailable
from ..domain.wording import Refused
from .access_log import redact
from .context import node, services, settings
from .errors import GENERIC

log = logging.getLogger("doithoai.request")

#: The request being handled: its id and its ASGI scope (whose path
#: parameters the router fills in once it has matched a route).
CURRENT: contextvars.ContextVar[tuple[str, Scope] | None] = contextvars.ContextVar(
    "doithoai_request", default=None
)
#: An id a proxy may hand on: letters, digits and ``.-_:``, at most 128.
_FORWARDED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: Headers that mark a request as having come through a proxy.
_PROXIED = ("x-forwarded-for", "forwarded", "x-real-ip")
#: A new request's id: 64 random bits, as ``secrets.token_hex(8)`` gave, from
#: a generator seeded once from the system's (the id ties log lines together,
#: it grants nothing; one system call a request less).
_IDS = random.Random()
os.register_at_fork(after_in_child=_IDS.seed)  # a forked process draws its own
#: The methods a latency's label names; any other a client invents is ``other``.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: What a dialogue's slug may be in a log line (the route's, not yet checked).
_SLUG_MAX = 64


def request_id(scope: Scope, trusted: bool) -> str:
    """The id a trusted proxy sent (if it is a plain token), else a new one."""
    if trusted:
        sent = Headers(scope=scope).get("x-request-id", "")
        if _FORWARDED_ID.fullmatch(sent):
            return sent
    return f"{_IDS.getrandbits(64):016x}"


def dialogue_of(scope: Scope) -> str | None:
    slug = scope.get("path_params", {}).get("slug")
    return slug[:_SLUG_MAX] if isinstance(slug, str) else None


@functools.cache
def _latency(method: str, template: str, status: str) -> Any:
    """``HTTP_SECONDS``' child for these labels, looked up once per process
    (a few µs a request otherwise); bounded: each label has a few values
    (the methods, the app's route templates and "unmatched", 1xx-5xx)."""
    return metrics.HTTP_SECONDS.labels(method, template, status)


class Observe:
    """ASGI middleware: each HTTP request's id, latency by route, and log line."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted: Iterable[IPv4Network | IPv6Network] = (),
        json_lines: bool = False,
    ) -> None:
        self.app = app
        self.trusted = tuple(trusted)
        self.json_lines = json_lines

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = self.id_of(scope)
        token = CURRENT.set((rid, scope))
        status = 500
        started = time.perf_counter()

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                tag(message, rid)
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.observed(scope, status, started)
            CURRENT.reset(token)

    def id_of(self, scope: Scope) -> str:
        """The HTTP request's id (``request_id``)."""
        # The peer's address is parsed only when some proxy is trusted.
        peer = _ip(scope["client"][0]) if self.trusted and scope.get("client") else None
        trusted = peer is not None and any(peer in net for net in self.trusted)
        return request_id(scope, trusted)

    def observed(self, scope: Scope, status: int, started: float) -> None:
        """The request's latency by route, and its log line: it was answered
        ``status`` (500 if no answer began), ``started`` by ``perf_counter``."""
        elapsed = time.perf_counter() - started
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope["method"] if scope["method"] in _METHODS else "other"
        _latency(method, template, f"{status // 100}xx").observe(elapsed)
        if self.json_lines:
            target = scope["path"] + (
                "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
            )
            log.info(
                "request",
                extra={
                    "http": {
                        "method": scope["method"],
                        "route": template,
                        "path": redact(target),
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    }
                },
            )


def tag(message: Message, rid: str) -> None:
    """The request's id on an answer's start (``X-Request-Id``, last)."""
    message.setdefault("headers", [])
    message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the request's
    id and dialogue while one is handled (``Observe``)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = CURRENT.get()
        if current is not None:
            line["request_id"] = current[0]
            dialogue = dialogue_of(current[1])
            if dialogue is not None:
                line["dialogue"] = dialogue
        http = getattr(record, "http", None)
        if http is not None:
            line["http"] = http
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


JsonFormatter.converter = time.gmtime


def _may_scrape(request: Request) -> bool:
    token = settings(request).metrics_token
    if token:
        sent = request.headers.get("authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    peer = _ip(request.client.host) if request.client else None
    proxied = any(name in request.headers for name in _PROXIED)
    return peer is not None and peer.is_loopback and not proxied


def _ip(host: str) -> IPv4Address | IPv6Address | None:
    """``host`` as an address (an IPv4-mapped IPv6 one as IPv4), or None."""
    try:
        ip = ip_address(host)
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


async def metrics_endpoint(request: Request) -> Response:
    """The node's metrics in Prometheus's text format (see the module docstring
    for who may read them)."""
    if not _may_scrape(request):
        raise Refused("not_found", GENERIC["not_found"])
    here = node(request)
    metrics.sockets(here.name, here.hub.by_audience())
    metrics.tasks(here.name, len(asyncio.all_tasks()))
    # Redis away: the node's own metrics still tell, and the Redis errors say why.
    with contextlib.suppress(StoreUnavailable):
        metrics.dialogue_gauges(await services(request).gauges())
    return Response(metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")


async def readyz(request: Request) -> Response:
    """For load balancers: 200 when this node reaches Redis, Redis takes a
    write, and no dialogue's intake lags past ``DOITHOAI_READY_MAX_LAG``;
    else 503: ``unavailable`` (Redis), or ``{"status": "unready"}`` with what lags."""
    config = settings(request)
    # Redis away raises StoreUnavailable: 503 ``unavailable``, as the API answers.
    unready = await services(request).unready(node(request).name, config.ready_max_lag)
    if unready:
        return JSONResponse({"status": "unready", "failing": unready}, 503)
    return JSONResponse({"status": "ready", "node": node(request).name})
