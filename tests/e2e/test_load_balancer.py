"""The deployment of compose.yaml, without Docker: Debian's nginx with
deploy/nginx.conf (its upstreams pointed at local ports) in front of two app
nodes on one Redis, configured as compose.yaml configures them.

Behind a load balancer every request reaches the nodes from its address. The
nodes must believe the X-Forwarded-For it appends, or all citizens share one
submission limit and one WebSocket cap: the control test shows a second
citizen refused from their first question. compose.yaml must therefore trust
exactly its load balancer's fixed address."""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator
from ipaddress import ip_address, ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from websockets.sync.client import connect

from tests.helpers import ServerProcess, free_port
from tests.support import nginx
from tests.web.seed import SLUG, seed, server_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
#: Each citizen's submissions per minute in these tests.
LIMIT = 3
#: Two citizens, on addresses of their own (the loopback answers all of 127/8).
CITIZENS = ("127.0.0.2", "127.0.0.3")


def _compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text()))


def test_compose_trusts_exactly_its_load_balancer() -> None:
    """Both nodes trust the load balancer's fixed address, which is in the
    project network's fixed subnet; nginx.conf sends to both nodes on the
    port they serve on, and appends the client to X-Forwarded-For (in the
    proxy settings both of deploy/'s sites include)."""
    doc = _compose()
    lb = doc["services"]["lb"]["networks"]["default"]["ipv4_address"]
    subnet = doc["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ip_address(lb) in ip_network(subnet)
    for node in ("app1", "app2"):
        assert doc["services"][node]["environment"]["DOITHOAI_TRUSTED_PROXIES"] == lb
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.findall(r"server (app\d):8000", conf) == ["app1", "app2"]
    assert "include doithoai/proxy.conf;" in conf
    proxy = (ROOT / "deploy" / "nginx-shared" / "proxy.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in proxy


def test_nginx_names_no_version_and_logs_no_secret() -> None:
    """nginx.conf hides its version, and its access log writes neither a query
    string (the overlay's ?token=) nor a tracking code (docs/privacy.md); the
    HTTPS site (deploy/cluster/nginx.conf, which docs/operations.md points
    to) keeps the same log and adds HSTS."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server_tokens off;" in conf
    assert "include doithoai/http.conf;" in conf
    shared = (ROOT / "deploy" / "nginx-shared" / "http.conf").read_text()
    log_format = re.search(r"log_format doithoai (.*?);", shared, re.S)
    assert log_format, "the shared http.conf has the log format"
    for secret_bearing in ("$request ", "$request_uri", "$args", "$query_string", "$uri"):
        assert secret_bearing not in log_format[1] + " ", secret_bearing
    assert "access_log /dev/stdout doithoai;" in conf
    https = (ROOT / "deploy" / "cluster" / "nginx.conf").read_text()
    assert 'Strict-Transport-Security "max-age=63072000; includeSubDomains" always' in https
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in https
    assert "server_tokens off;" in https
    assert (
        re.findall(r"access_log (\S+) (\w+);", https)
        == [("/var/log/nginx/doithoai.access.log", "doithoai")] * 2
    )
    operations = (ROOT / "docs" / "operations.md").read_text()
    assert "deploy/cluster/nginx.conf" in operations
    assert "DOITHOAI_SECURE_COOKIES=true" in operations


@contextlib.contextmanager
def _nginx(upstreams: list[int]) -> Iterator[str]:
    """deploy/nginx.conf in front of ``upstreams`` (local ports); its URL."""
    port = free_port()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams)
    conf = re.sub(
        r"(    server app\d:8000[^\n]*\n)+", servers, (ROOT / "deploy/nginx.conf").read_text()
    )
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{port};")
    with (
        tempfile.TemporaryDirectory(prefix="dt-nginx-") as tmp,
        nginx.running(nginx.prefix(Path(tmp), conf), port),
    ):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def _deployment(redis_url: str, trusted: str) -> Iterator[str]:
    """Two nodes (as compose.yaml's, trusting ``trusted``) behind nginx; its URL."""
    seed(redis_url)
    env = {
        **server_env(redis_url),
        "DOITHOAI_SUBMIT_LIMIT": f"{LIMIT}/minute",
        "DOITHOAI_SECRET_KEY": "k" * 64,
        "DOITHOAI_TRUSTED_PROXIES": trusted,
    }
    with (
        ServerProcess(env={**env, "DOITHOAI_NODE_NAME": "app1"}) as app1,
        ServerProcess(env={**env, "DOITHOAI_NODE_NAME": "app2"}) as app2,
        _nginx([app1.port, app2.port]) as url,
    ):
        yield url


def _ask(url: str, citizen: str, n: int) -> list[int]:
    """``n`` questions from ``citizen``'s address, through the load balancer."""
    transport = httpx.HTTPTransport(local_address=citizen)
    with httpx.Client(base_url=url, transport=transport, timeout=20) as client:
        return [
            client.post(
                f"/api/v1/dialogues/{SLUG}/questions",
                json={"text": f"Xin hỏi câu thứ {k} về dịch vụ công trực tuyến?", "name": "Lê An"},
            ).status_code
            for k in range(n)
        ]


def test_behind_nginx_each_citizen_has_their_own_limit(redis_url: str) -> None:
    """As compose.yaml deploys it: the page and the live feed pass through
    nginx, and each citizen gets the submission limit for themselves."""
    with _deployment(redis_url, trusted="127.0.0.1") as url:
        assert httpx.get(f"{url}/d/{SLUG}", timeout=20).status_code == 200
        with connect(url.replace("http", "ws") + f"/ws/v1/dialogues/{SLUG}/feed") as ws:
            assert '"type":"snapshot"' in str(ws.recv(timeout=20))
        expected = [202] * LIMIT + [429]
        assert [_ask(url, citizen, LIMIT + 1) for citizen in CITIZENS] == [expected] * 2


def test_without_trusting_it_everyone_shares_nginxs_limit(redis_url: str) -> None:
    """Control: nodes that do not trust the load balancer (compose.yaml before
    it set DOITHOAI_TRUSTED_PROXIES) count every citizen as nginx."""
    with _deployment(redis_url, trusted="") as url:
        first, second = (_ask(url, citizen, LIMIT + 1) for citizen in CITIZENS)
        assert first == [202] * LIMIT + [429]
        assert second == [429] * (LIMIT + 1)
