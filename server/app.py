"""create_app(settings): routes, middleware, and the lifespan that owns Redis
(the embedded one supervised), the hub, the event reader, the intake worker
and the notifier. Nothing opens at import."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.websockets import WebSocket

from . import actions
from .actions.notices import Outbox, lease
from .config import Settings
from .datadir import private_dir, tighten, write_private
from .outbound.mail import Mailer, SmtpMailer, parse_smtp_url
from .outbound.webhook import Webhook
from .realtime.direct import Heartbeat
from .realtime.hub import Hub
from .realtime.reader import Reader
from .store.connection import Cluster, Sentinels, Store, Where
from .store.embedded import EmbeddedRedis
from .store.errors import StoreUnavailable
from .web import catalogs, errors, front, routes, sockets, templating
from .web.context import Node
from .workers import CLUSTER_NODES, Workers

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


def settled() -> None:
    """What the node made to start (modules, routes, templates, catalogs, its
    services) is kept for its life: the collector stops looking at it. A
    full collection otherwise walks every one of those objects again, a
    pause of tens to hundreds of milliseconds in the middle of some request
    (docs/benchmarks.md, "The submit path's web layer and its tail"); after ``gc.freeze`` it
    walks only what was made since. No collection first: its own pause
    would be paid again by every app a test process starts, and what garbage
    is frozen with the rest is let go when the app stops (``gc.unfreeze``)."""
    gc.freeze()


StartHook = Callable[[actions.Services, Settings], Awaitable[None]]


def redis_where(settings: Settings) -> Where | None:
    """The Redis the settings name (a URL, Sentinels or a Cluster), or None: the embedded one."""
    settings.check_redis()
    if settings.redis_cluster_url:
        return Cluster(settings.redis_cluster_url)
    if settings.redis_sentinels:
        return Sentinels(settings.redis_sentinels, settings.redis_sentinel_master)
    return settings.redis_url or None


def outbox(settings: Settings, mailer: Mailer | None = None) -> Outbox:
    """Where notices to askers go: the SMTP server and the webhook the
    settings name. ``mailer`` is the demo's stand-in (it writes to the log)
    for when no SMTP server is set."""
    settings.check_notify()
    sender = settings.smtp_from
    if settings.smtp_url:
        mailer = SmtpMailer(parse_smtp_url(settings.smtp_url), settings.notify_timeout)
    elif mailer is not None:
        sender = sender or "doithoai@localhost"
    webhook = None
    if settings.notify_webhook:
        key = settings.notify_webhook_secret.encode()
        webhook = Webhook(settings.notify_webhook, key, settings.notify_timeout)
    return Outbox(
        mailer,
        sender,
        webhook,
        catalogs.LANGUAGES,
        lambda lang: catalogs.catalog(lang).gettext,
        node_name(settings),
    )


async def stop_tasks(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel ``tasks`` and wait for them, cancelling again each second: on
    Python 3.11 a cancel that lands as one of redis-py's ``wait_for`` calls
    completes is lost (the task goes on), and a stop must not hang on it."""
    pending = set(tasks)
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=1.0)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # retrieved: a task that failed as it stopped is not logged twice


async def warm(services: actions.Services) -> None:
    """What a node makes on the first console to open, made once it started,
    in the background (its start does not wait), if a dialogue is open to
    questions: the console's templates compiled (in a thread) and those
    dialogues' staff views (between turns of the loop)."""
    try:
        dialogues = await services.feeds.worked_on()
        if dialogues:
            await asyncio.to_thread(templating.warm)
            await services.feeds.warm(dialogues)
    except StoreUnavailable:  # made by the first snapshot, as without this
        log.info("staff views not made ahead: Redis unavailable")
    except Exception:  # the same: nothing is lost but the head start
        log.exception("the console's views or templates not made ahead")


async def count_viewers(services: actions.Services, hub: Hub, node: str, every: float) -> None:
    """Every ``every`` seconds, say in Redis how many viewers this node has on
    each dialogue (0 once for a dialogue whose last viewer left), for the
    dashboard's viewers now and peak over every node."""
    told: set[str] = set()
    while True:
        counts = hub.viewers()
        counts |= {gone: 0 for gone in told - counts.keys()}
        try:
            await services.reports.count_viewers(node, counts)
            told = {d for d, n in counts.items() if n}
        except StoreUnavailable:  # said again at the next period
            log.info("viewers not counted: Redis unavailable")
        await asyncio.sleep(every)


