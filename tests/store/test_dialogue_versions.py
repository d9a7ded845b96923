"""A dialogue's version: every saved change bumps it, and a change made on a
version that is no longer the stored one is refused (409) instead of undoing
another admin's change, whether the admin's page named its version or two
requests read the dialogue at the same moment."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from server.actions import Services
from server.domain.model import Actor, Dialogue, Role
from server.domain.wording import Refused
from server.store import keys
from server.store.connection import Store
from server.store.dialogues import StaleDialogue

ADMIN = Actor("admin", frozenset({Role.ADMIN}))


async def test_every_saved_change_bumps_the_version(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    assert dialogue.version == 0
    edited = await actions.dialogues.update(dialogue, {"title": "Đối thoại số", "version": 0})
    assert edited.version == 1
    opened = await actions.dialogues.set_status(edited, "open", ADMIN, version=1)
    assert opened.version == 2
    stored = await store.dialogues.by_slug(dialogue.slug)
    assert stored is not None and (stored.version, stored.title) == (2, "Đối thoại số")
    # A change that changes nothing is not a change.
    assert await actions.dialogues.update(stored, {"title": "Đối thoại số"}) == stored


async def test_an_edit_on_a_stale_page_is_refused_and_changes_nothing(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    await actions.dialogues.update(dialogue, {"description": "Mô tả của người thứ nhất"})
    fresh = await actions.dialogues.get(dialogue.slug)
    with pytest.raises(Refused) as refused:
        await actions.dialogues.update(fresh, {"description": "Mô tả cũ", "version": 0}, ADMIN)
    assert (refused.value.code, refused.value.field) == ("conflict", "version")
    with pytest.raises(Refused):
        await actions.dialogues.set_status(fresh, "open", ADMIN, version=0)
    after = await actions.dialogues.get(dialogue.slug)
    assert (after.description, after.status.value, after.version) == (
        "Mô tả của người thứ nhất",
        "live",
        1,
    )


async def test_two_requests_that_read_the_same_version_cannot_both_save(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Both read version 0 (as two PATCHes arriving together do); the store
    takes the first and refuses the second, and appends one event, not two."""
    events = keys.events(dialogue.id)
    before = await redis.xlen(events)
    await actions.dialogues.update(dialogue, {"topics": [{"id": "a", "name": "Giáo dục"}]})
    with pytest.raises(Refused) as refused:
        await actions.dialogues.update(dialogue, {"topics": [{"id": "b", "name": "Y tế"}]})
    assert refused.value.code == "conflict"
    after = await actions.dialogues.get(dialogue.slug)
    assert [t.id for t in after.topics] == ["a"]
    assert await redis.xlen(events) == before + 1
    with pytest.raises(StaleDialogue):
        await store.dialogues.save(after.evolve(title="x", version=9), 8)


async def test_every_dialogue_in_one_read_in_order_of_start(
    redis: Redis, store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """``Dialogues.all`` reads every document in one round trip (on a
    Cluster, dialogues are in slots of their own) and orders them by start,
    then slug; a dialogue whose document is gone is left out."""
    later = await actions.dialogues.create(
        slug="y-te-so", title="Y tế số", starts_at="2026-12-20T08:00:00+07:00"
    )
    earlier = await actions.dialogues.create(
        slug="giao-duc-so", title="Giáo dục số", starts_at="2026-12-10T08:00:00+07:00"
    )
    gone = await actions.dialogues.create(slug="da-xoa", title="Đã xoá")
    await redis.delete(keys.dialogue(gone.id))
    assert [d.slug for d in await store.dialogues.all()] == [
        dialogue.slug,
        earlier.slug,
        later.slug,
    ]
