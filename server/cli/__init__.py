"""The ``doithoai`` command: serve, demo, and dialogue administration."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import secrets
import sys
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn

from .. import actions
from ..app import create_app, redis_where, secret_key
from ..config import SettingError, Settings
from ..realtime import wsprotocol
from ..store.connection import Store, Where
from ..store.embedded import EmbeddedRedis
from ..web import access_log, observe
from . import accounts, audit, dialogues, intake, notices


def _server(
    settings: Settings, app: object, ws: type[asyncio.Protocol] | str | None = None
) -> uvicorn.Server:
    """The uvicorn server of a node; ``ws`` is only ever changed by the
    benchmark that compares WebSocket implementations (bench/ws_flood.py)."""
    json_logs = settings.log_format == "json"
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        lifespan="on",
        log_level=settings.log_level,
        proxy_headers=False,
        # Explicit WebSocket settings (docs/benchmarks.md): no per-message deflate (it
        # costs 2-5x the memory per socket), a bounded message size, and
        # ping/pong keepalive that drops dead peers. The protocol is uvicorn's
        # sans-I/O one with limits on clients that send without reading
        # (server/realtime/wsprotocol.py; measured in docs/benchmarks.md).
        ws=ws or wsprotocol.protocol_class(settings),
        ws_per_message_deflate=False,
        ws_max_size=settings.ws_max_message,
        ws_ping_interval=settings.ws_ping_interval,
        ws_ping_timeout=settings.ws_ping_timeout,
        timeout_graceful_shutdown=5,
        # No "Server: uvicorn": naming the software and its stack only helps
        # someone matching it against known flaws. Date stays (HTTP asks an
        # origin server with a clock to send it; caches reason with it).
        server_header=False,
        date_header=True,
        # JSON logs: the root logger's JSON lines (main), and one line per request
        # from web/observe.py instead of uvicorn's access line (which has the
        # client's address).
        log_config=None if json_logs else uvicorn.config.LOGGING_CONFIG,
        access_log=not json_logs,
    )
    access_log.install()  # after uvicorn.Config, which sets up its loggers
    return uvicorn.Server(config)


def serve(settings: Settings) -> None:
    _server(settings, create_app(settings, intake_processes=settings.intake_workers)).run()


def demo(settings: Settings) -> None:
    """``serve`` plus the demo dialogue, and the portal page on its own origin
    (the other loopback name, same port): the app answers only on its own."""
    from ..demo.data import ORGANISER, PLACE
    from ..demo.mail import LogMailer
    from ..demo.portal import Portal, portal_origin, split_by_host
    from ..demo.seed import seed_demo

    settings = settings.replace(
        public_url=settings.origin,
        organiser=settings.organiser or ORGANISER,
        place=settings.place or PLACE,
    )
    password = settings.demo_password or secrets.token_urlsafe(9)
    app = create_app(
        settings,
        on_start=[lambda app, given: seed_demo(app, given, password)],
        mailer=LogMailer(),
        intake_processes=settings.intake_workers,
    )
    portal = portal_origin(settings.origin)
    _server(settings, split_by_host(app, Portal(settings.origin), urlsplit(portal).netloc)).run()


@contextlib.contextmanager
def _redis_where(settings: Settings) -> Iterator[Where]:
    """The Redis the settings name, else the embedded Redis: a running node's if
    there is one (left running), else one started for this command and stopped after it."""
    where = redis_where(settings)
    if where is not None:
        yield where
        return
    embedded = EmbeddedRedis(Path(settings.data_dir), settings.appendfsync)
    if embedded.running_elsewhere():
        yield embedded.url
        return
    embedded.start()
    try:
        yield embedded.url
    finally:
        embedded.stop()


async def _store_command(settings: Settings, args: argparse.Namespace) -> int:
    """The commands that work on the store: dialogue, user, token, purge, audit, notify."""
    with _redis_where(settings) as where:
        secret = secret_key(settings)
        store = Store.open(
            where,
            settings.events_maxlen,
            secret,
            timeout=settings.redis_timeout,
            connect_timeout=settings.redis_connect_timeout,
            replica_acks=settings.replica_acks,
        )
        app = actions.build(store, settings, secret=secret)
        try:
            if args.command == "dialogue":
                return await dialogues.run(app, args, settings)
            if args.command == "audit":
                return await audit.run(app, args)
            if args.command == "notify":
                return await notices.run(app, args)
            if args.command == "purge":
                removed = await app.tracking.purge_contacts(timedelta(days=args.older_than))
                print(f"removed the contact data of {removed} question(s)")
                return 0
            if args.command == "user":
                slugs = await app.dialogues.slugs()
                return await accounts.run_user(app.accounts, args, slugs)
            return await accounts.run_token(app.accounts, args)
        finally:
            await store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="doithoai", description="Live Q&A for online public dialogues."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_ in (
        ("serve", "run the app"),
        ("demo", "seed the demo dialogue and run the app"),
    ):
        cmd = sub.add_parser(name, help=help_)
        cmd.add_argument("--host", help="address to bind (DOITHOAI_HOST)")
        cmd.add_argument("--port", type=int, help="port to bind (DOITHOAI_PORT)")
    dialogues.add_parser(sub)
    accounts.add_parsers(sub)
    audit.add_parser(sub)
    notices.add_parser(sub)
    intake.add_parser(sub)
    purge = sub.add_parser("purge", help="delete contact data past its retention")
    purge.add_argument(
        "--older-than", type=int, required=True, metavar="DAYS", help="given over DAYS days ago"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(
            host=getattr(args, "host", None), port=getattr(args, "port", None)
        )
        if args.command in ("serve", "demo"):
            settings.check_public_url()
            settings.check_notify()
        settings.check_redis()
    except SettingError as exc:
        print(f"doithoai: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(observe.JsonFormatter())
    if args.command in ("dialogue", "user", "token", "purge", "audit", "notify"):
        return asyncio.run(_store_command(settings, args))
    if args.command == "intake":
        with _redis_where(settings) as where:
            return asyncio.run(intake.run(settings, where, args))
    # uvicorn shuts down cleanly on Ctrl-C, then re-raises it: not an error.
    with contextlib.suppress(KeyboardInterrupt):
        {"serve": serve, "demo": demo}[args.command](settings)
    return 0
