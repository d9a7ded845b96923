"""``doithoai demo``: the Thừa Thiên Huế dialogue on digital transformation.

``seed_demo(app, password)`` runs as the app's on-start hook, once the store is
open. Only if the slug ``chuyen-doi-so`` is free, it makes the dialogue and
about thirty questions brought to several states through the real
paths: ``Actions.submit`` (validation, inbox), intake's ``materialise``, and
``Actions.act`` / ``Actions.vote`` as staff and viewers would. On a later run
it only brings the existing dialogue up to date (the widget origins set now,
and a default official for each topic that has none). Then it makes the six
staff accounts, members of the dialogue (always, so a second run on the same
data updates their password). Last, it prints the
URLs of every page (the overlay's with its token) and the logins.

The data (``data.py``) is kept apart from this code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette

from ..accounts import Accounts
from ..actions import Actions
from ..domain.model import Actor, Dialogue
from ..domain.wording import Refused
from .data import (
    BROADCAST,
    DESCRIPTION,
    ICT,
    LOCALITIES,
    OFFICIALS,
    QUESTIONS,
    SLUG,
    STAFF,
    STAFF_CHANNELS,
    TITLE,
    TOPIC_OFFICIALS,
    TOPICS,
)
from .portal import portal_origin

_ACCOUNT_OF = {o.id: o.username or "" for o in OFFICIALS}
_PAYLOAD_FIELDS = ("text", "name", "organization", "locality", "topic", "channel", "contact")


def _steps(row: dict[str, Any], ids: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(account, action, body) that take a received-then-pending question to
    ``row["state"]``, each by the role that would take it in a real broadcast."""
    state = row["state"]
    if state == "pending":
        return []
    if state == "rejected":
        return [("moderator", "reject", {"reason": row["reason"]})]
    if state == "merged":
        return [("moderator", "merge", {"into": ids[row["into"]]})]
    steps: list[tuple[str, str, dict[str, Any]]] = []
    if "edit" in row:
        steps.append(("moderator", "edit", {"text": row["edit"]}))
    steps.append(("moderator", "approve", {}))
    if "official" in row:
        steps.append(("moderator", "assign", {"official_id": row["official"]}))
    speaker = _ACCOUNT_OF.get(row.get("official", ""), "")
    if "note" in row:
        steps.append((speaker, "note", {"text": row["note"]}))
    if state == "deferred":
        steps.append((speaker, "defer", {}))
    if state in ("queued", "on_air", "answered"):
        steps.append(("producer", "queue", {}))
    if state in ("on_air", "answered"):
        steps.append(("producer", "on_air", {}))
    if state == "answered":
        steps.append((speaker, "answer", {"text": row["answer"]}))
    return steps


async def seed_demo(app: Starlette, password: str) -> None:
    """The on-start hook of ``doithoai demo`` (see the module docstring)."""
    actions: Actions = app.state.actions
    accounts: Accounts = app.state.accounts
    settings = app.state.settings
    host_page = portal_origin(settings.origin)
    origins = tuple(dict.fromkeys((*settings.widget_origins, host_page)))
    dialogue = await actions.store.dialogues.by_slug(SLUG)
    seeded = dialogue is None
    if dialogue is None:
        try:
            dialogue = await _create_dialogue(actions, origins)
        except Refused:  # the slug is taken: another node seeding the same Redis won
            dialogue = await actions.dialogue(SLUG)
            seeded = False
        else:
            await _seed_questions(actions, dialogue)
    else:
        await _update_dialogue(actions, dialogue, origins)
    for username, roles, display_name in STAFF:
        # ``add`` overwrites: a rerun with another password updates it.
        await accounts.add(username, password, roles, display_name, dialogues=[dialogue.id])
    screen_token = await actions.store.dialogues.screen_token(dialogue.id)
    _print_banner(settings.origin, password, seeded, screen_token)


async def _update_dialogue(
    actions: Actions, dialogue: Dialogue, widget_origins: tuple[str, ...]
) -> None:
    """A dialogue seeded by an earlier run: take the widget origins set now
    (API.md) and add a default official to each topic that has none (runs
    before routing defaults existed left them out; an admin's choices stay)."""
    defaults = dict(dialogue.topic_officials)
    for topic, official in TOPIC_OFFICIALS.items():
        if topic not in defaults and dialogue.topic(topic) and dialogue.official(official):
            defaults[topic] = official
    changes: dict[str, Any] = {}
    if dialogue.widget_origins != widget_origins:
        changes["widget_origins"] = widget_origins
    if defaults != dict(dialogue.topic_officials):
        changes["topic_officials"] = tuple(sorted(defaults.items()))
    if changes:
        changed = dialogue.evolve(**changes, version=dialogue.version + 1)
        await actions.store.dialogues.save(changed, dialogue.version)


