"""The submit path (issue 15, item 3): a citizen's question is checked
against the node's remembered copy of its dialogue and taken in one Redis
round trip (limits, the proof's single use, idempotency and the inbox
append in one script, all in the dialogue's slot: these run on the Redis
Cluster too); a copy another node made stale is caught by the script."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from redis.asyncio import Redis

from server.actions import Services, build
from server.app import stop_tasks
from server.config import Settings
from server.domain import proof
from server.domain.events import PUBLIC
from server.domain.model import (
    Answer,
    Dialogue,
    DialogueStatus,
    Duplicate,
    HistoryEntry,
    Note,
    Question,
    Status,
)
from server.domain.wording import Refused
from server.realtime.hub import Hub, Message, Subscriber
from server.realtime.reader import Reader
from server.store import keys
from server.store.connection import Store
from server.store.dialogues import _ALPHABET
from server.store.questions import _code, _doc, _load
from server.store.wire import lane
from tests.support.waiting import eventually

from .conftest import payload, status_of

CLIENT = "203.0.113.7"
LIMITS = Settings(submit_limit=(3, 60.0), device_limit=(2, 60.0), proof_difficulty=4)


@contextmanager
def commands(redis: Redis, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the commands the store's client sends meanwhile, through
    redis-py or on its lane (``wire.Lane``: the submit script's)."""
    sent: list[str] = []
    real = redis.execute_command
    laned = lane(getattr(redis, "connection_pool", None))  # none on a Cluster

    async def counted(*args: Any, **options: Any) -> Any:
        sent.append(str(args[0]).upper())
        return await real(*args, **options)

    with monkeypatch.context() as patch:
        patch.setattr(redis, "execute_command", counted)
        if laned is not None:
            on_lane = laned.execute

            async def counted_on_lane(*args: Any) -> Any:
                sent.append(str(args[0]).upper())
                return await on_lane(*args)

            patch.setattr(laned, "execute", counted_on_lane)
        yield sent


async def inbox_length(redis: Redis, dialogue: Dialogue) -> int:
    return int(await redis.xlen(keys.inbox(dialogue.id)))


def solved(actions: Services, dialogue: Dialogue) -> dict[str, str]:
    issued = actions.submissions.store.proofs.challenge(dialogue.id, LIMITS.proof_difficulty)
    return {"challenge": issued.text, "nonce": proof.solve(issued)}


