"""The private redis-server: starts, keeps data across restarts, stops, recovers left-overs."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from server import datadir
from server.app import secret_key
from server.config import Settings
from server.store.embedded import EmbeddedRedis, find_redis_server
from tests.helpers import REPO_ROOT
from tests.support.waiting import eventually


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A short data dir under /tmp (pytest's tmp_path can exceed the socket path limit)."""
    root = Path(tempfile.mkdtemp(prefix="dt-emb-", dir="/tmp"))
    yield root / "var"
    # A failed test must not leave a redis-server behind.
    for pid_file in root.rglob("redis.pid"):
        pid = int(pid_file.read_text())
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _client(server: EmbeddedRedis) -> redis.Redis:
    return redis.Redis.from_url(server.url, decode_responses=True)


def test_find_redis_server_returns_an_executable() -> None:
    """find_redis_server names an executable redis-server."""
    binary = find_redis_server()
    assert os.access(binary, os.X_OK)
    assert Path(binary).name == "redis-server"


def test_starts_with_aof_on_a_private_unix_socket(data_dir: Path) -> None:
    """start() creates the data dir and serves Redis with AOF on a 0700 unix socket only."""
    server = EmbeddedRedis(data_dir)
    server.start()
    try:
        assert server.url == f"unix://{data_dir}/redis.sock"
        client = _client(server)
        assert client.ping() is True
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        assert client.config_get("appendfsync") == {"appendfsync": "everysec"}
        assert client.config_get("port") == {"port": "0"}
        assert (data_dir / "redis.sock").stat().st_mode & 0o777 == 0o700
        assert int((data_dir / "redis.pid").read_text()) == server.pid
        client.close()
    finally:
        server.stop()


def test_start_is_idempotent(data_dir: Path) -> None:
    """A second start() on a started server keeps the same process."""
    server = EmbeddedRedis(data_dir, appendfsync="always")
    server.start()
    try:
        pid = server.pid
        server.start()
        assert server.pid == pid
        client = _client(server)
        assert client.config_get("appendfsync") == {"appendfsync": "always"}
        client.close()
    finally:
        server.stop()


def test_data_survives_stop_and_start(data_dir: Path) -> None:
    """What was written before stop() is there after start() on the same data dir (AOF)."""
    first = EmbeddedRedis(data_dir)
    first.start()
    client = _client(first)
    client.set("câu hỏi", "xin chào")
    client.xadd("events", {"type": "question.received"})
    client.close()
    first.stop()

    second = EmbeddedRedis(data_dir)
    second.start()
    try:
        assert second.pid != first.pid
        client = _client(second)
        assert client.get("câu hỏi") == "xin chào"
        assert client.xlen("events") == 1
        client.close()
    finally:
        second.stop()


def test_stop_leaves_no_process(data_dir: Path) -> None:
    """stop() shuts the server down, removes its socket and pid file, and is idempotent."""
    server = EmbeddedRedis(data_dir)
    server.start()
    pid = server.pid
    assert pid is not None and _alive(pid)
    server.stop()
    assert not _alive(pid)
    assert server.pid is None
    assert not (data_dir / "redis.pid").exists()
    assert not (data_dir / "redis.sock").exists()
    server.stop()


def test_stale_pid_file_is_replaced(data_dir: Path) -> None:
    """A pid file naming a dead process, and its dead socket, do not stop a fresh start."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    data_dir.mkdir(parents=True)
    (data_dir / "redis.pid").write_text(f"{dead.pid}\n")
    (data_dir / "redis.sock").write_text("not a socket")

    server = EmbeddedRedis(data_dir)
    server.start()
    try:
        assert server.pid != dead.pid
        assert not server.reused
        assert int((data_dir / "redis.pid").read_text()) == server.pid
        client = _client(server)
        assert client.ping() is True
        client.close()
    finally:
        server.stop()


def test_left_over_server_of_a_killed_run_is_reused(data_dir: Path) -> None:
    """A server whose app was SIGKILLed is adopted by the next start(), and stop() ends it."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        import redis
        from server.store.embedded import EmbeddedRedis
        server = EmbeddedRedis(Path({str(data_dir)!r}))
        server.start()
        redis.Redis.from_url(server.url).set("from", "the killed run")
        print(server.pid, flush=True)
        time.sleep(120)
        """
    )
    app = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert app.stdout is not None
    line = app.stdout.readline()
    app.kill()
    app.wait()
    app.stdout.close()
    left_over = int(line)
    assert _alive(left_over)

    server = EmbeddedRedis(data_dir)
    server.start()
    assert server.pid == left_over
    assert server.reused
    client = _client(server)
    assert client.get("from") == "the killed run"
    client.close()
    server.stop()
    assert not _alive(left_over)


async def test_supervise_starts_a_killed_server_again(data_dir: Path) -> None:
    """A supervised server killed with SIGKILL is started again on its files
    (what it had written is there); after stop() it is not."""
    server = EmbeddedRedis(data_dir, appendfsync="always")
    server.start()
    supervisor = asyncio.create_task(server.supervise())
    try:
        client = _client(server)
        client.set("câu hỏi", "còn đây")
        client.close()
        killed = server.pid
        assert killed is not None
        os.kill(killed, signal.SIGKILL)

        async def restarted() -> bool:
            return server.running() and server.pid != killed

        await eventually(restarted, "the supervisor starting the server again")
        client = _client(server)
        assert client.get("câu hỏi") == "còn đây"
        client.close()
    finally:
        await asyncio.to_thread(server.stop)
    server.restart()  # what a supervisor a moment late would do: nothing now
    assert server.pid is None and not server.running()
    supervisor.cancel()
    await asyncio.wait([supervisor])


def test_deep_data_dir_gets_a_short_socket_path(data_dir: Path) -> None:
    """A data dir too deep for a unix socket path still works, and keeps its socket path."""
    deep = data_dir / ("sâu" * 12) / ("x" * 60)
    server = EmbeddedRedis(deep)
    assert len(os.fsencode(f"{deep}/redis.sock")) > 107
    assert len(os.fsencode(server.url.removeprefix("unix://"))) <= 100
    assert EmbeddedRedis(deep).url == server.url
    server.start()
    try:
        client = _client(server)
        assert client.ping() is True
        client.close()
        assert (deep / "appendonlydir").is_dir() or (deep / "appendonly.aof").exists()
    finally:
        server.stop()
        shutil.rmtree(Path(server.url.removeprefix("unix://")).parent, ignore_errors=True)


def test_failed_start_reports_the_log(data_dir: Path) -> None:
    """A redis-server that exits at start-up raises at once, quoting what it printed."""
    fake = data_dir.parent / "redis-server"
    fake.write_text("#!/bin/sh\necho 'FATAL: bad config directive' >&2\nexit 1\n")
    fake.chmod(0o755)
    server = EmbeddedRedis(data_dir, binary=str(fake))
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="exited during start-up") as info:
        server.start()
    assert "FATAL: bad config directive" in str(info.value)
    assert time.monotonic() - started < 10
    assert server.pid is None


def test_bad_appendfsync_is_refused() -> None:
    """The constructor refuses an fsync policy Redis does not have."""
    with pytest.raises(ValueError, match="appendfsync"):
        EmbeddedRedis(Path("/tmp/unused"), appendfsync="sometimes")


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, so that files made without care would be readable by others."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _shared(root: Path) -> list[str]:
    """``root`` and everything in it that its group or other users may use."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = path.lstat().st_mode
        if mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {stat.filemode(mode)}")
    return found


