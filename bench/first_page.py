"""The first message a viewer gets, and the console's snapshot, as a
dialogue grows (issue 15 item 5, issue 16 item 3): N questions written
straight into Redis (tests/support/bulk.py: the test seed's mix of states,
one in seven 2,000 characters long), then the public snapshot as the socket
sends it, bounded, against every published question (what it sent before),
and the staff snapshot of the questions that need work against every
screened one; the time each read takes (median of 20), and a page of older
questions.

Run with ``python -m bench.first_page [N ...]`` or through ``python -m bench``.
"""

from __future__ import annotations

import asyncio
import sys

from server.actions.feeds import size
from server.domain.events import public_question, staff_question
from server.domain.model import PUBLIC_STATUSES, Status
from server.realtime.messages import snapshot
from server.store.connection import connect
from tests.support.bulk import seed

from .common import median_ms, private_redis, seeded

ROUNDS = 20


async def run(n_questions: int) -> None:
    with private_redis() as url:
        async with seeded(url) as (actions, dialogue, store):
            client = connect(url)
            try:
                await seed(client, dialogue, n_questions)
            finally:
                await client.aclose()
            feed = await actions.feeds.public(dialogue)
            first = len(snapshot(dialogue, feed, reset=False))
            board = await store.questions.board(dialogue.id, PUBLIC_STATUSES)
            every = size([public_question(q, dialogue) for q in board.questions])
            staff = size(await actions.feeds.staff(dialogue))
            screened = [s for s in Status if s is not Status.RECEIVED]
            everyone = await store.questions.board(dialogue.id, screened)
            staff_before = size([staff_question(q, dialogue) for q in everyone.questions])
            public_ms = await median_ms(lambda: actions.feeds.public(dialogue), ROUNDS)
            cursor = int(feed["next_before"] or 1)
            page_ms = await median_ms(lambda: actions.feeds.older(dialogue, cursor), ROUNDS)
            staff_ms = await median_ms(lambda: actions.feeds.staff(dialogue), ROUNDS)
    print(
        f"first_page n={n_questions}: public first message {first / 1024:.1f} KiB "
        f"({len(feed['questions'])} questions; every published one: {every / 1024:.0f} KiB), "
        f"read {public_ms:.1f} ms, a page {page_ms:.1f} ms; staff snapshot "
        f"{staff / 1024:.0f} KiB (every screened one: {staff_before / 1024:.0f} KiB), "
        f"read {staff_ms:.1f} ms"
    )


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [1300, 5000, 20000]:
        asyncio.run(run(n))
