"""Data for the producer console and overlay tests, made the way the app makes
it: dialogues and accounts through ``Services`` and ``Accounts``, questions
through the real server's public API and moved on through its staff API.

Each test makes its own dialogue (``new_dialogue``), so tests sharing one
server and one Redis never see each other's queue or question on air."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from server.actions import build
from server.actions.accounts import Accounts
from server.domain.model import Role
from server.store.connection import Store, connect
from tests.helpers import ServerProcess
from tests.support.questions import question_id
from tests.support.staff import make_members
from tests.web.seed import PASSWORD, STAFF, run

OFFICIALS = [
    {
        "id": "o1",
        "name": "Nguyễn Văn An",
        "title": "Giám đốc Sở Thông tin và Truyền thông",
        "username": "official",
    },
    {"id": "o2", "name": "Trần Thị Bình", "title": "Phó Chủ tịch UBND tỉnh"},
]
TOPICS = [
    {"id": "chinh-quyen-so", "name": "Chính quyền số"},
    {"id": "kinh-te-so", "name": "Kinh tế số"},
]
LOCALITIES = ["Thành phố Huế", "Huyện A Lưới"]
#: Accounts besides those of ``tests.web.seed`` (moderator, producer, admin):
#: the official of o1, and a second producer at another desk.
EXTRA_STAFF = {"official": frozenset({Role.OFFICIAL}), "producer2": frozenset({Role.PRODUCER})}
#: How long intake may take to screen a question (well under a second).
PENDING_TIMEOUT = 15.0
POLL_INTERVAL = 0.05

_numbers = itertools.count(1)


def fresh_slug(prefix: str = "phat-song") -> str:
    """A slug no other test of this session uses."""
    return f"{prefix}-{next(_numbers)}-{time.monotonic_ns() % 1_000_000}"


def new_dialogue(
    redis_url: str,
    slug: str,
    title: str = "Đối thoại về chuyển đổi số",
    members: Mapping[str, Iterable[Role]] | None = None,
    status: str = "live",
    **settings: Any,
) -> None:
    """A dialogue ``slug`` in ``status`` (live unless said) with two officials,
    two topics and a default official for "Kinh tế số" (o2, Trần Thị Bình),
    and any other ``settings`` (``brand``, ...); the seed's staff,
    ``EXTRA_STAFF`` and ``members`` (username -> roles) are its members (make
    their accounts first)."""

    async def make() -> None:
        redis = connect(redis_url)
        try:
            actions = build(Store(redis, 10_000, b"test-secret"))
            dialogue = await actions.dialogues.create(
                slug=slug,
                title=title,
                status=status,
                topics=TOPICS,
                officials=OFFICIALS,
                localities=LOCALITIES,
                topic_officials={"kinh-te-so": "o2"},
                **settings,
            )
            await make_members(
                actions.accounts, dialogue, {**STAFF, **EXTRA_STAFF, **(members or {})}
            )
        finally:
            await redis.aclose()

    run(make())


def add_staff(redis_url: str) -> None:
    """The accounts of ``EXTRA_STAFF`` (password ``tests.web.seed.PASSWORD``)."""

    async def make() -> None:
        redis = connect(redis_url)
        try:
            accounts = Accounts(Store(redis, 10_000, b"test-secret"), 3600)
            for username in EXTRA_STAFF:  # members of each dialogue ``new_dialogue`` makes
                await accounts.add(username, PASSWORD)
        finally:
            await redis.aclose()

    run(make())


class StaffClient:
    """A signed-in staff member over HTTP, with the Origin and CSRF token a browser sends."""

    def __init__(self, base_url: str, username: str) -> None:
        self.client = httpx.Client(base_url=base_url, headers={"Origin": base_url}, timeout=10)
        response = self.client.post(
            "/api/v1/session", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        self.csrf = str(response.json()["csrf_token"])

    def __enter__(self) -> StaffClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return self.client.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def act(self, slug: str, qid: str, action: str, **body: Any) -> dict[str, Any]:
        response = self.post(f"/api/v1/dialogues/{slug}/questions/{qid}/actions/{action}", body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def questions(self, slug: str, status: str) -> list[dict[str, Any]]:
        response = self.client.get(
            f"/api/v1/dialogues/{slug}/questions", params={"status": status, "limit": 500}
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    def queue(self, slug: str) -> list[str]:
        """The ids of the on-air queue, in the server's order."""
        return [q["id"] for q in self.questions(slug, "queued")]


def submit(base_url: str, slug: str, text: str, **fields: Any) -> str:
    """Ask ``text`` through the public API; return the tracking code."""
    body = {"text": text, "name": "Hồ Thị Lan", **fields}
    response = httpx.post(f"{base_url}/api/v1/dialogues/{slug}/questions", json=body, timeout=10)
    assert response.status_code == 202, response.text
    return str(response.json()["tracking_code"])


def approved(staff: StaffClient, site: ServerProcess, slug: str, text: str, **fields: Any) -> str:
    """Ask ``text``, wait for intake, approve it as ``staff``; return its id."""
    code = submit(site.url, slug, text, **fields)
    qid = question_id(site.env["REDIS_URL"], code, PENDING_TIMEOUT)
    staff.act(slug, qid, "approve")
    return qid
