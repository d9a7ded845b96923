"""create_app(settings): routes, middleware, and the lifespan that owns Redis,
the hub, the event reader and the intake worker. Nothing opens at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket

from . import actions
from .config import Settings
from .datadir import private_dir, tighten, write_private
from .realtime.hub import Hub
from .realtime.reader import Reader
from .store.connection import Store
from .store.embedded import EmbeddedRedis
from .web import (
    admin,
    admin_pages,
    audit_pages,
    broadcast_pages,
    caching,
    closing_pages,
    context,
    errors,
    export,
    official_pages,
    openapi,
    pages,
    public,
    record_pages,
    sockets,
    staff,
    templating,
    users_api,
    widget,
)
from .web.context import Node

log = logging.getLogger(__name__)


def secret_key(settings: Settings) -> bytes:
    """DOITHOAI_SECRET_KEY, else one made once and kept in the data dir."""
    if settings.secret_key:
        return settings.secret_key.encode()
    path = Path(settings.data_dir) / "secret_key"
    private_dir(path.parent)
    if not write_private(path, secrets.token_urlsafe(32)):
        tighten([path])  # made by an older run, perhaps readable by others
    return path.read_text().strip().encode()


def node_name(settings: Settings) -> str:
    """Stable across restarts, so a restarted node takes up its own pending entries."""
    return settings.node_name or f"{socket.gethostname()}-{settings.port}"


async def healthz(request: Request) -> Response:
    await context.services(request).healthy()
    return JSONResponse({"status": "ok", "node": context.node(request).name})


StartHook = Callable[[actions.Services, Settings], Awaitable[None]]


def create_app(
    settings: Settings, *, run_workers: bool = True, on_start: Sequence[StartHook] = ()
) -> Starlette:
    """The ASGI app. ``run_workers=False`` leaves out intake (for tests that
    drive intake step by step); ``on_start`` hooks run once the store is open
    (the demo seeds its dialogue there)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        templating.load_all()  # a broken catalog fails here, not on a page
        embedded = None
        url = settings.redis_url
        if not url:
            embedded = EmbeddedRedis(Path(settings.data_dir), settings.appendfsync)
            await asyncio.to_thread(embedded.start)
            url = embedded.url
            log.info("embedded Redis at %s", url)
        secret = secret_key(settings)
        store = Store.open(url, settings.events_maxlen, secret)
        follower = store.follower()
        hub = Hub()
        # The store is the lifespan's to close; handlers reach it only through
        # the services (web/context.py).
        app.state.store = store
        app.state.services = services = actions.build(store, settings, secret=secret)
        app.state.node = node = Node(node_name(settings), hub, Reader(store, follower, hub))
        tasks = [asyncio.create_task(node.reader.run(), name="event-reader")]
        if run_workers:
            intake = store.intake_worker(
                store.dialogues.ids,
                services.intake.materialise,
                node.name,
                settings.intake_claim_idle,
                settings.intake_max_deliveries,
            )
            tasks.append(asyncio.create_task(intake.run(), name="intake"))
        for hook in on_start:
            await hook(services, settings)
        try:
            yield
        finally:
            ws: WebSocket
            for ws in list(node.sockets):
                with contextlib.suppress(Exception):
                    await ws.close(sockets.CLOSE_RESTART)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await follower.close()
            await store.close()
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            *public.routes,
            *staff.routes,
            *admin.routes,
            *users_api.routes,
            *sockets.routes,
            *openapi.routes,
            *admin_pages.routes,
            *audit_pages.routes,
            *export.routes,
            *broadcast_pages.routes,
            *official_pages.routes,
            *closing_pages.routes,
            *record_pages.routes,
            *widget.routes,
            *pages.routes,
        ],
        middleware=[Middleware(caching.NoStoreApi), Middleware(widget.PublicCors)],
        exception_handlers=errors.HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
