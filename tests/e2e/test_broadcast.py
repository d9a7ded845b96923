"""The whole broadcast through the HTTP API on a real server: route, queue,
next question, answer live, defer, close, answer in writing."""

from __future__ import annotations

import httpx
from websockets.asyncio.client import connect

from tests.helpers import ServerProcess
from tests.support.questions import wait_screened
from tests.support.staff import sign_in

from .conftest import SLUG, World
from .test_flow import next_message, submit, wait_for_type, ws_url

Q = "/api/v1/dialogues/chuyen-doi-so"


async def test_the_whole_broadcast(server: ServerProcess, world: World) -> None:
    """assign -> queue -> ready -> next -> next (answered live) -> summary reaches
    viewers and the asker; the question the official said they would answer
    in writing is owed at the wrap-up and answered after the dialogue closes."""
    moderator, producer, official, admin = [
        await sign_in(server.url, name) for name in ("moderator", "producer", "official", "admin")
    ]
    viewer = await connect(ws_url(server, "/ws/v1/dialogues/chuyen-doi-so/feed"))
    try:
        await next_message(viewer)
        live_code = await submit(server, "Khi nào toàn bộ thủ tục đất đai được làm trực tuyến?")
        written_code = await submit(server, "Huế hỗ trợ doanh nghiệp nhỏ chuyển đổi số thế nào?")
        live_id = await wait_screened(world.store, live_code)
        written_id = await wait_screened(world.store, written_code)
        for qid in (live_id, written_id):
            assert (await moderator.act(SLUG, qid, "approve")).status_code == 200
            assert (await moderator.act(SLUG, qid, "assign", official_id="o1")).status_code == 200
            assert (await producer.act(SLUG, qid, "queue")).status_code == 200

        head = (await producer.client.get(f"{Q}/questions?status=queued")).json()["items"][0]
        assert head["id"] == live_id
        ready = await official.act(SLUG, live_id, "ready")
        assert ready.status_code == 200 and ready.json()["ready_at"]
        assert (await official.act(SLUG, live_id, "on_air")).status_code == 403
        on_air = await producer.client.post(
            f"{Q}/next", json={"current": ""}, headers={"X-CSRF-Token": producer.csrf}
        )
        assert on_air.status_code == 200 and on_air.json()["on_air"]["status"] == "on_air"
        shown = await wait_for_type(viewer, "question.on_air")
        assert shown["data"]["id"] == live_id and shown["data"]["official"]["id"] == "o1"

        screen = (await producer.client.get(f"{Q}/screen")).json()
        assert screen["url"].endswith(f"token={screen['token']}")

        # "I will answer it in writing", while it waits in the queue.
        assert (await official.act(SLUG, written_id, "defer")).status_code == 200
        done = await producer.client.post(
            f"{Q}/next", json={"current": live_id}, headers={"X-CSRF-Token": producer.csrf}
        )
        assert done.status_code == 200 and done.json()["on_air"] is None
        answered = await wait_for_type(viewer, "question.answered")
        assert answered["data"]["answer"]["text"] == ""
        assert answered["data"]["answer"]["kind"] == "live"
        answer = "Năm sau thành phố hoàn tất số hóa hồ sơ đất đai và cung cấp toàn trình."
        assert (await official.act(SLUG, live_id, "summarize", text=answer)).status_code == 200
        summarized = await wait_for_type(viewer, "question.updated")
        assert summarized["data"]["answer"]["text"] == answer

        closed = await producer.client.post(
            f"{Q}/wrap-up", json={}, headers={"X-CSRF-Token": producer.csrf}
        )
        assert closed.status_code == 200 and closed.json()["status"] == "closed"
        (result,) = closed.json()["results"]
        assert result["id"] == written_id and result["question"]["due_at"]
        assert (await wait_for_type(viewer, "dialogue.updated"))["data"]["status"] == "closed"
        owed = (await official.client.get(f"{Q}/questions?status=deferred&official=o1")).json()
        assert [q["id"] for q in owed["items"]] == [written_id] and owed["items"][0]["deferred_at"]
        written = "Thành phố có gói hỗ trợ tư vấn chuyển đổi số miễn phí cho doanh nghiệp nhỏ."
        assert (await official.act(SLUG, written_id, "answer", text=written)).status_code == 200

        async with httpx.AsyncClient(base_url=server.url) as public:
            tracked_live = (await public.get(f"/api/v1/tracking/{live_code}")).json()
            tracked_written = (await public.get(f"/api/v1/tracking/{written_code}")).json()
            archive = (await public.get(f"{Q}/archive")).json()
        assert tracked_live["status"] == "answered" and tracked_live["answer"]["text"] == answer
        assert tracked_written["answer"] == {
            **tracked_written["answer"],
            "kind": "written",
            "text": written,
        }
        assert archive["counts"] == {
            "received": 2,
            "answered_live": 1,
            "answered_written": 1,
            "owed": 0,
        }
    finally:
        await viewer.close()
        for staff in (moderator, producer, official, admin):
            await staff.client.aclose()
