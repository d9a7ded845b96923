"""What a route of the API says about itself: ``ApiRoute`` is a Starlette
route that carries its ``Operation`` (name, tags, summary, who may call it,
request and response types, query parameters, errors); ``FeedRoute`` is a
WebSocket route that carries what its messages are. The route table
(``routes.py``) is made of them, and everything that describes the API is
read from it: the OpenAPI document (``openapi.py``), the reference
(``docs/api.md``, ``apidoc.py``) and the public API's CORS (``widget.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.routing import Route, WebSocketRoute

from ..domain.access import TABLE, Permission
from ..domain.model import Role
from .errors import STATUS

#: Tags: who an operation is for. ``WIDGET`` also opens it to the pages of
#: a dialogue's ``widget_origins`` (CORS, ``widget.PublicCors``).
PUBLIC, WIDGET, STAFF, ADMIN, META = "public", "widget", "staff", "admin", "meta"
TAGS = {
    PUBLIC: "Citizens and viewers: the public page, the tracking page.",
    WIDGET: "Also open to the widget on the portals a dialogue lists (CORS).",
    STAFF: "Moderators, producers, officials, secretaries, and the dialogue's admins.",
    ADMIN: "Administrators: dialogues' settings and staff accounts.",
    META: "About the API itself.",
}


@dataclass(frozen=True)
class Access:
    """Who may call an operation: ``who`` says it, ``staff`` asks for a staff
    session or token (``optional``: either anyone, or staff for more)."""

    who: str
    staff: bool = True
    optional: bool = False


ANYONE = Access("Anyone.", staff=False)
SIGNED_IN = Access("Any signed-in staff member.")
SYSTEM_ADMIN = Access("An administrator of the system.")


def permitted(permission: Permission) -> Access:
    """Staff holding ``permission`` in the path's dialogue (``domain/access.py``)."""
    roles = [r.value for r in Role if r in TABLE[permission] or r is Role.ADMIN]
    return Access(f"Staff of the dialogue with the role {' or '.join(roles)}.")


@dataclass(frozen=True)
class Param:
    """A query (or path) parameter: its name, type (a Python type msgspec can
    describe) and description."""

    name: str
    type: Any = str
    description: str = ""
    default: Any = None


@dataclass(frozen=True)
class Operation:
    """One method on one path, as the API's reference tells it."""

    #: The operationId, and the route's name for ``url_path_for``.
    name: str
    summary: str
    tags: tuple[str, ...]
    access: Access
    #: The success status and the type of its JSON body (None: no body; a tuple:
    #: any one of these, as msgspec takes no union of TypedDicts).
    status: int = 200
    response: Any = None
    #: The request body's Struct, if the operation reads one.
    body: Any = None
    #: The error codes it may answer (``errors.STATUS`` gives each status);
    #: 503 ``unavailable`` goes without saying for every operation.
    errors: tuple[str, ...] = ()
    query: tuple[Param, ...] = ()
    #: Path parameters' types and descriptions (others: strings).
    path: tuple[Param, ...] = ()
    description: str = ""
    #: Other media types the success may be sent as: text (a string) or,
    #: with ``binary``, a file.
    alternatives: tuple[str, ...] = ()

    def statuses(self) -> dict[int, list[str]]:
        """Each error status the operation may answer, with its codes."""
        found: dict[int, list[str]] = {}
        for code in (*self.errors, "unavailable"):
            found.setdefault(STATUS[code], []).append(code)
        return dict(sorted(found.items()))


class ApiRoute(Route):
    """A route of the API with its ``Operation``; named after it."""

    def __init__(
        self, method: str, path: str, endpoint: Callable[..., Any], operation: Operation
    ) -> None:
        super().__init__(path, endpoint, methods=[method], name=operation.name)
        self.method = method
        self.operation = operation


@dataclass(frozen=True)
class Feed:
    """A WebSocket feed as its reference tells it."""

    name: str
    summary: str
    access: Access
    #: The snapshot's ``data`` type, and each event type with its ``data`` type.
    snapshot: Any
    events: dict[str, Any] = field(default_factory=dict)
    description: str = ""


class FeedRoute(WebSocketRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], feed: Feed) -> None:
        super().__init__(path, endpoint, name=feed.name)
        self.feed = feed
