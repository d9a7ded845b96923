"""The app's state as handlers reach it: one typed accessor each, so no
handler reads ``app.state`` by hand (``create_app``'s lifespan fills it)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import cast

from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket

from ..actions import Services
from ..config import Settings
from ..realtime.direct import Heartbeat
from ..realtime.first_pages import FirstPages
from ..realtime.hub import Hub
from ..realtime.reader import Reader


@dataclass
class Node:
    """This node's live parts: its name, the reader that follows dialogues'
    event streams, the hub that fans events out to its sockets, the one
    heartbeat timer of its direct sockets, the public snapshot frames made
    for viewers connecting together, the open sockets whose handler still
    runs (to close them on shutdown: uvicorn closes the public viewers
    handed over to the node, with 1012, before), and the open sockets per
    address (to cap them)."""

    name: str
    hub: Hub
    reader: Reader
    heartbeat: Heartbeat = field(default_factory=lambda: Heartbeat(20.0))
    first_pages: FirstPages = field(default_factory=FirstPages)
    sockets: set[WebSocket] = field(default_factory=set)
    sockets_per_address: Counter[str] = field(default_factory=Counter)


def services(conn: HTTPConnection) -> Services:
    return cast(Services, conn.app.state.services)


def settings(conn: HTTPConnection) -> Settings:
    return cast(Settings, conn.app.state.settings)


def node(conn: HTTPConnection) -> Node:
    return cast(Node, conn.app.state.node)


def address(conn: HTTPConnection, name: str, /, **params: str) -> str:
    """The path of the app's route ``name`` (``routes.py``) with ``params``."""
    return str(conn.app.url_path_for(name, **params))
