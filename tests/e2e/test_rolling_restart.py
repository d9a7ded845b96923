"""A rolling restart: a node told to stop (SIGTERM, as a process manager or
an operator sends it) tells every viewer and staff socket it has, with close
code 1012 (service restart), to go elsewhere, and then exits, its shutdown
done: clients resume on another node with ``after=`` and lose nothing. A
client that stopped reading does not hold the stop: it is reset at once."""

from __future__ import annotations

import asyncio
import signal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.actions.accounts import Accounts
from server.domain.model import Role
from tests.helpers import ServerProcess

from .conftest import SLUG, World
from .test_ws_direct import PATH, QUIET, VIEWER_RCVBUF, Feed, Viewer, counter

VIEWERS = 300
#: Bounds on failure only: a node that stops as it should is far within them.
ENDED_WITHIN = 60.0


async def _close_code(ws: ClientConnection) -> int | None:
    """Read until the server closes the socket; the close code it sent."""
    try:
        async with asyncio.timeout(ENDED_WITHIN):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


async def test_sigterm_closes_every_socket_with_1012_and_exits(
    redis_url: str, world: World
) -> None:
    env = {"REDIS_URL": redis_url, "DOITHOAI_WS_PER_ADDRESS": "0"}
    server = ServerProcess(env=env).start()
    assert server.process is not None
    secret, _ = await Accounts(world.store, 3600).create_token(
        "moderator", Role.MODERATOR, (SLUG,), "restart", "2026-12-03T10:00:00+00:00"
    )
    base = server.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}"
    sockets: list[ClientConnection] = []
    try:
        sockets.append(
            await connect(
                f"{base}/console",
                origin=server.url,  # type: ignore[arg-type]
                additional_headers={"Authorization": f"Bearer {secret}"},
                max_size=None,
            )
        )
        for start in range(0, VIEWERS, 50):
            sockets += await asyncio.gather(
                *(connect(f"{base}/feed") for _ in range(min(50, VIEWERS - start)))
            )
        for ws in sockets:  # each has its snapshot: live, the viewers handed over to the node
            assert '"snapshot"' in await ws.recv()

        server.process.send_signal(signal.SIGTERM)
        codes = await asyncio.gather(*(_close_code(ws) for ws in sockets))
        status = await asyncio.to_thread(server.process.wait, ENDED_WITHIN)

        assert codes == [1012] * (VIEWERS + 1)
        assert status == -signal.SIGTERM  # uvicorn's clean stop re-raises the signal
        assert "Application shutdown complete." in server.output()
    finally:
        for ws in sockets:
            await ws.close()
        server.kill()
        server.stop()


async def test_a_viewer_that_stopped_reading_does_not_hold_the_stop(
    redis_url: str, world: World
) -> None:
    """A viewer stops reading until the node's transport holds its writes
    (with no write-stall deadline to drop it meanwhile); on SIGTERM it is
    reset at once, so the node does not wait out its graceful bound for it,
    and the viewer that reads is told 1012 as ever."""
    feed = Feed(world.store, world.actions, world.dialogue)
    env = {"REDIS_URL": redis_url, **QUIET, "DOITHOAI_WS_WRITE_STALL": "0"}
    server = ServerProcess(env=env).start()
    assert server.process is not None
    stalled = await asyncio.to_thread(Viewer, server, PATH, VIEWER_RCVBUF)
    try:
        async with connect(server.url.replace("http://", "ws://") + PATH) as reading:
            assert '"snapshot"' in await reading.recv()
            ended = asyncio.create_task(_close_code(reading))  # it reads all along
            await asyncio.to_thread(stalled.frame)  # its snapshot; then it reads no more
            waited = counter(server, "doithoai_ws_frames_waited_total")
            while counter(server, "doithoai_ws_frames_waited_total") < waited + 3:
                await feed.edit()  # ~10 KB events, until frames wait for the stalled viewer

            server.process.send_signal(signal.SIGTERM)
            code = await ended
            status = await asyncio.to_thread(server.process.wait, ENDED_WITHIN)

        assert code == 1012
        assert status == -signal.SIGTERM
        output = server.output()
        assert "timeout graceful shutdown exceeded" not in output  # uvicorn's, at 5 s
        assert "the node stops, it reads nothing" in output
        assert "Application shutdown complete." in output
    finally:
        stalled.close()
        server.kill()
        server.stop()
