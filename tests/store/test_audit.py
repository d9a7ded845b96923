"""The audit trail: every staff action leaves one entry per question it changed,
with who, from where, before and after; the hash chain shows an edited, a
deleted and a cut-off entry; ``doithoai audit verify`` says so."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import pytest
from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from server.actions import Services, build
from server.domain import audit
from server.domain.model import Actor, Dialogue, Role
from server.store import audit as audit_store
from server.store import keys
from server.store import questions as questions_store
from server.store.connection import Store, connect
from server.store.errors import Contended
from tests.support.store import store_on
from tests.support.streams import Entry, oldest

from .conftest import PRODUCER, payload

MOD = Actor("moderator", frozenset({Role.MODERATOR}), address="203.0.113.7")


async def pending(store: Store, actions: Services, dialogue: Dialogue, n: int) -> str:
    submitted = await actions.submissions.submit(dialogue, payload(n))
    await store.intake_worker(
        store.dialogues.ids, actions.intake.materialise, "n", 30, 5
    ).run_once()
    return submitted.question_id


async def broadcast(store: Store, actions: Services, dialogue: Dialogue) -> list[str]:
    a = await pending(store, actions, dialogue, 1)
    b = await pending(store, actions, dialogue, 2)
    await actions.moderation.act(
        dialogue, a, "edit", {"text": "Câu hỏi đã biên tập cho rõ ý."}, MOD
    )
    await actions.moderation.act(dialogue, a, "approve", {}, MOD)
    await actions.moderation.act(dialogue, b, "approve", {}, MOD)
    await actions.moderation.act(dialogue, b, "merge", {"into": a}, MOD)
    await actions.moderation.act(dialogue, a, "queue", {}, PRODUCER)
    await actions.broadcast.next(dialogue, PRODUCER)
    return [a, b]


async def test_every_staff_action_has_its_entry(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    a, b = await broadcast(store, actions, dialogue)
    rows = await store.audit.read(dialogue.id)
    got = [(r.entry["seq"], r.entry["actor"], r.entry["action"], r.entry["question"]) for r in rows]
    assert got == [
        (1, "moderator", "edit", a),
        (2, "moderator", "approve", a),
        (3, "moderator", "approve", b),
        (4, "moderator", "merge", b),
        (5, "moderator", "absorb", a),
        (6, "producer", "queue", a),
        (7, "producer", "on_air", a),
    ]
    edit = rows[0].entry
    assert edit["before"]["text"].startswith("Xin hỏi lộ trình")
    assert edit["after"]["text"] == "Câu hỏi đã biên tập cho rõ ý."
    assert (edit["before"]["version"], edit["after"]["version"]) == (1, 2)
    assert (edit["address"], edit["roles"]) == ("203.0.113.7", ["moderator"])
    assert rows[1].entry["before"]["status"] == "pending"
    assert rows[1].entry["after"]["status"] == "approved"
    assert await store.audit.verify(dialogue.id) == []
    # Screening at intake is the system's, not a staff action: not audited.
    assert all(r.entry["actor"] != "system" for r in rows)


async def test_settings_changes_are_audited(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    admin = Actor("admin", frozenset({Role.ADMIN}), address="198.51.100.2")
    await actions.dialogues.update(dialogue, {"title": "Đối thoại về chuyển đổi số 2026"}, admin)
    (row,) = await store.audit.read(dialogue.id)
    assert row.entry["action"] == "dialogue.edit"
    assert row.entry["after"] == {"title": "Đối thoại về chuyển đổi số 2026", "version": 1}
    assert row.entry["before"] == {"title": dialogue.title, "version": 0}


async def broadcast_trail(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> tuple[str, list[Entry]]:
    """A broadcast's audit trail: its stream, and its entries as written."""
    await broadcast(store, actions, dialogue)
    stream = keys.audit_stream(keys.prefix(dialogue.id))
    return stream, await oldest(redis, stream)


