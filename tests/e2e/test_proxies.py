"""X-Forwarded-For is believed only from configured proxies: a forged header
from any other peer does not change the rate-limit key."""

from __future__ import annotations

import httpx

from tests.helpers import ServerProcess

from .conftest import World

Q = "/api/v1/dialogues/chuyen-doi-so/questions"
BODY = {"text": "Xin hỏi về chữ ký số cho người dân?", "name": "Trần Văn Bình"}


def statuses(server: ServerProcess, forwarded: list[str]) -> list[int]:
    with httpx.Client(base_url=server.url) as client:
        return [
            client.post(Q, json=BODY, headers={"X-Forwarded-For": f}).status_code for f in forwarded
        ]


def test_forged_forwarded_for_from_an_untrusted_peer_is_ignored(
    redis_url: str, world: World
) -> None:
    """Without trusted proxies, three different X-Forwarded-For values share one bucket."""
    env = {"REDIS_URL": redis_url, "DOITHOAI_SUBMIT_LIMIT": "2/minute"}
    with ServerProcess(env=env) as server:
        assert statuses(server, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [202, 202, 429]


def test_trusted_proxy_addresses_count_per_client(redis_url: str, world: World) -> None:
    """Behind a trusted proxy each client has its own bucket, keyed by the address
    the proxy appended, whatever a client wrote in front of it."""
    env = {
        "REDIS_URL": redis_url,
        "DOITHOAI_SUBMIT_LIMIT": "2/minute",
        "DOITHOAI_TRUSTED_PROXIES": "127.0.0.0/8",
    }
    with ServerProcess(env=env) as server:
        assert statuses(server, ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) == [202, 202, 202]
        forged = ["6.6.6.6, 9.9.9.9", "7.7.7.7, 9.9.9.9", "8.8.8.8, 9.9.9.9"]
        assert statuses(server, forged) == [202, 202, 429]
