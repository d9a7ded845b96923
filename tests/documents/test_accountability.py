"""The public report ``/d/<slug>/report``: the counts and, per responsible
body, what it answered live and in writing, still owes and is late with;
no question and no asker; a written answer published shows at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings

from .conftest import ADMIN, ASKED, Broadcast


def shown(client: TestClient) -> dict[str, str]:
    page = client.get("/d/chuyen-doi-so/report")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Nguyễn Thị Hoa" not in html  # no asker
    assert not [text for text, *_ in ASKED.values() if text in html]  # no question
    counts = dict(re.findall(r'<dd id="count-(\w+)">(\d+)</dd>', html))
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</th>(.*?)</tr>", html, re.S)
    for head, cells in rows:
        name = re.sub(r"<[^>]+>", " ", head).split()[0:4]
        counts[" ".join(name)] = " ".join(re.findall(r"<td>(?:<time[^>]*>)?([^<]*)", cells))
    return counts


async def test_the_public_report_and_a_written_answer_published(
    broadcast: Broadcast, redis_url: str, tmp_path: Path
) -> None:
    settings = Settings.from_env({}, redis_url=redis_url, data_dir=tmp_path)
    with TestClient(create_app(settings, run_workers=False)) as client:
        before = shown(client)
        assert before["received"] == "9" and before["published"] == "6"
        assert (before["live"], before["written"]) == ("1", "2")
        assert (before["owed"], before["overdue"]) == ("3", "3")
        assert before["Nguyễn Văn An Giám"] == "1 1 1 1 23/11/2026"
        assert before["Trần Thị Bình Phó"] == "0 1 0 0 "
        assert before["Chưa phân công"] == "0 0 2 2 23/11/2026"

        q = broadcast.ids["c"]
        body = {"text": "Đã có hướng dẫn cấp đổi trực tuyến trên Cổng dịch vụ công."}
        await broadcast.services.moderation.act(broadcast.dialogue, q, "answer", body, ADMIN)
        after = shown(client)
        assert (after["written"], after["owed"], after["overdue"]) == ("3", "2", "2")
        assert after["Nguyễn Văn An Giám"] == "1 2 0 0 "
        assert client.get("/d/khong-co/report").status_code == 404


async def test_the_report_is_kept_until_the_dialogue_changes(
    broadcast: Broadcast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of readers after a broadcast read the questions once per
    change: the report is kept as of the dialogue's last event (and its
    version and day), and made again after any event."""
    reports = broadcast.services.reports
    questions = reports.store.questions
    reads = 0
    snapshot = questions.snapshot

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal reads
        reads += 1
        return await snapshot(*args, **kwargs)

    monkeypatch.setattr(questions, "snapshot", counted)
    first = await reports.accountability(broadcast.dialogue)
    again = await reports.accountability(broadcast.dialogue)
    assert again is first and reads == 1

    q = broadcast.ids["c"]
    body = {"text": "Đã có hướng dẫn cấp đổi trực tuyến trên Cổng dịch vụ công."}
    await broadcast.services.moderation.act(broadcast.dialogue, q, "answer", body, ADMIN)
    after = await reports.accountability(broadcast.dialogue)
    assert reads == 2 and after.answered_written == first.answered_written + 1
    assert after.owed == first.owed - 1
