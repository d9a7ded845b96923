"""What an operator watches, on a real server process and real Redis:
``/metrics`` scraped during a flow (a viewer's socket, citizens' questions
accepted and refused, a moderator's approval) moves as it should;
``/metrics`` is refused to a proxied request and, with a token set, to one
without it; ``/readyz`` fails while Redis is down and recovers by itself
while ``/healthz`` (the process alive) stays 200; JSON log lines carry the
request id and the dialogue, and never the asker's e-mail or phone."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from server.store.embedded import find_redis_server
from tests.helpers import ServerProcess
from tests.support.redis_server import start_redis, stop_redis
from tests.support.staff import sign_in
from tests.support.waiting import eventually, wait_for

from .conftest import SLUG, World
from .test_flow import console_socket, next_message, wait_for_type, ws_url

pytestmark = pytest.mark.e2e

EMAIL = "lan.ho.watch@example.vn"
PHONE = "0912 345 678"
DEVICE = "watch-device-0001"
TOKEN = "a-scraper-token-of-the-test-0123456789"
QUESTIONS = f"/api/v1/dialogues/{SLUG}/questions"
#: The actions route's template: what the latency's label must be (never the raw path).
ACT_ROUTE = "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample of a scrape, by name and sorted labels."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name`` over every sample whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


@pytest.fixture(scope="module")
def watched(redis_server: str) -> Iterator[ServerProcess]:
    """A node with JSON logs that believes X-Request-Id from loopback (as from
    a proxy on the same machine), and a device limit of one question."""
    env = {
        "REDIS_URL": redis_server,
        "DOITHOAI_SUBMIT_LIMIT": "0",
        "DOITHOAI_DEVICE_LIMIT": "1/hour",
        "DOITHOAI_LOG_FORMAT": "json",
        "DOITHOAI_TRUSTED_PROXIES": "127.0.0.1",
    }
    with ServerProcess(env=env) as process:
        yield process


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


async def test_metrics_move_with_a_flow(watched: ServerProcess, world: World) -> None:
    async with httpx.AsyncClient(base_url=watched.url, timeout=30) as client:
        before = await scrape(client)
        name = (await client.get("/healthz")).json()["node"]
        viewer = await connect(ws_url(watched, f"/ws/v1/dialogues/{SLUG}/feed"))
        moderator = await sign_in(watched.url, "moderator")
        console = await console_socket(watched, moderator)
        try:
            assert (await next_message(viewer))["type"] == "snapshot"
            assert (await next_message(console))["type"] == "snapshot"

            async def both_counted() -> Samples | None:
                now = await scrape(client)
                counts = [
                    value(now, "doithoai_sockets", audience=audience, node=name)
                    for audience in ("public", "staff", "screen")
                ]
                return now if counts == [1, 1, 0] else None

            await eventually(both_counted, "the viewer's and the console's sockets counted")

            asked = {
                "text": "Xin hỏi lộ trình số hóa hồ sơ đất đai của phường?",
                "name": "Hồ Thị Lan",
                "email": EMAIL,
                "phone": PHONE,
                "device": DEVICE,
            }
            accepted = await client.post(QUESTIONS, json=asked)
            assert accepted.status_code == 202, accepted.text
            again = await client.post(QUESTIONS, json={**asked, "text": "Câu hỏi thứ hai nữa?"})
            assert again.status_code == 429, again.text
            invalid = await client.post(QUESTIONS, json={"text": ""})
            assert invalid.status_code == 400, invalid.text

            qid = await _screened_id(moderator.client)
            response = await moderator.act(SLUG, qid, "approve")
            assert response.status_code == 200, response.text
            assert (await wait_for_type(viewer, "question.approved"))["data"]["id"] == qid

            async def settled() -> Samples | None:
                now = await scrape(client)
                fanned = value(now, "doithoai_fanout_seconds_count") - value(
                    before, "doithoai_fanout_seconds_count"
                )
                idle = value(now, "doithoai_intake_backlog", dialogue=SLUG) == 0
                return now if fanned >= 1 and idle else None

            after = await eventually(settled, "the approval fanned out, the inbox empty")
        finally:
            await viewer.close()
            await console.close()
            await moderator.client.aclose()

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("doithoai_submissions_accepted_total", by="citizen") == 1
    assert moved("doithoai_submissions_refused_total", reason="rate_limited") == 1
    assert moved("doithoai_submissions_refused_total", reason="invalid") == 1
    assert value(after, "doithoai_intake_lag_seconds", dialogue=SLUG) == 0
    assert value(after, "doithoai_dead_letters", dialogue=SLUG, kind="intake") == 0
    assert value(after, "doithoai_dead_letters", dialogue=SLUG, kind="notices") == 0
    # Received, then approved (and its audit): at least two events since the start.
    assert moved("doithoai_events_appended_total", dialogue=SLUG) >= 2
    assert total(after, "doithoai_http_request_seconds_count", route=ACT_ROUTE, status="2xx") >= 1
    submits = "/api/v1/dialogues/{slug}/questions"
    assert total(after, "doithoai_http_request_seconds_count", route=submits, status="4xx") >= 2
    assert value(after, "doithoai_redis_errors_total") == 0
    routes = {dict(ls).get("route") for (n, ls) in after if n.startswith("doithoai_http")}
    assert ACT_ROUTE in routes and submits in routes
    assert not any(SLUG in r for r in routes if r), routes  # templates, never the raw path
    text = "\n".join(f"{n} {dict(ls)}" for n, ls in after)
    assert EMAIL not in text and "912345678" not in text and DEVICE not in text


async def _screened_id(staff: httpx.AsyncClient) -> str:
    """The id of the one question intake has screened (pending)."""

    async def look() -> str | None:
        page = (await staff.get(f"{QUESTIONS}?status=pending")).json()
        return str(page["items"][0]["id"]) if page["items"] else None

    return await eventually(look, "the question screened")


def test_labels_take_no_value_a_request_chose(watched: ServerProcess) -> None:
    """An invented method and a path no route has count as ``other`` and
    ``unmatched``: a client cannot add a label value."""
    with httpx.Client(base_url=watched.url, timeout=10) as client:
        client.request("PROPFIND", "/no-such-path-4f2a")
        samples = parse(client.get("/metrics").text)
    labels = {v for (_, ls) in samples for _, v in ls}
    assert "PROPFIND" not in labels and not any("4f2a" in v for v in labels)
    assert total(samples, "doithoai_http_request_seconds_count", method="other", route="unmatched")


def test_metrics_not_for_a_proxied_request(watched: ServerProcess) -> None:
    """A request that came through a proxy (on this machine too) gets 404."""
    with httpx.Client(base_url=watched.url, timeout=10) as client:
        assert client.get("/metrics").status_code == 200
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
            proxied = client.get("/metrics", headers={header: "203.0.113.9"})
            assert proxied.status_code == 404, header
            assert "doithoai_" not in proxied.text


def test_metrics_token(redis_server: str) -> None:
    """With DOITHOAI_METRICS_TOKEN, only a scraper with that bearer token reads them."""
    env = {"REDIS_URL": redis_server, "DOITHOAI_METRICS_TOKEN": TOKEN}
    with ServerProcess(env=env) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.get("/metrics").status_code == 404
        wrong = {"Authorization": "Bearer not-it"}
        assert client.get("/metrics", headers=wrong).status_code == 404
        good = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert good.status_code == 200 and "doithoai_sockets" in good.text


def log_lines(server: ServerProcess) -> list[dict[str, Any]]:
    lines = []
    for line in server.output().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_json_logs_carry_the_request_id_and_no_contact(
    watched: ServerProcess, world: World
) -> None:
    asked = {"text": "Xin hỏi về thủ tục cấp đổi căn cước cho người cao tuổi?",
             "name": "Hồ Thị Lan", "email": EMAIL, "phone": PHONE}  # fmt: skip
    with httpx.Client(base_url=watched.url, timeout=10) as client:
        mine = client.post(QUESTIONS, json=asked)
        assert mine.status_code == 202, mine.text
        rid = mine.headers["X-Request-Id"]
        code = mine.json()["tracking_code"]
        tracked = client.get(f"/api/v1/tracking/{code}")
        assert tracked.status_code == 200, tracked.text
        forwarded = client.post(
            QUESTIONS, json={**asked, "device": "watch-other-device"},
            headers={"X-Request-Id": "proxy-id-42"},
        )  # fmt: skip
        assert forwarded.headers["X-Request-Id"] == "proxy-id-42"
        odd = client.get("/healthz", headers={"X-Request-Id": "no spaces allowed"})
        assert odd.headers["X-Request-Id"] != "no spaces allowed"

    def request_line(request_id: str) -> dict[str, Any] | None:
        return next(
            (line for line in log_lines(watched)
             if line.get("request_id") == request_id and "http" in line), None
        )  # fmt: skip

    line = wait_for(lambda: request_line(rid), "the submission's request line")
    assert line["dialogue"] == SLUG
    assert line["http"] == {**line["http"], "method": "POST", "status": 202,
                            "route": "/api/v1/dialogues/{slug}/questions"}  # fmt: skip
    assert wait_for(lambda: request_line("proxy-id-42"), "the forwarded id's line")
    output = watched.output()
    for private in (EMAIL, PHONE, PHONE.replace(" ", ""), "+84912345678", code):
        assert private not in output, private
    tracking = wait_for(lambda: request_line(tracked.headers["X-Request-Id"]), "tracking's line")
    assert tracking["http"]["path"] == "/api/v1/tracking/…"
    requests = [line for line in log_lines(watched) if "http" in line]
    assert requests and not any("127.0.0.1" in json.dumps(line) for line in requests)


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="dt-ready-") as path:
        yield Path(path)


def test_readyz_fails_while_redis_is_down_and_recovers(workdir: Path) -> None:
    process, url = start_redis(workdir)
    port = url.rsplit(":", 1)[1].split("/")[0]
    env = {"REDIS_URL": url, "DOITHOAI_REDIS_TIMEOUT": "2", "DOITHOAI_REDIS_CONNECT_TIMEOUT": "1"}
    again: subprocess.Popen[bytes] | None = None
    try:
        with ServerProcess(env=env) as server, httpx.Client(base_url=server.url, timeout=30) as c:
            assert c.get("/readyz").json()["status"] == "ready"
            process.kill()
            process.wait()
            down = c.get("/readyz")
            assert down.status_code == 503, down.text
            assert down.json()["error"]["code"] == "unavailable"
            assert c.get("/healthz").status_code == 200  # the process is alive
            errors = parse(c.get("/metrics").text)
            assert total(errors, "doithoai_redis_errors_total") >= 1
            again = subprocess.Popen(
                [find_redis_server(), "--port", port, "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(workdir)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            )  # fmt: skip
            wait_for(lambda: c.get("/readyz").status_code == 200, "ready again")
    finally:
        stop_redis(process)
        if again is not None:
            stop_redis(again)
