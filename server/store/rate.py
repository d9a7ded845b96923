"""Token buckets in Redis, one Lua script per check."""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import Callable

from . import keys
from .errors import guarded
from .questions import Bucket
from .scripts import Scripts

#: Subjects whose hash is kept.
KEPT = 4096


@guarded
class RateLimiter:
    """Buckets are keyed by a keyed hash of the subject (a client address or
    a username), so Redis never holds the addresses of citizens in clear."""

    def __init__(self, scripts: Scripts, secret: bytes) -> None:
        self._scripts = scripts
        self._secret = secret
        #: A subject's hash, kept for the ones seen last (each submission
        #: hashes its address and its device: a few µs each otherwise).
        self._subject: Callable[[str], str] = functools.lru_cache(maxsize=KEPT)(self._hash)

    def _hash(self, subject: str) -> str:
        return hmac.new(self._secret, subject.encode(), hashlib.sha256).hexdigest()[:32]

    def bucket(self, scope: str, subject: str, limit: tuple[int, float]) -> Bucket | None:
        """``subject``'s bucket of ``scope`` for the submit script, which takes
        its token in the dialogue's slot (``Questions.submit``); None when the
        limit is off."""
        count, period = limit
        return Bucket(scope, self._subject(subject), count, period) if count > 0 else None

    async def take(
        self, scope: str, subject: str, limit: tuple[int, float], *, cost: int = 1
    ) -> float:
        """Take ``cost`` tokens (0: only look, -1: give one back); 0.0 when
        allowed, else the seconds to wait. A limit of 0 per period is off."""
        count, period = limit
        if count <= 0:
            return 0.0
        now_ms = int(time.time() * 1000)
        allowed, retry_ms = await self._scripts(
            "rate_limit", [keys.rate(scope, self._subject(subject))], [count, period, now_ms, cost]
        )
        return 0.0 if int(allowed) else max(1.0, int(retry_ms) / 1000)
