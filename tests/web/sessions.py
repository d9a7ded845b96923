"""Staff sessions a web test signs in (``staff``), each closed after the test
by ``tests/web/conftest.py``."""

from __future__ import annotations

from tests.helpers import ServerProcess
from tests.support.staff import StaffClient

_OPEN: list[StaffClient] = []


def staff(site: ServerProcess, username: str) -> StaffClient:
    """A signed-in staff session (closed after the test)."""
    _OPEN.append(StaffClient(site.url, username))
    return _OPEN[-1]


def close_all() -> None:
    while _OPEN:
        _OPEN.pop().close()
