"""The dashboard's viewers on a real server process: each node says in Redis
how many public sockets it has on the dialogue (every
DOITHOAI_VIEWERS_EVERY seconds); the dashboard shows them summed over the
nodes (here this server and another node's report), and the most at once;
when this node's viewers leave, it says so and the sum falls, the peak stays."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.helpers import ServerProcess
from tests.support.staff import sign_in
from tests.support.waiting import eventually

from .conftest import SLUG, World
from .test_flow import ws_url

pytestmark = pytest.mark.e2e

DASHBOARD = f"/api/v1/dialogues/{SLUG}/dashboard"
ELSEWHERE = 4


@pytest.fixture(scope="module")
def server(redis_server: str) -> Iterator[ServerProcess]:
    env = {"REDIS_URL": redis_server, "DOITHOAI_SUBMIT_LIMIT": "0", "DOITHOAI_VIEWERS_EVERY": "1"}
    with ServerProcess(env=env) as process:
        yield process


async def test_viewers_now_and_at_most_over_every_node(server: ServerProcess, world: World) -> None:
    staff = await sign_in(server.url, "producer")

    async def board(viewers: int) -> dict[str, Any] | None:
        # The other node says its count again, as it would every period.
        await world.actions.reports.count_viewers("node-elsewhere", {world.dialogue.id: ELSEWHERE})
        response = await staff.client.get(DASHBOARD)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found if found["viewers"] == viewers else None

    feed = ws_url(server, f"/ws/v1/dialogues/{SLUG}/feed")
    try:
        async with connect(feed) as first, connect(feed) as second:
            await first.recv()  # each has its snapshot: both are counted by now
            await second.recv()
            both = await eventually(lambda: board(ELSEWHERE + 2), "two viewers here, four there")
            assert both["viewers_peak"] == ELSEWHERE + 2
        gone = await eventually(lambda: board(ELSEWHERE), "this node's viewers gone")
        assert gone["viewers_peak"] == ELSEWHERE + 2
    finally:
        await staff.client.aclose()