async def test_a_citizen_s_question_is_one_round_trip(
    redis: Redis, store: Store, dialogue: Dialogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the node remembers the dialogue (and Redis the script), a
    question that passes both limits and a proof of work costs one command:
    the submit script."""
    node = build(store, LIMITS.replace(device_limit=(5, 60.0), submit_limit=(5, 60.0)))
    dialogue = await node.dialogues.update(dialogue, {"proof_of_work": True, "version": 0})
    cached = await node.dialogues.cached(dialogue.slug)
    first = payload(0, device="device-0001", proof=solved(node, cached))
    await node.submissions.ask(cached, first, CLIENT)
    body = payload(1, device="device-0001", submission_id="sub-00000001")
    body["proof"] = solved(node, cached)
    with commands(redis, monkeypatch) as sent:
        code = await node.submissions.ask(await node.dialogues.cached(dialogue.slug), body, CLIENT)
    assert sent == ["EVALSHA"]
    q = await store.questions.by_tracking(code)
    assert q is not None and q.status is Status.RECEIVED
    # The same submission again: the same code, nothing more in the inbox.
    body["proof"] = solved(node, cached)
    assert await node.submissions.ask(cached, body, CLIENT) == code
    assert await inbox_length(redis, dialogue) == 2


async def test_the_limits_hold_and_are_per_dialogue(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """The device's bucket (2 a minute) and the address's (3 a minute) are
    taken in the script; a refused question leaves nothing in the inbox; a
    device refused has not spent its address's token. Buckets live in the
    dialogue's slot, so another dialogue has its own."""
    node = build(store, LIMITS)
    other = await actions.dialogues.create(slug="khac", title="Khác", status="live")
    for n in range(2):
        await node.submissions.ask(dialogue, payload(n, device="device-a"), CLIENT)
    with pytest.raises(Refused) as refused:
        await node.submissions.ask(dialogue, payload(2, device="device-a"), CLIENT)
    assert refused.value.code == "rate_limited" and (refused.value.retry_after or 0) >= 1
    # The address spent 2 of its 3: one more from another device, then none.
    await node.submissions.ask(dialogue, payload(3, device="device-b"), CLIENT)
    with pytest.raises(Refused) as refused:
        await node.submissions.ask(dialogue, payload(4, device="device-c"), CLIENT)
    assert refused.value.code == "rate_limited"
    assert await inbox_length(redis, dialogue) == 3
    await node.submissions.ask(other, payload(5, device="device-a"), CLIENT)
    assert await inbox_length(redis, other) == 1


async def test_a_copy_made_stale_by_another_node_is_caught(
    redis: Redis, store: Store, dialogue: Dialogue
) -> None:
    """Node A remembers the dialogue; node B switches the proof of work on,
    then moves the dialogue out of its accepting phases and back: A's
    questions are checked against what Redis holds, not its old copy."""
    a, b = build(store, LIMITS), build(store, LIMITS)
    old = await a.dialogues.cached(dialogue.slug)
    stored = await b.dialogues.update(dialogue, {"proof_of_work": True, "version": 0})
    with pytest.raises(Refused) as refused:
        await a.submissions.ask(old, payload(1), CLIENT)
    assert refused.value.code == "proof_required"
    assert await inbox_length(redis, dialogue) == 0
    # A now remembers the new version and takes a solved proof.
    fresh = await a.dialogues.cached(dialogue.slug)
    assert fresh.proof_of_work and fresh.version == stored.version
    code = await a.submissions.ask(fresh, payload(2, proof=solved(a, fresh)), CLIENT)
    assert (await store.questions.by_tracking(code)) is not None
    # B switches the proof off again: A's copy (proof on) is stale, and a
    # question without a proof is taken all the same.
    back = await b.dialogues.update(stored, {"proof_of_work": False, "version": stored.version})
    await a.submissions.ask(fresh, payload(3), CLIENT)
    assert (await a.dialogues.cached(dialogue.slug)).version == back.version


async def test_a_copy_that_refuses_is_checked_again(store: Store, dialogue: Dialogue) -> None:
    """A copy that says "not taking questions" is not believed alone: the
    node reads the stored dialogue before refusing, both ways."""
    a, b = build(store, LIMITS), build(store, LIMITS)
    opened = await b.dialogues.set_status(dialogue, DialogueStatus.OPEN)
    drafted = await b.dialogues.set_status(opened, DialogueStatus.DRAFT)
    old = await a.dialogues.cached(dialogue.slug)  # draft: takes nothing
    assert not old.accepting_questions
    await b.dialogues.set_status(drafted, DialogueStatus.OPEN)
    await a.submissions.ask(old, payload(1), CLIENT)  # checked again: open
    live = await b.dialogues.set_status(await b.dialogues.get(dialogue.slug), DialogueStatus.LIVE)
    remembered = await a.dialogues.cached(dialogue.slug)
    assert remembered.status is DialogueStatus.OPEN
    assert live.version > remembered.version
    q = await a.submissions.ask(remembered, payload(2), CLIENT)  # stale, but still accepting
    assert (await store.questions.by_tracking(q)) is not None
    assert (await a.dialogues.cached(dialogue.slug)).status is DialogueStatus.LIVE


async def test_the_honeypot_passes_the_checks_and_stores_nothing(
    redis: Redis, store: Store, dialogue: Dialogue
) -> None:
    node = build(store, LIMITS)
    code = await node.submissions.ask(dialogue, payload(1, website="http://spam"), CLIENT)
    assert await store.questions.by_tracking(code) is None
    assert await store.questions.trapped(code) is not None
    assert await inbox_length(redis, dialogue) == 0


async def test_a_dialogue_saved_before_its_version_key_is_still_checked(
    redis: Redis, store: Store, dialogue: Dialogue
) -> None:
    """Dialogues made before the version had a key of its own: the script
    reads the version from the document."""
    await redis.delete(keys.dialogue_version(dialogue.id))
    node = build(store, LIMITS)
    await node.submissions.ask(await node.dialogues.cached(dialogue.slug), payload(1), CLIENT)
    assert await status_of(store, dialogue, "1") is Status.RECEIVED


@pytest.mark.one_redis
async def test_a_dialogue_made_again_under_its_slug_is_found(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Redis emptied (or restored) and the slug's dialogue made again with
    another id: the node's copy names a dialogue that is gone, and the slug
    is looked up again, for a question as for a refusal."""
    node = build(store, LIMITS)
    old = await node.dialogues.cached(dialogue.slug)
    await redis.flushdb()
    again = await actions.dialogues.create(slug=dialogue.slug, title="Lại", status="live")
    code = await node.submissions.ask(old, payload(1), CLIENT)
    assert (await store.questions.by_tracking(code)) is not None
    assert await inbox_length(redis, again) == 1
    await redis.flushdb()
    await actions.dialogues.create(slug=dialogue.slug, title="Lần nữa", status="live")
    with pytest.raises(Refused) as refused:
        await node.submissions.ask(again, {"text": ""}, CLIENT)
    assert refused.value.code == "invalid"


def test_the_stored_document_is_the_domain_s() -> None:
    """The store writes ``Question.to_doc()``'s JSON (by a faster road)."""
    q = Question(
        id="7",
        dialogue_id="ABCD",
        tracking_code="ABCD-12345-67890",
        text="Xin hỏi “nước sạch” ở phường Thuận Hóa?",
        name="Lan",
        submitted_at="2026-12-03T06:00:00+00:00",
        status=Status.ANSWERED,
        version=9,
        answer=Answer("Đã có lịch.", "written", "o1", "2026-12-03T07:00:00+00:00", "bt"),
        flags=("link",),
        flag_reasons={"link": {"found": ["x.vn"]}},
        duplicates=(Duplicate("3", 0.51),),
        notes=(Note("2026-12-03T06:30:00+00:00", "mod", "gọi lại"),),
        history=(HistoryEntry("2026-12-03T06:00:00+00:00", "system", "screen"),),
        merged_from=("4", "5"),
        votes=12,
    )
    stored = json.loads(_doc(q))
    assert stored == json.loads(json.dumps(q.to_doc()))
    assert Question.from_doc(stored, votes=12) == q
    # Read back straight into the model, with the row's id and votes.
    assert _load("7", _doc(q), "12") == q
    assert _load("7", _doc(q).encode(), b"12") == q
    assert _load("8", _doc(q), None) == q.evolve(id="8", votes=0)


def test_older_looser_documents_are_read_leniently() -> None:
    """A stored document the typed decoding refuses (a null where a list or
    a mapping is now written, an empty merged state, no votes) reads as
    ``Question.from_doc`` reads it."""
    loose = {
        "id": "3", "dialogue_id": "ABCD", "tracking_code": "ABCD-1", "text": "Xin hỏi",
        "name": None, "submitted_at": "2026-12-03T06:00:00+00:00", "status": "pending",
        "flag_reasons": None, "merged_status": "", "held": None,
    }  # fmt: skip
    q = _load("3", json.dumps(loose), None)
    assert q == Question.from_doc(loose)
    assert (q.flag_reasons, q.merged_status, q.held, q.votes) == ({}, None, False, 0)


@pytest.mark.one_redis
async def test_a_node_following_the_dialogue_refreshes_its_copy(
    store: Store, dialogue: Dialogue
) -> None:
    """A node whose reader follows the dialogue (it has viewers) takes the
    new version from ``dialogue.updated``, before any question is stale."""
    node, other = build(store, LIMITS), build(store, LIMITS)
    await node.dialogues.cached(dialogue.slug)
    hub = Hub()
    hub.add(Subscriber(Quiet(), dialogue.id, PUBLIC))
    follower = store.follower()
    reader = Reader(store, follower, hub, node.dialogues.remember)
    await reader.track(dialogue)
    task = asyncio.create_task(reader.run())
    try:
        changed = await other.dialogues.update(dialogue, {"proof_of_work": True, "version": 0})

        async def refreshed() -> bool:
            return (await node.dialogues.cached(dialogue.slug)).version == changed.version

        await eventually(refreshed, "the node's copy refreshed by dialogue.updated")
    finally:
        await stop_tasks([task])
        await follower.close()


class Quiet:
    """A sink that takes every message and keeps none."""

    def offer(self, message: Message) -> bool:
        return True

    def close(self, code: int) -> None:
        return None


def test_a_tracking_code_spells_its_bits_five_at_a_time() -> None:
    """``_code`` (two letters a lookup) spells letter i from bits 5i to 5i + 4."""
    for bits in (0, 1, 31, 32, 1023, 1024, 2**50 - 1, 0x123456789ABCDEF, 2**64 - 1, 7**22):
        letters = "".join(_ALPHABET[(bits >> (5 * i)) & 31] for i in range(10))
        assert _code("abcd", bits) == f"abcd-{letters[:5]}-{letters[5:]}"
