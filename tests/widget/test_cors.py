"""The widget's server side over HTTP and WebSocket: the public API answers
CORS for a dialogue's listed origins only and refuses (writing nothing) what
other sites send; the module is served with the right headers and stays
within its size budget and its safety rules."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from server.web import widget
from tests.helpers import ServerProcess

from .conftest import HostServer, create, new_slug, questions

pytestmark = pytest.mark.e2e

#: The issue's budget for the module, gzipped.
SIZE_BUDGET = 20 * 1024
NOT_HERE_VI = "Cuộc đối thoại này không được mở trên trang web này."


@pytest.fixture
def slug(app: ServerProcess, host: HostServer, redis_server: str) -> str:
    """A live dialogue of its own, embeddable on ``host`` only."""
    name = new_slug()
    create(redis_server, name, [host.origin])
    return name


@pytest.fixture
def client(app: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app.url, timeout=10) as http:
        yield http


def _question(text: str = "Câu hỏi gửi từ trang của thành phố về dịch vụ công?") -> dict[str, str]:
    return {"text": text, "name": "Hồ Thị Lan"}


def _preflight(origin: str, method: str = "POST") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type",
    }


def test_a_listed_origin_gets_cors_on_the_public_api(
    client: httpx.Client, host: HostServer, slug: str
) -> None:
    """GETs and POSTs of the public API from a listed origin carry that origin
    in Access-Control-Allow-Origin, Vary: Origin, the exposed Retry-After, and
    never Allow-Credentials."""
    base = f"/api/v1/dialogues/{slug}"
    submitted = client.post(f"{base}/questions", json=_question(), headers={"Origin": host.origin})
    assert submitted.status_code == 202, submitted.text
    code = submitted.json()["tracking_code"]
    for response in (
        submitted,
        client.get(base, headers={"Origin": host.origin}),
        client.get(f"{base}/feed", headers={"Origin": host.origin}),
        client.get(f"{base}/archive", headers={"Origin": host.origin}),
        client.get(f"/api/v1/tracking/{code}", headers={"Origin": host.origin}),
    ):
        assert response.status_code in (200, 202), response.text
        assert response.headers["access-control-allow-origin"] == host.origin
        assert "Origin" in response.headers["vary"]
        assert response.headers["access-control-expose-headers"] == "Retry-After"
        assert "access-control-allow-credentials" not in response.headers


def test_a_listed_origins_preflight_is_answered(
    client: httpx.Client, host: HostServer, slug: str
) -> None:
    """A preflight from a listed origin gets 204 with the methods, the header and
    a max age, and no credentials."""
    for path in (
        f"/api/v1/dialogues/{slug}/questions",
        f"/api/v1/dialogues/{slug}/questions/1/votes",
    ):
        response = client.options(path, headers=_preflight(host.origin))
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == host.origin
        assert response.headers["access-control-allow-methods"] == "POST"
        assert response.headers["access-control-allow-headers"] == "Content-Type"
        assert response.headers["access-control-max-age"] == widget.PREFLIGHT_MAX_AGE
        assert "access-control-allow-credentials" not in response.headers


def test_a_foreign_origin_is_refused_and_nothing_is_written(
    client: httpx.Client, foreign: HostServer, redis_server: str, slug: str
) -> None:
    """From an origin not on the list, a submission, a vote and a preflight get
    403 forbidden with the API's error body (docs/api.md) and no CORS header; reads get no
    CORS header; the store is unchanged."""
    base = f"/api/v1/dialogues/{slug}"
    refused = client.post(f"{base}/questions", json=_question(), headers={"Origin": foreign.origin})
    assert refused.status_code == 403
    assert refused.json() == {
        "error": {"code": "forbidden", "message": NOT_HERE_VI, "field": None, "errors": []}
    }
    english = client.post(
        f"{base}/questions?lang=en", json=_question(), headers={"Origin": foreign.origin}
    )
    assert english.json()["error"]["message"] == "This dialogue is not available on this site."
    code = client.post(f"{base}/questions", json=_question()).json()["tracking_code"]
    stored = questions(redis_server, slug)
    assert [q.tracking_code for q in stored] == [code]
    vote = client.post(
        f"{base}/questions/{stored[0].id}/votes",
        json={"voter": "voter-from-elsewhere"},
        headers={"Origin": foreign.origin},
    )
    assert vote.status_code == 403
    preflight = client.options(f"{base}/questions", headers=_preflight(foreign.origin))
    assert preflight.status_code == 403
    assert preflight.json()["error"]["code"] == "forbidden"
    for response in (
        refused,
        vote,
        preflight,
        client.get(f"{base}/feed", headers={"Origin": foreign.origin}),
        client.get(f"/api/v1/tracking/{code}", headers={"Origin": foreign.origin}),
    ):
        assert "access-control-allow-origin" not in response.headers
        assert "Origin" in response.headers["vary"]
    assert [(q.tracking_code, q.votes) for q in questions(redis_server, slug)] == [(code, 0)]


def test_the_apps_own_origin_and_clients_without_origin_pass(
    client: httpx.Client, app: ServerProcess, slug: str
) -> None:
    """The app's own pages and non-browser clients (no Origin) submit as before."""
    own = client.post(
        f"/api/v1/dialogues/{slug}/questions", json=_question(), headers={"Origin": app.url}
    )
    assert own.status_code == 202
    plain = client.post(f"/api/v1/dialogues/{slug}/questions", json=_question("Câu hỏi thứ hai?"))
    assert plain.status_code == 202


