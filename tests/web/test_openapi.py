"""The served OpenAPI document: valid OpenAPI 3.1, complete (every /api/v1/
route of the app, nothing more), and true (real responses of a real app on a
real Redis validate against the schemas documented for their status, and
every documented operation is called until it succeeds at least once)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.domain import events
from server.domain.lifecycle import ACTIONS, EVENT_TYPES
from server.domain.model import REJECT_REASONS, Role, Status
from server.web import errors
from server.web.openapi import RESPONSE_NAMES, document
from tests.helpers import free_port

ORIGIN = "http://127.0.0.1:8000"  # Settings' default origin
PASSWORD = "mật khẩu đủ dài 123"
SLUG = "chuyen-doi-so"
DOC_URI = "urn:doithoai:openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


# -- the document --------------------------------------------------------------


def _template(path: str) -> str:
    """A path with its parameter names (and converters) erased."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _app_routes(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, Mount):
            found |= _app_routes(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and (prefix + route.path).startswith("/api/v1/"):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((_template(prefix + route.path), method.lower()))
    return found


def _documented() -> set[tuple[str, str]]:
    return {
        (_template(path), method)
        for path, item in document()["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_document_is_valid_openapi_3_1() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1")
    validate_openapi(doc)


def test_every_api_route_is_documented_and_nothing_else() -> None:
    app = create_app(Settings.from_env({}, redis_url="redis://127.0.0.1:1/0"))
    in_app = _app_routes(list(app.routes))
    assert ("/api/v1/openapi.json", "get") in in_app
    assert in_app - _documented() == set(), "routes missing from the document"
    assert _documented() - in_app == set(), "documented operations the app lacks"


def test_enums_come_from_the_code() -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    act = doc["paths"]["/api/v1/dialogues/{slug}/questions/{id}/actions/{action}"]["post"]
    action = next(p for p in act["parameters"] if p["name"] == "action")
    assert sorted(action["schema"]["enum"]) == sorted(ACTIONS)
    assert sorted(schemas["ActionBody"]["properties"]["reason"]["enum"]) == sorted(REJECT_REASONS)
    assert sorted(schemas["Status"]["enum"]) == sorted(s.value for s in Status)
    assert "oneOf" not in str(schemas["ActionBody"])
    assert {"400", "401", "403", "404", "409", "413"} <= set(act["responses"])
    said = " ".join(r["description"] for r in doc["components"]["responses"].values())
    for code, status in errors.STATUS.items():
        assert f"`{code}`" in doc["components"]["responses"][RESPONSE_NAMES[status]]["description"]
        assert f"`{code}`" in said
    schemes = doc["components"]["securitySchemes"]
    assert schemes["cookieSession"]["name"] == "doithoai_session"
    assert schemes["csrfToken"] == {**schemes["csrfToken"], "in": "header", "name": "X-CSRF-Token"}
    assert schemes["bearer"]["scheme"] == "bearer"
    feeds = doc["x-websockets"]
    assert set(feeds) == {"/ws/v1/dialogues/{slug}/feed", "/ws/v1/dialogues/{slug}/console"}
    public = set(feeds["/ws/v1/dialogues/{slug}/feed"]["events"])
    assert public >= {*events._PUBLIC_TYPES.values(), "question.approved", "votes.changed"}
    staff = set(feeds["/ws/v1/dialogues/{slug}/console"]["events"])
    assert staff >= {*EVENT_TYPES.values(), "presence.changed", "queue.changed"}


def test_request_bodies_are_checked_as_documented() -> None:
    """A body that breaks its documented type is refused where it is read,
    naming the field; the schema the document gives is the Struct's."""
    submit = document()["paths"]["/api/v1/dialogues/{slug}/questions"]["post"]
    body = submit["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/NewQuestion"}
    question = document()["components"]["schemas"]["NewQuestion"]
    assert question["properties"]["consent"]["anyOf"] == [{"type": "boolean"}, {"type": "null"}]
    assert "additionalProperties" not in question  # unknown fields are ignored
    edit = document()["components"]["schemas"]["DialogueEdit"]
    assert edit["additionalProperties"] is False  # ... but not in an edit


# -- validating real responses ---------------------------------------------------


@functools.cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(document(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(DOC_URI, resource)
    return registry


def _validate(instance: Any, pointer: str) -> None:
    """Validate ``instance`` against the schema at ``pointer`` of the document."""
    validator = Draft202012Validator(
        {"$ref": f"{DOC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    problems = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not problems, (
        "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in problems[:10])
        + f"\n(in {instance!r})"
    )


def _deref(obj: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in obj:
        node: Any = document()
        for part in obj["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def _schema_pointer(template: str, method: str, status: int) -> str | None:
    """Pointer to the JSON schema documented for ``status``, or None for no body."""
    responses = document()["paths"][template][method]["responses"]
    key = str(status) if str(status) in responses else None
    assert key is not None, f"{method.upper()} {template} returned undocumented {status}"
    ref: str | None = responses[key].get("$ref")
    if ref is not None:
        response = _deref(responses[key])
        if "content" not in response:
            return None
        return ref.removeprefix("#") + "/content/application~1json/schema"
    if "content" not in responses[key]:
        return None
    path = template.replace("/", "~1")
    return f"/paths/{path}/{method}/responses/{key}/content/application~1json/schema"


class Api:
    """The test client, checking every response against the document."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.seen: set[tuple[str, str, int]] = set()

    def call(
        self,
        method: str,
        template: str,
        params: dict[str, str],
        expect: int,
        *,
        json: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> Any:
        url = template.format(**params)
        response = self.client.request(
            method, url, json=json, content=content, headers=headers, params=query
        )
        assert response.status_code == expect, (method, url, response.status_code, response.text)
        self.seen.add((template, method, expect))
        pointer = _schema_pointer(template, method.lower(), expect)
        if pointer is None:
            assert response.content == b""
            return None
        media = response.headers["content-type"].split(";")[0]
        if media != "application/json":
            documented = document()["paths"][template][method.lower()]["responses"][str(expect)]
            assert media in documented["content"], (media, template)
            return response.text if media.startswith("text/") else response.content
        body = response.json()
        _validate(body, pointer)
        if expect >= 400:
            assert errors.STATUS[body["error"]["code"]] == expect
        if expect in (429, 503):
            assert response.headers["retry-after"].isdigit()
        if expect < 300 and json is not None:
            request_body = document()["paths"][template][method.lower()]["requestBody"]
            path = template.replace("/", "~1")
            _validate(
                json,
                f"/paths/{path}/{method.lower()}/requestBody/content/application~1json/schema",
            )
            assert request_body["required"]
        return body

    def login(self, username: str) -> dict[str, str]:
        """Sign in as ``username``; the headers an unsafe request then needs."""
        self.client.cookies.clear()
        session = self.call(
            "POST",
            "/api/v1/session",
            {},
            200,
            json={"username": username, "password": PASSWORD},
            headers={"Origin": ORIGIN},
        )
        assert session["username"] == username
        return {"Origin": ORIGIN, "X-CSRF-Token": session["csrf_token"]}


QUESTIONS = "/api/v1/dialogues/{slug}/questions"
QUESTION = "/api/v1/dialogues/{slug}/questions/{id}"
ACT = "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}"
VOTES = "/api/v1/dialogues/{slug}/questions/{id}/votes"
TRACKING = "/api/v1/tracking/{code}"
NEXT = "/api/v1/dialogues/{slug}/next"
AIR = "/api/v1/dialogues/{slug}/air/{op}"
WRAP_UP = "/api/v1/dialogues/{slug}/wrap-up"
FEED = "/api/v1/dialogues/{slug}/feed"
HISTORY = "/api/v1/dialogues/{slug}/history"


def _run(client: TestClient, func: Any, /, *args: Any, **kwargs: Any) -> Any:
    assert client.portal is not None, "the client runs the app (inside `with TestClient`)"
    return client.portal.call(functools.partial(func, *args, **kwargs))


@pytest.fixture
def app_client(redis_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.from_env({}, redis_url=redis_url, data_dir=tmp_path, submit_limit=(0, 1.0))
    app = create_app(settings)
    with TestClient(app) as client:
        actions = app.state.services
        dialogue = _run(
            client,
            actions.dialogues.create,
            slug=SLUG,
            title="Đối thoại trực tuyến về chuyển đổi số",
            description="Lãnh đạo thành phố trả lời câu hỏi của người dân.",
            status="open",
            starts_at="2026-11-20T08:00:00+07:00",
            ends_at="2026-11-20T11:00:00+07:00",
            topics=[{"id": "dvc", "name": "Dịch vụ công trực tuyến"}],
            officials=[
                {
                    "id": "stttt",
                    "name": "Nguyễn Văn An",
                    "title": "Giám đốc Sở KH&CN",
                    "username": "official",
                },
            ],
            localities=["Hải Châu", "Thanh Khê"],
        )
        _run(client, actions.dialogues.create, slug="da-xong", title="Đã xong", status="closed")
        _run(client, actions.dialogues.create, slug="nhap", title="Bản nháp")
        for role in Role:
            add = app.state.services.accounts.add
            _run(client, add, role.value, PASSWORD, frozenset({role}), dialogues=[dialogue.id])
        yield client


def _submit(api: Api, text: str, **extra: Any) -> str:
    body = {"text": text, "name": "Trần Thị Bình", **extra}
    submitted = api.call("POST", QUESTIONS, {"slug": SLUG}, 202, json=body)
    assert submitted["status"] == "received"
    return str(submitted["tracking_code"])


def _wait_screened(api: Api, code: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        view = api.call("GET", TRACKING, {"code": code}, 200)
        if view["status"] != "received":
            return dict(view)
        assert time.monotonic() < deadline, "intake did not screen the question"
        time.sleep(0.02)


def test_real_responses_match_the_document(app_client: TestClient) -> None:
    api = Api(app_client)
    slug = {"slug": SLUG}
    spec = api.call("GET", "/api/v1/openapi.json", {}, 200)
    assert spec == document()

    # -- public reads
    listed = api.call("GET", "/api/v1/dialogues", {}, 200)
    assert {d["slug"] for d in listed} == {SLUG, "da-xong"}
    dialogue = api.call("GET", "/api/v1/dialogues/{slug}", slug, 200)
    assert dialogue["accepting_questions"] is True
    api.call("GET", "/api/v1/dialogues/{slug}", {"slug": "khong-co"}, 404)
    api.call("GET", "/api/v1/dialogues/{slug}/feed", slug, 200)
    api.call("GET", "/api/v1/dialogues/{slug}/feed", {"slug": "khong-co"}, 404)

    # -- submissions
    code1 = _submit(
        api,
        "Khi nào thành phố hoàn thành cấp chữ ký số miễn phí cho người dân?",
        organization="Phường Hải Châu 1",
        locality="Hải Châu",
        topic="dvc",
        contact={"phone": "0905 123 456", "email": "binh@example.vn"},
        consent=True,
        submission_id="abc12345-first",
    )
    fresh = api.call("GET", TRACKING, {"code": code1}, 200)
    assert fresh["status"] in ("received", "pending")
    again = _submit(
        api,
        "Khi nào thành phố hoàn thành cấp chữ ký số miễn phí cho người dân?",
        submission_id="abc12345-first",
    )
    assert again == code1
    code2 = _submit(api, "Quảng cáo: mua bán sim số đẹp giá rẻ, liên hệ ngay hôm nay!")
    code3 = _submit(api, "Bao giờ cấp chữ ký số miễn phí cho người dân trong thành phố vậy?")
    code4 = _submit(api, "Thủ tục đăng ký kinh doanh trực tuyến có mất phí không ạ?")
    invalid = api.call("POST", QUESTIONS, slug, 400, json={"name": "Bình"})
    assert invalid["error"]["field"] == "text"
    no_consent = {
        "text": "Câu hỏi đủ dài để hợp lệ.",
        "name": "Bình",
        "contact": {"email": "binh@example.vn"},
    }
    assert api.call("POST", QUESTIONS, slug, 400, json=no_consent)["error"]["field"] == "consent"
    bad_phone = {**no_consent, "contact": {"phone": "12"}, "consent": True}
    assert api.call("POST", QUESTIONS, slug, 400, json=bad_phone)["error"]["field"] == (
        "contact.phone"
    )
    api.call(
        "POST",
        QUESTIONS,
        slug,
        400,
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    api.call("POST", QUESTIONS, slug, 413, content=b"x" * 70_000)
    closed = {"text": "Câu hỏi gửi muộn sau buổi đối thoại.", "name": "Bình"}
    assert api.call("POST", QUESTIONS, {"slug": "da-xong"}, 409, json=closed)["error"]["code"] == (
        "not_accepting"
    )
    api.call("POST", QUESTIONS, {"slug": "khong-co"}, 404, json=closed)
    api.call("GET", TRACKING, {"code": "KHONGCO1"}, 404)
    for code in (code1, code2, code3, code4):
        assert _wait_screened(api, code)["status"] == "pending"

    # -- staff: sessions
    api.call("GET", "/api/v1/session", {}, 401)
    api.call("GET", QUESTIONS, slug, 401)
    api.call("POST", "/api/v1/session", {}, 400, json={"password": PASSWORD})
    api.call("POST", "/api/v1/session", {}, 401, json={"username": "moderator", "password": "sai"})
    api.call(
        "POST",
        "/api/v1/session",
        {},
        403,
        json={"username": "moderator", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    mod = api.login("moderator")
    assert api.call("GET", "/api/v1/session", {}, 200)["roles"] == ["moderator"]

    # -- staff: lists and questions
    page = api.call("GET", QUESTIONS, slug, 200, query={"status": "pending", "limit": "2"})
    assert len(page["items"]) == 2 and page["next_cursor"] is not None
    rest = api.call(
        "GET", QUESTIONS, slug, 200, query={"status": "pending", "cursor": page["next_cursor"]}
    )
    ids = [q["id"] for q in page["items"] + rest["items"]]
    assert len(ids) == 4
    # No staff payload carries a tracking code: the asker's text ties them.
    by_text = {}
    for qid in ids:
        staff_q = api.call("GET", QUESTION, {**slug, "id": qid}, 200)
        assert "tracking_code" not in staff_q
        by_text[staff_q["original_text"] or staff_q["text"]] = staff_q
    asked = [
        api.call("GET", TRACKING, {"code": c}, 200)["text"] for c in (code1, code2, code3, code4)
    ]
    q1, q2, q3, q4 = (by_text[text] for text in asked)
    assert set(q1["contact"]) == {"phone", "email"}
    assert "approve" in q1["actions"]
    api.call("GET", QUESTIONS, slug, 400, query={"status": "bogus"})
    api.call("GET", QUESTIONS, slug, 400, query={"limit": "0"})
    api.call("GET", QUESTION, {**slug, "id": "999999"}, 404)
    api.call("GET", QUESTIONS, {"slug": "khong-co"}, 404)

    # -- staff: actions (moderator)
    def act(
        headers: dict[str, str], q: dict[str, Any], action: str, expect: int = 200, **body: Any
    ) -> Any:
        return api.call(
            "POST",
            ACT,
            {**slug, "id": q["id"], "action": action},
            expect,
            json=body,
            headers=headers,
        )

    api.call(
        "POST",
        ACT,
        {**slug, "id": q1["id"], "action": "approve"},
        403,
        json={},
        headers={"Origin": ORIGIN},
    )
    approved = act(mod, q1, "approve", version=q1["version"])
    assert approved["status"] == "approved"
    stale = act(mod, q1, "edit", 409, version=q1["version"], text="Văn bản mới đủ dài.")
    assert stale["error"]["code"] == "conflict"
    act(mod, q1, "approve", 409)
    assert act(mod, q2, "reject", 400, reason="boring")["error"]["field"] == "reason"
    act(mod, q2, "reject", reason="spam")
    act(mod, q2, "restore")
    act(mod, q2, "reject", reason="spam")
    edited = act(
        mod,
        q1,
        "edit",
        text="Khi nào thành phố hoàn thành cấp chữ ký số miễn phí cho toàn bộ người dân?",
    )
    assert edited["edited"] is True and edited["original_text"]
    act(mod, q1, "set_topic", topic=None)
    act(mod, q1, "set_topic", topic="dvc")
    act(mod, q1, "assign", official_id="stttt")
    act(mod, q1, "note", text="Hỏi lại Sở về số liệu.")
    act(mod, q1, "queue", position=None)
    act(mod, q1, "on_air", 403)
    act(mod, q1, "launch", 404)
    act(mod, {"id": "999999"}, "approve", 404)
    act(mod, q4, "approve")
    act(mod, q4, "queue", position=0)
    act(mod, q3, "approve")
    merged = act(mod, q3, "merge", into=q1["id"])
    assert merged["status"] == "merged"
    big = "x" * 70_000
    api.call(
        "POST",
        ACT,
        {**slug, "id": q4["id"], "action": "note"},
        413,
        content=big.encode(),
        headers=mod,
    )
    hotline = {
        "text": "Người dân gọi đường dây nóng hỏi về chữ ký số.",
        "name": "Lê Văn Cường",
        "channel": "hotline",
    }
    staff_code = api.call("POST", QUESTIONS, slug, 202, json=hotline, headers=mod)["tracking_code"]
    assert _wait_screened(api, staff_code)["status"] == "pending"
    q5 = next(
        q
        for q in api.call("GET", QUESTIONS, slug, 200, query={"status": "pending"})["items"]
        if q["channel"] == "hotline"
    )
    bulk = "/api/v1/dialogues/{slug}/questions/bulk"
    done = api.call(
        "POST", bulk, slug, 200, json={"action": "approve", "ids": [q5["id"]]}, headers=mod
    )
    assert [r["ok"] for r in done["results"]] == [True]
    api.call("POST", bulk, slug, 400, json={"action": "answer", "ids": [q5["id"]]}, headers=mod)
    handling = "/api/v1/dialogues/{slug}/questions/{id}/handling"
    claimed = api.call("POST", handling, {**slug, "id": q5["id"]}, 200, headers=mod)
    assert claimed["by"] == "moderator"
    api.call("DELETE", handling, {**slug, "id": q5["id"]}, 204, headers=mod)
    api.call("GET", "/api/v1/dialogues/{slug}/screen", slug, 403)

    # -- producer: the air, the overlay, the screen
    prod = api.login("producer")
    listed_q1 = api.call("GET", QUESTIONS, slug, 200, query={"status": "queued"})
    assert [q["id"] for q in listed_q1["items"]] == [q4["id"], q1["id"]]
    assert all("contact" not in q for q in listed_q1["items"])
    on_air = act(prod, q4, "on_air")
    assert on_air["status"] == "on_air"
    act(prod, q1, "on_air")
    feed = api.call("GET", "/api/v1/dialogues/{slug}/feed", slug, 200)
    assert feed["on_air"]["id"] == q1["id"] and feed["on_air"]["asked_by"] == 2
    act(prod, q4, "defer")
    act(prod, q5, "queue")
    api.call("GET", "/api/v1/dialogues/{slug}/screen", slug, 200)
    api.call("POST", "/api/v1/dialogues/{slug}/screen/rotate", slug, 403, headers=prod)

    def air(op: str, expect: int = 200, **body: Any) -> Any:
        return api.call("POST", AIR, {**slug, "op": op}, expect, json=body, headers=prod)

    skipped = air("skip", current=q1["id"])
    assert skipped["on_air"]["id"] == q5["id"] and skipped["change"]["until"]
    undone = air("undo", change=skipped["change"]["id"])
    assert undone["on_air"]["id"] == q1["id"] and undone["change"] is None
    air("undo", 409)
    air("back", 409, current="999")
    back = air("back", current=q1["id"])
    assert back["on_air"] is None
    air("fly", 404)

    # -- votes
    votes = {**slug, "id": q1["id"]}
    assert api.call("POST", VOTES, votes, 200, json={"voter": "voter-0001"})["votes"] == 1
    assert api.call("POST", VOTES, votes, 200, json={"voter": "voter-0001"})["votes"] == 1
    api.call("POST", VOTES, votes, 400, json={"voter": "x"})
    api.call("POST", VOTES, {**slug, "id": q2["id"]}, 404, json={"voter": "voter-0001"})

    # -- next: the head of the queue goes on air; the question on air is done
    first = api.call("POST", NEXT, slug, 200, json={"current": ""}, headers=prod)
    assert first["on_air"]["id"] == q1["id"]
    api.call("POST", NEXT, slug, 409, json={"current": q5["id"]}, headers=prod)
    api.call("POST", NEXT, slug, 400, json={"then": "back"}, headers=prod)
    second = api.call("POST", NEXT, slug, 200, json={"current": q1["id"]}, headers=prod)
    assert second["on_air"]["id"] == q5["id"]
    last = api.call(
        "POST", NEXT, slug, 200, json={"current": q5["id"], "then": "defer"}, headers=prod
    )
    assert last["on_air"] is None and last["change"]["id"]
    overlay = "/api/v1/dialogues/{slug}/overlay"
    assert api.call("POST", overlay, slug, 200, json={"visible": False}, headers=prod) == {
        "visible": False
    }
    api.call("POST", overlay, slug, 400, json={"visible": "no"}, headers=prod)

    # -- official (own questions): the summary of a live answer; no air
    off = api.login("official")
    answered = act(off, q1, "summarize", text="Thành phố sẽ hoàn thành trong quý I năm 2027.")
    assert answered["answer"]["kind"] == "live"
    assert answered["answer"]["official"]["id"] == "stttt"
    written = act(off, q4, "answer", 403, text="Trả lời bằng văn bản.")
    assert written["error"]["code"] == "forbidden"

    # -- admin
    admin = api.login("admin")
    act(admin, q4, "assign", official_id="stttt")
    api.call("POST", "/api/v1/dialogues/{slug}/screen/rotate", slug, 200, headers=admin)
    api.call("GET", "/api/v1/dialogues/{slug}/screen", slug, 200)
    assert "contact" in api.call("GET", QUESTION, {**slug, "id": q1["id"]}, 200)
    everything = api.call("GET", QUESTIONS, slug, 200)
    assert len(everything["items"]) == 5 and everything["next_cursor"] is None
    api.call("GET", QUESTIONS, slug, 200, query={"official": "stttt"})
    export = "/api/v1/dialogues/{slug}/export"
    rows = api.call("GET", export, slug, 200, query={"format": "json"})
    assert rows["dialogue"] == SLUG and len(rows["questions"]) == 5
    assert api.call("GET", export, slug, 200, query={"format": "csv"}).startswith("\ufeffSố,")
    api.call("GET", export, slug, 400, query={"format": "xml"})
    assert api.call("GET", export, slug, 200, query={"format": "xlsx"}).startswith(b"PK")
    report = "/api/v1/dialogues/{slug}/report"
    assert api.call("GET", report, slug, 200, query={"lang": "en"}).startswith(b"PK")  # a zip
    api.call("GET", report, slug, 400, query={"format": "pdf"})
    board = api.call("GET", "/api/v1/dialogues/{slug}/dashboard", slug, 200)
    assert board["total"] >= 5 and sum(m["received"] for m in board["minutes"]) == board["total"]
    trail = api.call("GET", "/api/v1/dialogues/{slug}/audit", slug, 200, query={"actor": "admin"})
    assert trail["chain"]["ok"] and trail["items"]
    settings = api.call("GET", "/api/v1/dialogues/{slug}/settings", slug, 200)
    renamed = {"title": settings["title"] + " (2026)", "version": settings["version"]}
    edited = api.call("PATCH", "/api/v1/dialogues/{slug}", slug, 200, json=renamed, headers=admin)
    assert edited["version"] == settings["version"] + 1
    api.call("PATCH", "/api/v1/dialogues/{slug}", slug, 409, json=renamed, headers=admin)
    api.call("PATCH", "/api/v1/dialogues/{slug}", slug, 400, json={"slug": "x"}, headers=admin)
    made = api.call(
        "POST",
        "/api/v1/dialogues",
        {},
        201,
        json={"slug": "hue-2027", "title": "Đối thoại năm 2027"},
        headers=admin,
    )
    assert made["status"] == "draft"
    api.call(
        "POST",
        "/api/v1/dialogues",
        {},
        409,
        json={"slug": "hue-2027", "title": "Lần nữa"},
        headers=admin,
    )
    users = api.call("GET", "/api/v1/users", {}, 200)
    assert {u["username"] for u in users} >= {r.value for r in Role}
    user = {"username": "thu-ky-2", "password": PASSWORD, "memberships": {SLUG: ["secretary"]}}
    assert api.call("POST", "/api/v1/users", {}, 201, json=user, headers=admin)["memberships"] == {
        SLUG: ["secretary"]
    }
    account = {"username": "thu-ky-2"}
    disabled = api.call(
        "PATCH", "/api/v1/users/{username}", account, 200, json={"disabled": True}, headers=admin
    )
    assert disabled["disabled"] is True
    api.call(
        "PATCH", "/api/v1/users/{username}", account, 400, json={"is_admin": True}, headers=admin
    )

    # -- the askers' views, the archive
    assert api.call("GET", TRACKING, {"code": code1}, 200)["answer"]["kind"] == "live"
    assert api.call("GET", TRACKING, {"code": code2}, 200)["reason"] == "spam"
    assert api.call("GET", TRACKING, {"code": code3}, 200)["merged_into"]["id"] == q1["id"]
    final = api.call("GET", "/api/v1/dialogues/{slug}/feed", slug, 200)
    assert {q["status"] for q in final["questions"]} == {"answered", "deferred"}
    assert final["next_before"] is None and sum(final["counts"].values()) == 3
    older = api.call("GET", FEED, slug, 200, query={"before": "1000"})
    assert {q["status"] for q in older["questions"]} == {"answered", "deferred"}
    api.call("GET", FEED, slug, 400, query={"before": "-1"})
    history = api.call("GET", HISTORY, slug, 200, headers=admin)
    assert {q["status"] for q in history["items"]} == {"answered", "rejected", "merged"}
    api.call("GET", HISTORY, slug, 400, query={"before": "x"}, headers=admin)
    archive = api.call("GET", "/api/v1/dialogues/{slug}/archive", slug, 200)
    assert archive["counts"]["answered_live"] == 1
    challenge = api.call("GET", "/api/v1/dialogues/{slug}/challenge", slug, 200)
    assert challenge["difficulty"] >= 0
    api.call("DELETE", "/api/v1/tracking/{code}/contact", {"code": code1}, 204)
    api.call("DELETE", "/api/v1/tracking/{code}/contact", {"code": "KHONGCO1"}, 404)

    # -- the end of the broadcast
    live = {"status": "live"}
    api.call("POST", "/api/v1/dialogues/{slug}/status", slug, 200, json=live, headers=admin)
    api.call(
        "POST", "/api/v1/dialogues/{slug}/status", slug, 400, json={"status": "x"}, headers=admin
    )
    plan = api.call("GET", WRAP_UP, slug, 200)
    assert {q["id"] for q in plan["questions"]} == {q4["id"], q5["id"]}
    closed = api.call("POST", WRAP_UP, slug, 200, json={}, headers=admin)
    assert closed["status"] == "closed" and all(r["ok"] for r in closed["results"])
    api.call("POST", VOTES, votes, 409, json={"voter": "voter-0002"})
    api.call("DELETE", "/api/v1/session", {}, 403, headers={"Origin": ORIGIN})
    api.call("DELETE", "/api/v1/session", {}, 204, headers=admin)
    api.call("GET", "/api/v1/session", {}, 401)

    statuses = {status for _, _, status in api.seen}
    assert statuses >= {200, 201, 202, 204, 400, 401, 403, 404, 409, 413}
    succeeded = {(_template(t), m.lower()) for t, m, status in api.seen if status < 300}
    assert _documented() - succeeded == set(), "documented operations never called"


@contextlib.contextmanager
def _socket(client: TestClient, url: str, **kwargs: Any) -> Iterator[Any]:
    """``client.websocket_connect`` that tolerates a known exit-time failure:
    server/web/sockets.py ``_serve`` awaits ``asyncio.gather`` on its cancelled
    tasks, which drops anyio's cancel message, so the TestClient's cancel after
    close escapes as a bare CancelledError. Messages are unaffected."""
    session = client.websocket_connect(url, **kwargs)
    ws = session.__enter__()
    try:
        yield ws
    except BaseException:
        with contextlib.suppress(concurrent.futures.CancelledError):
            session.__exit__(*sys.exc_info())
        raise
    with contextlib.suppress(concurrent.futures.CancelledError):
        session.__exit__(None, None, None)


def test_websocket_messages_match_the_document(app_client: TestClient) -> None:
    api = Api(app_client)
    code = _submit(api, "Câu hỏi để thử kênh WebSocket của buổi đối thoại.")
    _wait_screened(api, code)
    mod = api.login("moderator")
    page = api.call("GET", QUESTIONS, {"slug": SLUG}, 200, query={"status": "pending"})
    qid = page["items"][0]["id"]
    feed_url = f"/ws/v1/dialogues/{SLUG}/feed"
    console_url = f"/ws/v1/dialogues/{SLUG}/console"
    with (
        _socket(app_client, feed_url) as public,
        _socket(app_client, console_url, headers={"Origin": ORIGIN}) as console,
    ):
        snapshot = public.receive_json()
        _validate(snapshot, "/components/schemas/PublicFeedSnapshot")
        assert snapshot["reset"] is False and snapshot["data"]["questions"] == []
        staff_snapshot = console.receive_json()
        _validate(staff_snapshot, "/components/schemas/ConsoleFeedSnapshot")
        assert [q["id"] for q in staff_snapshot["data"]["questions"]] == [qid]
        api.call(
            "POST", ACT, {"slug": SLUG, "id": qid, "action": "approve"}, 200, json={}, headers=mod
        )
        event = public.receive_json()
        _validate(event, "/components/schemas/PublicFeedEvent")
        assert event["type"] == "question.approved" and event["data"]["id"] == qid
        staff_event = console.receive_json()
        _validate(staff_event, "/components/schemas/ConsoleFeedEvent")
        assert staff_event["type"] == "question.approved"
    with _socket(app_client, f"{feed_url}?after={snapshot['id']}") as resumed:
        replayed = resumed.receive_json()
        _validate(replayed, "/components/schemas/PublicFeedEvent")
        assert replayed["id"] == event["id"]
    with _socket(app_client, f"{feed_url}?after=1-0") as reset:
        fresh = reset.receive_json()
        _validate(fresh, "/components/schemas/PublicFeedSnapshot")
        assert fresh["reset"] is True and [q["id"] for q in fresh["data"]["questions"]] == [qid]


def test_rate_limited_response_matches_the_document(redis_url: str, tmp_path: Path) -> None:
    settings = Settings.from_env({}, redis_url=redis_url, data_dir=tmp_path, submit_limit=(1, 60.0))
    app = create_app(settings)
    with TestClient(app) as client:
        _run(client, app.state.services.dialogues.create, slug=SLUG, title="Thử", status="open")
        api = Api(client)
        _submit(api, "Câu hỏi thứ nhất trong một phút.")
        body = {"text": "Câu hỏi thứ hai trong cùng một phút.", "name": "Trần Thị Bình"}
        api.call("POST", QUESTIONS, {"slug": SLUG}, 429, json=body)


def test_unavailable_response_matches_the_document(tmp_path: Path) -> None:
    """Redis unreachable: 503 with Retry-After and the Error body."""
    settings = Settings.from_env(
        {}, redis_url=f"redis://127.0.0.1:{free_port()}/0", data_dir=tmp_path
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        Api(client).call("GET", "/api/v1/dialogues", {}, 503)
