"""The access log without the secrets that travel in request lines.

A tracking code is a citizen's key to their question (and to deleting their
contact data); the overlay's token opens the broadcast overlay. Both appear
in request lines: ``/t/<code>``, ``/api/v1/tracking/<code>``, ``?token=``.
uvicorn's access log (and its WebSocket lines) would keep them for anyone
who reads the logs; ``RedactSecrets`` replaces them with ``…`` before the
line is written.

Redaction reads the path and the query the way the app does, not with a
pattern on the raw line: uvicorn logs the raw request target, and
``/%74/<code>``, ``/t%2F<code>`` or ``?%74oken=`` reach the same handlers as
their plain spellings. Query values are kept only for parameters known to
carry nothing secret or personal (``LOGGED_PARAMS``); any other value is
hidden, so a parameter added later, or a form whose script did not load and
that fell back to GET, cannot put a secret in the log. This module never
writes a value it has not checked against that list.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote, unquote_plus

#: What stands for a secret in a logged path.
HIDDEN = "…"

#: Path segments (after percent-decoding) whose next segment is a secret.
SECRET_AFTER: tuple[tuple[str, ...], ...] = (("t",), ("api", "v1", "tracking"))

#: Query parameters whose values are logged as sent: the ones the app reads
#: that carry no secret and no personal data (language, resume ids, paging,
#: filters, export options, the overlay's background, cache-busting digests,
#: the public list's sort and topic; not its search words, ``q``).
LOGGED_PARAMS = frozenset(
    {
        "lang", "after", "before", "cursor", "limit", "status", "format", "contact", "by",
        "bg", "official", "actor", "action", "question", "next", "api", "v", "sort", "topic",
    }
)  # fmt: skip

#: Characters a re-encoded path keeps as they are (RFC 3986 path characters).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _redact_path(path: str) -> str:
    """``path`` with each segment that follows a ``SECRET_AFTER`` prefix hidden;
    unchanged (byte for byte) when there is none."""
    segments = unquote(path).split("/")
    filled = [i for i, s in enumerate(segments) if s]
    words = [segments[i] for i in filled]
    hidden = set()
    for prefix in SECRET_AFTER:
        for start in range(len(words) - len(prefix)):
            if tuple(words[start : start + len(prefix)]) == prefix:
                hidden.add(filled[start + len(prefix)])
    if not hidden:
        return path
    return "/".join(
        HIDDEN if i in hidden else quote(s, safe=_PATH_SAFE) for i, s in enumerate(segments)
    )


def _redact_query(query: str) -> str:
    """Each ``name=value`` of ``query`` with its value hidden unless its name
    (percent-decoded, as the app reads it) is in ``LOGGED_PARAMS``."""
    fields = []
    for field in query.split("&"):
        name, equals, _ = field.partition("=")
        if not field or unquote_plus(name) in LOGGED_PARAMS:
            fields.append(field)
        else:
            fields.append(f"{name}={HIDDEN}" if equals else HIDDEN)
    return "&".join(fields)


def redact(target: str) -> str:
    """A request target (path and query) with its secrets replaced by ``…``."""
    path, question, query = target.partition("?")
    redacted = _redact_path(path)
    return f"{redacted}?{_redact_query(query)}" if question else redacted


class RedactSecrets(logging.Filter):
    """Redacts the string arguments of uvicorn's log records: the path of an
    access line ``(client, method, path, version, status)`` and of a
    WebSocket line ``(client, path[, status])``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


#: uvicorn's loggers that write request paths: HTTP lines, WebSocket lines.
LOGGERS = ("uvicorn.access", "uvicorn.error")


def install() -> None:
    """Redact uvicorn's request lines (call after uvicorn has set up logging)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
