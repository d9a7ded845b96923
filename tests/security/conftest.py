"""One real server per test module on the session's Redis, emptied first and
seeded with tests/web/seed.py's live dialogue, draft and staff accounts, plus
the official and the soon-disabled admin of ``people.EXTRA_ACCOUNTS``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

import pytest

from tests.helpers import ServerProcess
from tests.web.seed import seeded_site

from .people import add_accounts


@contextlib.contextmanager
def seeded_server(redis_url: str, env: Mapping[str, str] | None = None) -> Iterator[ServerProcess]:
    """The seeded site with every account of these tests (``env`` added to
    the app's environment)."""
    with seeded_site(redis_url, env, also=add_accounts) as server:
        yield server


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    """A running app with the seeded dialogue and every staff account."""
    with seeded_server(redis_server) as server:
        yield server
