"""Request bodies, read and checked at the door: ``await body(request, Schema)``
gives the Struct (``schemas.py``) or raises ``Refused``, whose error body
the API sends in the reader's language.

- over ``DOITHOAI_MAX_BODY`` bytes: 413 ``too_large`` (read no further);
- not JSON (NaN and Infinity are not), or a string holding half of a UTF-16
  pair alone (``"\\udc00"``: valid JSON, no text): 400 ``invalid`` naming
  ``body`` or the string's field; these come first, whatever else is wrong;
- a field of the wrong type, a value outside its enum or bounds, a missing
  or (where refused) unknown field: 400 ``invalid`` naming the field with a
  dot path (``contact.phone``, ``ids.1``).

An empty body is ``{}``. msgspec decodes and checks in one pass; only a
body it refuses is read again with ``json`` to say exactly why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, TypeVar

import msgspec
from msgspec import inspect
from starlette.requests import ClientDisconnect, Request
from starlette.types import Scope

from ..domain.lifecycle import unknown_field
from ..domain.text import field_label
from ..domain.wording import N_, Message, Refused
from .context import settings
from .errors import GENERIC

S = TypeVar("S", bound=msgspec.Struct)

#: What a JSON type is called in a sentence ("The name must be text.").
_KINDS = {
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "object": N_("an object"),
    "array": N_("a list"),
}
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]")
_EXPECTED = re.compile(r"^Expected `(?P<kind>\w+)[^`]*`, got `")
_BOUND = re.compile(r"^Expected `(?P<kind>\w+)` (?:of length )?(?P<op>[<>]=?) (?P<n>-?[\d.]+)$")


async def raw(request: Request) -> bytes:
    """The request's body, or Refused(too_large) past the node's limit. Read
    from the ASGI messages themselves (the body is read once, by this), as
    Starlette's ``request.stream()`` reads them, without its generator."""
    most = settings(request).max_body
    declared = _header(request.scope, b"content-length")
    if declared is not None and (
        not (declared.isascii() and declared.isdigit()) or int(declared) > most
    ):
        raise Refused("too_large", "the body is over {most} bytes", most=most)
    receive = request.receive
    data: bytes | bytearray = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        if message["type"] != "http.request":
            continue
        chunk = message.get("body", b"")
        if not message.get("more_body", False) and not data:
            data = chunk  # the whole body in one message: no copy
        else:
            data += chunk
        if len(data) > most:
            raise Refused("too_large", "the body is over {most} bytes", most=most)
        if not message.get("more_body", False):
            return bytes(data)


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of the header ``name`` (lower case), as Starlette's ``Headers.get``."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def body(request: Request, schema: type[S], fields: Iterable[str] | None = None) -> S:
    """The request's body as ``schema``, or Refused (see the module docstring).
    ``fields``: the top-level fields this request takes, when it takes fewer
    than ``schema`` has (one action's of ``ActionBody``): an unknown field's
    400 lists those."""
    return decode(await raw(request), schema, fields)


def plain(struct: msgspec.Struct) -> dict[str, Any]:
    """The fields a body was sent with, as JSON values (for the actions,
    which take mappings: the CLI and the demo call them too)."""
    value: dict[str, Any] = msgspec.to_builtins(struct)
    return value


def decode(data: bytes, schema: type[S], fields: Iterable[str] | None = None) -> S:
    try:
        return msgspec.json.decode(data or b"{}", type=schema)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        value = parse(data)  # raises the refusals that come first
        if isinstance(exc, msgspec.DecodeError):
            # JSON that Python reads and msgspec does not: check it as Python read it.
            try:
                return msgspec.convert(value, type=schema)
            except msgspec.ValidationError as again:
                exc = again
        raise refusal(str(exc), schema, fields) from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


