"""Moderation at scale in the store: screening and duplicate suggestions at
intake (across nodes), merge and its undo, bulk actions, "being handled by"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.actions import Services, build
from server.domain.model import Dialogue, Status
from server.store.connection import Store

from .conftest import MODERATOR, MODERATOR2, payload, status_of

SAME = (
    "Xin hỏi khi nào thành phố cấp chữ ký số miễn phí cho hộ kinh doanh cá thể?",
    "Khi nao tinh cap chu ky so mien phi cho ho kinh doanh ca the a?",
)
OTHER = "Xin hỏi lộ trình phủ sóng 5G tại các xã miền núi của thành phố?"


async def intake(store: Store, actions: Services, node: str = "node-a") -> None:
    await store.intake_worker(
        store.dialogues.ids, actions.intake.materialise, node, 30, 5
    ).run_once()


async def submitted(
    store: Store, actions: Services, dialogue: Dialogue, text: str, node: str = "node-a", **extra
) -> str:
    result = await actions.submissions.submit(dialogue, payload(text=text, **extra))
    await intake(store, actions, node)
    return result.question_id


async def test_duplicates_are_suggested_at_intake_even_from_another_node(
    store: Store, dialogue: Dialogue
) -> None:
    """Two nodes each keep their own index; a question materialised by one is
    suggested by the other (caught up from the events stream)."""
    node_a, node_b = build(store), build(store)
    first = await submitted(store, node_a, dialogue, SAME[0], "node-a")
    await submitted(store, node_a, dialogue, OTHER, "node-a")
    second = await submitted(store, node_b, dialogue, SAME[1], "node-b")
    q = await store.questions.get(dialogue.id, second)
    assert q is not None and q.status is Status.PENDING
    assert [d.id for d in q.duplicates] == [first]
    assert 0 < q.duplicates[0].score <= 1
    third = await submitted(store, node_a, dialogue, SAME[0] + " Xin cảm ơn.", "node-a")
    again = await store.questions.get(dialogue.id, third)
    assert again is not None and {d.id for d in again.duplicates} == {first, second}


async def test_an_edit_is_suggested_again_for_its_new_text(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """A moderator's edit recomputes the question's suggestions: an edit that
    makes it the same question as another finds it, an edit that makes it
    another question drops it; the edit's event carries them too."""
    first = await submitted(store, actions, dialogue, SAME[0])
    other = await submitted(store, actions, dialogue, OTHER)
    q = await store.questions.get(dialogue.id, other)
    assert q is not None and q.duplicates == ()
    await actions.moderation.act(dialogue, other, "edit", {"text": SAME[1]}, MODERATOR)
    edited = await store.questions.get(dialogue.id, other)
    assert edited is not None and [d.id for d in edited.duplicates] == [first]
    events = await store.events.after(dialogue.id, "0-0", limit=100)
    assert events is not None
    last = [e for e in events if e.type == "question.edited"][-1]
    assert last.question is not None and [d.id for d in last.question.duplicates] == [first]
    # Edited again into another question: the suggestion goes.
    await actions.moderation.act(dialogue, other, "edit", {"text": OTHER}, MODERATOR)
    again = await store.questions.get(dialogue.id, other)
    assert again is not None and again.duplicates == ()


async def test_the_staff_api_lists_a_suggestion_on_both_questions(
    store: Store, dialogue: Dialogue
) -> None:
    """The newer question stores the suggestion; the staff API's answers (one
    question, a page) list it on the older one too, also on a node that
    screened neither of them. The staff feed's snapshot carries each
    question's own, as its events do (the console adds the reverse), so a
    snapshot and the events after it agree."""
    node_a, node_b = build(store), build(store)
    first = await submitted(store, node_a, dialogue, SAME[0])
    alone = await submitted(store, node_a, dialogue, OTHER)
    second = await submitted(store, node_a, dialogue, SAME[1])
    older = await store.questions.get(dialogue.id, first)
    assert older is not None and older.duplicates == ()  # as stored
    view = await node_b.moderation.staff_view(dialogue, older, MODERATOR)
    assert [d["id"] for d in view["duplicates"]] == [second]
    page, _ = await node_b.moderation.page(dialogue, MODERATOR)
    listed = {v["id"]: [d["id"] for d in v["duplicates"]] for v in page}
    assert listed == {first: [second], alone: [], second: [first]}
    snapshot = await node_b.feeds.staff(dialogue)
    # The snapshot leaves out an empty list (its "absent" says so).
    listed = {v["id"]: [d["id"] for d in v.get("duplicates", [])] for v in snapshot["questions"]}
    assert listed == {first: [], alone: [], second: [first]}
    # Once the newer one is rejected, the older one no longer lists it.
    await node_a.moderation.act(dialogue, second, "reject", {"reason": "duplicate"}, MODERATOR)
    view = await node_b.moderation.staff_view(dialogue, older, MODERATOR)
    assert view["duplicates"] == []


