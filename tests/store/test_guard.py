"""The store's guard: what Redis's client raises becomes StoreUnavailable."""

from __future__ import annotations

import pytest

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


async def test_any_other_runtime_error_is_left_alone() -> None:
    with pytest.raises(RuntimeError, match="a bug"):
        await _Repository().write(RuntimeError("a bug"))
