"""General test helpers: free ports, readiness polling, and real server processes.

Nothing here sleeps for a fixed time to "let things start": every wait polls a
readiness condition with a deadline and fails with the process output.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from server.config import SETTINGS

REPO_ROOT = Path(__file__).resolve().parent.parent
POLL_INTERVAL = 0.05
#: How often a server is started again on another port when its own was taken.
PORT_ATTEMPTS = 3
ADDRESS_IN_USE = "address already in use"
#: DOITHOAI_INTAKE_BLOCK of the test servers (seconds).
INTAKE_BLOCK = "0.2"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the OS picks it; never 6379)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port != 6379:
            return port


def wait_for_http(url: str, timeout: float = 30.0, check: Callable[[], None] | None = None) -> None:
    """Poll ``url`` until it answers 200; raise TimeoutError with the last error.

    ``check`` runs before every attempt and may raise to give up early (e.g.
    when the server process has died).
    """
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        if check is not None:
            check()
        try:
            with urllib.request.urlopen(url, timeout=2.0) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            exc.close()
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} did not answer 200 within {timeout:g} s (last: {last})")
        time.sleep(POLL_INTERVAL)


class ServerProcess:
    """``python -m server <args>`` as a subprocess, ready once ``GET /healthz`` is 200.

    The environment is the test runner's minus every doithoai setting (so a
    developer's shell cannot change a test), plus ``DOITHOAI_HOST``,
    ``DOITHOAI_PORT``, a private ``DOITHOAI_DATA_DIR``, ``DOITHOAI_INTAKE_WORKERS=0``
    (intake in the node: see below) and then ``env``. Output
    goes to a temp file, printed on failure and at ``stop()`` (pytest shows it
    when the test fails). Use as a context manager or call ``start()``/``stop()``.
    """

    def __init__(
        self,
        args: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        ready_timeout: float = 30.0,
    ) -> None:
        self.host = host
        #: Whether the port is ours to choose again when another process took
        #: it between ``free_port`` and the server's bind (other test workers
        #: pick ports too).
        self._own_port = port is None and args is None
        self.port = port if port is not None else free_port(host)
        self._args = list(args) if args is not None else None
        self.ready_timeout = ready_timeout
        # Short, under /tmp: an embedded Redis puts its unix socket in the data dir.
        self.workdir = Path(tempfile.mkdtemp(prefix="dt-srv-", dir="/tmp"))
        self.output_path = self.workdir / "output.log"
        self.env = clean_env()
        self.env.update(
            {
                "DOITHOAI_HOST": self.host,
                "DOITHOAI_PORT": str(self.port),
                "DOITHOAI_DATA_DIR": str(self.workdir / "var"),
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
                ),
                "PYTHONUNBUFFERED": "1",
                # Intake in the node's own loop, not in a `doithoai intake`
                # child: a worker costs about a second of CPU to start, and
                # a test's server lives a few seconds. The tests of the
                # workers themselves (tests/e2e/test_intake_workers.py, and
                # any test that passes its own DOITHOAI_INTAKE_WORKERS in
                # ``env``) keep them.
                "DOITHOAI_INTAKE_WORKERS": "0",
                # Intake and the notifier look for new dialogues every 0.2 s,
                # not every second: most tests make a dialogue (or empty
                # Redis) under a running server and then ask in it at once.
                "DOITHOAI_INTAKE_BLOCK": INTAKE_BLOCK,
            }
        )
        self.env.update(env or {})
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def args(self) -> list[str]:
        if self._args is not None:
            return self._args
        return ["serve", "--host", self.host, "--port", str(self.port)]

    def start(self) -> ServerProcess:
        """Start the process and wait until ``/healthz`` answers 200 (on a
        port of its own: one taken meanwhile by another process is changed)."""
        for _ in range(PORT_ATTEMPTS):
            try:
                return self._start()
            except RuntimeError:
                if not (self._own_port and ADDRESS_IN_USE in self.output()):
                    raise
            self.port = free_port(self.host)
            self.env["DOITHOAI_PORT"] = str(self.port)
        return self._start()

    def _start(self) -> ServerProcess:
        with open(self.output_path, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server", *self.args],
                env=self.env,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_http(f"{self.url}/healthz", self.ready_timeout, check=self._check_alive)
        except BaseException as exc:
            self.kill()
            raise RuntimeError(f"server did not become ready: {exc}\n{self._banner()}") from exc
        return self

    def output(self) -> str:
        """Everything the process has printed so far."""
        try:
            return self.output_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGINT (a Ctrl-C: graceful shutdown), wait; SIGKILL after ``timeout``.

        Returns the exit status. Prints the captured output.
        """
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                print(f"server did not stop within {timeout:g} s of SIGINT; killed it")
        print(self._banner())
        shutil.rmtree(self.workdir, ignore_errors=True)
        return process.returncode

    def kill(self) -> None:
        """SIGKILL the process, as a crash would (no shutdown code runs)."""
        process = self.process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _check_alive(self) -> None:
        assert self.process is not None
        code = self.process.poll()
        if code is not None:
            raise RuntimeError(f"server exited with status {code} before it was ready")

    def _banner(self) -> str:
        command = " ".join(["python -m server", *self.args])
        return f"----- output of `{command}` ({self.url}) -----\n{self.output()}-----"


_SETTING_NAMES = frozenset(setting.env for setting in SETTINGS)


def clean_env() -> dict[str, str]:
    """The test runner's environment without any doithoai setting, and with
    the repository importable: what every server process of the tests starts from."""
    env = {k: v for k, v in os.environ.items() if k not in _SETTING_NAMES}
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    return env
