"""``doithoai demo``: the city of Huế's dialogue on digital transformation.

``seed_demo(services, settings, password)`` runs as the app's on-start hook, once the store is
open. Only if the slug ``chuyen-doi-so`` is free, it makes the dialogue and
about thirty questions brought to several states through the real
paths: ``submissions.submit`` (validation, inbox), intake's ``screen_now``,
and ``moderation.act`` / ``submissions.vote`` as staff and viewers would: one
answer given live still waits for its summary (the secretary's to write), and
one question is owed in writing with its due day, as the wrap-up owes it. On a
later run it only brings the existing dialogue up to date (the widget origins
set now, and a default official for each topic that has none). Then it makes
the staff accounts that are missing (one for every role), members of the
dialogue (a later run on the same data leaves the existing ones as an admin left them:
disabled, roles and sessions; see ``_staff_accounts``), with the password of
``DOITHOAI_DEMO_PASSWORD``, else the one kept in the data dir by an earlier
run (``PASSWORD_FILE``), else a fresh one. Last, it prints the URLs of every
page (the overlay's with its token) and the logins; after the broadcast has
ended (the wrap-up), that the dialogue is closed and how to get a fresh demo.

The data (``data.py``) is kept apart from this code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ..actions import Services
from ..config import Settings
from ..datadir import private_dir, write_private
from ..domain import lifecycle
from ..domain.access import actor_in
from ..domain.model import Actor, Dialogue, DialogueStatus, Role, iso
from ..domain.wording import Refused
from ..web.routes import path
from .data import (
    BROADCAST_LENGTH,
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
#: How long the demo's broadcast has been on air when it is seeded: the moments
#: in the recording of the answers given live count from then.
ON_AIR_FOR = timedelta(minutes=35)
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
        # The producer marks it answered live; its official writes the summary
        # (one is left for the secretary to write).
        steps.append(("producer", "answer", {}))
        if "answer" in row:
            steps.append((speaker, "summarize", {"text": row["answer"]}))
    return steps


async def seed_demo(actions: Services, settings: Settings, password: str) -> None:
    """The on-start hook of ``doithoai demo`` (see the module docstring)."""
    host_page = portal_origin(settings.origin)
    origins = tuple(dict.fromkeys((*settings.widget_origins, host_page)))
    dialogue = await actions.dialogues.find(SLUG)
    seeded = dialogue is None
    if dialogue is None:
        try:
            dialogue = await _create_dialogue(actions, origins)
        except Refused:  # the slug is taken: another node seeding the same Redis won
            dialogue = await actions.dialogues.get(SLUG)
            seeded = False
        else:
            await _seed_questions(actions, dialogue)
    else:
        await _update_dialogue(actions, dialogue, origins)
    password, kept = _password(settings, password)
    await _staff_accounts(actions, dialogue, password, kept, seeded)
    _keep_password(settings, password, kept)
    if dialogue.status in (DialogueStatus.CLOSED, DialogueStatus.ARCHIVED):
        _print_closed_banner(settings.origin, password, dialogue)
        return
    screen_token = await actions.broadcast.screen_token(dialogue)
    _print_banner(settings.origin, password, seeded, screen_token)


#: The demo's staff password, kept in the data dir (mode 0600) beside the
#: secret key: a restart prints the one the accounts still have.
PASSWORD_FILE = "demo_password"


def _password(settings: Settings, given: str) -> tuple[str, str | None]:
    """The staff password of this run, and the one an earlier run kept (or
    None): ``DOITHOAI_DEMO_PASSWORD`` if set, else the kept one, else
    ``given`` (a fresh random one when the variable is not set)."""
    try:
        kept = (Path(settings.data_dir) / PASSWORD_FILE).read_text().strip() or None
    except FileNotFoundError:
        kept = None
    return settings.demo_password or kept or given, kept


def _keep_password(settings: Settings, password: str, kept: str | None) -> None:
    if password == kept:
        return
    path = Path(settings.data_dir) / PASSWORD_FILE
    private_dir(path.parent)
    path.unlink(missing_ok=True)
    write_private(path, password)


async def _staff_accounts(
    actions: Services, dialogue: Dialogue, password: str, kept: str | None, seeded: bool
) -> None:
    """Make the staff accounts that are missing; leave the others as an
    admin left them (disabled, roles, display name, sessions). Only when
    the password is not the one the demo gave them last (the operator set
    another ``DOITHOAI_DEMO_PASSWORD``, or an older run kept none) does an
    account whose password is not this one get it (ending its sessions), so
    that the password printed signs in; and only a dialogue seeded now
    makes the existing accounts members of it."""
    existing = {user.username: user for user in await actions.accounts.users()}
    for username, roles, display_name in STAFF:
        user = existing.get(username)
        if user is None:
            await actions.accounts.add(
                username, password, roles, display_name, dialogues=[dialogue.id]
            )
            continue
        given = sorted(r.value for r in roles if r is not Role.ADMIN)
        if seeded and given and dialogue.id not in user.memberships:
            await actions.accounts.update("system", username, memberships={SLUG: given})
        if password != kept and await actions.accounts.verify(username, password) is None:
            await actions.accounts.set_password(username, password)


async def _update_dialogue(
    actions: Services, dialogue: Dialogue, widget_origins: tuple[str, ...]
) -> None:
    """A dialogue seeded by an earlier run: take the widget origins set now
    and add a default official to each topic that has none (runs
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
        await actions.dialogues.save(dialogue, dialogue.evolve(**changes))


async def _create_dialogue(actions: Services, widget_origins: tuple[str, ...]) -> Dialogue:
    now = datetime.now(ICT)
    live = now - ON_AIR_FOR
    start = live.replace(minute=live.minute - live.minute % 15, second=0, microsecond=0)
    starts, ends = start.isoformat(), (start + BROADCAST_LENGTH).isoformat()
    return await actions.dialogues.create(
        slug=SLUG,
        title=TITLE,
        description=DESCRIPTION,
        status="live",
        live_at=iso(live),
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


async def _seed_questions(actions: Services, dialogue: Dialogue) -> None:
    actors: dict[str, Actor] = {
        username: actor_in(dialogue, username, roles) for username, roles, _ in STAFF
    }
    ids: dict[str, str] = {}
    for row in QUESTIONS:
        payload = {k: row[k] for k in _PAYLOAD_FIELDS if k in row}
        payload["submission_id"] = f"demo-{row['key']}"
        if "contact" in row:
            payload["consent"] = True
        staff = actors["moderator"] if row.get("channel") in STAFF_CHANNELS else None
        submitted = await actions.submissions.submit(dialogue, payload, staff=staff)
        ids[row["key"]] = submitted.question_id
    await actions.intake.screen_now(dialogue, ids.values())
    # The on-air question goes last: putting another on air would send it back.
    for row in sorted(QUESTIONS, key=lambda r: r["state"] == "on_air"):
        qid = ids[row["key"]]
        for account, action, body in _steps(row, ids):
            await actions.moderation.act(dialogue, qid, action, body, actors[account])
        if row.get("due"):
            await _owe(actions, dialogue, qid, actors["producer"])
        for n in range(row.get("votes", 0)):
            await actions.submissions.vote(dialogue, qid, f"demo-viewer-{n:03d}")


async def _owe(actions: Services, dialogue: Dialogue, qid: str, producer: Actor) -> None:
    """Owe the deferred question ``qid`` in writing by its official, by the day
    the wrap-up would give it now, as the wrap-up owes it."""
    due = (await actions.closing.plan(dialogue))["due"]
    question = await actions.moderation.question(dialogue, qid)
    decision = lifecycle.owe(question, question.official_id, due, producer, datetime.now(UTC))
    await actions.closing.commit(dialogue, [decision], producer, remember=False)


def _print_closed_banner(origin: str, password: str, dialogue: Dialogue) -> None:
    """The banner of a restart after the demo's broadcast ended (the
    wrap-up): no consoles to go live from, but how to get a fresh demo."""
    fresh = (
        "dừng demo, xóa thư mục dữ liệu var/ (rm -rf var; với REDIS_URL: dùng một Redis "
        "trống) rồi chạy lại make demo / stop the demo, delete its data directory var/ "
        "(rm -rf var; with REDIS_URL: use an empty Redis) and run make demo again"
    )
    # What is true of each phase (phases.py): an admin steps a closed
    # dialogue back to live, an archived one back to closed first.
    if dialogue.status is DialogueStatus.ARCHIVED:
        again_vi = (
            "quản trị viên có thể đưa nó về “Đã kết thúc” rồi phát sóng lại ở trang Quản trị."
        )
        again_en = (
            "an administrator can step it back to closed, then live again, on the admin page.)"
        )
    else:
        again_vi = "quản trị viên có thể cho phát sóng lại ở trang Quản trị."
        again_en = "an administrator can put it live again on the admin page.)"
    pages = (
        ("Trang công khai", "public page", f"{origin}{path('dialogue_page', slug=SLUG)}"),
        ("Tổng hợp trả lời", "answers archive", f"{origin}{path('archive_page', slug=SLUG)}"),
        ("Quản trị", "admin", f"{origin}{path('admin')}"),
        ("Đăng nhập", "login", f"{origin}{path('login_page')}"),
    )
    lines = [
        "",
        f"=== doithoai demo: {TITLE} ===",
        f"Cuộc đối thoại mẫu đã kết thúc ({dialogue.status.value}): buổi phát sóng đã khép lại; "
        f"{again_vi}",
        f"(The demo dialogue is {dialogue.status.value}: its broadcast has ended; {again_en})",
        f"  Muốn có bản demo mới / for a fresh demo: {fresh}.",
        "",
        *(f"  {vi:<19} / {en + ':':<18} {url}" for vi, en, url in pages),
        "",
        f"  Tài khoản / logins (mật khẩu chung / password for all: {password}):",
        *(f"    {u}" for u, _, _ in STAFF),
        "",
    ]
    print("\n".join(lines), flush=True)


def _print_banner(origin: str, password: str, seeded: bool, screen_token: str) -> None:
    def at(name: str, query: str = "", **params: str) -> str:
        return f"{origin}{path(name, **params)}{query}"

    state = (
        "đã tạo cuộc đối thoại mẫu và câu hỏi / seeded the dialogue and its questions"
        if seeded
        else "cuộc đối thoại đã có từ lần chạy trước; chỉ thêm tài khoản và cài đặt còn "
        "thiếu, tài khoản đã có giữ nguyên / already seeded by an earlier run; only "
        "missing accounts and settings added, existing accounts left as they were"
    )
    pages = (
        ("Trang công khai", "public page", at("dialogue_page", slug=SLUG)),
        ("Bàn kiểm duyệt", "moderator console", at("console", slug=SLUG)),
        ("Bàn lên sóng", "producer console", at("producer_console", slug=SLUG)),
        ("Bàn trả lời", "official console", at("official_console", slug=SLUG)),
        (
            "Lớp phủ phát sóng",
            "broadcast overlay",
            at("screen_page", "?" + urlencode({"token": screen_token}), slug=SLUG),
        ),
        ("Tổng hợp trả lời", "answers archive", at("archive_page", slug=SLUG)),
        (
            "Khung hỏi đáp nhúng",
            "widget on another site",
            f"{portal_origin(origin)}/",
        ),
        ("Quản trị", "admin", at("admin")),
        ("Đăng nhập", "login", at("login_page")),
        ("Giao diện lập trình", "API", at("getDialogue", slug=SLUG)),
    )
    width = max(len(u) for u, _, _ in STAFF)
    lines = [
        "",
        f"=== doithoai demo: {TITLE} ===",
        f"(doithoai demo: the city of Huế's digital transformation dialogue; {state})",
        "",
        *(f"  {vi:<19} / {en + ':':<18} {url}" for vi, en, url in pages),
        "",
        f"  Tài khoản / logins (mật khẩu chung / password for all: {password}):",
        *(f"    {u:<{width}}  {', '.join(sorted(r.value for r in roles))}: {name}"
          for u, roles, name in STAFF),
        "",
    ]  # fmt: skip
    print("\n".join(lines), flush=True)
