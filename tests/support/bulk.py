"""Many questions at once, written straight into the store's keys with one
pipeline (what the scripts would have written, the dashboard's counters
of each question's standing and arrival included, without their events): for
tests of what a feed sends from a dialogue of tens of thousands of questions,
where going through intake one by one would take minutes."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

from server.domain import tally
from server.domain.model import Answer, Dialogue, Question, Status
from server.store import keys
from server.store.connection import connect
from server.store.questions import _doc

from .store import run, store_on

#: A long question (about 2,000 characters, most of them two or three UTF-8
#: bytes): the byte bound must hold with the longest texts, not the average.
LONG = ("Xin hỏi Ông Giám đốc Sở về thủ tục cấp phép xây dựng ở phường Thuận Hóa, Huế; " * 25)[
    :2000
]
ANSWER = ("Sở đã chỉ đạo rút ngắn thời gian giải quyết hồ sơ xuống còn 10 ngày làm việc. " * 40)[
    :3000
]
AT = "2026-12-01T08:00:00+07:00"

#: The states a seeded dialogue's questions are drawn from, with weights.
MIX: Sequence[tuple[Status, int]] = (
    (Status.APPROVED, 50),
    (Status.ANSWERED, 15),
    (Status.DEFERRED, 5),
    (Status.QUEUED, 2),
    (Status.PENDING, 15),
    (Status.REJECTED, 10),
    (Status.MERGED, 3),
)


def question(dialogue: Dialogue, qid: int, status: Status, *, long: bool = False) -> Question:
    text = LONG if long else f"Câu hỏi số {qid} về dịch vụ công trực tuyến ở Huế?"
    answer = None
    if status is Status.ANSWERED:
        answer = Answer(ANSWER if long else "Đã trả lời.", "written", None, AT, "official")
    return Question(
        id=str(qid),
        dialogue_id=dialogue.id,
        tracking_code=f"{dialogue.id}-T{qid:04d}-X",
        text=text,
        name="Nguyễn Thị Hoa",
        submitted_at=AT,
        status=status,
        version=1,
        locality="Phường Thuận Hóa",
        answer=answer,
        merged_into="1" if status is Status.MERGED else None,
        reason="spam" if status is Status.REJECTED else None,
    )


async def seed(
    redis: Any,
    dialogue: Dialogue,
    count: int,
    *,
    seed: int = 15,
    long_every: int = 7,
    mix: Sequence[tuple[Status, int]] = MIX,
) -> dict[str, Status]:
    """``count`` questions (ids 1..count) of a dialogue that has none, in
    states drawn from ``mix``, the last approved one on air, random votes
    (the most on a few), every ``long_every``-th one long; id -> state."""
    draw = random.Random(seed)
    states, weights = zip(*mix, strict=True)
    chosen = draw.choices(states, weights, k=count)
    on_air = max((i for i, s in enumerate(chosen, 1) if s is Status.APPROVED), default=None)
    if on_air is not None:
        chosen[on_air - 1] = Status.ON_AIR
    d = dialogue.id
    out: dict[str, Status] = {}
    # What the scripts would have written, gathered here and sent in few
    # commands (one HSET a question; the counters, the status sets and the
    # votes summed and sent once a batch): the same keys and values as a
    # command per field, in a tenth of the round trips (20,000 questions on a
    # Redis Cluster took half a minute the other way).
    figures: dict[str, int] = {}
    by_status: dict[str, dict[str, int]] = {}
    ranked: dict[str, int] = {}
    in_queue: dict[str, int] = {}

    def flush_batch() -> None:
        for field, n in figures.items():
            pipe.hincrby(keys.figures(d), field, n)
        for status_value, members in by_status.items():
            pipe.zadd(keys.by_status(d, status_value), members)
        if ranked:
            pipe.zadd(keys.votes(d), ranked)
        if in_queue:
            pipe.zadd(keys.queue(d), in_queue)
        figures.clear()
        by_status.clear()
        ranked.clear()
        in_queue.clear()

    async with redis.pipeline(transaction=False) as pipe:
        queued = 0
        for qid, status in enumerate(chosen, 1):
            q = question(dialogue, qid, status, long=qid % long_every == 0)
            votes = draw.choice((0, 0, 1, 2, 3, 5, 40)) if status is not Status.PENDING else 0
            standing = tally.standing(q)
            pipe.hset(
                keys.question(d, q.id),
                mapping={
                    "doc": _doc(q),
                    "status": status.value,
                    "version": 1,
                    "votes": votes,
                    "tally": json.dumps(standing),
                },
            )
            for field, n in {**standing, **tally.arrived(q)}.items():
                figures[field] = figures.get(field, 0) + n
            by_status.setdefault(status.value, {})[q.id] = qid
            if votes:
                ranked[q.id] = votes
            if status is Status.QUEUED:
                queued += 1
                in_queue[q.id] = queued
            out[q.id] = status
            if qid % 2000 == 0:
                flush_batch()
                await pipe.execute()
        flush_batch()
        if on_air is not None:
            pipe.set(keys.on_air(d), str(on_air))
        pipe.set(keys.prefix(d) + "seq", count)
        pipe.set(keys.figures_ready(d), "1")
        await pipe.execute()
    return out


def seed_dialogue(redis_url: str, slug: str, count: int, **options: Any) -> dict[str, Status]:
    """``seed`` the dialogue ``slug`` on ``redis_url``, from sync code (a
    browser test, beside a running app)."""

    async def work() -> dict[str, Status]:
        client = connect(redis_url)
        try:
            dialogue = await store_on(client).dialogues.by_slug(slug)
            assert dialogue is not None, slug
            return await seed(client, dialogue, count, **options)
        finally:
            await client.aclose()

    return run(work())
