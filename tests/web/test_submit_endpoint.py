"""The submit route as a bare ASGI endpoint (``public.SubmitQuestion``): the
same 202 as a Starlette JSONResponse gave, the body read from the ASGI
messages as Starlette read it (several messages, the limit, a client that
leaves), a query string's language still kept, and the collector frozen
while the node runs."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.domain.wording import Refused
from server.web.bodies import raw
from tests.support.app import on_app_loop, services_of, store_of

SLUG = "hoi-dap"
QUESTIONS = f"/api/v1/dialogues/{SLUG}/questions"
TEXT = "Xin hỏi khi nào phường Thuận Hóa có điểm tiếp nhận hồ sơ trực tuyến?"
OFF = (0, 1.0)


@pytest.fixture
def client(redis_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(
        {}, redis_url=redis_url, data_dir=tmp_path, secret_key="s", submit_limit=OFF
    )
    with TestClient(create_app(settings, run_workers=False)) as client:
        create = services_of(client).dialogues.create
        on_app_loop(client, lambda: create(slug=SLUG, title="Hỏi đáp", status="open"))
        yield client


def test_the_202_is_the_json_response_it_was(client: TestClient) -> None:
    answer = client.post(QUESTIONS, json={"text": TEXT, "name": "Lê Văn An"})
    assert answer.status_code == 202
    code = answer.json()["tracking_code"]
    expected = JSONResponse({"tracking_code": code, "status": "received"}, 202)
    assert answer.content == expected.body
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["content-length"] == str(len(expected.body))
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-request-id"]


def test_a_refusal_still_has_the_api_error_body(client: TestClient) -> None:
    answer = client.post(QUESTIONS, json={"name": "Lê Văn An"})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid"
    assert answer.json()["error"]["field"] == "text"
    missing = client.post("/api/v1/dialogues/khong-co/questions", json={"text": TEXT})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_the_language_of_the_query_string_is_kept_with_the_contact(client: TestClient) -> None:
    body = {"text": TEXT, "name": "Lê Văn An", "contact": {"email": "an@example.vn"}}
    answer = client.post(QUESTIONS + "?lang=en", json={**body, "consent": True})
    assert answer.status_code == 202
    code = answer.json()["tracking_code"]
    store = store_of(client)

    async def contact() -> dict[str, str]:
        question = await store.questions.by_tracking(code)
        assert question is not None
        return await store.questions.contact(question.dialogue_id, question.id)

    assert on_app_loop(client, contact)["lang"] == "en"


def _request(messages: list[dict[str, Any]], headers: list[tuple[bytes, bytes]]) -> Request:
    app = SimpleNamespace(state=SimpleNamespace(settings=SimpleNamespace(max_body=10)))
    scope = {"type": "http", "method": "POST", "headers": headers, "app": app}
    pending = iter(messages)

    async def receive() -> dict[str, Any]:
        return next(pending)

    return Request(scope, receive)


def test_a_body_in_several_messages_is_read_whole() -> None:
    messages = [
        {"type": "http.request", "body": b"1234", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b"5678", "more_body": False},
    ]
    assert asyncio.run(raw(_request(messages, []))) == b"12345678"
    one = [{"type": "http.request", "body": b"{}"}]
    assert asyncio.run(raw(_request(one, []))) == b"{}"


def test_a_body_over_the_limit_is_refused_declared_or_not() -> None:
    chunks = [{"type": "http.request", "body": b"123456", "more_body": True}] * 2
    with pytest.raises(Refused) as sent:
        asyncio.run(raw(_request(chunks, [])))
    assert sent.value.code == "too_large"
    declared = [(b"content-length", b"11")]
    with pytest.raises(Refused) as said:
        asyncio.run(raw(_request([{"type": "http.request", "body": b"{}"}], declared)))
    assert said.value.code == "too_large"


def test_a_client_that_leaves_mid_body_is_a_disconnect() -> None:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b"12", "more_body": True},
        {"type": "http.disconnect"},
    ]
    with pytest.raises(ClientDisconnect):
        asyncio.run(raw(_request(messages, [])))


def test_the_collector_leaves_what_the_node_made_at_start_alone(
    redis_url: str, tmp_path: Path
) -> None:
    settings = Settings.from_env({}, redis_url=redis_url, data_dir=tmp_path, secret_key="s")
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings, run_workers=False)):
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
