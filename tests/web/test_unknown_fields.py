"""A body's fields are the ones it has: a misspelt or foreign field is a 400
naming it (the error body of docs/api.md), and nothing changes; never a field quietly
dropped so that the action runs as if it had been left out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import ServerProcess
from tests.support.questions import question_id
from tests.support.staff import StaffClient

from .seed import SLUG, ask
from .sessions import staff

pytestmark = pytest.mark.e2e

QUESTIONS = f"/api/v1/dialogues/{SLUG}/questions"


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == field
    assert error["errors"][0]["field"] == field
    assert field in error["message"]


def test_a_misspelt_official_is_refused_and_the_routing_kept(site: ServerProcess) -> None:
    """The user trial's case: assign with ``official`` (not ``official_id``)
    answered 200 and unassigned the question."""
    qid = question_id(site.env["REDIS_URL"], ask(site, "Xin hỏi về lộ trình chuyển đổi số cấp xã?"))
    mod = staff(site, "moderator")
    url = f"{QUESTIONS}/{qid}"
    done = mod.post(f"{url}/actions/assign", json={"version": 1, "official_id": "o1"})
    assert done.status_code == 200, done.text
    seen = done.json()
    assert seen["official"]["id"] == "o1"
    version = seen["version"]

    wrong = mod.post(f"{url}/actions/assign", json={"version": version, "official": "o2"})
    _refused(wrong, "official")
    # A field of another action is as foreign to this one.
    _refused(
        mod.post(f"{url}/actions/assign", json={"version": version, "reason": "spam"}), "reason"
    )
    # Leaving the official out names nobody: it is refused, not taken for null.
    left_out = mod.post(f"{url}/actions/assign", json={"version": version})
    _refused(left_out, "official_id")
    after = mod.get(url).json()
    assert after["official"]["id"] == "o1" and after["version"] == version

    # Nobody, said explicitly, is still possible.
    cleared = mod.post(f"{url}/actions/assign", json={"version": version, "official_id": None})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["official"] is None


def test_every_staff_body_refuses_unknown_fields(site: ServerProcess) -> None:
    """Each JSON body a staff member sends, with one field too many."""
    qid = question_id(site.env["REDIS_URL"], ask(site, "Xin hỏi về chữ ký số cho hộ kinh doanh?"))
    mod, admin, producer = staff(site, "moderator"), staff(site, "admin"), staff(site, "producer")
    dialogue = f"/api/v1/dialogues/{SLUG}"
    cases: list[tuple[StaffClient, str, str, dict[str, Any], str]] = [
        (mod, "POST", f"{QUESTIONS}/{qid}/actions/approve", {"versoin": 1}, "versoin"),
        (mod, "POST", f"{QUESTIONS}/{qid}/actions/reject", {"reasons": "spam"}, "reasons"),
        (mod, "POST", f"{QUESTIONS}/{qid}/actions/set_topic", {"topic_id": "x"}, "topic_id"),
        (mod, "POST", f"{QUESTIONS}/bulk", {"action": "approve", "ids": [qid], "id": 1}, "id"),
        (
            mod,
            "POST",
            f"{QUESTIONS}/bulk",
            {"action": "approve", "ids": [qid], "reason": "spam"},
            "reason",
        ),
        (producer, "POST", f"{dialogue}/next", {"than": "owed"}, "than"),
        (producer, "POST", f"{dialogue}/air/skip", {"curent": ""}, "curent"),
        (producer, "POST", f"{dialogue}/overlay", {"visible": True, "shown": 1}, "shown"),
        (producer, "POST", f"{dialogue}/wrap-up", {"official": {}}, "official"),
        (admin, "PATCH", dialogue, {"titel": "Đối thoại"}, "titel"),
        (admin, "PATCH", dialogue, {"topics": [{"id": "a", "name": "A", "x": 1}]}, "topics.0.x"),
        (admin, "POST", f"{dialogue}/status", {"state": "closed"}, "state"),
        (
            admin,
            "POST",
            "/api/v1/users",
            {"username": "khach", "password": "mat-khau-du-dai-1", "role": "moderator"},
            "role",
        ),
    ]
    for client, method, url, body, field in cases:
        _refused(client.send(method, url, body), field)
    # Nothing happened: the question is still pending, version 1.
    still = mod.get(f"{QUESTIONS}/{qid}").json()
    assert (still["status"], still["version"]) == ("pending", 1)
    assert admin.get("/api/v1/users").status_code == 200
    assert "khach" not in admin.get("/api/v1/users").text


def test_votes_refuse_unknown_fields_and_questions_keep_theirs(site: ServerProcess) -> None:
    """A vote's body is checked like the staff's; the public submission
    still takes every field the widget and the page send (and ignores one a
    newer widget may add)."""
    qid = question_id(site.env["REDIS_URL"], ask(site, "Xin hỏi về wifi miễn phí ở nơi công cộng?"))
    voted = httpx.post(
        f"{site.url}{QUESTIONS}/{qid}/votes", json={"voter": "v-0123456789abcdef", "vote": 1}
    )
    _refused(voted, "vote")
    code = ask(site, "Xin hỏi về trạm sạc xe điện ở các phường?", future_field="x")
    assert question_id(site.env["REDIS_URL"], code)


def test_an_actions_unknown_field_lists_that_actions_fields(site: ServerProcess) -> None:
    """The API's one body for every action: a field none of them takes is
    refused with the fields of the action in the URL, not every action's."""
    qid = question_id(site.env["REDIS_URL"], ask(site, "Xin hỏi về phí dịch vụ công trực tuyến?"))
    mod = staff(site, "moderator")
    for action, listed in (("assign", "official_id, version"), ("approve", "version")):
        wrong = mod.post(f"{QUESTIONS}/{qid}/actions/{action}", json={"version": 1, "officail": 1})
        _refused(wrong, "officail")
        message = wrong.json()["error"]["message"]
        assert message.endswith(f": {listed}."), message