def _rewrite_aof(client: redis.Redis) -> None:
    """BGREWRITEAOF, waited for: Redis makes its new AOF files."""
    client.bgrewriteaof()
    deadline = time.monotonic() + 30
    while True:
        info = client.info("persistence")
        if not info["aof_rewrite_in_progress"] and not info["aof_rewrite_scheduled"]:
            return
        assert time.monotonic() < deadline, "the AOF rewrite did not finish"
        time.sleep(0.02)


def test_data_dir_is_0700_and_redis_files_0600(data_dir: Path, umask_022: None) -> None:
    """The data dir is made 0700; the AOF (and its rewrites), pid file, log,
    socket and secret key are the owner's alone."""
    server = EmbeddedRedis(data_dir)
    server.start()
    try:
        client = _client(server)
        client.hset("{d:1}:contact:1", mapping={"phone": "+84912345678"})
        _rewrite_aof(client)
        client.hset("{d:1}:contact:2", mapping={"email": "lan@example.vn"})
        client.close()
        secret_key(Settings(data_dir=data_dir))
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        assert (data_dir / "appendonlydir").is_dir() and (data_dir / "secret_key").is_file()
        assert _shared(data_dir) == []
    finally:
        server.stop()
    assert _shared(data_dir) == []  # the AOF as SHUTDOWN left it


def test_an_older_runs_readable_files_are_tightened(data_dir: Path, umask_022: None) -> None:
    """A data dir an older version left 0755, with its AOF, log and secret key
    readable by all, is tightened at start; a file of someone else's in it is
    not touched."""
    first = EmbeddedRedis(data_dir)
    first.start()
    first.stop()
    secret_key(Settings(data_dir=data_dir))
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    (data_dir / "notes.txt").write_text("the operator's own file")
    (data_dir / "notes.txt").chmod(0o644)

    second = EmbeddedRedis(data_dir)
    second.start()
    try:
        key = secret_key(Settings(data_dir=data_dir))
        assert key
    finally:
        second.stop()
    assert stat.S_IMODE((data_dir / "notes.txt").stat().st_mode) == 0o644
    (data_dir / "notes.txt").unlink()
    assert _shared(data_dir) == []


def test_the_secret_key_alone_makes_a_private_data_dir(tmp_path: Path, umask_022: None) -> None:
    """With REDIS_URL (no embedded Redis), the secret key still makes its data
    dir 0700 and itself 0600, and keeps its value."""
    data_dir = tmp_path / "var"
    first = secret_key(Settings(data_dir=data_dir))
    assert secret_key(Settings(data_dir=data_dir)) == first
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / "secret_key").stat().st_mode) == 0o600


def test_a_node_starting_meanwhile_reads_the_whole_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that looks for the data dir's secret key while another is
    still writing it (two nodes, or a node and its intake worker, starting on
    one data dir) reads the key that is kept, never a file half written (an
    empty key signs sessions anyone can forge), and no draft is left behind.
    The other process is played here by a second call made at the worst
    moment: once the first has opened its file, before it writes a byte."""
    data_dir = tmp_path / "var"
    real_fdopen = os.fdopen
    meanwhile: list[bytes] = []

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        if not meanwhile:
            meanwhile.append(b"")
            meanwhile[0] = secret_key(Settings(data_dir=data_dir))
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(datadir.os, "fdopen", fdopen)
    first = secret_key(Settings(data_dir=data_dir))
    assert len(first) >= 32 and meanwhile == [first]
    assert sorted(p.name for p in data_dir.iterdir()) == ["secret_key"]