async def _create_dialogue(actions: Actions, widget_origins: tuple[str, ...]) -> Dialogue:
    today = datetime.now(ICT).date()
    starts, ends = (datetime.combine(today, t, ICT).isoformat() for t in BROADCAST)
    return await actions.create_dialogue(
        slug=SLUG,
        title=TITLE,
        description=DESCRIPTION,
        status="live",
        starts_at=starts,
        ends_at=ends,
        stream_url=None,
        topics=TOPICS,
        officials=OFFICIALS,
        localities=LOCALITIES,
        allow_anonymous=False,
        widget_origins=widget_origins,
        topic_officials=tuple(sorted(TOPIC_OFFICIALS.items())),
    )


async def _seed_questions(actions: Actions, dialogue: Dialogue) -> None:
    actors: dict[str, Actor] = {
        username: actions.actor_in(dialogue, username, roles) for username, roles, _ in STAFF
    }
    ids: dict[str, str] = {}
    for row in QUESTIONS:
        payload = {k: row[k] for k in _PAYLOAD_FIELDS if k in row}
        payload["submission_id"] = f"demo-{row['key']}"
        if "contact" in row:
            payload["consent"] = True
        staff = actors["moderator"] if row.get("channel") in STAFF_CHANNELS else None
        submitted = await actions.submit(dialogue, payload, staff=staff)
        ids[row["key"]] = submitted.question_id
    await _intake(actions, dialogue, ids.values())
    # The on-air question goes last: putting another on air would send it back.
    for row in sorted(QUESTIONS, key=lambda r: r["state"] == "on_air"):
        qid = ids[row["key"]]
        for account, action, body in _steps(row, ids):
            await actions.act(dialogue, qid, action, body, actors[account])
        for n in range(row.get("votes", 0)):
            await actions.vote(dialogue, qid, f"demo-viewer-{n:03d}")


async def _intake(actions: Actions, dialogue: Dialogue, question_ids: Iterable[str]) -> None:
    """Bring the demo's received questions to pending exactly as intake does.

    Rather than poll until the app's intake worker gets to them (not at all
    when the app runs without workers, and at an unknown time otherwise), read
    each question's inbox entry id with XRANGE and call the worker's own
    handler, ``Actions.materialise``, which is idempotent: if the worker gets
    to an entry first, ours finds the question screened and only acknowledges;
    if ours is first, its XACK of a not-yet-delivered entry is a no-op and the
    worker's later delivery finds the question no longer received and only
    acknowledges. Either way each question is screened once, and when this
    returns every one of them is at least pending.
    """
    entry_of = await actions.store.questions.inbox_entries(dialogue.id)
    for qid in question_ids:
        await actions.materialise(dialogue.id, qid, entry_of[qid])


def _print_banner(origin: str, password: str, seeded: bool, screen_token: str) -> None:
    d = f"{origin}/d/{SLUG}"
    console = f"{origin}/console/{SLUG}"
    state = (
        "đã tạo cuộc đối thoại mẫu và câu hỏi / seeded the dialogue and its questions"
        if seeded
        else "cuộc đối thoại đã có từ lần chạy trước; chỉ cập nhật mật khẩu tài khoản và "
        "cài đặt còn thiếu / already seeded by an earlier run; account passwords and "
        "missing settings updated"
    )
    pages = (
        ("Trang công khai", "public page", d),
        ("Điều phối", "moderator console", console),
        ("Đạo diễn", "producer console", f"{console}/producer"),
        ("Lãnh đạo trả lời", "official console", f"{console}/official"),
        ("Lớp phủ phát sóng", "broadcast overlay", f"{d}/screen?token={screen_token}"),
        ("Lưu trữ", "archive", f"{d}/archive"),
        (
            "Widget trên trang khác",
            "widget on another site",
            f"{portal_origin(origin)}/",
        ),
        ("Quản trị", "admin", f"{origin}/admin"),
        ("Đăng nhập", "login", f"{origin}/login"),
        ("Giao diện lập trình", "API", f"{origin}/api/v1/dialogues/{SLUG}"),
    )
    width = max(len(u) for u, _, _ in STAFF)
    lines = [
        "",
        f"=== doithoai demo: {TITLE} ===",
        f"(doithoai demo: the Thừa Thiên Huế digital transformation dialogue; {state})",
        "",
        *(f"  {vi:<19} / {en + ':':<18} {url}" for vi, en, url in pages),
        "",
        f"  Tài khoản / logins (mật khẩu chung / password for all: {password}):",
        *(f"    {u:<{width}}  {', '.join(sorted(r.value for r in roles))}: {name}"
          for u, roles, name in STAFF),
        "",
    ]  # fmt: skip
    print("\n".join(lines), flush=True)
