"""Bad input of every kind docs/api.md names: the right status and error body,
nothing half-written, never a 500."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis
from websockets.asyncio.client import connect as ws_connect
from websockets.typing import Origin

from server.store.embedded import find_redis_server
from tests.helpers import ServerProcess, free_port
from tests.support.questions import wait_screened
from tests.support.staff import sign_in
from tests.support.store import with_actions

from .conftest import SLUG, World

QUESTIONS = f"/api/v1/dialogues/{SLUG}/questions"
GOOD = {"text": "Xin hỏi lộ trình số hóa hồ sơ đất đai?", "name": "Lê Văn Tâm"}


def state(redis_url: str) -> dict[bytes, Any]:
    """Every application key and its value, except rate-limit buckets,
    sessions and login times (those a request may legitimately touch)."""
    client = redis.Redis.from_url(redis_url)
    skip = (b"doithoai:rate:", b"{doithoai}:session", b"{doithoai}:user-sessions")
    try:
        found: dict[bytes, Any] = {}
        for key in client.scan_iter():
            if key.startswith(skip):
                continue
            if key.startswith(b"{doithoai}:user:"):
                # A good login (the producer's, below) stamps last_login_at.
                # Any: redis-py's reply types do not follow decode_responses (off here: bytes).
                fields: Any = client.hgetall(key)
                found[key] = {k: v for k, v in fields.items() if k != b"last_login_at"}
            elif client.type(key) == b"stream":
                # Entries only: the running intake worker creates its consumer
                # group (an empty stream) on its own schedule.
                found[key] = client.xrange(key) or None
            else:
                found[key] = client.dump(key)
        return {k: v for k, v in found.items() if v is not None}
    finally:
        client.close()


def assert_error(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    error = body["error"]
    assert set(body) == {"error"} and set(error) == {"code", "message", "field", "errors"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    if field is not None:
        assert error["field"] == field
    # The list of fields at fault starts with the one old clients read.
    named = [e["field"] for e in error["errors"]]
    assert named[:1] == ([error["field"]] if error["field"] is not None else [])


LONG = "chuyển đổi số " * 200
BAD_SUBMISSIONS: list[tuple[Any, str | None]] = [
    ({**GOOD, "text": ""}, "text"),
    ({**GOOD, "text": "   \u200b\u202e  "}, "text"),
    ({**GOOD, "text": "ngắn"}, "text"),
    ({**GOOD, "text": LONG}, "text"),
    ({**GOOD, "text": 12345678901}, "text"),
    ({**GOOD, "text": ["a", "list"]}, "text"),
    ({"text": GOOD["text"]}, "name"),
    ({**GOOD, "name": None}, "name"),
    ({**GOOD, "name": {"first": "An"}}, "name"),
    ({**GOOD, "organization": "x" * 201}, "organization"),
    ({**GOOD, "locality": "Thành phố Hồ Chí Minh"}, "locality"),
    ({**GOOD, "topic": "not-a-topic"}, "topic"),
    ({**GOOD, "contact": "0912345678", "consent": True}, "contact"),
    ({**GOOD, "contact": {"phone": "call me"}, "consent": True}, "contact.phone"),
    ({**GOOD, "contact": {"email": "not-an-email"}, "consent": True}, "contact.email"),
    ({**GOOD, "contact": {"phone": "0912345678"}}, "consent"),
    ({**GOOD, "contact": {"phone": "0912345678"}, "consent": "yes"}, "consent"),
    ({**GOOD, "submission_id": "x"}, "submission_id"),
    ({**GOOD, "submission_id": "a b c d e f g h"}, "submission_id"),
    ({**GOOD, "channel": "hotline"}, "channel"),
    ([GOOD], "body"),
    ("just a string", "body"),
]


@pytest.fixture
async def staff_and_public(
    server: ServerProcess, world: World
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    moderator = await sign_in(server.url, "moderator")
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as public:
        yield moderator, public
    await moderator.client.aclose()


@pytest.mark.parametrize(("body", "field"), BAD_SUBMISSIONS)
async def test_bad_submissions(
    server: ServerProcess, world: World, redis_url: str, body: Any, field: str
) -> None:
    """Each invalid submission is a 400 naming its field, and writes nothing."""
    before = state(redis_url)
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(QUESTIONS, json=body)
        english = await client.post(QUESTIONS, json=body, headers={"Accept-Language": "en"})
    assert_error(response, 400, "invalid", field)
    assert_error(english, 400, "invalid", field)
    assert response.json()["error"]["message"] != english.json()["error"]["message"]
    assert state(redis_url) == before


async def test_malformed_and_oversized_bodies(
    server: ServerProcess, world: World, redis_url: str
) -> None:
    """Broken JSON is a 400, a body over the limit a 413; neither writes anything."""
    before = state(redis_url)
    async with httpx.AsyncClient(base_url=server.url) as client:
        headers = {"Content-Type": "application/json"}
        for raw in (
            b"{",
            b"\xff\xfe",
            b'{"text": "a"' + b"]" * 10,
            b"[" * 100_000,
            b'{"text": NaN}',
            b'{"votes": -Infinity}',
            b'{"version": ' + b"1" * 5000 + b"}",  # more digits than Python reads
        ):
            response = await client.post(QUESTIONS, content=raw, headers=headers)
            assert response.status_code in (400, 413), raw[:20]
            assert_error(response, response.status_code, response.json()["error"]["code"])
        huge = {**GOOD, "text": "a" * 70_000}
        assert_error(await client.post(QUESTIONS, json=huge), 413, "too_large")

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(100):
                yield b" " * 1024  # no Content-Length: streamed, cut off at the limit

        assert_error(
            await client.post(QUESTIONS, content=chunks(), headers=headers), 413, "too_large"
        )
    assert state(redis_url) == before


async def test_not_found(server: ServerProcess, world: World, staff_and_public: Any) -> None:
    """Unknown dialogues, questions, tracking codes and actions are 404s."""
    moderator, public = staff_and_public
    assert_error(await public.get("/api/v1/dialogues/khong-co"), 404, "not_found")
    assert_error(
        await public.post("/api/v1/dialogues/khong-co/questions", json=GOOD), 404, "not_found"
    )
    assert_error(await public.get("/api/v1/tracking/ABCD-EFGHJ-KMNPQ"), 404, "not_found")
    assert_error(await public.get("/api/v1/tracking/../../etc/passwd"), 404, "not_found")
    assert_error(await public.get("/api/v1/tracking/" + "A" * 5000), 404, "not_found")
    assert_error(await public.get("/api/v1/no-such-thing"), 404, "not_found")
    assert_error(await moderator.client.get(f"{QUESTIONS}/999"), 404, "not_found")
    assert_error(await moderator.act(SLUG, "999", "approve"), 404, "not_found")
    vote = await public.post(f"{QUESTIONS}/999/votes", json={"voter": "voter-12345678"})
    assert_error(vote, 404, "not_found")


async def test_staff_auth_errors(
    server: ServerProcess, world: World, redis_url: str, staff_and_public: Any
) -> None:
    """No session is 401; a wrong role, a missing CSRF token or a foreign Origin is 403."""
    moderator, public = staff_and_public
    tracking = (await public.post(QUESTIONS, json=GOOD)).json()["tracking_code"]
    qid = await wait_screened(world.store, tracking)
    before = state(redis_url)
    assert_error(await public.get(QUESTIONS), 401, "unauthenticated")
    assert_error(
        await public.post(f"{QUESTIONS}/{qid}/actions/approve", json={}), 401, "unauthenticated"
    )
    no_csrf = await moderator.client.post(f"{QUESTIONS}/{qid}/actions/approve", json={})
    assert_error(no_csrf, 403, "forbidden")
    wrong_csrf = await moderator.client.post(
        f"{QUESTIONS}/{qid}/actions/approve", json={}, headers={"X-CSRF-Token": "forged"}
    )
    assert_error(wrong_csrf, 403, "forbidden")
    foreign = await moderator.client.post(
        f"{QUESTIONS}/{qid}/actions/approve",
        json={},
        headers={"X-CSRF-Token": moderator.csrf, "Origin": "http://evil.example"},
    )
    assert_error(foreign, 403, "forbidden")
    producer = await sign_in(server.url, "producer")
    try:
        assert_error(await producer.act(SLUG, qid, "approve"), 403, "forbidden")
        assert_error(await producer.act(SLUG, qid, "reject", reason="spam"), 403, "forbidden")
    finally:
        await producer.client.aclose()
    wrong = await public.post("/api/v1/session", json={"username": "moderator", "password": "sai"})
    assert_error(wrong, 401, "unauthenticated")
    assert_error(
        await public.post("/api/v1/session", json={"username": "moderator"}),
        400,
        "invalid",
        "password",
    )
    assert state(redis_url) == before


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.05)


@pytest.mark.parametrize(
    ("action", "body", "status", "code", "field"),
    [
        ("approve", {"version": 7}, 409, "conflict", "version"),
        ("approve", {"version": "1"}, 400, "invalid", "version"),
        ("answer", {"text": "Không thể trả lời khi chưa lên sóng."}, 409, "conflict", None),
        ("reject", {"reason": "không thích"}, 400, "invalid", "reason"),
        ("reject", {}, 400, "invalid", "reason"),
        ("edit", {"text": ""}, 400, "invalid", "text"),
        ("merge", {"into": "999"}, 400, "invalid", "into"),
        ("queue", {}, 409, "conflict", None),
        ("set_topic", {"topic": "sai"}, 400, "invalid", "topic"),
        ("assign", {"official_id": "ai-do"}, 400, "invalid", "official_id"),
        ("fly_to_the_moon", {}, 404, "not_found", None),
    ],
)
async def test_bad_actions(
    server: ServerProcess,
    world: World,
    redis_url: str,
    staff_and_public: Any,
    action: str,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    """Illegal moves are 409, bad bodies 400 naming the field; the question is untouched."""
    moderator, public = staff_and_public
    tracking = (await public.post(QUESTIONS, json=GOOD)).json()["tracking_code"]
    qid = await wait_screened(world.store, tracking)
    before = state(redis_url)
    assert_error(await moderator.act(SLUG, qid, action, **body), status, code, field)
    assert state(redis_url) == before


async def test_bad_list_queries(server: ServerProcess, world: World, staff_and_public: Any) -> None:
    """A bad status, limit or cursor is a 400 naming the parameter."""
    moderator, _ = staff_and_public
    for query, field in (
        ("status=flying", "status"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("cursor=xyz", "cursor"),
        ("limit=%C2%B2", "limit"),  # "²": a digit to str.isdigit, not to int()
        ("cursor=%C2%B2", "cursor"),
        ("cursor=%D9%A1", "cursor"),  # an Arabic-Indic one
        ("cursor=" + "9" * 5000, "cursor"),
    ):
        assert_error(await moderator.client.get(f"{QUESTIONS}?{query}"), 400, "invalid", field)


async def test_not_accepting_and_rate_limited(redis_url: str, world: World) -> None:
    """A closed dialogue answers 409 not_accepting; too many submissions 429 with Retry-After."""
    from server.domain.model import Actor, Role

    env = {"REDIS_URL": redis_url, "DOITHOAI_SUBMIT_LIMIT": "2/minute"}
    with ServerProcess(env=env) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.post(QUESTIONS, json=GOOD)).status_code == 202
            assert (await client.post(QUESTIONS, json=GOOD)).status_code == 202
            limited = await client.post(QUESTIONS, json=GOOD)
            assert_error(limited, 429, "rate_limited")
            assert int(limited.headers["Retry-After"]) >= 1
            producer = Actor("producer", frozenset({Role.PRODUCER}))
            await world.actions.closing.close(world.dialogue, producer)
            closed = await client.post(QUESTIONS, json=GOOD)
            assert closed.status_code in (409, 429)
    env["DOITHOAI_SUBMIT_LIMIT"] = "0"
    with ServerProcess(env=env) as server, httpx.Client(base_url=server.url) as client:
        closed = client.post(QUESTIONS, json=GOOD)
        assert_error(closed, 409, "not_accepting")
        assert "kết thúc" in closed.json()["error"]["message"]


def test_redis_down_is_503_and_nothing_half_written(tmp_path: Any) -> None:
    """With Redis gone, requests answer 503 unavailable with Retry-After; once
    Redis is back, the same submission goes through once."""
    port = free_port()
    argv = [
        find_redis_server(),
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "yes",
        "--dir",
        str(tmp_path),
    ]
    redis_proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_redis(url)
        with_actions(
            url, lambda actions: actions.dialogues.create(slug=SLUG, title="T", status="live")
        )
        with ServerProcess(env={"REDIS_URL": url, "DOITHOAI_SUBMIT_LIMIT": "0"}) as server:
            redis_proc.terminate()
            redis_proc.wait(10)
            with httpx.Client(base_url=server.url, timeout=20) as client:
                body = {**GOOD, "submission_id": "during-outage-1"}
                down = client.post(QUESTIONS, json=body)
                assert_error(down, 503, "unavailable")
                assert down.headers["Retry-After"]
                assert_error(client.get(f"/api/v1/dialogues/{SLUG}/feed"), 503, "unavailable")
                redis_proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
                _wait_redis(url)
                first = client.post(QUESTIONS, json=body)
                again = client.post(QUESTIONS, json=body)
                assert first.status_code == again.status_code == 202
                assert first.json() == again.json()
    finally:
        redis_proc.terminate()
        redis_proc.wait(10)


def _wait_redis(url: str) -> None:
    import time

    client = redis.Redis.from_url(url)
    try:
        for _ in range(500):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise AssertionError("redis did not start")
    finally:
        client.close()


# -- lone surrogates, and ids past 64 bits ---------------------------------------

#: Half of a UTF-16 pair, alone: valid JSON (``"\\udc00"``), but no text.
LONE = "\udc00"


def json_bytes(body: Any) -> bytes:
    """``body`` as JSON with every non-ASCII character escaped, as a client
    sending a lone surrogate does (httpx's ``json=`` cannot encode one)."""
    return json.dumps(body).encode("ascii")


#: (who, method, path, body, the field the 400 names); ``{qid}`` is a pending question.
SURROGATES: list[tuple[str, str, str, Any, str]] = [
    ("public", "POST", "/api/v1/session", {"username": LONE, "password": "x"}, "username"),
    ("public", "POST", "/api/v1/session", {"username": "moderator", "password": LONE}, "password"),
    ("public", "POST", QUESTIONS, {**GOOD, "text": GOOD["text"] + LONE}, "text"),
    ("public", "POST", QUESTIONS, {**GOOD, "name": "Lê" + LONE}, "name"),
    ("public", "POST", QUESTIONS, {**GOOD, "organization": LONE}, "organization"),
    ("public", "POST", QUESTIONS,
     {**GOOD, "contact": {"phone": "0912345678" + LONE}, "consent": True}, "contact.phone"),
    ("public", "POST", QUESTIONS, {**GOOD, "submission_id": "abcdefgh" + LONE}, "submission_id"),
    ("public", "POST", QUESTIONS, {**GOOD, "device": "device-1234" + LONE}, "device"),
    ("public", "POST", QUESTIONS, {**GOOD, LONE: "x"}, "body"),
    ("public", "POST", f"{QUESTIONS}/{{qid}}/votes", {"voter": "voter-1234" + LONE}, "voter"),
    ("moderator", "POST", f"{QUESTIONS}/{{qid}}/actions/merge", {"into": LONE}, "into"),
    ("moderator", "POST", f"{QUESTIONS}/{{qid}}/actions/note", {"text": "ghi chú" + LONE}, "text"),
    ("moderator", "POST", f"{QUESTIONS}/{{qid}}/actions/reject", {"reason": LONE}, "reason"),
    ("moderator", "POST", f"{QUESTIONS}/{{qid}}/actions/edit", {"text": GOOD["text"] + LONE},
     "text"),
    ("moderator", "POST", f"{QUESTIONS}/bulk", {"action": "approve", "ids": ["{qid}", LONE]},
     "ids.1"),
    ("producer", "POST", f"/api/v1/dialogues/{SLUG}/next", {"then": "back", "current": LONE},
     "current"),
    ("admin", "POST", "/api/v1/users",
     {"username": "nhan-vien" + LONE, "password": "mat-khau-du-dai-123", "roles": ["moderator"]},
     "username"),
    ("admin", "PATCH", f"/api/v1/dialogues/{SLUG}", {"title": "Đối thoại" + LONE}, "title"),
    ("admin", "PATCH", f"/api/v1/dialogues/{SLUG}",
     {"topics": [{"id": "kinh-te-so", "name": "Kinh tế" + LONE}]}, "topics.0.name"),
]  # fmt: skip


@pytest.mark.parametrize(("who", "method", "path", "body", "field"), SURROGATES)
async def test_a_lone_surrogate_anywhere_is_a_400_naming_its_field(
    server: ServerProcess,
    world: World,
    redis_url: str,
    staff_and_public: Any,
    who: str,
    method: str,
    path: str,
    body: Any,
    field: str,
) -> None:
    """A JSON string holding half of a UTF-16 pair is refused where the body is
    read: 400 invalid naming the field, in both languages, nothing written,
    and no traceback in the log (it used to be a 500 from deep inside)."""
    moderator, public = staff_and_public
    tracking = (await public.post(QUESTIONS, json=GOOD)).json()["tracking_code"]
    qid = await wait_screened(world.store, tracking)
    await moderator.act(SLUG, qid, "approve")  # votes need a published question
    path = path.replace("{qid}", qid)
    content = json_bytes(body).replace(b"{qid}", qid.encode())
    logged = len(server.output())
    before = state(redis_url)
    staff = await sign_in(server.url, who) if who != "public" else None
    client = staff.client if staff else public
    headers = {"Content-Type": "application/json"}
    if staff:
        headers["X-CSRF-Token"] = staff.csrf
    try:
        vi = await client.request(method, path, content=content, headers=headers)
        en = await client.request(
            method, path, content=content, headers={**headers, "Accept-Language": "en"}
        )
    finally:
        if staff:
            await staff.client.aclose()
    assert_error(vi, 400, "invalid", field)
    assert_error(en, 400, "invalid", field)
    assert vi.json()["error"]["message"] != en.json()["error"]["message"]
    assert state(redis_url) == before
    assert "Traceback" not in server.output()[logged:]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("before=18446744073709551616-0", "before"),  # 2**64: past what Redis holds
        ("before=0-18446744073709551616", "before"),
        ("before=%D9%A1-%D9%A1", "before"),  # Arabic-Indic digits
        ("before=1-1%0A", "before"),
        ("before=42", "before"),
    ],
)
async def test_an_audit_cursor_redis_would_refuse_is_a_400(
    server: ServerProcess, world: World, staff_and_public: Any, query: str, field: str
) -> None:
    """The audit trail's ``before`` must be a stream id of 64-bit parts, in
    ASCII digits: anything else is a 400 (the API) or a 400 page, never a 500."""
    moderator, _ = staff_and_public
    api = await moderator.client.get(f"/api/v1/dialogues/{SLUG}/audit?{query}")
    assert_error(api, 400, "invalid", field)
    page = await moderator.client.get(f"/console/{SLUG}/audit?{query}")
    assert page.status_code == 400
    largest = f"before={2**64 - 1}-{2**64 - 1}"
    assert (await moderator.client.get(f"/api/v1/dialogues/{SLUG}/audit?{largest}")).is_success


@pytest.mark.parametrize("after", [
    "18446744073709551616-0", "0-18446744073709551616", "99999999999999999999999",
    "%D9%A1-%D9%A0", "%C2%B2-0",
])  # fmt: skip
@pytest.mark.parametrize("feed", ["feed", "console"])
async def test_a_resume_id_redis_would_refuse_gets_a_reset_snapshot(
    server: ServerProcess, world: World, staff_and_public: Any, after: str, feed: str
) -> None:
    """On either feed, an ``after=`` that is no stream id Redis can hold (a part
    past 64 bits, digits other than ASCII) is an unknown id, as the feed's
    contract says: a fresh snapshot with reset, not a socket closed on a
    traceback."""
    moderator, _ = staff_and_public
    logged = len(server.output())
    url = server.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/{feed}?after={after}"
    async with ws_connect(
        url, origin=Origin(server.url), additional_headers={"Cookie": moderator.cookie_header}
    ) as ws:
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert first["type"] == "snapshot" and first["reset"] is True
    assert "Traceback" not in server.output()[logged:]
