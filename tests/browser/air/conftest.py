"""The air's browser tests (producer, presenter, overlay): one app per module
(``air_pages.broadcast_site``), on which each test makes its own live
dialogue, ``slug``, named after its module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import ServerProcess

from ..air_pages import broadcast_site
from ..producer_seed import fresh_dialogue


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    with broadcast_site(redis_server) as server:
        yield server


@pytest.fixture
def slug(site: ServerProcess, redis_server: str, request: pytest.FixtureRequest) -> str:
    """A fresh live dialogue for this test alone."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return fresh_dialogue(redis_server, module.replace("_", "-"))
