"""The OpenAPI 3.1 document of the v1 API, served at ``GET /api/v1/openapi.json``
and rendered for people as ``docs/api.md`` (``apidoc.py``).

Generated, never written by hand: the paths and operations come from the
route table (``routes.API``, each route's ``Operation``), the schemas from
the request Structs (``schemas.py``) and the response TypedDicts
(``domain/views.py``) through msgspec, the error responses from
``errors.STATUS`` and ``errors.GENERIC``. OpenAPI has no WebSockets: the
feeds (``routes.FEEDS``) are under the root extension ``x-websockets``, their
messages' schemas with the others.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from ..domain import views
from .auth import CSRF_HEADER, SESSION_COOKIE
from .errors import GENERIC, STATUS
from .routing import TAGS, ApiRoute, Feed, FeedRoute, Operation, Param

Schema = dict[str, Any]
REF = "#/components/schemas/{name}"
#: A name for each error status's shared response.
RESPONSE_NAMES = {
    400: "Invalid",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "TooLarge",
    429: "RateLimited",
    500: "Internal",
    503: "Unavailable",
}
#: The statuses that ask the client to wait (``Retry-After``).
WAITS = (429, 503)
#: A file's schema (a workbook, a document), beside a string of text.
BINARY = {"format": "binary"}
STAFF_READ: list[Schema] = [{"cookieSession": []}, {"bearer": []}]
STAFF_WRITE: list[Schema] = [{"cookieSession": [], "csrfToken": []}, {"bearer": []}]
AFTER = {
    "name": "after",
    "in": "query",
    "schema": {"type": "string"},
    "description": "Id of the last message received (a snapshot included): the missed "
    "events follow. Without it, a snapshot comes first.",
}

DESCRIPTION = f"""\
Live Q&A for Vietnamese online public dialogues (đối thoại trực tuyến). JSON
everywhere; times are ISO 8601 with offset; text is UTF-8, made NFC. A JSON
string holding half of a UTF-16 surrogate pair alone (`"\\udc00"`) is a 400
`invalid` naming the field, and NaN or Infinity (not JSON) one naming `body`.
Every error's body is `{{"error": {{"code", "message", "field", "errors"}}}}`
(schema `Error`): `message` in the request's language (`?lang=`, the `lang`
cookie, or `Accept-Language`; Vietnamese unless English is asked for), `field`
the failing field with a dot path (`contact.phone`, `ids.1`) or null, and
`errors` every field at fault, each `{{"field", "code", "message"}}`, `field`
being the first of them. A question's fields are all checked at once, so that
a form can show every mistake beside its field in one go; a body that is not
JSON, or a field of the wrong JSON type, is refused before that, on its own.
A field a body does not have (a misspelling, another action's field) is a
400 `invalid` naming it, and nothing changes: no body ignores a field, but
the public submission (`NewQuestion`), which ignores the ones it does not
know so that a newer widget's question still gets through. A dialogue's
settings are also checked together: its end after its start, and no topic,
locality or official listed twice (not even in another case or with other
marks), each fault at its own field (`ends_at`, `topics.2.name`).

Staff authenticate with the session cookie (`POST /api/v1/session`; the cookie
is `{SESSION_COOKIE}`, or `__Host-{SESSION_COOKIE}` behind HTTPS) or an API
token (`Authorization: Bearer <token>`, made with `doithoai token create`). A
cookie-authenticated unsafe request (POST, PUT, PATCH, DELETE) must come from
the app's own origin (`Origin`, or `Sec-Fetch-Site: same-origin`) and carry
`{CSRF_HEADER}` with the session's `csrf_token`; otherwise 403 `forbidden`.

The feeds are WebSockets (`x-websockets`). Every message is one JSON object
`{{"id", "type", "dialogue", "data"}}`: `id` is the event's stream id,
`dialogue` the slug. Without `after` the first message is a `snapshot` whose
`id` is the last event it includes; with `after=<id>` the missed events
follow, or a snapshot with `"reset": true` when that id is gone (trimmed,
unknown) or more events behind than a replay is worth (`DOITHOAI_REPLAY_MAX`).
`{{"type": "heartbeat"}}` keeps an idle socket alive; clients ignore types
they do not know. Live, `votes.changed` comes at most once a second per
question, with the latest count (a replay sends every change); its `id` is
the last event the node had handled, which the message before it may share:
ids never go back, and resuming after any of them misses nothing. A replay
starts, under the `id` resumed after, with the latest count of each question
voted on in the 3 seconds before it, so a count held back when the client
got that id arrives too.

The first message a viewer gets (the public feed's snapshot, or `GET
.../feed`) is at most 64 KiB whatever the dialogue's size: the question on
air, the head of the queue (its first 20 ids), the newest answered, the most
supported open questions and the newest published ones, as many as fit, with
`counts` of each public state and `next_before`. Older published questions
page over HTTP, newest first (`GET .../feed?before=<next_before>`); events
name questions a client may not have loaded (a vote for one of them changes
nothing it shows), and a page read while events arrive may be older than
them: a client keeps what the feed told it over what a page says, and drops
nothing a page lacks. The console feed's snapshot carries only the questions
that need work (pending, approved, queued, on air, deferred) and counts the
finished ones (`finished`); `GET .../history` pages through those. Its
questions name their `actions_by_role` (`action_set`, a key of the
snapshot's `action_sets`, each sent once) where the events carry it whole.
"""


def _name(kind: Any) -> str:
    return re.sub(r"(^|_)(\w)", lambda m: m.group(2).upper(), kind)


def _types(api: tuple[ApiRoute, ...], feeds: tuple[FeedRoute, ...]) -> list[Any]:
    """Every type the document describes, each once, in a stable order."""
    found: dict[str, Any] = {"error": views.Error}
    for route in api:
        op = route.operation
        for key, kind in (("body", op.body), ("response", op.response)):
            if isinstance(kind, tuple):
                found.update({f"{op.name}.{key}.{i}": one for i, one in enumerate(kind)})
            elif kind is not None:
                found[f"{op.name}.{key}"] = kind
        for param in (*op.path, *op.query):
            found[f"{op.name}.{param.name}"] = param.type
    for feed_route in feeds:
        feed = feed_route.feed
        found[f"{feed.name}.snapshot"] = feed.snapshot
        for event, data in feed.events.items():
            found[f"{feed.name}.{event}"] = data
    return list(found.items())


class Schemas:
    """The schema of each type, with the components they refer to."""

    def __init__(self, api: tuple[ApiRoute, ...], feeds: tuple[FeedRoute, ...]) -> None:
        keyed = _types(api, feeds)
        made, self.components = msgspec.json.schema_components(
            [kind for _, kind in keyed], ref_template=REF
        )
        self._by_key = {key: schema for (key, _), schema in zip(keyed, made, strict=True)}

    def of(self, key: str) -> Schema:
        return dict(self._by_key[key])


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _parameter(param: Param, where: str, schemas: Schemas, op: Operation) -> Schema:
    schema = schemas.of(f"{op.name}.{param.name}")
    if param.default is not None:
        schema["default"] = param.default
    out: Schema = {"name": param.name, "in": where, "schema": schema}
    if where == "path":
        out["required"] = True
    if param.description:
        out["description"] = param.description
    return out


def _security(route: ApiRoute) -> list[Schema]:
    access = route.operation.access
    if not access.staff:
        return []
    needed = STAFF_READ if route.method == "GET" else STAFF_WRITE
    return [{}, *needed] if access.optional else needed


def _operation(route: ApiRoute, schemas: Schemas) -> Schema:
    op = route.operation
    described = {p.name: p for p in op.path}
    path_params = [described.get(n, Param(n)) for n in re.findall(r"\{(\w+)", route.path)]
    out: Schema = {
        "operationId": op.name,
        "summary": op.summary,
        "description": f"**Who:** {op.access.who}"
        + (f"\n\n{op.description}" if op.description else ""),
        "tags": list(op.tags),
        "parameters": [
            *(_parameter(p, "path", schemas, op) for p in path_params),
            *(_parameter(p, "query", schemas, op) for p in op.query),
        ],
        "security": _security(route),
    }
    if op.body is not None:
        body = schemas.of(f"{op.name}.body")
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    ok: Schema = {"description": op.summary}
    if isinstance(op.response, tuple):
        each = [schemas.of(f"{op.name}.response.{i}") for i in range(len(op.response))]
        ok = _json({"anyOf": each}, op.summary)
    elif op.response is not None:
        ok = _json(schemas.of(f"{op.name}.response"), op.summary)
    elif op.alternatives:
        ok["content"] = {}
    for media in op.alternatives:
        text = media.startswith("text/")
        ok["content"][media] = {"schema": {"type": "string", **({} if text else BINARY)}}
    responses: Schema = {str(op.status): ok}
    for status in op.statuses():
        responses[str(status)] = {"$ref": f"#/components/responses/{RESPONSE_NAMES[status]}"}
    responses["default"] = {"$ref": "#/components/responses/Error"}
    out["responses"] = responses
    out["x-errors"] = {str(status): codes for status, codes in op.statuses().items()}
    if not out["parameters"]:
        del out["parameters"]
    return out


def _responses() -> Schema:
    """One shared response per error status: its codes and what each says."""
    by_status: dict[int, list[str]] = {}
    for code, status in STATUS.items():
        by_status.setdefault(status, []).append(code)
    out: Schema = {}
    for status, codes in sorted(by_status.items()):
        said = " ".join(f"`{code}`: {GENERIC[code]}" for code in codes)
        response = _json({"$ref": REF.format(name="Error")}, said)
        if status in WAITS:
            response["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
            }
        out[RESPONSE_NAMES[status]] = response
    out["Error"] = _json({"$ref": REF.format(name="Error")}, "Any other failure, same body.")
    return out


def _messages(feed: Feed, schemas: Schemas) -> tuple[Schema, Schema]:
    """The feed's snapshot message and its event message (``data`` by ``type``)."""
    head = {
        "id": {"type": "string", "description": "The event's stream id; resume after it."},
        "dialogue": {"type": "string", "description": "The dialogue's slug."},
    }
    snapshot: Schema = {
        "type": "object",
        "properties": {
            **head,
            "type": {"const": "snapshot"},
            "data": schemas.of(f"{feed.name}.snapshot"),
            "reset": {
                "type": "boolean",
                "description": "true when `after` named an id that is gone or too far "
                "behind: drop what you have and start from this snapshot.",
            },
        },
        "required": ["id", "type", "dialogue", "data", "reset"],
    }
    groups: dict[str, list[str]] = {}  # the events of one data schema together
    for kind in feed.events:
        data = json.dumps(schemas.of(f"{feed.name}.{kind}"), sort_keys=True)
        groups.setdefault(data, []).append(kind)
    event: Schema = {
        "type": "object",
        "properties": {**head, "type": {"type": "string"}, "data": {}},
        "required": ["id", "type", "dialogue", "data"],
        "anyOf": [
            {"properties": {"type": {"enum": types}, "data": json.loads(data)}}
            for data, types in groups.items()
        ],
    }
    return snapshot, event


def _websockets(feeds: tuple[FeedRoute, ...], schemas: Schemas) -> tuple[Schema, Schema]:
    """The ``x-websockets`` extension, and the schemas of the feeds' messages."""
    out: Schema = {}
    components: Schema = {"Heartbeat": {
        "type": "object", "properties": {"type": {"const": "heartbeat"}}, "required": ["type"]
    }}  # fmt: skip
    for route in feeds:
        feed = route.feed
        title = _name(feed.name)
        components[f"{title}Snapshot"], components[f"{title}Event"] = _messages(feed, schemas)
        out[route.path] = {
            "name": feed.name,
            "summary": feed.summary,
            "description": f"**Who:** {feed.access.who}\n\n{feed.description}",
            "parameters": [
                {
                    "name": "slug",
                    "in": "path",
                    "required": True,
                    "description": "The dialogue's slug.",
                    "schema": {"type": "string"},
                },
                AFTER,
            ],
            "security": STAFF_READ if feed.access.staff else [],
            "messages": {
                "snapshot": {"$ref": REF.format(name=f"{title}Snapshot")},
                "event": {"$ref": REF.format(name=f"{title}Event")},
                "heartbeat": {"$ref": REF.format(name="Heartbeat")},
            },
            "events": sorted(feed.events),
        }
    return out, components


def build(api: tuple[ApiRoute, ...], feeds: tuple[FeedRoute, ...]) -> Schema:
    """The document of the operations ``api`` and the feeds ``feeds``."""
    schemas = Schemas(api, feeds)
    paths: Schema = {}
    for route in api:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas)
    websockets, messages = _websockets(feeds, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "doithoai API", "version": "1", "description": DESCRIPTION},
        "tags": [{"name": name, "description": said} for name, said in TAGS.items()],
        "paths": paths,
        "components": {
            "schemas": {**schemas.components, **messages},
            "responses": _responses(),
            "securitySchemes": {
                "cookieSession": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": f"The session cookie (`__Host-{SESSION_COOKIE}` behind "
                    "HTTPS). Unsafe methods also need `csrfToken`.",
                },
                "csrfToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": CSRF_HEADER,
                    "description": "The session's `csrf_token`; with the cookie on unsafe "
                    "methods, together with a same-origin `Origin`.",
                },
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token made with `doithoai token create`.",
                },
            },
        },
        "x-websockets": websockets,
    }


@cache
def document() -> Schema:
    """The app's document (built once; do not mutate it)."""
    from .routes import API, FEEDS  # the table imports this module's handler

    return build(API, FEEDS)


@cache
def _rendered() -> bytes:
    return json.dumps(document(), ensure_ascii=False, separators=(",", ":")).encode()


async def openapi_json(request: Request) -> Response:
    return Response(_rendered(), media_type="application/json")
