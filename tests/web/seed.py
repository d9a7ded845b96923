"""Data for the page and browser tests, made the way the app makes it: the
dialogue and staff accounts through ``Services`` and ``Accounts``, questions
through the real server's public API, waited for until intake has screened
them. Plain functions, so both test folders' fixtures can use them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

from server.actions import build
from server.actions.accounts import Accounts
from server.domain.model import Role
from server.store.connection import Store, connect

SLUG = "chuyen-doi-so"
TITLE = "Đối thoại trực tuyến về chuyển đổi số tỉnh Thừa Thiên Huế"
PASSWORD = "pw-123456"
STAFF = {
    "moderator": frozenset({Role.MODERATOR}),
    "producer": frozenset({Role.PRODUCER}),
    "admin": frozenset({Role.ADMIN}),
}
#: How long intake may take to screen a question into moderation (it takes
#: well under a second; the margin is for a loaded test machine).
PENDING_TIMEOUT = 15.0
POLL_INTERVAL = 0.05

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on its own loop in a worker thread, so that it
    works whatever the calling thread's loop state (Playwright's sync API marks
    the main thread as running a loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _seed(redis_url: str) -> None:
    redis = connect(redis_url)
    try:
        store = Store(redis, 10_000, b"test-secret")
        actions = build(store)
        live = await actions.dialogues.create(
            slug=SLUG,
            title=TITLE,
            description="Lãnh đạo tỉnh trả lời câu hỏi của người dân và doanh nghiệp.",
            status="live",
            topics=[
                {"id": "chinh-quyen-so", "name": "Chính quyền số"},
                {"id": "kinh-te-so", "name": "Kinh tế số"},
            ],
            officials=[
                {
                    "id": "o1",
                    "name": "Nguyễn Văn An",
                    "title": "Giám đốc Sở Thông tin và Truyền thông",
                    "username": "official",
                },
            ],
            localities=["Thành phố Huế", "Huyện A Lưới"],
        )
        await actions.dialogues.create(slug="nhap", title="Bản nháp chưa công bố", status="draft")
        accounts = Accounts(store, 3600)
        for username, roles in STAFF.items():
            await accounts.add(username, PASSWORD, roles, dialogues=[live.id])
    finally:
        await redis.aclose()


def seed(redis_url: str) -> None:
    """A live dialogue ``SLUG``, a draft one, and the ``STAFF`` accounts
    (members of the live one; ``admin`` administers the system)."""
    run(_seed(redis_url))


def submit(base_url: str, text: str, name: str = "Hồ Thị Lan", **fields: str) -> str:
    """Ask ``text`` through the public API; return the tracking code."""
    body = {"text": text, "name": name, **fields}
    response = httpx.post(f"{base_url}/api/v1/dialogues/{SLUG}/questions", json=body, timeout=10)
    assert response.status_code == 202, response.text
    return str(response.json()["tracking_code"])


def wait_pending(base_url: str, code: str) -> None:
    """Poll the tracking endpoint until intake has put the question in moderation."""
    deadline = time.monotonic() + PENDING_TIMEOUT
    status = None
    while time.monotonic() < deadline:
        response = httpx.get(f"{base_url}/api/v1/tracking/{code}", timeout=10)
        status = response.json().get("status")
        if status == "pending":
            return
        time.sleep(POLL_INTERVAL)
    raise AssertionError(f"question {code} still {status!r} after {PENDING_TIMEOUT} s")


def ask(base_url: str, text: str, **fields: str) -> str:
    """Submit ``text`` and wait until it is pending; return the tracking code."""
    code = submit(base_url, text, **fields)
    wait_pending(base_url, code)
    return code


def server_env(redis_url: str) -> dict[str, str]:
    """The environment of the app under test (ServerProcess adds host, port and data dir)."""
    return {"REDIS_URL": redis_url, "DOITHOAI_SUBMIT_LIMIT": "0"}
