"""End to end on a real server and real Redis: citizen -> intake -> staff
console -> moderator -> every viewer, live, with resume."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

from server.actions.accounts import Accounts
from tests.helpers import ServerProcess
from tests.support.staff import PASSWORD, AsyncStaffClient, sign_in

from .conftest import SLUG, World

TEXT = "Xin hỏi thành phố có kế hoạch phủ sóng 4G cho các thôn vùng cao A Lưới không?"
TIMEOUT = 10


def ws_url(server: ServerProcess, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


async def console_socket(server: ServerProcess, staff: AsyncStaffClient) -> ClientConnection:
    """The dialogue's staff feed, opened as ``staff``'s console opens it."""
    return await connect(
        ws_url(server, f"/ws/v1/dialogues/{SLUG}/console"),
        origin=Origin(server.url),
        additional_headers={"Cookie": staff.cookie_header},
    )


async def next_message(
    ws: ClientConnection, skip: tuple[str, ...] = ("heartbeat",)
) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if message["type"] not in skip:
            return dict(message)


async def wait_for_type(ws: ClientConnection, type_: str) -> dict[str, Any]:
    while True:
        message = await next_message(ws)
        if message["type"] == type_:
            return message


async def submit(server: ServerProcess, text: str = TEXT) -> str:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(
            "/api/v1/dialogues/chuyen-doi-so/questions",
            json={"text": text, "name": "Hồ Thị Lan", "locality": "Phường Thuận Hóa"},
        )
    assert response.status_code == 202, response.text
    return str(response.json()["tracking_code"])


async def test_question_travels_to_every_screen(server: ServerProcess, world: World) -> None:
    """A public submission reaches the staff WS as question.received; approval
    reaches a public viewer as question.approved."""
    moderator = await sign_in(server.url, "moderator")
    console = await console_socket(server, moderator)
    viewer = await connect(ws_url(server, "/ws/v1/dialogues/chuyen-doi-so/feed"))
    try:
        assert (await next_message(console))["type"] == "snapshot"
        snapshot = await next_message(viewer)
        assert snapshot["type"] == "snapshot" and snapshot["reset"] is False
        assert snapshot["data"]["questions"] == []

        await submit(server)
        received = await wait_for_type(console, "question.received")
        assert received["data"]["text"] == TEXT and received["data"]["status"] == "pending"
        assert "contact" not in received["data"]

        qid = received["data"]["id"]
        response = await moderator.act(SLUG, qid, "approve", version=received["data"]["version"])
        assert response.status_code == 200, response.text
        approved = await next_message(viewer)
        assert approved["type"] == "question.approved"
        assert (
            approved["data"]["text"] == TEXT
            and approved["id"] == (await next_message(console))["id"]
        )
        for private in ("tracking_code", "flags", "notes", "history", "contact", "version"):
            assert private not in approved["data"]
    finally:
        await console.close()
        await viewer.close()
        await moderator.client.aclose()


async def test_resume_gets_exactly_what_was_missed(server: ServerProcess, world: World) -> None:
    """A viewer reconnecting with after= gets exactly the events it missed, in order, once."""
    producer = await sign_in(server.url, "producer")
    moderator = await sign_in(server.url, "moderator")
    await submit(server)
    viewer = await connect(ws_url(server, "/ws/v1/dialogues/chuyen-doi-so/feed"))
    console = await console_socket(server, moderator)
    try:
        await next_message(viewer)
        snapshot = await next_message(console)
        qid = (snapshot["data"]["questions"] or [None])[0]
        if qid is None:
            qid = (await wait_for_type(console, "question.received"))["data"]["id"]
        else:
            qid = qid["id"]
        assert (await moderator.act(SLUG, qid, "approve")).status_code == 200
        last_seen = (await next_message(viewer))["id"]
        await viewer.close()

        for action, body in (
            ("queue", {}),
            ("on_air", {}),
            ("answer", {"text": "Cuối năm nay sẽ phủ sóng."}),
        ):
            assert (await producer.act(SLUG, qid, action, **body)).status_code == 200, action

        viewer = await connect(
            ws_url(server, f"/ws/v1/dialogues/chuyen-doi-so/feed?after={last_seen}")
        )
        replay = [await next_message(viewer) for _ in range(5)]
        assert [m["type"] for m in replay] == [
            "question.queued",
            "queue.changed",
            "question.on_air",
            "queue.changed",
            "question.answered",
        ]
        assert [m["data"]["ids"] for m in replay[1::2][:2]] == [[qid], []]
        assert replay[-1]["data"]["answer"]["text"] == "Cuối năm nay sẽ phủ sóng."
        ids = [m["id"] for m in replay]
        assert (
            ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-")))) and last_seen not in ids
        )
        # Nothing is sent twice: the next message is the next new event.
        async with httpx.AsyncClient(base_url=server.url) as client:
            vote = await client.post(
                f"/api/v1/dialogues/chuyen-doi-so/questions/{qid}/votes",
                json={"voter": "viewer-123456"},
            )
            assert vote.json() == {"votes": 1}
        following = await next_message(viewer)
        assert following["type"] == "votes.changed" and following["data"] == {"id": qid, "votes": 1}
    finally:
        await viewer.close()
        await console.close()
        await producer.client.aclose()
        await moderator.client.aclose()


@pytest.mark.parametrize("after", ["9999999999999-0", "garbage", "1-0"])
async def test_unknown_resume_id_gets_a_reset_snapshot(
    server: ServerProcess, world: World, after: str
) -> None:
    """An id the stream does not hold answers with a fresh snapshot marked reset."""
    await submit(server)
    async with connect(
        ws_url(server, f"/ws/v1/dialogues/chuyen-doi-so/feed?after={after}")
    ) as viewer:
        message = await next_message(viewer)
    assert message["type"] == "snapshot" and message["reset"] is True
    assert message["id"] == message["data"]["last_event_id"]


async def test_console_refuses_foreign_origin_and_anonymous(
    server: ServerProcess, world: World
) -> None:
    """The staff WebSocket refuses a cross-site Origin and a missing session at the handshake."""
    moderator = await sign_in(server.url, "moderator")
    try:
        url = ws_url(server, "/ws/v1/dialogues/chuyen-doi-so/console")
        cases = [
            {
                "origin": "http://evil.example",
                "additional_headers": {"Cookie": moderator.cookie_header},
            },
            {"origin": server.url},
            {"additional_headers": {"Cookie": moderator.cookie_header}},
        ]
        for kwargs in cases:
            with pytest.raises(InvalidStatus) as refused:
                await connect(url, **kwargs)  # type: ignore[arg-type]
            assert refused.value.response.status_code == 403
    finally:
        await moderator.client.aclose()


async def test_feed_and_tracking_over_http(server: ServerProcess, world: World) -> None:
    """The HTTP feed and the tracking page agree with the live state."""
    code = await submit(server)
    async with httpx.AsyncClient(base_url=server.url) as client:
        tracked = await client.get(f"/api/v1/tracking/{code}")
        assert tracked.status_code == 200 and tracked.json()["status"] in ("received", "pending")
        feed = (await client.get("/api/v1/dialogues/chuyen-doi-so/feed")).json()
        assert feed["questions"] == [] and feed["on_air"] is None and feed["last_event_id"]


async def test_localhost_and_loopback_address_both_work(
    server: ServerProcess, world: World
) -> None:
    """Without DOITHOAI_PUBLIC_URL, a browser on http://localhost:PORT is as
    much the app's origin as http://127.0.0.1:PORT (both in the demo's output)."""
    moderator = await sign_in(server.url, "moderator")
    try:
        local = f"http://localhost:{server.port}"
        async with connect(
            f"ws://localhost:{server.port}/ws/v1/dialogues/chuyen-doi-so/console",
            origin=Origin(local),
            additional_headers={"Cookie": moderator.cookie_header},
        ) as console:
            assert (await next_message(console))["type"] == "snapshot"
        async with httpx.AsyncClient(base_url=local, headers={"Origin": local}) as client:
            response = await client.post(
                "/api/v1/session", json={"username": "moderator", "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
    finally:
        await moderator.client.aclose()


async def test_signing_out_closes_open_consoles(server: ServerProcess, world: World) -> None:
    """Logging out, or the account being disabled, closes its open consoles within seconds."""
    for end in ("logout", "disable"):
        moderator = await sign_in(server.url, "moderator")
        console = await console_socket(server, moderator)
        try:
            await next_message(console)
            if end == "logout":
                gone = await moderator.client.delete(
                    "/api/v1/session", headers={"X-CSRF-Token": moderator.csrf}
                )
                assert gone.status_code == 204
            else:
                await Accounts(world.store, 3600).set_disabled("moderator", True)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await next_message(console)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401
        finally:
            await console.close()
            await moderator.client.aclose()
            await Accounts(world.store, 3600).set_disabled("moderator", False)
