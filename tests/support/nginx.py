"""Debian's nginx running a site of deploy/ in a private prefix: the site
beside the shared snippets it includes (deploy/nginx-shared/ as
``doithoai/``, where deploy/README.md installs them), under an http block
as Debian's /etc/nginx/nginx.conf has."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from tests.helpers import REPO_ROOT

NGINX = Path("/usr/sbin/nginx")
SHARED = REPO_ROOT / "deploy" / "nginx-shared"
START_TIMEOUT = 20.0


def prefix(tmp: Path, site: str) -> Path:
    """Lay out ``tmp`` as nginx's prefix with ``site`` enabled; its main config."""
    assert NGINX.exists(), f"{NGINX} is missing: `make test` installs Debian's nginx"
    shutil.copytree(SHARED, tmp / "doithoai")
    (tmp / "logs").mkdir()
    (tmp / "site.conf").write_text(site)
    main = tmp / "nginx.conf"
    main.write_text(
        f"pid {tmp}/nginx.pid; error_log {tmp}/error.log; events {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp}/body; "
        f"proxy_temp_path {tmp}/proxy;\ninclude site.conf;\n}}\n"
    )
    return main


def check(main: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` of the prefix ``main`` is in."""
    return subprocess.run(
        [str(NGINX), "-t", "-p", str(main.parent), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextlib.contextmanager
def running(main: Path, port: int) -> Iterator[None]:
    """nginx on the prefix of ``main``, once it accepts on ``port``."""
    process = subprocess.Popen(
        [str(NGINX), "-p", str(main.parent), "-c", str(main), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        process.wait(10)
        if process.stderr:
            process.stderr.close()
