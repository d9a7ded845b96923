"""Response headers on a real server: API answers are never stored by a
cache, and nothing names the server's software (uvicorn adds its ``Server``
header itself, so only a real server process shows it)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from server.web.widget import script_url
from tests.helpers import ServerProcess
from tests.support.questions import question_id
from tests.support.staff import StaffClient

from .seed import SLUG, ask

pytestmark = pytest.mark.e2e


@pytest.fixture
def moderator(site: ServerProcess) -> Iterator[StaffClient]:
    """A moderator's API client: session cookie, Origin and CSRF token."""
    with StaffClient(site.url, "moderator") as client:
        yield client


def test_staff_answers_with_contact_data_are_never_stored(
    site: ServerProcess, moderator: StaffClient
) -> None:
    """Every staff answer, errors included, says no-store: the question list
    and a question (contact data, notes), the session (its
    CSRF token), a refusal."""
    code = ask(site, "Xin hỏi khi nào có sóng 4G ở các thôn vùng cao?")
    listed = moderator.get(f"/api/v1/dialogues/{SLUG}/questions")
    assert listed.status_code == 200
    qid = question_id(site.env["REDIS_URL"], code)
    answers = [
        listed,
        moderator.get(f"/api/v1/dialogues/{SLUG}/questions/{qid}"),
        moderator.get("/api/v1/session"),
        moderator.post(f"/api/v1/dialogues/{SLUG}/questions/{qid}/actions/note"),
        moderator.get(f"/api/v1/dialogues/{SLUG}/questions?limit=0"),
        httpx.get(f"{site.url}/api/v1/dialogues/{SLUG}/questions"),  # 401
        httpx.get(f"{site.url}/api/v1/tracking/{code}"),
    ]
    for response in answers:
        assert response.headers.get("cache-control") == "no-store", (
            response.request.url,
            response.status_code,
        )


def test_cacheable_assets_keep_their_own_caching(site: ServerProcess) -> None:
    """The widget and the static files are not the API: their caching stays."""
    with httpx.Client(base_url=site.url, timeout=10) as client:
        pinned = client.get(script_url())
        assert pinned.status_code == 200
        assert "immutable" in pinned.headers["cache-control"]
        assert client.get("/static/style.css").headers["cache-control"] == "no-cache"


def test_no_response_names_the_server_software(site: ServerProcess) -> None:
    """No page, API answer, static file, error or WebSocket handshake (accepted
    or refused) carries a ``Server`` header; ``Date`` stays."""
    with httpx.Client(base_url=site.url, timeout=10) as client:
        responses = [
            client.get("/"),
            client.get(f"/d/{SLUG}"),
            client.get("/api/v1/dialogues"),
            client.get("/api/v1/openapi.json"),
            client.get("/static/style.css"),
            client.get("/widget.js"),
            client.get("/no-such-page"),
            client.delete("/api/v1/dialogues"),  # 405
            client.post("/api/v1/session", content=b"{", headers={"Content-Type": "x"}),
        ]
    for response in responses:
        assert "server" not in response.headers, (response.request.url, response.headers)
        assert "date" in response.headers
    ws_url = site.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}"
    with connect(f"{ws_url}/feed", open_timeout=10) as feed:
        assert feed.response is not None
        assert feed.response.status_code == 101
        assert "Server" not in feed.response.headers
    foreign = Origin("http://evil.example")
    with pytest.raises(InvalidStatus) as refused, connect(f"{ws_url}/console", origin=foreign):
        pass
    assert refused.value.response.status_code == 403
    assert "Server" not in refused.value.response.headers
