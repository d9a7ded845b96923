"""The access log without the secrets that travel in paths.

A tracking code is a citizen's key to their question (and to deleting their
contact data); the overlay's token opens the broadcast overlay. Both appear
in request paths: ``/t/<code>``, ``/api/v1/tracking/<code>``, ``?token=``.
uvicorn's access log (and its WebSocket lines) would keep them for anyone
who reads the logs; ``RedactSecrets`` replaces them with ``…`` before the
line is written.
"""

from __future__ import annotations

import logging
import re

#: What stands for a secret in a logged path.
HIDDEN = "…"

_SECRETS = (
    re.compile(r"(?<=/t/)[^/?#\s]+"),
    re.compile(r"(?<=/api/v1/tracking/)[^/?#\s]+"),
    re.compile(r"(?<=[?&]token=)[^&#\s]*"),
)


def redact(path: str) -> str:
    """``path`` with its tracking code and overlay token replaced by ``…``."""
    for secret in _SECRETS:
        path = secret.sub(HIDDEN, path)
    return path


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
