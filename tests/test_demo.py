"""The demo seeding, run as ``doithoai demo`` runs it: the app's on-start hook
inside the app's real lifespan (entered directly, as uvicorn would, rather
than through TestClient, which needs httpx2 in this Starlette), against a
private Redis."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.config import Settings
from server.demo import data as demo
from server.demo.portal import portal_csp
from server.demo.seed import seed_demo
from server.domain.access import actor_in
from server.domain.model import PUBLIC_STATUSES, Question, Role, Status
from tests.helpers import ServerProcess

PASSWORD = "mat-khau-thu-nghiem-1"
USERNAMES = ("admin", "moderator", "producer", "secretary", "official", "official2", "official3")
EXPECTED = Counter(row["state"] for row in demo.QUESTIONS)


def _app(
    redis_url: str,
    data_dir: Path,
    password: str,
    *,
    run_workers: bool = False,
    env: dict[str, str] | None = None,
) -> Any:
    settings = Settings.from_env(
        {"DOITHOAI_WIDGET_ORIGINS": "https://hue.example.vn", **(env or {})},
        redis_url=redis_url,
        data_dir=data_dir,
    )
    return create_app(
        settings,
        run_workers=run_workers,
        on_start=[lambda app, settings: seed_demo(app, settings, password)],
    )


async def _questions(app: Any) -> list[Question]:
    dialogue = await app.state.services.dialogues.get(demo.SLUG)
    page, more = await app.state.store.questions.page(dialogue.id, None, 1000, None)
    assert more is None
    return list(page)


def test_table_is_consistent() -> None:
    """The demo's question table and routing defaults agree with its topics and officials."""
    keys = [row["key"] for row in demo.QUESTIONS]
    assert len(keys) == len(set(keys))
    assert 28 <= len(keys) <= 32
    assert EXPECTED["on_air"] == 1
    assert EXPECTED["merged"] == 1
    for row in demo.QUESTIONS:
        assert row["locality"] in demo.LOCALITIES
        if row["state"] in ("answered", "on_air", "deferred"):
            assert row["official"] in {o.id for o in demo.OFFICIALS}
        if "answer" in row:
            assert row["state"] == "answered"
            assert 2 <= row["answer"].count(". ") + 1 <= 4
    # The flow after the broadcast: one live answer waits for its summary,
    # one written answer owed has its due day, another not yet.
    answered = [row for row in demo.QUESTIONS if row["state"] == "answered"]
    assert sum("answer" not in row for row in answered) == 1
    deferred = [row for row in demo.QUESTIONS if row["state"] == "deferred"]
    assert [row.get("due", False) for row in deferred].count(True) == 1 < len(deferred)
    assert {r.value for _, roles, _ in demo.STAFF for r in roles} == {r.value for r in Role}
    # Every topic has its natural official, one of the dialogue's.
    assert list(demo.TOPIC_OFFICIALS) == [t.id for t in demo.TOPICS]
    assert set(demo.TOPIC_OFFICIALS.values()) == {o.id for o in demo.OFFICIALS}


def test_demo_is_told_in_todays_administration() -> None:
    """The demo is a 2026 dialogue: Huế is a city with communes and wards (no
    district, town or province left), and the departments are today's."""
    texts = [demo.TITLE, demo.DESCRIPTION, demo.ORGANISER, *demo.LOCALITIES]
    texts += [f"{o.name} {o.title}" for o in demo.OFFICIALS]
    for row in demo.QUESTIONS:
        texts += [str(row.get(k, "")) for k in ("text", "edit", "note", "answer", "organization")]
    text = "\n".join(texts)
    for old in ("huyện", "quận", "thị xã", "thị trấn", "Thông tin và Truyền thông", "Tài nguyên"):
        assert not re.search(rf"(?<!\w){old}(?!\w)", text, re.IGNORECASE), old
    # "tỉnh" only in the record the city keeps from its years as a province.
    history = "xếp thứ 2/63 tỉnh, thành về chỉ số chuyển đổi số cấp tỉnh"
    assert history in text and not re.search(r"(?<!\w)tỉnh(?!\w)", text.replace(history, ""))
    assert all(place.startswith(("Phường ", "Xã ")) for place in demo.LOCALITIES)
    assert "thành phố Huế" in demo.TITLE and demo.ORGANISER == "Ủy ban nhân dân thành phố Huế"


