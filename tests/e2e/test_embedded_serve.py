"""`doithoai serve` on its embedded Redis: starts it, keeps the data across a
restart of the app, and stops it with the app."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import httpx

from server.store.embedded import EmbeddedRedis
from tests.helpers import ServerProcess
from tests.support.store import with_actions

GRACEFUL = (0, 130, -2)


def gone(pid: int) -> bool:
    """The process has exited. An orphan whose parent was killed may linger as
    a zombie here (PID 1 of this sandbox does not reap): that counts as gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _seed(url: str) -> None:
    with_actions(
        url, lambda actions: actions.dialogues.create(slug="hue", title="Huế", status="live")
    )


def test_data_survives_a_restart_of_serve() -> None:
    """A question accepted before a restart is there after it, with its tracking code;
    the redis-server is gone after each stop."""
    data_dir = Path(tempfile.mkdtemp(prefix="dt-emb-", dir="/tmp")) / "var"
    env = {"DOITHOAI_DATA_DIR": str(data_dir), "DOITHOAI_SUBMIT_LIMIT": "0"}
    try:
        first = ServerProcess(env=env).start()
        try:
            _seed(EmbeddedRedis(data_dir).url)
            body = {
                "text": "Khi nào phường tôi có wifi công cộng miễn phí?",
                "name": "Phan Văn Hùng",
            }
            code = httpx.post(f"{first.url}/api/v1/dialogues/hue/questions", json=body).json()[
                "tracking_code"
            ]
            redis_pid = int((data_dir / "redis.pid").read_text())
        finally:
            assert first.stop() in GRACEFUL, first.output()
        assert gone(redis_pid)

        second = ServerProcess(env=env).start()
        try:
            tracked = httpx.get(f"{second.url}/api/v1/tracking/{code}")
            assert tracked.status_code == 200, second.output()
            assert tracked.json()["text"] == body["text"]
            assert tracked.json()["status"] in ("received", "pending")
            assert httpx.get(f"{second.url}/api/v1/dialogues/hue").json()["slug"] == "hue"
            second_pid = int((data_dir / "redis.pid").read_text())
        finally:
            assert second.stop() in GRACEFUL, second.output()
        assert gone(second_pid)
    finally:
        shutil.rmtree(data_dir.parent, ignore_errors=True)


def test_killed_app_leaves_redis_that_the_next_start_reuses() -> None:
    """After a SIGKILL of the app, the next start finds the left-over
    redis-server by its pid file and uses it; nothing is lost."""
    data_dir = Path(tempfile.mkdtemp(prefix="dt-emb-", dir="/tmp")) / "var"
    env = {"DOITHOAI_DATA_DIR": str(data_dir), "DOITHOAI_SUBMIT_LIMIT": "0"}
    try:
        first = ServerProcess(env=env).start()
        _seed(EmbeddedRedis(data_dir).url)
        orphan = int((data_dir / "redis.pid").read_text())
        first.kill()
        assert not gone(orphan)  # still running: the app had no chance to stop it
        second = ServerProcess(env=env).start()
        try:
            assert int((data_dir / "redis.pid").read_text()) == orphan
            assert httpx.get(f"{second.url}/api/v1/dialogues/hue").status_code == 200
        finally:
            assert second.stop() in GRACEFUL, second.output()
        assert gone(orphan)
    finally:
        shutil.rmtree(data_dir.parent, ignore_errors=True)
