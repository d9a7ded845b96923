"""The store's guard: what Redis's client raises becomes StoreUnavailable."""

from __future__ import annotations

import pytest
from redis.asyncio.connection import Connection

from server.store.errors import StoreUnavailable, guarded


@guarded
class _Repository:
    async def write(self, error: Exception) -> None:
        raise error


async def test_a_write_on_a_closed_transport_is_unavailable() -> None:
    """uvloop's RuntimeError for a connection closed under a command (a
    Cluster primary killed) is a lost connection: a 503, not a 500."""
    closed = RuntimeError(
        "unable to perform operation on <TCPTransport closed=True reading=False>; "
        "the handler is closed"
    )
    with pytest.raises(StoreUnavailable) as caught:
        await _Repository().write(closed)
    assert caught.value.kind == "ConnectionError"


async def test_a_command_on_a_connection_dropped_meanwhile_is_unavailable() -> None:
    """redis-py's AttributeError for a command sent on a connection another
    task disconnected meanwhile (a Cluster client dropping a failed node's
    connections while one is in use): a lost connection, a 503, not a 500."""
    # Never connected, like one disconnected: no stream. The send itself, past
    # the reconnect that send_packed_command does first (the other task's
    # disconnect comes after it), and never to a Redis.
    dropped = Connection(host="127.0.0.1", port=1)

    @guarded
    class _Sender:
        async def send(self) -> None:
            await dropped._send_packed_command([b"PING"])

    with pytest.raises(StoreUnavailable) as caught:
        await _Sender().send()
    assert caught.value.kind == "ConnectionError"


async def test_an_attribute_error_of_our_own_is_left_alone() -> None:
    with pytest.raises(AttributeError):
        await _Repository().write(AttributeError("'NoneType' object has no attribute 'x'"))
    missing: object = None

    @guarded
    class _Buggy:
        async def read(self) -> None:
            missing.x  # type: ignore[attr-defined]  # noqa: B018

    with pytest.raises(AttributeError):
        await _Buggy().read()


async def test_any_other_runtime_error_is_left_alone() -> None:
    with pytest.raises(RuntimeError, match="a bug"):
        await _Repository().write(RuntimeError("a bug"))
