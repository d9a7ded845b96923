"""The user trial's admin API, on a real server: a form's every fault comes
back in one 400 (``errors``, each with its field), for a dialogue's settings,
a new dialogue and a new staff account; a policy that cannot work is refused;
a change of one dialogue's roles keeps the account's roles in the others."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import ServerProcess
from tests.support.staff import StaffClient

from .seed import SLUG

pytestmark = pytest.mark.e2e

DIALOGUE = f"/api/v1/dialogues/{SLUG}"
USERS = "/api/v1/users"


def fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["field"] == error["errors"][0]["field"]
    assert error["message"] == error["errors"][0]["message"]
    return [e["field"] for e in error["errors"]]


def test_every_fault_of_a_settings_form_comes_back(site: ServerProcess) -> None:
    with StaffClient(site.url, "admin") as admin:
        bad = {
            "title": "",
            "stream_url": "not a url",
            "starts_at": "2026-12-10T10:00:00+07:00",
            "ends_at": "2026-12-10T09:00:00+07:00",
        }
        assert fields(admin.send("PATCH", DIALOGUE, bad)) == ["title", "stream_url", "ends_at"]
        created = admin.post("/api/v1/dialogues", {"title": "x", "slug": "BAD SLUG!"})
        assert fields(created) == ["slug", "title"]
        account = admin.post(USERS, {"username": "Bad User!", "password": "x"})
        assert fields(account) == ["username", "password"]


def test_a_policy_that_cannot_work_is_refused(site: ServerProcess) -> None:
    with StaffClient(site.url, "admin") as admin:
        before = admin.get(f"{DIALOGUE}/settings").json()["policy"]
        policy = {
            "min_syllables": 500,
            "hold": ["link"],
            "reject": {"link": "spam"},
            "extra_blocked": ["cá độ", "Cá Độ"],
        }
        response = admin.send("PATCH", DIALOGUE, {"policy": policy})
        assert fields(response) == [
            "policy.extra_blocked",
            "policy.min_syllables",
            "policy.reject",
        ]
        assert admin.get(f"{DIALOGUE}/settings").json()["policy"] == before


def test_roles_changed_in_one_dialogue_keep_the_others(site: ServerProcess) -> None:
    """What the staff page sends (the dialogues whose roles this admin
    touched) changes those only: another admin's change elsewhere stays."""
    with StaffClient(site.url, "admin") as admin:
        made = admin.post(
            USERS,
            {"username": "hai-noi", "password": "mật khẩu đủ dài 2026",
             "memberships": {SLUG: ["moderator"]}},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        # Another admin gives a role in the draft meanwhile.
        other = admin.send("PATCH", f"{USERS}/hai-noi", {"memberships": {"nhap": ["producer"]}})
        assert other.status_code == 200, other.text
        # This admin's page, loaded before, changes the live dialogue's roles only.
        mine = admin.send("PATCH", f"{USERS}/hai-noi", {"memberships": {SLUG: ["producer"]}})
        assert mine.status_code == 200, mine.text
        assert mine.json()["memberships"] == {"nhap": ["producer"], SLUG: ["producer"]}