def test_staff_endpoints_on_public_paths_get_no_cors(
    client: httpx.Client, host: HostServer, slug: str
) -> None:
    """A listed origin gets no CORS header on the staff methods of public paths."""
    listing = client.get(f"/api/v1/dialogues/{slug}/questions", headers={"Origin": host.origin})
    assert listing.status_code == 401
    assert "access-control-allow-origin" not in listing.headers


def test_unknown_tracking_code_gets_no_cors(client: httpx.Client, host: HostServer) -> None:
    """A tracking code of no dialogue answers 404, with no CORS header."""
    response = client.get("/api/v1/tracking/ZZZZ-ZZZZZ-ZZZZZ", headers={"Origin": host.origin})
    assert response.status_code == 404
    assert "access-control-allow-origin" not in response.headers


def test_origin_check_tells_the_widget_where_it_may_run(
    client: httpx.Client, host: HostServer, foreign: HostServer, slug: str
) -> None:
    """/widget/check/{slug}, readable from anywhere, says whether the caller's
    origin may use the dialogue."""
    yes = client.get(f"/widget/check/{slug}", headers={"Origin": host.origin})
    assert yes.json() == {"allowed": True, "error": None}
    no = client.get(f"/widget/check/{slug}?lang=en", headers={"Origin": foreign.origin})
    assert no.json()["allowed"] is False
    assert no.json()["error"]["message"] == "This dialogue is not available on this site."
    missing = client.get("/widget/check/khong-co", headers={"Origin": foreign.origin})
    assert missing.status_code == 404
    for response in (yes, no, missing):
        assert response.headers["access-control-allow-origin"] == "*"


def test_feed_handshake_from_a_foreign_origin_is_refused(
    app: ServerProcess, host: HostServer, foreign: HostServer, slug: str
) -> None:
    """The public feed's WebSocket handshake is refused (403) from an origin not
    on the list, and accepted from a listed one and from clients without Origin."""
    url = f"{app.url.replace('http', 'ws')}/ws/v1/dialogues/{slug}/feed"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=Origin(foreign.origin), open_timeout=10).close()
    assert refused.value.response.status_code == 403
    for origin in (Origin(host.origin), None):
        with connect(url, origin=origin, open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "snapshot"


def test_widget_js_is_served_for_any_site(client: httpx.Client) -> None:
    """/widget.js and its content-hashed URL: JavaScript, readable from any
    origin, cached briefly and for a year, gzipped when asked, 304 on a match."""
    source = widget.script()
    digest = hashlib.sha256(source).hexdigest()[:12]
    assert widget.script_url() == f"/widget.{digest}.js"
    short = client.get("/widget.js", headers={"Accept-Encoding": "identity"})
    pinned = client.get(f"/widget.{digest}.js", headers={"Accept-Encoding": "gzip"})
    for response, cache in ((short, "public, max-age=300"), (pinned, widget.IMMUTABLE)):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["cache-control"] == cache
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == source
    assert "content-encoding" not in short.headers
    assert pinned.headers["content-encoding"] == "gzip"
    again = client.get("/widget.js", headers={"If-None-Match": short.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/widget.0123456789ab.js").status_code == 404


def test_widget_js_fits_the_size_budget() -> None:
    """widget.js, as served (bundled with the shared modules and its
    catalog), is under 20 KB gzipped."""
    assert len(gzip.compress(widget.script(), 9)) < SIZE_BUDGET


def test_widget_js_never_writes_html_or_evaluates_code() -> None:
    """widget.js, as served, uses none of the APIs that turn strings into
    markup or code."""
    source = widget.script().decode()
    for pattern in (
        r"innerHTML",
        r"outerHTML",
        r"insertAdjacentHTML",
        r"document\.write",
        r"\beval\(",
        r"new Function",
        r"setAttribute\(\s*[\"']on",
        r"setAttribute\(\s*[\"']style",
        r"\.style\.",
    ):
        assert re.search(pattern, source) is None, pattern


def test_a_node_serves_no_portal_page(client: httpx.Client) -> None:
    """``doithoai serve`` has no demo portal: its page exists only under
    ``doithoai demo``, on an origin of its own (tests/test_demo.py)."""
    for path in ("/widget/demo/", "/widget/demo/demo.js", "/widget/demo/index.html"):
        assert client.get(path, params={"api": "https://evil.example"}).status_code == 404
