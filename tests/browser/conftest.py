"""The servers browser tests drive.

``site``: a fresh app per test on an emptied Redis, with the seeded dialogue
and staff accounts (``tests/web/seed.py``); ``air/`` has its own, one per
module. ``server``: one app per module on the seed of the owed-answers pages
(``owed_seed.app_server``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import ServerProcess
from tests.web.seed import seeded_site

from .owed_seed import app_server


@pytest.fixture
def site(redis_url: str) -> Iterator[ServerProcess]:
    """A running app with ``seed.SLUG`` live and the staff accounts."""
    with seeded_site(redis_url) as server:
        yield server


@pytest.fixture(scope="module")
def server(redis_server: str) -> Iterator[ServerProcess]:
    with app_server(redis_server) as process:
        yield process
