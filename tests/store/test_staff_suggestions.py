"""The staff snapshot names only suggestions a moderator can still merge
into: a question rejected or merged before the console opened is not in the
snapshot (it is finished), so the console could not know its state and would
offer "Merge into #N", which the server refuses. The staff API leaves such
suggestions out too (``DuplicateFinder.both_ways``)."""

from __future__ import annotations

from server.actions import Services
from server.domain.model import Dialogue
from server.domain.views import SnapshotQuestion
from server.store.connection import Store

from .conftest import MODERATOR, PRODUCER
from .test_moderation import OTHER, SAME, submitted

#: A third asking of ``SAME``'s question (suggesting both of them).
THIRD = "Khi nào thành phố cấp chữ ký số miễn phí cho hộ kinh doanh cá thể vậy?"


def named(question: SnapshotQuestion) -> list[str]:
    return [d["id"] for d in question.get("duplicates", [])]


async def views(actions: Services, dialogue: Dialogue) -> dict[str, SnapshotQuestion]:
    return {q["id"]: q for q in (await actions.feeds.staff(dialogue))["questions"]}


async def test_the_snapshot_names_no_rejected_or_merged_suggestion(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    first = await submitted(store, actions, dialogue, SAME[0])
    second = await submitted(store, actions, dialogue, SAME[1])
    third = await submitted(store, actions, dialogue, THIRD)
    other = await submitted(store, actions, dialogue, OTHER)
    before = await views(actions, dialogue)  # the views the node keeps
    assert set(named(before[third])) == {first, second}
    assert named(before[second]) == [first]

    await actions.moderation.act(dialogue, first, "reject", {"reason": "duplicate"}, MODERATOR)
    await actions.moderation.act(dialogue, second, "merge", {"into": other}, MODERATOR)
    after = await views(actions, dialogue)
    assert set(after) == {third, other}
    assert named(after[third]) == []  # neither is suggested now
    assert "duplicates" not in after[third]  # as the snapshot leaves out an empty list
    # The views kept from the first snapshot are not changed: only copies are.
    assert set(named(before[third])) == {first, second}
    assert named(after[other]) == [] and after[other]["merged_from"] == [second]

    # Restored, the rejected one can be merged into again: suggested again.
    await actions.moderation.act(dialogue, first, "restore", {}, MODERATOR)
    again = await views(actions, dialogue)
    assert named(again[third]) == [first]


async def test_an_answered_question_is_still_suggested(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """An answered question is finished (not in the snapshot) but can be
    merged into (``MERGE_TARGETS``): its suggestion stays."""
    first = await submitted(store, actions, dialogue, SAME[0])
    await actions.moderation.act(dialogue, first, "approve", {}, MODERATOR)
    for action in ("on_air", "answer"):
        await actions.moderation.act(dialogue, first, action, {}, PRODUCER)
    second = await submitted(store, actions, dialogue, SAME[1])
    seen = await views(actions, dialogue)
    assert first not in seen
    assert named(seen[second]) == [first]
