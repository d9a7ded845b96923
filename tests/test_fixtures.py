"""The shared fixtures work: Redis answers, Chromium renders, both mix with asyncio tests."""

from __future__ import annotations

import os
import signal
import urllib.request

import pytest
import redis
import redis.asyncio
from playwright.sync_api import Browser

from tests.helpers import ServerProcess

# A Ctrl-C'd server has shut down gracefully when it exits 0 or 130, or by
# SIGINT itself: uvicorn re-raises the signal once its shutdown is complete.
GRACEFUL_EXIT = (0, 130, -signal.SIGINT)


def test_redis_url_answers_ping(redis_url: str) -> None:
    """The session Redis answers PING on a TCP port that is not the shared 6379."""
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.ping() is True
        assert client.connection_pool.connection_kwargs["port"] != 6379
    finally:
        client.close()


def test_redis_url_starts_empty(redis_url: str) -> None:
    """Each test gets the session Redis emptied."""
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.dbsize() == 0
        client.set("left-behind", "1")
    finally:
        client.close()


@pytest.mark.browser
def test_chromium_reads_title_of_data_url(chromium: Browser) -> None:
    """Chromium opens a data: URL page and reports its title."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.goto("data:text/html;charset=utf-8,<title>xin chào</title><p>đối thoại</p>")
        assert page.title() == "xin chào"
        assert page.text_content("p") == "đối thoại"
    finally:
        context.close()


async def test_asyncio_runs_after_a_browser_test(redis_url: str) -> None:
    """An asyncio test after a browser test still gets a working event loop."""
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        assert await client.ping() is True
        assert await client.dbsize() == 0
    finally:
        await client.aclose()


@pytest.mark.browser
def test_chromium_works_after_an_asyncio_test(chromium: Browser) -> None:
    """The session browser still answers after an asyncio test ran in between."""
    context = chromium.new_context()
    try:
        page = context.new_page()
        page.set_content("<title>lần hai</title>")
        assert page.title() == "lần hai"
    finally:
        context.close()


@pytest.mark.e2e
def test_server_process_waits_for_healthz_and_stops_on_sigint(redis_url: str) -> None:
    """ServerProcess returns once /healthz answers, and SIGINT stops the server cleanly."""
    server = ServerProcess(env={"REDIS_URL": redis_url}).start()
    try:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
            assert response.status == 200
    finally:
        status = server.stop()
    assert status in GRACEFUL_EXIT, server.output()


@pytest.mark.e2e
def test_server_process_reports_output_when_the_server_dies() -> None:
    """A server that exits before it is ready raises at once with what it
    printed: that it exited, not that it did not answer in time."""
    server = ServerProcess(env={"DOITHOAI_LOG_LEVEL": "loud"}, ready_timeout=600)
    with pytest.raises(RuntimeError, match="exited with status") as info:
        server.start()
    assert "DOITHOAI_LOG_LEVEL" in str(info.value)
    server.stop()


@pytest.mark.e2e
def test_server_on_embedded_redis_stops_it_on_sigint() -> None:
    """Without REDIS_URL the server runs its own redis-server and stops it on Ctrl-C."""
    server = ServerProcess().start()
    try:
        pid_file = server.workdir / "var" / "redis.pid"
        redis_pid = int(pid_file.read_text())
        os.kill(redis_pid, 0)
    finally:
        status = server.stop()
    assert status in GRACEFUL_EXIT, server.output()
    with pytest.raises(ProcessLookupError):
        os.kill(redis_pid, 0)
