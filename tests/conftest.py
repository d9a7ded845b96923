"""Fixtures shared by every test: a real Redis on a free port, and real Chromium.

- ``redis_server`` (session): a private redis-server on 127.0.0.1, never 6379.
- ``redis_url`` (function): that server, emptied (FLUSHALL) before the test.
- ``chromium`` (session): a headless Playwright (sync API) Browser on
  /usr/bin/chromium. Browser tests are plain sync tests; see ``chromium``.

General helpers (``free_port``, ``wait_for_http``, ``ServerProcess``) live in
``tests/helpers.py``.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, sync_playwright

from server.store.embedded import find_redis_server
from tests.helpers import free_port

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
REDIS_START_TIMEOUT = 20.0
REDIS_START_ATTEMPTS = 3  # another process may take the free port before Redis binds it


def _start_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    log_path = workdir / "redis.log"
    failures = []
    for _ in range(REDIS_START_ATTEMPTS):
        port = free_port()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [find_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1.0)
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        try:
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    if client.ping():
                        return process, f"redis://127.0.0.1:{port}/0"
                except redis.ConnectionError:
                    time.sleep(0.02)
        finally:
            client.close()
        if process.poll() is None:
            process.kill()
        process.wait()
        failures.append(f"port {port}, status {process.returncode}:\n{log_path.read_text()}")
    pytest.fail("redis-server did not start:\n" + "\n".join(failures), pytrace=False)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """URL (``redis://127.0.0.1:<port>/0``) of a private redis-server for this session."""
    with tempfile.TemporaryDirectory(prefix="dt-redis-") as workdir:
        process, url = _start_redis(Path(workdir))
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied before this test."""
    client = redis.Redis.from_url(redis_server)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server


class _Chromium:
    """The session's Playwright and browser, and the event loop the sync API runs on.

    Between two sync calls Playwright leaves its own loop marked as the running
    loop of the main thread, which would make every later asyncio test fail
    with "Cannot run the event loop while another loop is running". So the mark
    is held only while a test that uses ``chromium`` runs.
    """

    def __init__(self) -> None:
        self.playwright = sync_playwright().start()
        self.loop = asyncio.get_running_loop()
        try:
            self.browser = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except BaseException:
            self.playwright.stop()
            self.release()
            raise
        self.release()

    def hold(self) -> None:
        asyncio.events._set_running_loop(self.loop)

    def release(self) -> None:
        asyncio.events._set_running_loop(None)

    def close(self) -> None:
        self.hold()
        try:
            self.browser.close()
        finally:
            self.playwright.stop()
            self.release()


@pytest.fixture(scope="session")
def _chromium_session() -> Iterator[_Chromium]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium "
            "(`apt-get install chromium`, or run `make test`, which installs it)",
            pytrace=False,
        )
    session = _Chromium()
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def chromium(_chromium_session: _Chromium) -> Iterator[Browser]:
    """The session's headless Chromium (a Playwright sync ``Browser``).

    Open pages in a fresh context per test: ``context = chromium.new_context()``
    ... ``context.close()``. Tests using it must be plain ``def`` tests, and
    async fixtures must not depend on it: the sync API cannot run inside a
    running asyncio loop. It is function-scoped on purpose (see ``_Chromium``):
    only function-scoped fixtures can build on it.
    """
    _chromium_session.hold()
    try:
        yield _chromium_session.browser
    finally:
        _chromium_session.release()