async def test_demo_seeds_dialogue_questions_and_accounts(
    redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo seeds its dialogue, questions in every state and accounts, and prints every page."""
    app = _app(redis_url, tmp_path, PASSWORD)
    async with app.router.lifespan_context(app):
        dialogue = await app.state.services.dialogues.get(demo.SLUG)
        assert dialogue.status.value == "live"
        assert [t.id for t in dialogue.topics] == [
            "chinh-quyen-so",
            "kinh-te-so",
            "xa-hoi-so",
            "dich-vu-cong-truc-tuyen",
            "ha-tang-so",
            "do-thi-thong-minh",
        ]
        assert [o.username for o in dialogue.officials] == ["official", "official2", "official3"]
        assert dialogue.officials[0].name == "Phó Chủ tịch Thường trực UBND thành phố"
        assert dialogue.localities == demo.LOCALITIES and len(dialogue.localities) == 12
        # The configured portal, and the demo's own portal page on the other loopback name.
        assert dialogue.widget_origins == (
            "https://hue.example.vn",
            "http://localhost:8000",
        )
        assert dialogue.stream_url is None
        # On the air now, as scheduled: the start on the quarter hour before
        # it went live, two hours long, in Vietnam's time.
        starts, ends = (datetime.fromisoformat(t) for t in (dialogue.starts_at, dialogue.ends_at))
        assert dialogue.starts_at.endswith("+07:00") and starts.minute % 15 == 0
        assert starts <= datetime.fromisoformat(dialogue.live_at) < ends
        assert starts <= datetime.now(UTC) < ends and ends - starts == timedelta(hours=2)
        assert dict(dialogue.topic_officials) == demo.TOPIC_OFFICIALS
        assert dialogue.default_official("do-thi-thong-minh").username == "official3"

        questions = await _questions(app)
        states = Counter(q.status.value for q in questions)
        assert states == EXPECTED
        assert len(questions) == len(demo.QUESTIONS)
        assert states["on_air"] == 1 and states["pending"] >= 6 and states["rejected"] >= 2
        by_status: dict[Status, list[Question]] = {}
        for q in questions:
            by_status.setdefault(q.status, []).append(q)
        answered = by_status[Status.ANSWERED]
        assert all(q.answer and q.answer.kind == "live" and q.answer.official_id for q in answered)
        # Marked answered on air by the producer; each summary by its official,
        # but one, still the secretary's (or its official's) to write.
        assert {q.answer.by for q in answered if q.answer} == {"producer"}
        (unsummarised,) = [q for q in answered if q.answer and not q.answer.text]
        summaries = {q.history[-1].actor for q in answered if q is not unsummarised}
        assert summaries <= {"official", "official2", "official3"}
        assert unsummarised.history[-1].action == "answer"
        # Owed in writing: one by the day the wrap-up would give, one not yet dated.
        deferred = by_status[Status.DEFERRED]
        assert all(q.official_id for q in deferred)
        plan = await app.state.services.closing.plan(dialogue)
        assert sorted((q.due_at or "") for q in deferred) == ["", plan["due"]]
        # The broadcast has been on air for a while: the live answers have moments.
        assert dialogue.live_at is not None
        merged = by_status[Status.MERGED][0]
        (on_air,) = by_status[Status.ON_AIR]
        assert merged.merged_into == on_air.id and on_air.asked_by == 2
        assert on_air.votes > 0
        assert {q.reason for q in by_status[Status.REJECTED]} >= {"off_topic", "personal_case"}
        assert {q.channel for q in questions} >= {"web", "hotline", "email"}
        assert any(q.edited for q in questions)
        assert any(q.official_id for q in by_status[Status.APPROVED])
        store = app.state.store
        assert await store.questions.on_air_id(dialogue.id) == on_air.id

        for username in USERNAMES:
            user = await app.state.services.accounts.verify(username, PASSWORD)
            assert user is not None, username
        secretary = await app.state.services.accounts.verify("secretary", PASSWORD)
        assert secretary is not None
        assert secretary.memberships == {dialogue.id: frozenset({Role.SECRETARY})}
        assert await app.state.services.accounts.verify("admin", "wrong") is None

        feed = await app.state.services.feeds.public(dialogue)
        assert feed["on_air"]["id"] == on_air.id
        shown = {q["id"]: q for q in feed["questions"]}
        # "Answered live — watch at 35:00" until its summary (seeded in a second or two).
        offset = shown[unsummarised.id]["recording_offset"]
        assert offset is not None and 35 * 60 <= offset < 36 * 60
        assert len(feed["questions"]) == sum(EXPECTED[s.value] for s in PUBLIC_STATUSES)
        text = json.dumps(feed, ensure_ascii=False)
        for row in demo.QUESTIONS:
            for value in row.get("contact", {}).values():
                assert value not in text
        for field in ("contact", "phone", "email", "notes", "tracking_code", "channel", "flags"):
            assert f'"{field}"' not in text
        assert "@example.com" not in text and "+84" not in text
        assert "Sở Nông nghiệp" not in text  # staff notes stay staff-only

        token = await store.dialogues.screen_token(dialogue.id)

    out = capsys.readouterr().out
    origin = "http://127.0.0.1:8000"
    for url in (
        f"{origin}/d/chuyen-doi-so",
        f"{origin}/console/chuyen-doi-so",
        f"{origin}/console/chuyen-doi-so/producer",
        f"{origin}/console/chuyen-doi-so/official",
        f"{origin}/d/chuyen-doi-so/screen?token={token}",
        f"{origin}/d/chuyen-doi-so/archive",
        f"{origin}/admin",
        f"{origin}/login",
        f"{origin}/api/v1/dialogues/chuyen-doi-so",
    ):
        assert url in out.split(), url
    assert PASSWORD in out and all(u in out for u in USERNAMES)


async def test_second_run_keeps_questions_and_updates_password(
    redis_url: str, tmp_path: Path
) -> None:
    """A second run keeps the questions, adds missing routing defaults, and
    gives the accounts the password DOITHOAI_DEMO_PASSWORD now sets."""
    first = _app(redis_url, tmp_path, PASSWORD)
    async with first.router.lifespan_context(first):
        before = await _questions(first)
        # As a dialogue seeded before routing defaults existed, but with one an admin chose.
        dialogue = await first.state.services.dialogues.get(demo.SLUG)
        admins_choice = {"kinh-te-so": "pho-chu-tich-ubnd"}
        await first.state.services.dialogues.update(dialogue, {"topic_officials": admins_choice})

    # The operator sets another password: the accounts take it.
    second = _app(
        redis_url, tmp_path, "ngau-nhien", env={"DOITHOAI_DEMO_PASSWORD": "mat-khau-moi-2"}
    )
    async with second.router.lifespan_context(second):
        after = await _questions(second)
        assert [(q.id, q.status, q.version) for q in after] == [
            (q.id, q.status, q.version) for q in before
        ]
        dialogues = await second.state.store.dialogues.all()
        assert [d.slug for d in dialogues] == [demo.SLUG]
        # The missing defaults are added; the admin's choice stays.
        assert dict(dialogues[0].topic_officials) == {**demo.TOPIC_OFFICIALS, **admins_choice}
        verify = second.state.services.accounts.verify
        for username in USERNAMES:
            assert await verify(username, "mat-khau-moi-2") is not None, username
        assert await verify("official3", PASSWORD) is None  # argon2 is slow: one suffices


async def test_a_restart_leaves_the_accounts_as_an_admin_left_them(
    redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo killed and started again (a fresh random password drawn):
    every account keeps its state, roles and sessions, the password printed
    is the first run's and still signs in."""
    first = _app(redis_url, tmp_path, PASSWORD)
    async with first.router.lifespan_context(first):
        accounts = first.state.services.accounts
        dialogue = await first.state.services.dialogues.get(demo.SLUG)
        await accounts.set_disabled("moderator", True, actor="admin")
        await accounts.update("admin", "producer", memberships={demo.SLUG: ["secretary"]})
        session, _ = await accounts.open_session(await accounts.user("secretary"))
    capsys.readouterr()

    second = _app(redis_url, tmp_path, "mat-khau-ngau-nhien-khac")
    async with second.router.lifespan_context(second):
        accounts = second.state.services.accounts
        assert (await accounts.user("moderator")).disabled
        producer = await accounts.user("producer")
        assert producer.memberships == {dialogue.id: frozenset({Role.SECRETARY})}
        assert await accounts.identify(session) is not None  # still signed in
        assert await accounts.verify("secretary", PASSWORD) is not None
    out = capsys.readouterr().out
    assert PASSWORD in out and "mat-khau-ngau-nhien-khac" not in out
    assert (tmp_path / "demo_password").read_text() == PASSWORD


async def test_a_restart_after_the_wrap_up_says_the_dialogue_is_closed(
    redis_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Once the broadcast has ended, a restart does not print the consoles as
    if it were live: it says the dialogue is closed and how to start afresh."""
    first = _app(redis_url, tmp_path, PASSWORD)
    async with first.router.lifespan_context(first):
        services = first.state.services
        dialogue = await services.dialogues.get(demo.SLUG)
        producer = await services.accounts.user("producer")
        actor = actor_in(dialogue, "producer", producer.memberships[dialogue.id])
        await services.closing.close(dialogue, actor)
    assert "/console/chuyen-doi-so/producer" in capsys.readouterr().out

    second = _app(redis_url, tmp_path, PASSWORD)
    async with second.router.lifespan_context(second):
        pass
    out = capsys.readouterr().out
    assert "closed" in out and "rm -rf var" in out and "make demo" in out
    # What is true: an admin puts a closed dialogue live again (phases.py).
    assert "cannot go live again" not in out and "không còn lên sóng" not in out
    assert "an administrator can put it live again on the admin page" in out
    assert "/console/" not in out and "/screen?token=" not in out
    assert "http://127.0.0.1:8000/d/chuyen-doi-so/archive" in out.split()
    assert PASSWORD in out


async def test_seeding_with_the_intake_worker_running(redis_url: str, tmp_path: Path) -> None:
    """Seeding beside the running intake worker screens every question exactly once."""
    app = _app(redis_url, tmp_path, PASSWORD, run_workers=True)
    async with app.router.lifespan_context(app):
        questions = await _questions(app)
        assert Counter(q.status.value for q in questions) == EXPECTED
        # Staff-entered questions start with "enter" (who typed them in), then intake's "screen".
        firsts = [next(h.action for h in q.history if h.action != "enter") for q in questions]
        assert set(firsts) == {"screen"}
        assert sum(1 for q in questions for h in q.history if h.action == "screen") == len(
            questions
        )


@pytest.mark.e2e
def test_every_page_the_demo_prints_answers(redis_url: str) -> None:
    """Every URL the running demo prints answers 200, or 303 to the login for staff pages."""
    env = {"REDIS_URL": redis_url, "DOITHOAI_DEMO_PASSWORD": PASSWORD}
    with ServerProcess(["demo"], env=env) as server:
        # The banner's lines: "  <vi label> / <en label>: <url>".
        urls = re.findall(r"^  \S.* / .+: +(http://\S+)$", server.output(), re.M)
        portal = f"http://localhost:{server.port}"  # the widget's page, on another origin
        assert all(url.startswith((server.url, portal)) for url in urls)
        assert len(urls) == 10 and sum(url.startswith(portal) for url in urls) == 1
        with httpx.Client(timeout=10) as client:
            # The portal is on its own origin, names the app once, and is nothing else.
            page = client.get(f"{portal}/")
            assert (
                page.headers["content-security-policy"]
                == (portal_csp(server.url)["Content-Security-Policy"])
            )
            assert f'<meta name="doithoai-api" content="{server.url}">' in page.text
            assert client.get(f"{portal}/api/v1/session").status_code == 404
            assert client.get(f"{portal}/login").status_code == 404
            assert client.get(f"{server.url}/widget/demo/").status_code == 404
            for url in urls:
                response = client.get(url)
                path = url.split(str(server.port), 1)[1]
                assert response.status_code in (200, 303), url
                if response.status_code == 303:
                    assert path.startswith(("/console/", "/admin")), url
                    assert response.headers["location"].startswith("/login?next="), url
