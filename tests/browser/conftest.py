"""The servers browser tests drive.

``site``: a fresh app per test on an emptied Redis, with the seeded dialogue
and staff accounts (``tests/web/seed.py``); ``air/`` has its own, one per
module. ``server``: one app per module on the seed of the owed-answers pages
(``owed_seed.app_server``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import ServerProcess
from tests.support.store import flush
from tests.web.seed import seeded_site

from .owed_seed import app_server


@pytest.fixture
def site(redis_url: str) -> Iterator[ServerProcess]:
    """A running app with ``seed.SLUG`` live and the staff accounts."""
    with seeded_site(redis_url) as server:
        yield server


@pytest.fixture(scope="module")
def server(redis_server: str) -> Iterator[ServerProcess]:
    """On an emptied Redis: an account another module left (its own password,
    a lock-out) would otherwise stand for the seed's."""
    flush(redis_server)
    with app_server(redis_server) as process:
        yield process
