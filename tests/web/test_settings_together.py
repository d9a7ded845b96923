"""The user trial's settings, through the API the admin page calls: an end
before the start, and a topic renamed to another's name, are refused at
their fields (every fault in ``errors``), and the dialogue stays as it was."""

from __future__ import annotations

import pytest

from tests.helpers import ServerProcess
from tests.support.staff import StaffClient

from .seed import SLUG

pytestmark = pytest.mark.e2e

DIALOGUE = f"/api/v1/dialogues/{SLUG}"


def test_an_end_before_the_start_and_twin_topics_are_refused(site: ServerProcess) -> None:
    with StaffClient(site.url, "admin") as admin:
        before = admin.get(DIALOGUE).json()
        topics = [{"id": t["id"], "name": t["name"]} for t in before["topics"]]
        assert len(topics) >= 2
        twins = [topics[0], {"id": topics[1]["id"], "name": f" {topics[0]['name'].upper()} "}]
        response = admin.send(
            "PATCH",
            DIALOGUE,
            {
                "starts_at": "2026-12-10T10:00:00+07:00",
                "ends_at": "2026-12-10T09:00:00+07:00",
                "topics": twins + topics[2:],
            },
        )
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid" and error["field"] == "ends_at"
        assert [e["field"] for e in error["errors"]] == ["ends_at", "topics.1.name"]
        after = admin.get(DIALOGUE).json()
        assert (after["starts_at"], after["ends_at"], after["topics"]) == (
            before["starts_at"],
            before["ends_at"],
            before["topics"],
        )
        # In order, the same change is taken.
        fine = admin.send(
            "PATCH",
            DIALOGUE,
            {"starts_at": "2026-12-10T09:00:00+07:00", "ends_at": "2026-12-10T10:00:00+07:00"},
        )
        assert fine.status_code == 200, fine.text
        assert admin.get(DIALOGUE).json()["ends_at"] == "2026-12-10T10:00:00+07:00"
