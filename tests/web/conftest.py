"""A real server on the session's Redis, with a seeded dialogue and staff
accounts, shared by the page tests of this folder (they only read, or sign
in and out, so one server per module is enough)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import ServerProcess

from .seed import seeded_site
from .sessions import close_all


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    """A running app with ``seed.SLUG`` live, a draft dialogue and the staff accounts."""
    with seeded_site(redis_server) as server:
        yield server


@pytest.fixture(autouse=True)
def _close_staff_sessions() -> Iterator[None]:
    """Close the staff sessions the test signed in (``sessions.staff``)."""
    yield
    close_all()
