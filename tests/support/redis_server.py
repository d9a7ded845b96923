"""A private redis-server on a free loopback port (never 6379): the
session's (``tests/conftest.py``), and the ones tests stop, kill or starve
of disk themselves."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import redis

from server.store.embedded import find_redis_server
from tests.helpers import free_port

START_TIMEOUT = 20.0
START_ATTEMPTS = 3  # another process may take the free port before Redis binds it


def start_redis(workdir: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """A redis-server without persistence, its files and its log in
    ``workdir``, once it answers: the process and its URL. ``options`` are
    more command-line arguments, which win over those (``--appendonly yes``)."""
    log_path = workdir / "redis.log"
    failures = []
    for _ in range(START_ATTEMPTS):
        port = free_port()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [find_redis_server(), "--port", str(port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", str(workdir), *options],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1.0)
        deadline = time.monotonic() + START_TIMEOUT
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


def stop_redis(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within 10 s."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