async def test_rejected_questions_are_never_suggested(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    first = await submitted(store, actions, dialogue, SAME[0])
    await actions.moderation.act(dialogue, first, "reject", {"reason": "other"}, MODERATOR)
    second = await submitted(store, actions, dialogue, SAME[1])
    q = await store.questions.get(dialogue.id, second)
    assert q is not None and q.duplicates == ()


async def test_screening_flags_hold_and_reject_by_policy(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    """Flags carry their reasons; held questions wait for a moderator; the
    policy's reject flags reject at once with the reason the citizen sees."""
    held = await submitted(
        store, actions, dialogue, "Gọi cho tôi số 0912 345 678 để được giải đáp về thuế nhé"
    )
    q = await store.questions.get(dialogue.id, held)
    assert q is not None and q.status is Status.PENDING
    assert "phone" in q.flags and q.flag_reasons["phone"] == {"text": ["0912 345 678"]}
    assert (q.held, q.suggested_reason) == (True, "personal_case")

    empty = await actions.submissions.submit(dialogue, payload(text="??? !!! 😀😀"))
    await intake(store, actions)
    tracking = await actions.tracking.view(empty.tracking_code)
    assert (tracking["status"], tracking["reason"]) == ("rejected", "no_content")

    strict = await actions.dialogues.update(
        dialogue, {"policy": {"reject": {"link": "spam"}, "extra_blocked": ["xổ số"]}}
    )
    linked = await submitted(store, actions, strict, "Mời xem chi tiết tại abc.com về thủ tục")
    rejected = await store.questions.get(strict.id, linked)
    assert rejected is not None and (rejected.status, rejected.reason) == (Status.REJECTED, "spam")
    worded = await submitted(store, actions, strict, "Thành phố có cho mở điểm xo so mới không?")
    blocked = await store.questions.get(strict.id, worded)
    assert blocked is not None and "blocked_word" in blocked.flags and blocked.held


async def test_merge_sums_votes_and_askers_and_unmerge_gives_them_back(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    target = await submitted(store, actions, dialogue, SAME[0])
    source_code = (await actions.submissions.submit(dialogue, payload(text=SAME[1]))).tracking_code
    await intake(store, actions)
    screened = await store.questions.by_tracking(source_code)
    assert screened is not None
    source = screened.id
    for qid in (target, source):
        await actions.moderation.act(dialogue, qid, "approve", {}, MODERATOR)
    for voter in ("voter-0001", "voter-0002"):
        await actions.submissions.vote(dialogue, source, voter)
    await actions.submissions.vote(dialogue, target, "voter-0003")

    await actions.moderation.act(dialogue, source, "merge", {"into": target}, MODERATOR)
    merged = await store.questions.get(dialogue.id, target)
    assert merged is not None and (merged.asked_by, merged.votes) == (2, 3)
    assert merged.merged_from == (source,)
    follows = await actions.tracking.view(source_code)
    assert follows["status"] == "merged" and follows["merged_into"]["id"] == target
    assert follows["text"] == SAME[1]  # the asker's own words, kept for the record
    feed = await actions.feeds.public(dialogue)
    assert [q["id"] for q in feed["questions"]] == [target]
    assert feed["questions"][0]["asked_by"] == 2

    back = await actions.moderation.act(dialogue, source, "unmerge", {}, MODERATOR2)
    assert (back.status, back.merged_into) == (Status.APPROVED, None)
    restored = await store.questions.get(dialogue.id, target)
    assert restored is not None and (restored.asked_by, restored.votes) == (1, 1)
    assert restored.merged_from == ()
    again = await store.questions.get(dialogue.id, source)
    assert again is not None and again.votes == 2
    assert "merged_into" not in await actions.tracking.view(source_code)


async def test_bulk_is_atomic_per_question_and_reports_partial_failures(
    store: Store, actions: Services, dialogue: Dialogue
) -> None:
    ids = [await submitted(store, actions, dialogue, f"{OTHER} Câu số {n}.") for n in range(4)]
    # Another moderator rejects one meanwhile; the bulk approve was prepared before.
    seen = {qid: 1 for qid in ids}
    await actions.moderation.act(dialogue, ids[2], "reject", {"reason": "off_topic"}, MODERATOR2)
    results = await actions.moderation.bulk(
        dialogue, "approve", [*ids, "999"], {"versions": seen}, MODERATOR
    )
    outcome = {r["id"]: (r["ok"], r["error"].code if "error" in r else None) for r in results}
    assert outcome == {
        ids[0]: (True, None),
        ids[1]: (True, None),
        ids[2]: (False, "conflict"),
        ids[3]: (True, None),
        "999": (False, "not_found"),
    }
    statuses = [await status_of(store, dialogue, q) for q in ids]
    assert statuses == [Status.APPROVED, Status.APPROVED, Status.REJECTED, Status.APPROVED]


async def test_handling_claims_are_announced_and_lapse(store: Store, dialogue: Dialogue) -> None:
    now = [datetime(2026, 11, 27, 14, 0, tzinfo=UTC)]
    actions = build(store, clock=lambda: now[0])
    qid = await submitted(store, actions, dialogue, OTHER)
    claim = await actions.moderation.handle(dialogue, qid, MODERATOR)
    assert claim["by"] == "moderator"
    assert (await actions.moderation.handling(dialogue))[qid]["by"] == "moderator"
    last = (await store.events.after(dialogue.id, "0-0", limit=100) or [])[-1]
    assert last.type == "presence.changed" and last.data == {
        "by": "moderator",
        "until": claim["until"],
    }
    await actions.moderation.release_handling(dialogue, qid, MODERATOR2)  # not theirs: stays
    assert qid in await actions.moderation.handling(dialogue)
    now[0] += timedelta(seconds=61)
    assert await actions.moderation.handling(dialogue) == {}
    now[0] -= timedelta(seconds=61)
    await actions.moderation.handle(dialogue, qid, MODERATOR)
    await actions.moderation.release_handling(dialogue, qid, MODERATOR)
    assert await actions.moderation.handling(dialogue) == {}
