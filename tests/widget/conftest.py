"""The widget under test as a portal would have it: the app on one origin, the
demo host page (client_widget/demo/) served from others by a small static
server that sends the Content-Security-Policy docs/embedding.md asks of a
portal, and data made through the app's own Services and staff API.

- ``app`` (module): one app process on the session's Redis, heartbeats every
  second (DOITHOAI_WS_PING_INTERVAL=1) so that the dead-link check is quick.
- ``host`` / ``foreign`` (module): static servers on two more ports; only
  ``host`` is on the dialogue's ``widget_origins``.
- ``staff`` (module): the staff accounts, made and signed in once (argon2
  is slow by design).
- ``site`` (function): a live dialogue of its own (a fresh slug, so tests
  need not empty Redis under the running app) embeddable on ``host``;
  ``Site`` wraps it all for a test.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from server.actions import Services, build
from server.domain.model import Question, Role, Status
from server.store.connection import Store, connect
from tests.helpers import ServerProcess
from tests.support.portal import HostServer
from tests.support.questions import question_id
from tests.support.staff import make_members
from tests.web.seed import run

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "vendor" / "axe-core-4.14.1.min.js"
TITLE = "Đối thoại trực tuyến về chuyển đổi số"
PASSWORD = "mat-khau-widget-123"
#: Accounts of their own, so that other test modules' accounts do not clash.
STAFF = {
    "w-moderator": frozenset({Role.MODERATOR}),
    "w-official": frozenset({Role.OFFICIAL}),
    "w-producer": frozenset({Role.PRODUCER}),
}
TOPICS = [
    {"id": "chinh-quyen-so", "name": "Chính quyền số"},
    {"id": "kinh-te-so", "name": "Kinh tế số"},
]
OFFICIAL = {
    "id": "o1",
    "name": "Nguyễn Văn An",
    "title": "Giám đốc Sở Thông tin và Truyền thông",
    "username": "w-official",
}
LOCALITIES = ["Thành phố Huế", "Huyện A Lưới"]
#: The server's heartbeat period in these tests, in seconds.
HEARTBEAT = "1"
#: How long intake may take to screen a question (well under a second; the
#: margin is for a loaded machine).
INTAKE_TIMEOUT = 15.0
POLL = 0.05
_slugs = itertools.count(1)


def new_slug() -> str:
    return f"widget-{next(_slugs)}-{int(time.time() * 1000) % 10**8}"


def app_env(redis_url: str) -> dict[str, str]:
    return {
        "REDIS_URL": redis_url,
        "DOITHOAI_SUBMIT_LIMIT": "0",
        "DOITHOAI_WS_PING_INTERVAL": HEARTBEAT,
    }


@pytest.fixture(scope="module")
def app(redis_server: str) -> Iterator[ServerProcess]:
    """One app process for the module, on the session's Redis."""
    with ServerProcess(env=app_env(redis_server)) as process:
        yield process


@pytest.fixture(scope="module")
def host(app: ServerProcess) -> Iterator[HostServer]:
    """The portal whose origin the dialogue lists."""
    with HostServer(app.url) as server:
        yield server


@pytest.fixture(scope="module")
def foreign(app: ServerProcess) -> Iterator[HostServer]:
    """A portal whose origin the dialogue does not list."""
    with HostServer(app.url) as server:
        yield server


# -- data, made the app's way -----------------------------------------------------------


async def _with_store(redis_url: str, work: Any) -> Any:
    redis = connect(redis_url)
    try:
        return await work(Store(redis, 10_000, b"test-secret"))
    finally:
        await redis.aclose()


async def _with_actions(redis_url: str, work: Any) -> Any:
    return await _with_store(redis_url, lambda store: work(build(store)))


def with_actions(redis_url: str, work: Any) -> Any:
    """Run ``await work(actions)`` on the app's own Services over ``redis_url``."""
    return run(_with_actions(redis_url, work))


def add_staff(redis_url: str) -> None:
    """The ``STAFF`` accounts, with ``PASSWORD`` (members of no dialogue yet:
    ``create`` makes them members of each dialogue it makes)."""

    async def work(actions: Services) -> None:
        accounts = actions.accounts
        for username in STAFF:
            await accounts.add(username, PASSWORD)

    with_actions(redis_url, work)


