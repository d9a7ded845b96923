"""What must never be in a response body, and a check that names what is."""

from __future__ import annotations

import json
from collections.abc import Mapping

from server.domain.text import clean_phone

#: Signs of a stack trace or of the server's insides in a body.
TRACE_MARKERS = (
    "Traceback (most recent call last)",
    'File "/',
    "site-packages/",
    "/server/web/",
    "redis.exceptions",
)
#: Every password hash starts with its algorithm's name.
HASH_MARKERS = ("$argon2",)


def forms(value: str) -> set[str]:
    """``value`` as a body could hold it: plain, or JSON-escaped (an e-mail's
    ``+`` or a code's ``-`` stay; ``/`` and non-ASCII may be escaped)."""
    dumped = json.dumps(value)[1:-1]
    return {value, dumped, json.dumps(value, ensure_ascii=False)[1:-1]}


def found(body: str, secrets: Mapping[str, str], *, markers: bool = True) -> list[str]:
    """The labels of ``secrets`` whose value is in ``body``, and (``markers``)
    any stack trace or password hash markers; empty when the body is clean."""
    hits = [label for label, value in secrets.items() if any(f in body for f in forms(value))]
    if markers:
        hits += [f"trace {m!r}" for m in TRACE_MARKERS if m in body]
        hits += [f"hash {m!r}" for m in HASH_MARKERS if m in body]
    return hits


def phone_forms(typed: str) -> dict[str, str]:
    """A phone number as typed, without spaces, and as stored (E.164), by label."""
    stored = clean_phone(typed)
    assert stored, typed
    return {
        "as typed": typed,
        "without spaces": typed.replace(" ", ""),
        "as stored": stored,
    }
