"""The submit route taken before the middleware stack (``front.Front``):
every answer it gives is the general path's (the middlewares, Starlette's
exception middleware and the router), status, headers in their order and
body, for a question accepted, refused by validation, by CORS or by a
limit, to an unknown dialogue, from the app's own origin or a listed or
unlisted portal, and for an error no handler takes; the request's latency
is counted under the route as before; and the app refuses to start if the
router would choose another route for the path."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from server import metrics
from server.app import create_app
from server.config import Settings
from server.web import front, public, routes
from server.web.front import Front
from tests.support.app import on_app_loop, services_of

OWN = "https://doithoai.example.vn"
PORTAL = "https://cong.hue.gov.vn"
STRANGER = "https://la.example.com"
SLUG = "hoi-dap-front"
QUESTIONS = f"/api/v1/dialogues/{SLUG}/questions"
TEXT = "Xin hỏi khi nào phường Thuận Hóa có điểm tiếp nhận hồ sơ trực tuyến?"
_ids = itertools.count(1)


@pytest.fixture
def client(redis_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.from_env(
        {},
        redis_url=redis_url,
        data_dir=tmp_path,
        secret_key="s",
        public_url=OWN,
        submit_limit=(0, 1.0),
        device_limit=(1, 3600.0),
    )
    app = create_app(settings, run_workers=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        create = services_of(client).dialogues.create
        on_app_loop(
            client,
            lambda: create(slug=SLUG, title="Hỏi đáp", status="open", widget_origins=[PORTAL]),
        )
        yield client


def _body(**more: Any) -> dict[str, Any]:
    return {"text": TEXT, "name": "Lê Văn An", "submission_id": f"front-{next(_ids):06d}", **more}


#: (name, path, headers, body): each request is sent once by each path.
CASES: list[tuple[str, str, dict[str, str], Callable[[], Any]]] = [
    ("accepted", QUESTIONS, {}, _body),
    ("accepted, own origin", QUESTIONS, {"Origin": OWN}, _body),
    ("accepted, listed portal", QUESTIONS, {"Origin": PORTAL}, _body),
    ("accepted, in English", QUESTIONS + "?lang=en", {"Origin": PORTAL}, _body),
    ("unlisted portal", QUESTIONS, {"Origin": STRANGER}, _body),
    ("invalid", QUESTIONS, {"Origin": PORTAL}, lambda: {"name": "A"}),
    ("invalid, in English", QUESTIONS, {"Accept-Language": "en", "Cookie": "lang=en"}, dict),
    ("not JSON", QUESTIONS, {}, lambda: "{"),
    ("unknown dialogue", "/api/v1/dialogues/khong-co/questions", {}, _body),
    (
        "unknown dialogue, a portal",
        "/api/v1/dialogues/khong-co/questions",
        {"Origin": PORTAL},
        _body,
    ),
    ("a device over its limit", QUESTIONS, {}, lambda: _body(device="front-device-1")),
    ("too large", QUESTIONS, {}, lambda: {"text": "x" * 300_000}),
]


def _send(client: TestClient, path: str, headers: dict[str, str], body: Any) -> Any:
    if isinstance(body, str):
        return client.post(path, content=body, headers=headers)
    return client.post(path, json=body, headers=headers)


def _seen(answer: Any) -> tuple[int, list[tuple[str, str]], str]:
    """An answer with what differs between two requests blanked: the date,
    the request id and the tracking code."""
    headers = [
        (k, "…" if k in ("date", "x-request-id") else v) for k, v in answer.headers.multi_items()
    ]
    return answer.status_code, headers, re.sub(r'"[A-Z0-9]{4}-[A-Z0-9-]{11}"', "CODE", answer.text)


def test_each_answer_is_the_general_paths(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[str] = []
    original = Front._submit

    async def counted(self: Front, *args: Any) -> None:
        taken.append("fast")
        await original(self, *args)

    # The device's one token spent: its next questions are refused alike.
    assert _send(client, QUESTIONS, {}, _body(device="front-device-1")).status_code == 202
    monkeypatch.setattr(Front, "_submit", counted)
    for name, path, headers, body in CASES:
        fast = _seen(_send(client, path, headers, body()))
        monkeypatch.setattr(Front, "FAST", False)
        general = _seen(_send(client, path, headers, body()))
        monkeypatch.setattr(Front, "FAST", True)
        assert fast == general, name
        assert len(taken) == CASES.index((name, path, headers, body)) + 1, name
    statuses = [_seen(_send(client, p, h, b()))[0] for _, p, h, b in CASES]
    assert statuses == [202, 202, 202, 202, 403, 400, 400, 400, 404, 404, 429, 413]


def test_an_error_no_handler_takes_is_the_same_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("a bug")

    monkeypatch.setattr(services_of(client).submissions, "ask", broken)
    fast = _seen(_send(client, QUESTIONS, {"Origin": PORTAL}, _body()))
    monkeypatch.setattr(Front, "FAST", False)
    general = _seen(_send(client, QUESTIONS, {"Origin": PORTAL}, _body()))
    assert fast == general
    assert fast[0] == 500


def test_the_latency_is_counted_under_the_route(client: TestClient) -> None:
    labels = {"method": "POST", "route": "/api/v1/dialogues/{slug}/questions", "status": "2xx"}

    def count() -> float:
        return (
            metrics.REGISTRY.get_sample_value("doithoai_http_request_seconds_count", labels) or 0.0
        )

    before = count()
    assert _send(client, QUESTIONS, {}, _body()).status_code == 202
    assert count() == before + 1


def test_the_router_must_choose_the_submit_route() -> None:
    table = routes.table()
    Front(public.submit_question, routes=table, api=routes.API, handlers={})
    earlier = Route("/api/v1/dialogues/{slug}/{what}", public.submit_question, methods=["POST"])
    with pytest.raises(LookupError):
        Front(public.submit_question, routes=[earlier, *table], api=routes.API, handlers={})
    assert front.SUBMIT == "submitQuestion"
