"""Moderation through the real server: duplicate suggestions are in the staff
API the moment the question is (filled at intake, in the same step), bulk
actions and handling claims over HTTP, and the audit page and API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import redis

from tests.helpers import ServerProcess
from tests.support.questions import question_id, submit
from tests.support.streams import oldest_now
from tests.support.waiting import wait_for

from .seed import SLUG, ask
from .sessions import staff

pytestmark = pytest.mark.e2e

QUESTIONS = f"/api/v1/dialogues/{SLUG}/questions"


def test_duplicates_are_there_as_soon_as_the_question_is(site: ServerProcess) -> None:
    """The first time moderators can see the second question (status pending,
    version 1) it already lists the first as a duplicate: no later pass."""
    first = ask(site, "Xin hỏi thủ tục đăng ký chữ ký số cho doanh nghiệp nhỏ như thế nào?")
    again = "Thu tuc dang ky chu ky so cho doanh nghiep nho nhu the nao a?"
    submit(site.url, SLUG, again)
    client = staff(site, "moderator")

    def listed() -> dict[str, Any] | None:
        items = client.get(QUESTIONS, params={"limit": 500}).json()["items"]
        return next((q for q in items if q["text"] == again), None)

    seen = wait_for(listed, "the second question in the moderators' list")
    assert seen["version"] == 1
    first_id = question_id(site.env["REDIS_URL"], first)
    assert [d["id"] for d in seen["duplicates"]] == [first_id]
    assert seen["folded"] == "thu tuc dang ky chu ky so cho doanh nghiep nho nhu the nao a"


def test_bulk_and_handling_over_http(site: ServerProcess) -> None:
    codes = [
        ask(site, f"Xin hỏi về hạ tầng cáp quang cho khu công nghiệp số {n}?") for n in range(3)
    ]
    ids = [question_id(site.env["REDIS_URL"], c) for c in codes]
    mod, other = staff(site, "moderator"), staff(site, "admin")
    assert (
        other.post(f"{QUESTIONS}/{ids[1]}/actions/reject", json={"reason": "spam"}).status_code
        == 200
    )
    response = mod.post(
        f"{QUESTIONS}/bulk", json={"action": "approve", "ids": ids, "versions": {i: 1 for i in ids}}
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert results[0]["question"]["status"] == "approved"
    assert results[1]["error"]["code"] == "conflict"
    bad = mod.post(f"{QUESTIONS}/bulk", json={"action": "answer", "ids": ids})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "action"
    no_csrf = httpx.post(
        f"{site.url}{QUESTIONS}/bulk",
        json={"action": "approve", "ids": ids},
        headers={"Origin": site.url},
        cookies=mod.client.cookies,
    )
    assert no_csrf.status_code == 403

    claim = mod.post(f"{QUESTIONS}/{ids[0]}/handling")
    assert claim.status_code == 200 and claim.json()["by"] == "moderator"
    producer = staff(site, "producer")
    assert producer.post(f"{QUESTIONS}/{ids[0]}/handling").status_code == 403
    assert mod.send("DELETE", f"{QUESTIONS}/{ids[0]}/handling").status_code == 204


def test_audit_page_and_api(site: ServerProcess, redis_server: str) -> None:
    code = ask(site, "Xin hỏi kế hoạch số hoá hồ sơ đất đai của thành phố Huế?")
    qid = question_id(site.env["REDIS_URL"], code)
    mod = staff(site, "moderator")
    assert mod.post(f"{QUESTIONS}/{qid}/actions/approve", json={}).status_code == 200

    page = mod.get(f"/console/{SLUG}/audit", params={"question": qid})
    assert page.status_code == 200
    assert 'data-ok="true"' in page.text and "<code>approve</code>" in page.text
    # The action in the reader's language, beside the code its filter takes.
    assert '<span class="audit-action">Duyệt và đăng</span>' in page.text
    assert '<option value="approve">Duyệt và đăng</option>' in page.text
    english = mod.get(f"/console/{SLUG}/audit", params={"question": qid, "lang": "en"})
    assert '<span class="audit-action">Approved and published</span>' in english.text
    api = mod.get(f"/api/v1/dialogues/{SLUG}/audit", params={"question": qid}).json()
    assert api["chain"]["ok"] is True
    assert [(e["action"], e["actor"]) for e in api["items"]] == [("approve", "moderator")]
    assert api["items"][0]["address"] == "127.0.0.1"

    assert staff(site, "producer").get(f"/api/v1/dialogues/{SLUG}/audit").status_code == 403
    assert httpx.get(f"{site.url}/api/v1/dialogues/{SLUG}/audit").status_code == 401
    anonymous = httpx.get(f"{site.url}/console/{SLUG}/audit")
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]

    client = redis.Redis.from_url(redis_server, decode_responses=True)
    try:
        dialogue_id = str(client.hget("{doithoai}:dialogues", SLUG))
        stream = f"{{d:{dialogue_id}}}:audit"
        first, _ = oldest_now(client, stream, count=1)[0]
        client.xdel(stream, first)
    finally:
        client.close()
    broken = mod.get(f"/console/{SLUG}/audit")
    assert 'data-ok="false"' in broken.text
    assert mod.get(f"/api/v1/dialogues/{SLUG}/audit").json()["chain"]["ok"] is False
