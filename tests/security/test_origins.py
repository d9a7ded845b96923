"""The app's own origin is fixed at start, never taken from a request (issue 10):
no header the app sends, its Content-Security-Policy first, names an origin
that came from the request's Host, X-Forwarded-Host or query; a node that
serves other machines refuses to start without DOITHOAI_PUBLIC_URL; and the
demo's portal page is no route of a node."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from server.web.widget import script_url
from tests.helpers import REPO_ROOT, ServerProcess, clean_env
from tests.support.staff import StaffClient
from tests.web.seed import SLUG

from .routes import WS, app_routes

pytestmark = pytest.mark.e2e

EVIL = "evil.example"
#: A request that names another origin everywhere a request can.
HOSTILE = {
    "Host": f"{EVIL}:9999",
    "X-Forwarded-Host": EVIL,
    "X-Forwarded-Proto": "https",
    "Forwarded": f"host={EVIL};proto=https",
}
QUERY = {"api": f"https://{EVIL}", "origin": f"https://{EVIL}", "token": "x"}
#: How an origin taken from the request would show in what the app sends (a
#: query value echoed inside a percent-encoded ``next`` path names no origin).
NAMED = (f"//{EVIL}", f"{EVIL}:9999")


def _names_evil(text: str) -> bool:
    lowered = text.lower()
    return any(form in lowered for form in NAMED)


def _get_routes() -> list[str]:
    return sorted(path for method, path in app_routes() if method == "GET" and method != WS)


def _path(template: str) -> str:
    return template.format(
        slug=SLUG,
        id="1",
        code="0000-00000-00000",
        digest=script_url().removeprefix("/widget.").removesuffix(".js"),
        path="common.js",
        username="admin",
    )


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
def test_no_header_names_an_origin_from_the_request(
    site: ServerProcess, admin: StaffClient, signed_in: bool
) -> None:
    """Every GET route of the router, sent with a hostile Host, X-Forwarded-Host
    and query: no response header (CSP, Location, CORS, ...) and no JSON body
    names the request's origin."""
    wrong = []
    cookies = {"doithoai_session": admin.session} if signed_in else {}
    with httpx.Client(base_url=site.url, timeout=20, cookies=cookies) as client:
        for template in _get_routes():
            response = client.get(_path(template), params=QUERY, headers=HOSTILE)
            named = [f"{k}: {v}" for k, v in response.headers.items() if _names_evil(v)]
            if response.headers.get("content-type", "").startswith("application/json"):
                named += [f"body: {response.text[:200]}"] * _names_evil(response.text)
            if named:
                wrong.append(f"GET {template} ({response.status_code}): {named}")
            if response.status_code == 200 and "text/html" in response.headers["content-type"]:
                policy = response.headers["content-security-policy"]
                assert f"ws://127.0.0.1:{site.port}" in policy, template
    assert not wrong, "\n".join(wrong)


def test_the_overlay_link_is_the_apps_own(site: ServerProcess) -> None:
    """The overlay URL given to a producer names the app's origin, whatever Host was used."""
    producer = StaffClient(site.url, "producer")
    try:
        response = producer.client.get(f"/api/v1/dialogues/{SLUG}/screen", headers=HOSTILE)
    finally:
        producer.close()
    assert response.status_code == 200, response.text
    assert response.json()["url"].startswith(f"{site.url}/d/{SLUG}/screen?token=")


def test_a_node_has_no_demo_portal(site: ServerProcess) -> None:
    """The demo portal page is no route of a node: 404, whatever the query."""
    for path in ("/widget/demo/", "/widget/demo/demo.js"):
        response = httpx.get(f"{site.url}{path}", params={"api": f"https://{EVIL}"})
        assert response.status_code == 404, path
    assert not any("demo" in path for _, path in app_routes())


def _start(command: str, settings: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python -m server <command>`` with ``settings``, until it exits (a
    refused setting ends it at once)."""
    return subprocess.run(
        [sys.executable, "-m", "server", command],
        env={**clean_env(), **settings},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
@pytest.mark.parametrize("command", ["serve", "demo"])
def test_serving_other_machines_needs_a_public_url(host: str, command: str) -> None:
    """Bound to anything but loopback, ``serve`` and ``demo`` refuse to start
    without DOITHOAI_PUBLIC_URL and say how to set it."""
    done = _start(command, {"DOITHOAI_HOST": host})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "DOITHOAI_PUBLIC_URL=" in done.stderr


def test_a_public_url_must_be_an_origin() -> None:
    """DOITHOAI_PUBLIC_URL that is no origin (a path, another scheme) is refused at start."""
    for bad in ("doithoai.example.vn", "ftp://doithoai.example.vn", "https://x.vn/hoi-dap"):
        done = _start("serve", {"DOITHOAI_HOST": "0.0.0.0", "DOITHOAI_PUBLIC_URL": bad})
        assert done.returncode == 2, bad
        assert "DOITHOAI_PUBLIC_URL" in done.stderr, bad