#: Half of a UTF-16 pair: JSON may spell one alone, which no text holds.
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse(data: bytes) -> Any:
    """``data`` read by Python's json, or Refused: not JSON, or a lone surrogate."""
    if not data:
        return {}
    try:
        # ValueError: also a JSON number with more digits than Python converts.
        value = json.loads(data, parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused("invalid", "the body is not valid JSON", "body") from None
    field = lone_surrogate(value)
    if field is not None:
        raise Refused(
            "invalid",
            "{name} holds a lone surrogate (half of a UTF-16 pair), which is not text",
            field,
            name=field,
        )
    return value


def lone_surrogate(value: Any) -> str | None:
    """The field (``name``, ``contact.phone``, ``ids.2``) of the first string
    in ``value``, a decoded JSON body, that holds a lone surrogate: ``body``
    for the body itself or a key of its top level; None when there is none."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return path or "body"
        elif isinstance(item, dict):
            for key, inner in item.items():
                if _SURROGATE.search(key):
                    return path or "body"
                pending.append((f"{path}.{key}" if path else key, inner))
        elif isinstance(item, list):
            pending.extend((f"{path}.{i}" if path else str(i), x) for i, x in enumerate(item))
    return None


# -- msgspec's errors, said in the API's words ---------------------------------------------


def refusal(
    error: str, schema: type[msgspec.Struct], fields: Iterable[str] | None = None
) -> Refused:
    """The 400 for msgspec's ``error`` about a body of ``schema`` (``fields``:
    those its top level takes here, if fewer than the schema's)."""
    at = _AT.search(error)
    text = error[: at.start()] if at else error
    steps = _steps(at.group("path") if at else "")
    field = _field(steps)
    if missing := re.fullmatch(r"Object missing required field `(\w+)`", text):
        field = _field([*steps, missing.group(1)])
        return _invalid(field, "Please enter the {label}.")
    if unknown := re.fullmatch(r"Object contains unknown field `(.+)`", text):
        field = _field([*steps, unknown.group(1)])
        known = list(fields) if fields is not None and not steps else _fields(schema, steps)
        return unknown_field(field, known)
    if text.startswith("Invalid enum value"):
        if field in _ONE_OF:
            return Refused("invalid", _ONE_OF[field], field)
        listed = ", ".join(str(v) for v in _choices(schema, steps))
        return _invalid(field, "The {label} must be one of: {listed}.", listed=listed)
    if bound := _BOUND.match(text):
        return _bound(field, bound.group("kind"), bound.group("op"), bound.group("n"))
    if expected := _EXPECTED.match(text):
        what = _KINDS.get(expected.group("kind"))
        if what is not None:
            return _invalid(field, "The {label} must be {what}.", what=Message(what))
    return Refused("invalid", GENERIC["invalid"], field or "body")


#: Names of body fields the domain's labels lack, as a sentence says them.
_LABELS = {
    "policy.min_syllables": N_("fewest syllables a question needs"),
    "policy.shouting_min_letters": N_("fewest letters for the shouting check"),
}
#: Sentences for a field whose label does not read in "The {label} must ...".
_ONE_OF = {
    "then": N_(
        "What follows the question on air must be “answered” (answered live) or "
        "“defer” (owed in writing)."
    ),
}


def _label(name: str) -> Message:
    """``name``'s label, never its raw dot path: "value sent" when none is known."""
    if name in _LABELS:
        return Message(_LABELS[name])
    found = field_label(name)
    return Message(N_("value sent")) if found.text == "{name}" else found


def _invalid(field: str, message: str, **params: Any) -> Refused:
    name = field or "body"
    return Refused("invalid", message, name, label=_label(name), **params)


def _bound(field: str, kind: str, op: str, n: str) -> Refused:
    if kind == "str":
        if op.startswith(">"):
            return _invalid(field, "The {label} must have at least {low} characters.", low=n)
        return _invalid(field, "The {label} must have at most {high} characters.", high=n)
    if kind in ("array", "object"):
        if op.startswith(">"):
            return _invalid(field, "The {label} must list at least {low}.", low=n)
        return _invalid(field, "The {label} must list at most {high}.", high=n)
    if op.startswith(">"):
        return _invalid(field, "The {label} must be at least {low}.", low=n)
    return _invalid(field, "The {label} must be at most {high}.", high=n)


def _steps(path: str) -> list[str]:
    """``.contact.phone`` -> [contact, phone]; ``.ids[1]`` -> [ids, 1]; a
    dict's key, which msgspec does not say (``[...]``), is ``*``."""
    return [name or index or "*" for name, index in _SEGMENT.findall(path)]


def _field(steps: list[str]) -> str:
    """The dot path of ``steps``, up to the first unnamed dict key."""
    named = steps[: steps.index("*")] if "*" in steps else steps
    return ".".join(named)


def _choices(schema: type[msgspec.Struct], steps: list[str]) -> list[Any]:
    """The values the enum at ``steps`` of ``schema`` allows."""
    found: list[Any] = []
    for kind in _leaves(inspect.type_info(schema), steps):
        if isinstance(kind, inspect.LiteralType):
            found.extend(kind.values)
        elif isinstance(kind, inspect.EnumType):
            found.extend(member.value for member in kind.cls)
    return found


def _fields(schema: type[msgspec.Struct], steps: list[str]) -> list[str]:
    """The fields of the object at ``steps`` of ``schema``."""
    return [
        f.encode_name
        for kind in _leaves(inspect.type_info(schema), steps)
        if isinstance(kind, inspect.StructType)
        for f in kind.fields
    ]


def _leaves(kind: inspect.Type, steps: list[str]) -> list[inspect.Type]:
    """The types at ``steps`` below ``kind`` (every branch of a union)."""
    while isinstance(kind, inspect.Metadata):
        kind = kind.type
    if isinstance(kind, inspect.UnionType):
        return [leaf for member in kind.types for leaf in _leaves(member, steps)]
    if not steps:
        return [kind]
    step, rest = steps[0], steps[1:]
    if isinstance(kind, inspect.StructType):
        return [
            leaf for f in kind.fields if f.encode_name == step for leaf in _leaves(f.type, rest)
        ]
    if isinstance(kind, inspect.ListType | inspect.DictType):
        inner = kind.item_type if isinstance(kind, inspect.ListType) else kind.value_type
        return _leaves(inner, rest)
    return []


#: Digits a question id (a page's cursor) may have: it fits a signed 64-bit integer.
CURSOR_DIGITS = 19


def before_param(request: Request) -> int | None:
    """The ``before`` query parameter of a page (a question id a previous page
    gave as ``next_before``), or None; 400 when it is not one."""
    value = request.query_params.get("before")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= CURSOR_DIGITS):
        raise Refused("invalid", "before must come from a previous page", "before")
    return int(value)
