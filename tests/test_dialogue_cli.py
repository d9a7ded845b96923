"""``doithoai dialogue create|list|show|status|wrap-up|rotate-screen``, run as a terminal
runs it: ``python -m server dialogue ...`` in a subprocess on the test's Redis."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from server.actions import build
from server.cli.dialogues import OPERATOR
from server.domain.model import Dialogue, Status
from server.store.connection import Store, connect
from tests.helpers import REPO_ROOT
from tests.support.store import opened, run

SLUG = "chuyen-doi-so-2027"
TITLE = "Đối thoại trực tuyến: chuyển đổi số năm 2027"
ORIGIN = "http://127.0.0.1:8000"
ON_AIR = "Khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao?"
QUEUED = "Doanh nghiệp nhỏ được hỗ trợ chuyển đổi số như thế nào trong năm tới?"
UNROUTED = "Phường Vỹ Dạ khi nào có điểm wifi công cộng miễn phí?"


def doithoai(redis_url: str, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m server dialogue <args>`` with only REDIS_URL (and a private data dir) set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOITHOAI_")}
    env.update(
        REDIS_URL=redis_url,
        DOITHOAI_DATA_DIR=str(workdir / "var"),
        PYTHONPATH=str(REPO_ROOT),
        PYTHONIOENCODING="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "server", "dialogue", *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one-line message of a refused command (exit 1, no traceback)."""
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("doithoai dialogue: ")
    return lines[0]


async def _in_store(redis_url: str, slug: str, create: bool = False) -> tuple[Dialogue, str]:
    """The dialogue ``slug`` (made here first, as the CLI would, if ``create``)
    and its overlay token, read straight from the store."""
    async with opened(redis_url) as store:
        actions = build(store)
        if create:
            await actions.dialogues.new({"slug": slug, "title": TITLE})
        dialogue = await actions.dialogues.get(slug)
        return dialogue, await actions.broadcast.screen_token(dialogue)


def stored(redis_url: str, slug: str, create: bool = False) -> tuple[Dialogue, str]:
    return run(_in_store(redis_url, slug, create))


def test_create_list_and_show(redis_url: str, tmp_path: Path) -> None:
    """``create`` makes a draft with its times and video; ``list`` and ``show`` find it."""
    created = ok(
        doithoai(
            redis_url, tmp_path, "create", SLUG, TITLE,
            "--starts-at", "2027-01-10T14:00:00+07:00",
            "--ends-at", "2027-01-10T16:00:00+07:00",
            "--stream-url", "https://video.example.vn/chuyen-doi-so-2027",
        )
    )  # fmt: skip
    assert created == f"created {SLUG} (draft): {ORIGIN}/d/{SLUG}\n"
    stored(redis_url, "ban-nhap-thu-hai", create=True)

    listed = ok(doithoai(redis_url, tmp_path, "list")).splitlines()
    assert sorted(listed) == [f"ban-nhap-thu-hai\tdraft\t{TITLE}", f"{SLUG}\tdraft\t{TITLE}"]

    shown = json.loads(ok(doithoai(redis_url, tmp_path, "show", SLUG)))
    assert shown["slug"] == SLUG and shown["title"] == TITLE
    assert shown["status"] == "draft" and shown["accepting_questions"] is False
    assert shown["starts_at"] == "2027-01-10T14:00:00+07:00"
    assert shown["ends_at"] == "2027-01-10T16:00:00+07:00"
    assert shown["stream_url"] == "https://video.example.vn/chuyen-doi-so-2027"
    assert shown["topics"] == [] and shown["officials"] == [] and shown["topic_officials"] == {}
    assert "token" not in json.dumps(shown)


def test_status_steps_through_every_phase_and_refuses_a_skip(
    redis_url: str, tmp_path: Path
) -> None:
    """Phases change one step at a time; a skip exits 1 with a readable message and no change."""
    stored(redis_url, SLUG, create=True)
    skip = refused(doithoai(redis_url, tmp_path, "status", SLUG, "live"))
    assert skip == (
        "doithoai dialogue: Không thể chuyển cuộc đối thoại sang giai đoạn này từ giai đoạn "
        "hiện tại. / The dialogue cannot go from the phase it is in to that one: phases change "
        "one step at a time. (status)"
    )
    assert stored(redis_url, SLUG)[0].status.value == "draft"

    for phase in ("open", "live"):
        said = ok(doithoai(redis_url, tmp_path, "status", SLUG, phase))
        assert said == f"{SLUG} is now {phase}\n"
    switch = refused(doithoai(redis_url, tmp_path, "status", SLUG, "closed"))
    assert switch.endswith(
        "/ A live dialogue ends only through the wrap-up (“End the broadcast”), which turns "
        "every question not answered live into one owed a written answer. (status)"
    )
    assert stored(redis_url, SLUG)[0].status.value == "live"
    ended = ok(doithoai(redis_url, tmp_path, "wrap-up", SLUG)).splitlines()
    assert ended[0].startswith(f"{SLUG} is now closed; written answers due ") and len(ended) == 1
    for phase in ("archived", "closed"):
        said = ok(doithoai(redis_url, tmp_path, "status", SLUG, phase))
        assert said == f"{SLUG} is now {phase}\n"
    dialogue, _ = stored(redis_url, SLUG)
    assert dialogue.status.value == "closed" and dialogue.live_at and dialogue.closed_at

    back_to_open = refused(doithoai(redis_url, tmp_path, "status", SLUG, "open"))
    assert back_to_open.endswith(
        "/ The dialogue cannot go from the phase it is in to that one: phases change one step "
        "at a time. (status)"
    )

    unknown = doithoai(redis_url, tmp_path, "status", SLUG, "paused")
    assert unknown.returncode == 2 and "invalid choice: 'paused'" in unknown.stderr