async def test_chain_detects_an_edited_entry(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    stream, rows = await broadcast_trail(redis, store, actions, dialogue)
    # Rewrite the stream with the same ids, one entry's actor changed.
    await redis.delete(stream)
    for n, (entry_id, fields) in enumerate(rows):
        if n == 2:
            doc = json.loads(fields["entry"])
            doc["actor"] = "someone-else"
            fields = {**fields, "entry": json.dumps(doc, sort_keys=True, separators=(",", ":"))}
        record: dict[FieldT, EncodableT] = dict(fields.items())
        await redis.xadd(stream, record, id=entry_id)
    problems = await store.audit.verify(dialogue.id)
    assert [(p.at, "hash" in p.message) for p in problems] == [(rows[2][0], True)]


async def test_chain_detects_a_deleted_entry_and_a_cut_end(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    stream, rows = await broadcast_trail(redis, store, actions, dialogue)
    await redis.xdel(stream, rows[3][0])
    problems = await store.audit.verify(dialogue.id)
    assert problems and all(p.at == rows[4][0] for p in problems)
    await redis.xdel(stream, rows[-1][0])  # and now cut the end as well
    assert {p.at for p in await store.audit.verify(dialogue.id)} == {rows[4][0], "head"}


async def test_concurrent_actions_keep_one_chain(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    ids = [await pending(store, actions, dialogue, n) for n in range(12)]
    await asyncio.gather(*(actions.moderation.act(dialogue, q, "approve", {}, MOD) for q in ids))
    rows = await store.audit.read(dialogue.id)
    assert sorted(r.entry["question"] for r in rows) == sorted(ids)
    assert [r.entry["seq"] for r in rows] == list(range(1, 13))
    assert await store.audit.verify(dialogue.id) == []


async def test_a_head_that_never_stops_moving_is_contended(
    store: Store, actions: Services, dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that finds the chain's head moved on every attempt waits
    between them (a jittered backoff), then gives up with ``Contended`` (409
    conflict), having written nothing."""
    qid = await pending(store, actions, dialogue, 1)
    waits: list[int] = []

    async def no_wait(attempt: int) -> None:
        waits.append(attempt)

    async def stale(dialogue_id: str | None, entries: Any) -> dict[str, Any]:
        return {"expect": "a head another action moved", "count": 0, "entries": []}

    monkeypatch.setattr(audit_store, "wait_turn", no_wait)
    monkeypatch.setattr(questions_store, "wait_turn", no_wait)
    monkeypatch.setattr(store.audit, "spec", stale)
    with pytest.raises(Contended):
        await actions.moderation.act(dialogue, qid, "approve", {}, MOD)
    with pytest.raises(Contended):
        entry = audit.Entry("2027-01-01T00:00:00Z", "admin", ("admin",), "settings", None)
        await store.audit.append(dialogue.id, [entry])
    assert waits == [*range(1, audit_store.ATTEMPTS)] * 2
    q = await store.questions.get(dialogue.id, qid)
    assert q is not None and q.status.value == "pending"
    assert await store.audit.read(dialogue.id) == []


def test_cli_verify_says_intact_or_broken(redis_url: str) -> None:
    """``doithoai audit verify`` over the real command line: 0 when intact, 1
    with the broken entry named once an entry is edited."""

    async def seed(tamper: bool) -> str:
        redis = connect(redis_url)
        store = store_on(redis)
        actions = build(store)
        dialogue = await store.dialogues.by_slug("cli-audit")
        if dialogue is None:
            dialogue = await actions.dialogues.create(slug="cli-audit", title="CLI", status="live")
            await broadcast(store, actions, dialogue)
        stream = keys.audit_stream(keys.prefix(dialogue.id))
        first = (await oldest(redis, stream, count=1))[0]
        if tamper:
            await redis.xdel(stream, first[0])
        await redis.aclose()
        return str(first[0])

    def verify() -> subprocess.CompletedProcess[str]:
        env = {"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin"}
        return subprocess.run(
            [sys.executable, "-m", "server", "audit", "verify", "cli-audit"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    asyncio.run(seed(False))
    ok = verify()
    assert ok.returncode == 0, ok.stderr
    assert "cli-audit: ok, 7 entries" in ok.stdout
    removed = asyncio.run(seed(True))
    broken = verify()
    assert broken.returncode == 1
    assert "cli-audit: BROKEN" in broken.stdout and removed not in broken.stdout


async def test_entries_and_account_changes_are_audited(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A question entered by staff from the hotline, and an admin's change of
    an account (in the accounts' own trail), leave entries too."""
    from server.actions.accounts import Accounts

    entered = await actions.submissions.submit(
        dialogue, payload(9, channel="hotline", phone="0912345678"), MOD
    )
    (row,) = await store.audit.read(dialogue.id)
    assert (row.entry["action"], row.entry["question"]) == ("enter", entered.question_id)
    assert row.entry["after"]["channel"] == "hotline"
    assert "0912345678" not in json.dumps(row.entry)  # contact data stays out

    accounts = Accounts(store, 3600)
    slug, d = dialogue.slug, dialogue.id
    await accounts.create(
        "admin", "mod3", "mot-mat-khau-dai", memberships={slug: ["moderator"]}, address="192.0.2.9"
    )
    await accounts.update(
        "admin", "mod3", memberships={slug: ["moderator", "producer"]}, address="192.0.2.9"
    )
    rows = await store.audit.read(None)
    assert [(r.entry["actor"], r.entry["action"], r.entry["address"]) for r in rows] == [
        ("admin", "account.created", "192.0.2.9"),
        ("admin", "account.changed", "192.0.2.9"),
    ]
    assert rows[0].entry["after"]["memberships"] == f"{d}:moderator"
    assert rows[1].entry["after"]["memberships"] == f"{d}:moderator -> {d}:moderator,producer"
    assert "mot-mat-khau-dai" not in json.dumps([r.entry for r in rows])
    assert await store.audit.verify(None) == []
