"""`doithoai user` and `doithoai token` from a terminal, against real Redis."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from tests.helpers import REPO_ROOT, ServerProcess


def run(redis_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOITHOAI_")}
    env.update(REDIS_URL=redis_url, PYTHONPATH=str(REPO_ROOT))
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip


def test_user_lifecycle_and_tokens(redis_url: str) -> None:
    """Add, list, passwd, disable and enable an account; make, use and revoke a token."""
    added = run(redis_url, "user", "add", "lan", "--role", "moderator", "--role", "producer",
                "--password-stdin", stdin="mot-mat-khau-dai\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "lan\tmoderator,producer" in run(redis_url, "user", "list").stdout
    short = run(redis_url, "user", "passwd", "lan", "--password-stdin", stdin="ngan\n")
    assert short.returncode == 1 and "at least" in short.stderr
    no_tty = run(redis_url, "user", "passwd", "lan")
    assert no_tty.returncode == 1 and "--password-stdin" in no_tty.stderr
    assert (
        run(redis_url, "user", "passwd", "nobody", "--password-stdin", stdin="x" * 12).returncode
        == 1
    )

    made = run(
        redis_url, "token", "create", "--user", "lan", "--role", "producer", "--label", "vmix"
    )
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("dt_") and secret not in made.stderr
    listed = run(redis_url, "token", "list").stdout
    token_id = listed.split("\t")[0]
    assert "\tlan\tproducer\t*\t" in listed and secret not in listed
    assert run(redis_url, "token", "create", "--user", "lan", "--role", "admin").returncode == 1

    with ServerProcess(env={"REDIS_URL": redis_url}) as server:
        who = httpx.get(
            f"{server.url}/api/v1/session", headers={"Authorization": f"Bearer {secret}"}
        )
        assert who.json()["roles"] == ["producer"]
        assert run(redis_url, "user", "disable", "lan").returncode == 0
        assert "(disabled)" in run(redis_url, "user", "list").stdout
        assert (
            httpx.get(
                f"{server.url}/api/v1/session", headers={"Authorization": f"Bearer {secret}"}
            ).status_code
            == 401
        )
        assert run(redis_url, "user", "enable", "lan").returncode == 0
        assert run(redis_url, "token", "revoke", token_id).returncode == 0
        assert run(redis_url, "token", "revoke", token_id).returncode == 1
        gone = httpx.get(
            f"{server.url}/api/v1/session", headers={"Authorization": f"Bearer {secret}"}
        )
        assert gone.status_code == 401