async def _broadcast(redis_url: str) -> dict[str, str]:
    """A live dialogue with a question on air, one queued and one approved
    with no official (nor a topic's default): text -> question id."""
    redis = connect(redis_url)
    try:
        actions = build(Store(redis, 1000, b"test-secret"))
        dialogue = await actions.dialogues.create(
            slug=SLUG,
            title=TITLE,
            status="live",
            officials=[{"id": "o1", "name": "Giám đốc Sở Khoa học và Công nghệ", "title": ""}],
        )
        ids = {}
        for text in (ON_AIR, QUEUED, UNROUTED):
            submitted = await actions.submissions.submit(dialogue, {"text": text, "name": "Lan"})
            ids[text] = submitted.question_id
        await actions.intake.screen_now(dialogue, ids.values())
        steps: list[tuple[str, str, dict[str, str]]] = [(q, "approve", {}) for q in ids.values()]
        steps += [(ids[t], "assign", {"official_id": "o1"}) for t in (ON_AIR, QUEUED)]
        steps += [(ids[t], "queue", {}) for t in (ON_AIR, QUEUED)] + [(ids[ON_AIR], "on_air", {})]
        for qid, action, body in steps:
            await actions.moderation.act(dialogue, qid, action, body, OPERATOR)
        return ids
    finally:
        await redis.aclose()


async def _statuses(redis_url: str) -> dict[str, tuple[str, str | None, str | None]]:
    """Every question's (status, official, due day), by id."""
    redis = connect(redis_url)
    try:
        store = Store(redis, 1000, b"test-secret")
        dialogue = await build(store).dialogues.get(SLUG)
        _, found = await store.questions.snapshot(dialogue.id, list(Status))
        return {q.id: (q.status.value, q.official_id, q.due_at) for q in found}
    finally:
        await redis.aclose()


def test_wrap_up_ends_the_broadcast_and_owes_every_question(redis_url: str, tmp_path: Path) -> None:
    """``wrap-up`` closes the live dialogue and owes each question not
    answered live, saying by whom (or flagged) and by which day."""
    ids = run(_broadcast(redis_url))
    lines = ok(doithoai(redis_url, tmp_path, "wrap-up", SLUG)).splitlines()
    due = lines[0].removeprefix(f"{SLUG} is now closed; written answers due ")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", due), lines[0]
    owed_by = {
        ids[ON_AIR]: "Giám đốc Sở Khoa học và Công nghệ",
        ids[QUEUED]: "Giám đốc Sở Khoa học và Công nghệ",
        ids[UNROUTED]: "nobody yet (flagged)",
    }
    assert lines[1:] == [
        f"#{qid}\towed by {who}" for qid, who in sorted(owed_by.items(), key=lambda i: int(i[0]))
    ]
    statuses = run(_statuses(redis_url))
    assert statuses == {
        ids[ON_AIR]: ("deferred", "o1", due),
        ids[QUEUED]: ("deferred", "o1", due),
        ids[UNROUTED]: ("deferred", None, due),
    }
    assert stored(redis_url, SLUG)[0].status.value == "closed"


def test_rotate_screen_prints_a_new_overlay_url_each_time(redis_url: str, tmp_path: Path) -> None:
    """``rotate-screen`` prints the overlay URL with a fresh token, the one the app now checks."""
    _, before = stored(redis_url, SLUG, create=True)
    urls = [ok(doithoai(redis_url, tmp_path, "rotate-screen", SLUG)).strip() for _ in range(2)]
    prefix = f"{ORIGIN}/d/{SLUG}/screen?token="
    tokens = [url.removeprefix(prefix) for url in urls]
    assert all(url.startswith(prefix) for url in urls)
    assert len(set([before, *tokens])) == 3
    assert all(len(token) >= 24 for token in tokens)
    assert stored(redis_url, SLUG)[1] == tokens[-1]


BAD_SLUGS = [
    (
        ("create", "Chuyen Doi So", TITLE),
        "doithoai dialogue: Đường dẫn chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang "
        "(tối đa 64 ký tự). / The slug must be 1-64 lowercase letters, digits and dashes. (slug)",
    ),
    (("create", "cuoi-bang-gach-", TITLE), "(slug)"),
    (
        ("create", SLUG, "Đã có"),
        f"Đường dẫn “{SLUG}” đã được dùng. / The address “{SLUG}” is already used by another "
        "dialogue.",
    ),
    (
        ("show", "khong-co"),
        "Không có cuộc đối thoại “khong-co”. / There is no dialogue “khong-co”.",
    ),
    (("status", "khong-co", "open"), "/ There is no dialogue “khong-co”."),
    (("rotate-screen", "khong-co"), "/ There is no dialogue “khong-co”."),
]


def test_bad_slugs_exit_1_with_a_message(redis_url: str, tmp_path: Path) -> None:
    """A malformed, taken or unknown slug exits 1 with one readable line, and creates nothing."""
    stored(redis_url, SLUG, create=True)

    def attempt(case: tuple[tuple[str, ...], str]) -> tuple[Any, str, str]:
        args, message = case
        return args, message, refused(doithoai(redis_url, tmp_path, *args))

    with ThreadPoolExecutor(max_workers=len(BAD_SLUGS)) as pool:
        for args, message, line in pool.map(attempt, BAD_SLUGS):
            assert message in line, (args, line)
    listed = ok(doithoai(redis_url, tmp_path, "list")).splitlines()
    assert listed == [f"{SLUG}\tdraft\t{TITLE}"]
