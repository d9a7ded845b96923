"""A real server per browser test, on a freshly emptied Redis, with the
seeded dialogue and staff accounts (see ``tests/web/seed.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import ServerProcess
from tests.web.seed import seeded_site


@pytest.fixture
def site(redis_url: str) -> Iterator[ServerProcess]:
    """A running app with ``seed.SLUG`` live and the staff accounts."""
    with seeded_site(redis_url) as server:
        yield server
