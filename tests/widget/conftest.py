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

import pytest
from playwright.sync_api import Page, Route

from server.domain.model import Question, Role, Status
from server.store.connection import Store
from tests.helpers import ServerProcess
from tests.support.dialogues import DESCRIPTION, LOCALITIES, TITLE, TOPICS
from tests.support.dialogues import OFFICIAL as SEED_OFFICIAL
from tests.support.portal import HostServer
from tests.support.questions import question_id, submit
from tests.support.staff import StaffClient, add_accounts, create_dialogue
from tests.support.store import with_store

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "vendor" / "axe-core-4.14.1.min.js"
#: Accounts of their own, so that other test modules' accounts do not clash.
STAFF = {
    "w-moderator": frozenset({Role.MODERATOR}),
    "w-official": frozenset({Role.OFFICIAL}),
    "w-producer": frozenset({Role.PRODUCER}),
}
OFFICIAL = {**SEED_OFFICIAL, "username": "w-official"}
#: The server's heartbeat period in these tests, in seconds.
HEARTBEAT = "1"
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


def add_staff(redis_url: str) -> None:
    """The ``STAFF`` accounts, with ``PASSWORD`` (members of no dialogue yet:
    ``create`` makes them members of each dialogue it makes)."""

    add_accounts(redis_url, STAFF)


def create(redis_url: str, slug: str, origins: list[str], status: str = "live") -> None:
    """The dialogue ``slug``, embeddable on ``origins``, with the ``STAFF``
    accounts as its members."""

    create_dialogue(
        redis_url,
        STAFF,
        slug=slug,
        title=TITLE,
        description=DESCRIPTION,
        status=status,
        topics=TOPICS,
        officials=[OFFICIAL],
        localities=LOCALITIES,
        widget_origins=origins,
    )


def questions(redis_url: str, slug: str) -> list[Question]:
    """Every question of the dialogue in the store, whatever its state."""

    async def work(store: Store) -> list[Question]:
        dialogue = await store.dialogues.by_slug(slug)
        assert dialogue is not None, slug
        _, found = await store.questions.snapshot(dialogue.id, list(Status))
        return found

    return with_store(redis_url, work)


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

    @property
    def cors(self) -> dict[str, str]:
        """The CORS headers the app answers the host portal's widget with."""
        return {
            "Access-Control-Allow-Origin": self.host.origin,
            "Access-Control-Expose-Headers": "Retry-After",
        }

    def refuse_first_question(
        self, page: Page, status: int, error: dict[str, Any], headers: dict[str, str] | None = None
    ) -> list[str]:
        """Answer the first question ``page`` sends with ``status`` and
        ``error`` (CORS and ``headers`` added, as the app would) and let the
        next ones through; the bodies of all of them, as sent."""
        sent: list[str] = []

        def first_refused(route: Route) -> None:
            if route.request.method != "POST":
                route.continue_()
                return
            sent.append(route.request.post_data or "{}")
            if len(sent) > 1:
                route.continue_()
                return
            route.fulfill(
                status=status, headers={**self.cors, **(headers or {})}, json={"error": error}
            )

        page.route(f"{self.api}/questions?*", first_refused)
        return sent

    def stored(self) -> list[Question]:
        return questions(self.redis_url, self.slug)

    def act(self, username: str, qid: str, action: str, **body: Any) -> dict[str, Any]:
        return self.staff[username].act(self.slug, qid, action, **body)

    def ask(self, text: str, name: str = "Hồ Thị Lan", **fields: Any) -> str:
        """A question through the public API (as another citizen); its tracking code."""
        return submit(self.app.url, self.slug, text, name=name, **fields)

    def publish(self, tracking_code: str) -> dict[str, Any]:
        """The moderator approves the question and routes it to the official."""
        qid = question_id(self.redis_url, tracking_code)
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
