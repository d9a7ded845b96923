"""A node whose Redis is gone, or out of disk: every request is answered,
with 503 ``unavailable`` and Retry-After where Redis was needed and could
not serve, never with a 500.

- Redis gone: the API, /readyz and a feed's handshake answer 503 (/healthz,
  the process alive, still 200); a page
  answers the error page saying the service is briefly interrupted
  (Vietnamese first); an open staff socket closes with 1011 "unavailable",
  not 1000.
- Redis's disk full (a small tmpfs, mounted as root: the test fails where it
  cannot mount one, as in CI, which runs as root), with either fsync policy:
  everysec makes Redis refuse writes (MISCONF) and still read; always makes
  it exit. Either way, 503s and never a 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from server.actions import build
from server.domain.model import Role
from tests.helpers import ServerProcess
from tests.support.questions import published, screened
from tests.support.redis_server import start_redis, stop_redis
from tests.support.staff import AsyncStaffClient, add_accounts, create_dialogue, sign_in
from tests.support.store import opened, run
from tests.support.waiting import eventually

pytestmark = pytest.mark.e2e

SLUG = "hue"
API = f"/api/v1/dialogues/{SLUG}"
#: What the error page says in Vietnamese (the catalog's) when Redis is away.
INTERRUPTED = "Tạm thời gián đoạn"
#: The small disk Redis writes its AOF to, and the questions waiting for a
#: moderator to act on while it fills.
DISK = "2m"
PENDING = 60
UNLIMITED = {
    "DOITHOAI_SUBMIT_LIMIT": "0",
    "DOITHOAI_DEVICE_LIMIT": "0",
    "DOITHOAI_VOTE_LIMIT": "0",
    "DOITHOAI_VOTER_LIMIT": "0",
    # As deployed: intake in a worker process, which must ride out the outage too.
    "DOITHOAI_INTAKE_WORKERS": "1",
}
#: Rounds of every kind of request after Redis first refused a write.
ROUNDS_AFTER = 10


@dataclass
class Site:
    """A node on a Redis of the test's own, with a live dialogue, one
    published question and ``pending`` ones for the moderator to approve."""

    redis: subprocess.Popen[bytes]
    server: ServerProcess
    qid: str
    pending: list[str]


@contextlib.contextmanager
def site(workdir: Path, *options: str) -> Iterator[Site]:
    """``Site`` on a redis-server started with ``options``."""
    process, url = start_redis(workdir, *options)
    try:
        add_accounts(url, ["moderator"])
        members = {"moderator": {Role.MODERATOR}}
        create_dialogue(url, members, slug=SLUG, title="Huế", status="live")

        async def seed() -> tuple[list[str], list[str]]:
            async with opened(url) as store:
                actions = build(store)
                dialogue = await actions.dialogues.get(SLUG)
                return await published(actions, dialogue), await screened(
                    actions, dialogue, PENDING
                )

        voted, pending = run(seed())
        with ServerProcess(env={"REDIS_URL": url, **UNLIMITED}) as server:
            yield Site(process, server, voted[0], pending)
    finally:
        stop_redis(process)


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="dt-outage-") as path:
        yield Path(path)


def assert_unavailable(response: httpx.Response, says: str = INTERRUPTED) -> None:
    """503 ``unavailable`` with Retry-After: the API's body, or for a page the
    error page, which ``says`` so."""
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) >= 1
    if response.headers["content-type"].startswith("text/html"):
        assert says in response.text
    else:
        assert response.json()["error"]["code"] == "unavailable"


async def test_redis_gone(workdir: Path) -> None:
    """Redis killed: an open staff socket closes with 1011 "unavailable"; the
    API, a page, /readyz and a feed's handshake answer 503; /healthz 200."""
    with site(workdir) as it:
        base = it.server.url
        moderator = await sign_in(base, "moderator")
        console = base.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/console"
        headers = {"Cookie": moderator.cookie_header}
        try:
            async with connect(console, origin=Origin(base), additional_headers=headers) as ws:
                assert json.loads(await ws.recv())["type"] == "snapshot"
                it.redis.kill()
                it.redis.wait()
                with pytest.raises(ConnectionClosed) as closed:
                    while True:
                        await ws.recv()
            assert closed.value.rcvd is not None
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1011, "unavailable")
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                assert_unavailable(await client.get(API))
                assert_unavailable(await client.get("/readyz"))
                assert (await client.get("/healthz")).status_code == 200
                page = await client.get(f"/d/{SLUG}", headers={"Accept": "text/html"})
                assert_unavailable(page)
                assert page.headers["content-type"].startswith("text/html")
                english = await client.get(
                    f"/d/{SLUG}?lang=en", headers={"Accept": "text/html,*/*"}
                )
                assert_unavailable(english, "Temporarily unavailable")
                assert_unavailable(await moderator.act(SLUG, it.pending[0], "approve"))
            feed = base.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/feed"
            with pytest.raises(InvalidStatus) as refused:
                await connect(feed)
            assert refused.value.response.status_code == 503
        finally:
            await moderator.aclose()
    assert "Traceback" not in it.server.output()


