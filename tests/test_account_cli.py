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
    assert run(redis_url, "dialogue", "create", "hoi-dap", "Hỏi đáp").returncode == 0
    added = run(redis_url, "user", "add", "lan", "--role", "moderator", "--role", "producer",
                "--dialogue", "hoi-dap", "--password-stdin",
                stdin="mot-mat-khau-dai\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "lan\thoi-dap:moderator,producer" in run(redis_url, "user", "list").stdout
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
        assert who.json()["memberships"] == {"hoi-dap": ["moderator", "producer"]}
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


def test_memberships_from_the_terminal(redis_url: str) -> None:
    """Roles are held in dialogues: ``user add`` names them, ``user roles
    --dialogue`` changes one (an empty list ends it), and only admin is an
    account-wide role."""
    for slug in ("hue", "da-nang"):
        assert run(redis_url, "dialogue", "create", slug, f"Đối thoại {slug}").returncode == 0
    password = "mot-mat-khau-dai\n"
    nowhere = run(redis_url, "user", "add", "mai", "--role", "moderator", "--password-stdin",
                  stdin=password)  # fmt: skip
    assert nowhere.returncode == 1 and "--dialogue" in nowhere.stderr
    unknown = run(redis_url, "user", "add", "mai", "--role", "official", "--dialogue", "khong-co",
                  "--password-stdin", stdin=password)  # fmt: skip
    assert unknown.returncode == 1 and "khong-co" in unknown.stderr
    assert run(redis_url, "user", "add", "mai", "--role", "official", "--dialogue", "hue",
               "--password-stdin", stdin=password).returncode == 0  # fmt: skip
    changed = run(redis_url, "user", "roles", "mai", "--dialogue", "da-nang", "--roles",
                  "moderator,producer")  # fmt: skip
    assert changed.stdout.strip() == "mai: da-nang:moderator,producer hue:official"
    ended = run(redis_url, "user", "roles", "mai", "--dialogue", "hue", "--roles", "")
    assert ended.stdout.strip() == "mai: da-nang:moderator,producer"
    wide = run(redis_url, "user", "roles", "mai", "--roles", "moderator")
    assert wide.returncode == 1 and "--dialogue" in wide.stderr
    made_admin = run(redis_url, "user", "roles", "mai", "--roles", "admin")
    assert made_admin.stdout.strip() == "mai: admin da-nang:moderator,producer"
    assert run(redis_url, "user", "add", "an", "--role", "admin", "--password-stdin",
               stdin=password).returncode == 0  # fmt: skip
    assert "an\tadmin" in run(redis_url, "user", "list").stdout
