"""Fixtures shared by every test: a real Redis on a free port, and real Chromium.

- ``redis_server`` (session): a private redis-server on 127.0.0.1, never 6379.
- ``redis_url`` (function): that server, emptied (FLUSHALL) before the test.
- ``chromium`` (function): a headless Playwright (sync API) Browser on
  /usr/bin/chromium, kept across consecutive browser tests. Browser tests
  are plain sync tests; see ``chromium``.

- ``admin`` / ``producer`` (module): those staff members signed in over
  HTTP to the module's ``site`` (each folder's or module's own app).

General helpers (``free_port``, ``wait_for_http``, ``ServerProcess``) live in
``tests/helpers.py``; the shared seeding, signing-in and waiting helpers in
``tests/support/``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
from hypothesis.database import DirectoryBasedExampleDatabase
from playwright.sync_api import Browser, Playwright, expect, sync_playwright

import server.actions.accounts
from tests.helpers import REPO_ROOT, ServerProcess
from tests.support.redis_server import start_redis, stop_redis
from tests.support.staff import PASSWORD, StaffClient
from tests.support.store import flush

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
#: How long a Playwright assertion (``expect``) may wait for a page to reach
#: the state it asserts: a bound on a stuck test, not a pause (an assertion
#: returns as soon as the state is there). Playwright's 5 s is too short for
#: a loaded two-core machine drawing a console of 200 questions.
EXPECT_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """URL (``redis://127.0.0.1:<port>/0``) of a private redis-server for this session."""
    with tempfile.TemporaryDirectory(prefix="dt-redis-") as workdir:
        process, url = start_redis(Path(workdir))
        try:
            yield url
        finally:
            stop_redis(process)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied before this test."""
    flush(redis_server)
    return redis_server


class _Chromium:
    """This worker's Playwright and Chromium, kept while consecutive tests
    use them (a module of browser tests starts Chromium once).

    Between two sync calls Playwright leaves its event loop marked as the
    running loop of the main thread, so no asyncio test can run while it
    is up. It is therefore stopped, with Playwright's own ``stop``, after
    the last of a run of browser tests: before the next test that does not
    use ``chromium`` (see ``pytest_runtest_teardown``), and started again
    when a browser test comes.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        #: Whether the test after the current one uses ``chromium``.
        self.next_needs_it = False

    def browser(self) -> Browser:
        if self._browser is None:
            playwright = sync_playwright().start()
            try:
                self._browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
                )
            except BaseException:
                playwright.stop()
                raise
            self._playwright = playwright
        return self._browser

    def stop(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None:
                browser.close()
        finally:
            if playwright is not None:
                playwright.stop()


_CHROMIUM = pytest.StashKey[_Chromium]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--redis-cluster",
        action="store_true",
        help="run tests/store on a 3-primary, 3-replica Redis Cluster started on loopback",
    )


def _hash_the_shared_password_once() -> None:
    """The staff accounts the tests make in this process (seeds, ``world``,
    the staff API through a ``TestClient``) all have ``PASSWORD``; argon2
    with the app's parameters costs about 0.3 s of CPU a hash (its four
    lanes take both cores), and a test file such as tests/e2e/test_bad_input.py
    made 360 of them, most of its time. So ``PASSWORD`` is hashed once per
    worker, by the app's own ``hash_password``, and that hash (same
    parameters, one salt for these accounts) is given to each; every other
    password is hashed as the app does, and every check of a password (a
    sign-in, here or in a server process) is argon2's own."""
    hash_password = server.actions.accounts.hash_password
    shared: list[str] = []

    def hashed(password: str) -> str:
        if password != PASSWORD:
            return hash_password(password)
        if not shared:
            shared.append(hash_password(password))
        return shared[0]

    server.actions.accounts.hash_password = hashed


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_CHROMIUM] = _Chromium()
    _hash_the_shared_password_once()
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    # Hypothesis's example database, one per pytest-xdist worker: workers share no files.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    examples = DirectoryBasedExampleDatabase(REPO_ROOT / ".hypothesis" / f"examples-{worker}")
    hypothesis.settings.register_profile("doithoai", database=examples)
    hypothesis.settings.load_profile("doithoai")


def pytest_unconfigure(config: pytest.Config) -> None:
    config.stash[_CHROMIUM].stop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Tell ``chromium``'s teardown, which runs next, whether to keep Chromium."""
    uses = getattr(nextitem, "fixturenames", ())
    item.config.stash[_CHROMIUM].next_needs_it = "chromium" in uses


@pytest.fixture
def chromium(request: pytest.FixtureRequest) -> Iterator[Browser]:
    """This worker's headless Chromium (a Playwright sync ``Browser``).

    Open pages in a fresh context per test: ``context = chromium.new_context()``
    ... ``context.close()``. Tests using it must be plain ``def`` tests, and
    async fixtures must not depend on it: the sync API cannot run inside a
    running asyncio loop. It is function-scoped on purpose (see ``_Chromium``):
    only function-scoped fixtures can build on it.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium "
            "(`apt-get install chromium`, or run `make test`, which installs it)",
            pytrace=False,
        )
    session = request.config.stash[_CHROMIUM]
    session.next_needs_it = False
    try:
        yield session.browser()
    finally:
        if not session.next_needs_it:
            session.stop()


@pytest.fixture(scope="module")
def admin(site: ServerProcess) -> Iterator[StaffClient]:
    """The administrator, signed in over HTTP to the module's ``site``."""
    with StaffClient(site.url, "admin") as staff:
        yield staff


@pytest.fixture(scope="module")
def producer(site: ServerProcess) -> Iterator[StaffClient]:
    """The producer, signed in over HTTP to the module's ``site``."""
    with StaffClient(site.url, "producer") as staff:
        yield staff