@dataclass
class Load:
    """Every kind of request, round after round, each answered and recorded."""

    client: httpx.AsyncClient
    staff: AsyncStaffClient
    it: Site
    answers: dict[str, list[int]] = field(default_factory=dict)
    rounds: int = 0

    async def one_round(self) -> None:
        n = self.rounds
        self.rounds += 1
        body = {
            "text": f"Xin hỏi lộ trình số hóa hồ sơ của phường số {n}?",
            "name": "Trần Thị Bình",
            "submission_id": f"disk-full-{n:06d}",
        }
        requests = {
            "submit": self.client.post(f"{API}/questions", json=body),
            "vote": self.client.post(
                f"{API}/questions/{self.it.qid}/votes", json={"voter": f"voter-{n:08d}"}
            ),
            "dialogue": self.client.get(API),
            "feed": self.client.get(f"{API}/feed"),
            "page": self.client.get(f"/d/{SLUG}", headers={"Accept": "text/html"}),
            "readyz": self.client.get("/readyz"),
            "approve": self.staff.act(SLUG, self.it.pending[n % PENDING], "approve"),
        }
        responses = await asyncio.gather(*requests.values())
        for kind, response in zip(requests, responses, strict=True):
            self.answers.setdefault(kind, []).append(response.status_code)
            assert response.status_code != 500, f"{kind}: {response.text}"
            if response.status_code == 503:
                assert_unavailable(response)

    def refused(self, kind: str) -> bool:
        return 503 in self.answers.get(kind, [])


def fill(disk: Path) -> None:
    """Write to ``disk`` until it has no space left."""
    with open(disk / "filler", "wb") as filler, contextlib.suppress(OSError):
        while True:
            filler.write(b"\0" * 65536)
            filler.flush()


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A tmpfs of ``DISK`` mounted for the test (as root). Where mounting is
    not permitted the test fails: it must run where it proves something."""
    mount = Path(tempfile.mkdtemp(prefix="dt-disk-", dir="/tmp"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        mount.rmdir()
        pytest.fail(f"cannot mount a tmpfs (run as root): {done.stderr.strip()}", pytrace=False)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


@pytest.mark.parametrize("appendfsync", ["everysec", "always"])
async def test_disk_full(workdir: Path, small_disk: Path, appendfsync: str) -> None:
    """Redis's AOF on a disk that fills up under a load of every kind of
    request: each is answered, with 503 where Redis could not serve it and
    never with a 500; with everysec (MISCONF: writes refused) the dialogue
    still reads."""
    options = ("--dir", str(small_disk), "--appendonly", "yes", "--appendfsync", appendfsync)
    with site(workdir, *options) as it:
        moderator = await sign_in(it.server.url, "moderator")
        try:
            async with httpx.AsyncClient(base_url=it.server.url, timeout=30) as client:
                load = Load(client, moderator, it)
                await load.one_round()
                assert load.answers["submit"] == [202], load.answers
                fill(small_disk)

                async def writes_refused() -> bool:
                    await load.one_round()
                    return load.refused("submit")

                await eventually(writes_refused, "Redis refusing a write on a full disk")
                for _ in range(ROUNDS_AFTER):
                    await load.one_round()
        finally:
            await moderator.aclose()
    last = {kind: statuses[-ROUNDS_AFTER:] for kind, statuses in load.answers.items()}
    assert set(last["submit"]) == set(last["approve"]) == {503}, last
    if appendfsync == "everysec":
        assert set(last["dialogue"]) == set(last["feed"]) == set(last["page"]) == {200}, last
    else:
        assert all(set(statuses) == {503} for statuses in last.values()), last
