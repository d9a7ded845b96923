"""A socket resuming with ``after=`` is replayed at most DOITHOAI_REPLAY_MAX
events; one further behind gets a fresh snapshot with ``reset: true``, on the
public feed and on the staff console alike (a long replay costs the server
more than a snapshot)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin

from server.domain.model import Actor, Role
from tests.helpers import ServerProcess
from tests.support.questions import wait_screened
from tests.support.staff import sign_in

from .conftest import World
from .test_flow import next_message, submit, ws_url

#: Small, so that the test writes few events; the default is a few hundred.
BOUND = 5
MODERATOR = Actor("moderator", frozenset({Role.MODERATOR}))
FEEDS = ("/ws/v1/dialogues/chuyen-doi-so/feed", "/ws/v1/dialogues/chuyen-doi-so/console")


@pytest.fixture(scope="module")
def bounded(redis_server: str) -> Iterator[ServerProcess]:
    env = {
        "REDIS_URL": redis_server,
        "DOITHOAI_SUBMIT_LIMIT": "0",
        "DOITHOAI_REPLAY_MAX": str(BOUND),
    }
    with ServerProcess(env=env) as process:
        yield process


async def _published(server: ServerProcess, world: World) -> str:
    """A question the server's intake has screened, then approved: its id."""
    qid = await wait_screened(world.store, await submit(server))
    await world.actions.moderation.act(world.dialogue, qid, "approve", {}, MODERATOR)
    return qid


async def _stream_ids(world: World) -> list[str]:
    events = await world.store.events.after(world.dialogue.id, "0-0", limit=100_000)
    assert events is not None
    return [e.id for e in events]


async def _open(server: ServerProcess, path: str, after: str, cookie: str) -> ClientConnection:
    if path.endswith("/console"):
        return await connect(
            ws_url(server, f"{path}?after={after}"),
            origin=Origin(server.url),
            additional_headers={"Cookie": cookie},
        )
    return await connect(ws_url(server, f"{path}?after={after}"))


@pytest.mark.parametrize("path", FEEDS)
async def test_a_replay_stops_at_the_bound(bounded: ServerProcess, world: World, path: str) -> None:
    """Exactly DOITHOAI_REPLAY_MAX events behind: the events themselves
    (after the look-back's counts, under the id resumed after, which are not
    events of the stream); one more: a snapshot with reset, at the stream's
    last id."""
    qid = await _published(bounded, world)
    for n in range(BOUND + 1):  # votes.changed: an event both feeds show
        await world.actions.submissions.vote(world.dialogue, qid, f"replay-voter-{n:04d}")
    ids = await _stream_ids(world)
    at_bound, past_bound = ids[-(BOUND + 1)], ids[-(BOUND + 2)]
    moderator = await sign_in(bounded.url, "moderator")
    try:
        ws = await _open(bounded, path, at_bound, moderator.cookie_header)
        try:
            replay: list[dict[str, Any]] = []
            while len([m for m in replay if m["id"] != at_bound]) < BOUND:
                replay.append(await next_message(ws))
        finally:
            await ws.close()
        counts = [m for m in replay if m["id"] == at_bound]
        # The question's count, when its last vote fell in the same ms as the id.
        assert [m["data"]["id"] for m in counts] in ([], [qid])
        replay = replay[len(counts) :]
        assert [m["type"] for m in replay] == ["votes.changed"] * BOUND
        assert [m["id"] for m in replay] == ids[-BOUND:]

        ws = await _open(bounded, path, past_bound, moderator.cookie_header)
        try:
            first = await next_message(ws)
        finally:
            await ws.close()
        assert first["type"] == "snapshot" and first["reset"] is True
        assert first["id"] == first["data"]["last_event_id"] == ids[-1]
    finally:
        await moderator.client.aclose()
