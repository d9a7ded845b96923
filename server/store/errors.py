"""What the store raises when Redis cannot do what was asked.

Only the store knows Redis, so only it knows Redis's errors: every public
coroutine of a repository (``@guarded``) turns any ``RedisError`` that
escapes it (unreachable, timed out, read-only replica, loading, out of
disk, a cluster without quorum ...) into ``StoreUnavailable``, which the
layers above answer with 503 and ``Retry-After``. A repository's own
control flow (a ``WatchError`` it retries, a ``BUSYGROUP`` it expects)
never reaches the guard. A write that could not get its turn among
concurrent ones raises ``Contended`` (409 ``conflict``).
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import redis
from redis.exceptions import RedisError

from .. import metrics

C = TypeVar("C", bound=type)


class StoreUnavailable(Exception):
    """Redis could not do it now; ``kind`` names Redis's error (for the logs
    and metrics). A single command or script is all or nothing, so nothing
    it was asked to write is half-written."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


class NotReplicated(StoreUnavailable):
    """The primary took a submission but fewer replicas than required had it
    within the wait: it may still arrive (and stay, unless the primary fails
    first); a retry with the same submission id is safe."""


class Contended(Exception):
    """Others kept changing what this write depends on (the head of an audit
    chain) before it could be made, however long it waited its turn: nothing
    was written, and trying again later may succeed."""


#: What uvloop says when asked to write on a transport already closed.
CLOSED_TRANSPORT = "the handler is closed"
#: Where redis-py's own code lives: an error raised there on a stream it let
#: go is a lost connection.
REDIS_PACKAGE = os.path.dirname(redis.__file__) + os.sep


def _dropped_stream(exc: AttributeError) -> bool:
    """redis-py's answer to a command sent on a connection another task
    disconnected meanwhile (a Cluster client drops every connection of a
    node it sees fail, in use or not): ``None`` has no ``writelines``, raised
    inside redis-py. Anything else is a bug."""
    if exc.obj is not None:
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename.startswith(REDIS_PACKAGE)


def _guard(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def guarded_method(*args: Any, **kwargs: Any) -> Any:
        try:
            return await method(*args, **kwargs)
        except RedisError as exc:
            metrics.REDIS_ERRORS.labels(type(exc).__name__).inc()
            raise StoreUnavailable(type(exc).__name__, str(exc)) from exc
        except RuntimeError as exc:
            # uvloop's answer to a write on a connection Redis closed under
            # it (a Cluster primary killed mid-command), which redis-py lets
            # through as it is: a lost connection, not a bug.
            if CLOSED_TRANSPORT not in str(exc):
                raise
            metrics.REDIS_ERRORS.labels("ConnectionError").inc()
            raise StoreUnavailable("ConnectionError", str(exc)) from exc
        except AttributeError as exc:
            if not _dropped_stream(exc):
                raise
            metrics.REDIS_ERRORS.labels("ConnectionError").inc()
            raise StoreUnavailable("ConnectionError", str(exc)) from exc

    return guarded_method


def guarded(cls: C) -> C:
    """Guard every public coroutine method of ``cls`` (see the module docstring)."""
    for name, member in list(vars(cls).items()):
        if not name.startswith("_") and inspect.iscoroutinefunction(member):
            setattr(cls, name, _guard(member))
    return cls