def create(redis_url: str, slug: str, origins: list[str], status: str = "live") -> None:
    """The dialogue ``slug``, embeddable on ``origins``, with the ``STAFF``
    accounts as its members."""

    async def work(actions: Services) -> None:
        dialogue = await actions.dialogues.create(
            slug=slug,
            title=TITLE,
            description="Lãnh đạo tỉnh trả lời câu hỏi của người dân và doanh nghiệp.",
            status=status,
            topics=TOPICS,
            officials=[OFFICIAL],
            localities=LOCALITIES,
            widget_origins=origins,
        )
        await make_members(actions.accounts, dialogue, STAFF)

    with_actions(redis_url, work)


def questions(redis_url: str, slug: str) -> list[Question]:
    """Every question of the dialogue in the store, whatever its state."""

    async def work(store: Store) -> list[Question]:
        dialogue = await store.dialogues.by_slug(slug)
        assert dialogue is not None, slug
        _, found = await store.questions.snapshot(dialogue.id, list(Status))
        return found

    result: list[Question] = run(_with_store(redis_url, work))
    return result


class StaffClient:
    """A signed-in staff member calling the staff API as the consoles do."""

    def __init__(self, base_url: str, username: str) -> None:
        self.client = httpx.Client(base_url=base_url, headers={"Origin": base_url}, timeout=10)
        response = self.client.post(
            "/api/v1/session", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.client.headers["X-CSRF-Token"] = response.json()["csrf_token"]

    def close(self) -> None:
        self.client.close()

    def question(self, slug: str, qid: str) -> dict[str, Any]:
        """The staff view of question ``qid``."""
        response = self.client.get(f"/api/v1/dialogues/{slug}/questions/{qid}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def act(self, slug: str, qid: str, action: str, **body: Any) -> dict[str, Any]:
        response = self.client.post(
            f"/api/v1/dialogues/{slug}/questions/{qid}/actions/{action}", json=body
        )
        assert response.status_code == 200, response.text
        return dict(response.json())


@dataclass
class Site:
    """The app, the portals, the store and the staff of one test."""

    app: ServerProcess
    host: HostServer
    foreign: HostServer
    redis_url: str
    staff: dict[str, StaffClient]
    slug: str = field(default_factory=new_slug)

    @property
    def api(self) -> str:
        """The dialogue's public API path."""
        return f"{self.app.url}/api/v1/dialogues/{self.slug}"

    def page_url(self, origin: str | None = None, **params: str) -> str:
        query = {"api": self.app.url, "dialogue": self.slug, **params}
        return f"{origin or self.host.origin}/index.html?{urlencode(query)}"

    def stored(self) -> list[Question]:
        return questions(self.redis_url, self.slug)

    def act(self, username: str, qid: str, action: str, **body: Any) -> dict[str, Any]:
        return self.staff[username].act(self.slug, qid, action, **body)

    def ask(self, text: str, name: str = "Hồ Thị Lan", **fields: Any) -> str:
        """A question through the public API (as another citizen); its tracking code."""
        response = httpx.post(
            f"{self.api}/questions",
            json={"text": text, "name": name, **fields},
            timeout=10,
        )
        assert response.status_code == 202, response.text
        return str(response.json()["tracking_code"])

    def publish(self, tracking_code: str) -> dict[str, Any]:
        """The moderator approves the question and routes it to the official."""
        qid = question_id(self.redis_url, tracking_code, INTAKE_TIMEOUT)
        q = self.staff["w-moderator"].question(self.slug, qid)
        q = self.act("w-moderator", q["id"], "approve", version=q["version"])
        return self.act(
            "w-moderator", q["id"], "assign", official_id=OFFICIAL["id"], version=q["version"]
        )

    def answer_live(self, qid: str, text: str) -> dict[str, Any]:
        """The producer takes the question on air and marks it answered live;
        the official writes the summary."""
        self.act("w-producer", qid, "on_air")
        self.act("w-producer", qid, "answer")
        return self.act("w-official", qid, "summarize", text=text)


def sign_in(base_url: str) -> dict[str, StaffClient]:
    return {username: StaffClient(base_url, username) for username in STAFF}


@pytest.fixture(scope="module")
def staff(app: ServerProcess, redis_server: str) -> Iterator[dict[str, StaffClient]]:
    """The staff accounts, signed in to ``app`` for the whole module."""
    add_staff(redis_server)
    clients = sign_in(app.url)
    try:
        yield clients
    finally:
        for client in clients.values():
            client.close()


@pytest.fixture
def site(
    app: ServerProcess,
    host: HostServer,
    foreign: HostServer,
    redis_server: str,
    staff: dict[str, StaffClient],
) -> Site:
    """A live dialogue of its own, embeddable on ``host`` (not on ``foreign``)."""
    world = Site(app, host, foreign, redis_server, staff)
    create(redis_server, world.slug, [host.origin])
    return world
