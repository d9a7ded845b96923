"""The ``doithoai`` command: serve, demo."""

from __future__ import annotations

import argparse
import contextlib
import logging
import secrets
import sys
from collections.abc import Sequence

import uvicorn

from .app import create_app
from .config import SettingError, Settings


def _server(settings: Settings, app: object) -> uvicorn.Server:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=settings.host,
        port=settings.port,
        lifespan="on",
        log_level=settings.log_level,
        proxy_headers=False,
        # Explicit WebSocket settings (DESIGN.md): no per-message deflate (it
        # costs 2-5x the memory per socket), a bounded message size, and
        # ping/pong keepalive that drops dead peers.
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_max_size=settings.ws_max_message,
        ws_ping_interval=settings.ws_ping_interval,
        ws_ping_timeout=settings.ws_ping_timeout,
        timeout_graceful_shutdown=5,
    )
    return uvicorn.Server(config)


def serve(settings: Settings) -> None:
    _server(settings, create_app(settings)).run()


def demo(settings: Settings) -> None:
    from .demo import seed_demo

    password = settings.demo_password or secrets.token_urlsafe(9)
    app = create_app(settings, on_start=[lambda app: seed_demo(app, password)])
    _server(settings, app).run()


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
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(host=args.host, port=args.port)
    except SettingError as exc:
        print(f"doithoai: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # uvicorn shuts down cleanly on Ctrl-C, then re-raises it: not an error.
    with contextlib.suppress(KeyboardInterrupt):
        {"serve": serve, "demo": demo}[args.command](settings)
    return 0