def create_app(
    settings: Settings,
    *,
    run_workers: bool = True,
    on_start: Sequence[StartHook] = (),
    mailer: Mailer | None = None,
    intake_processes: int = 0,
) -> Starlette:
    """The ASGI app. ``run_workers=False`` leaves out intake and the notifier
    (for tests that drive them step by step); ``on_start`` hooks run once
    the store is open (the demo seeds its dialogue there); ``mailer`` stands
    in for an SMTP server when none is set (the demo's writes to the log);
    ``intake_processes``: intake runs in that many ``doithoai intake``
    child processes (``serve`` gives ``DOITHOAI_INTAKE_WORKERS``), or, when
    0, in the node's own event loop."""
    notify_to = outbox(settings, mailer)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        templating.load_all()  # a broken catalog fails here, not on a page
        embedded = None
        where = redis_where(settings)
        if where is None:
            embedded = EmbeddedRedis(Path(settings.data_dir), settings.appendfsync)
            await asyncio.to_thread(embedded.start)
            where = embedded.url
            log.info("embedded Redis at %s", where)
        secret = secret_key(settings)
        store = Store.open(
            where,
            settings.events_maxlen,
            secret,
            timeout=settings.redis_timeout,
            connect_timeout=settings.redis_connect_timeout,
            replica_acks=settings.replica_acks,
        )
        follower = store.follower()
        hub = Hub()
        # The store is the lifespan's to close; handlers reach it only through
        # the services (web/context.py).
        app.state.store = store
        app.state.services = services = actions.build(
            store, settings, secret=secret, outbox=notify_to
        )
        app.state.node = node = Node(
            node_name(settings),
            hub,
            Reader(store, follower, hub, services.dialogues.remember),
            Heartbeat(settings.ws_ping_interval),
        )
        tasks = [asyncio.create_task(node.reader.run(), name="event-reader")]
        viewers = count_viewers(services, hub, node.name, settings.viewers_every)
        tasks.append(asyncio.create_task(viewers, name="viewers"))
        if embedded is not None:
            tasks.append(asyncio.create_task(embedded.supervise(), name="redis-supervisor"))
        workers = None
        if run_workers and intake_processes > 0:
            env = {"REDIS_URL": embedded.url} if embedded is not None else {}
            nodes = await store.cluster_nodes()
            args = [CLUSTER_NODES, ",".join(nodes)] if nodes else []
            workers = Workers(node.name, intake_processes, env, args)
            tasks.append(asyncio.create_task(workers.run(), name="intake-workers"))
        elif run_workers:
            intake = store.intake_worker(
                store.dialogues.ids,
                services.intake.materialise,
                node.name,
                settings.intake_claim_idle,
                settings.intake_max_deliveries,
                block=settings.intake_block,
            )
            tasks.append(asyncio.create_task(intake.run(), name="intake"))
        if run_workers:
            # Runs with no channel on too: it then only acknowledges what is queued.
            notifier = store.notifier(
                store.dialogues.ids,
                services.notifications.deliver,
                node.name,
                backoff=settings.notify_backoff,
                attempts=settings.notify_attempts,
                lease=lease(settings),
                delay=settings.air_undo,
                block=settings.intake_block,
            )
            tasks.append(asyncio.create_task(notifier.run(), name="notifier"))
        for hook in on_start:
            await hook(services, settings)
        settled()
        tasks.append(asyncio.create_task(warm(services), name="warm"))
        try:
            yield
        finally:
            gc.unfreeze()  # what the node made at start is garbage like the rest again
            ws: WebSocket
            for ws in list(node.sockets):
                with contextlib.suppress(Exception):
                    await ws.close(sockets.CLOSE_RESTART)
            node.heartbeat.stop()
            if workers is not None:
                await workers.stop()
            await stop_tasks(tasks)
            await follower.close()
            await store.close()
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)

    table = routes.table()
    app = Starlette(
        routes=table,
        middleware=[
            Middleware(
                front.Front,
                routes=table,
                api=routes.API,
                handlers=errors.HANDLERS,
                trusted=settings.trusted_proxies,
                json_lines=settings.log_format == "json",
            ),
        ],
        exception_handlers=errors.HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app
