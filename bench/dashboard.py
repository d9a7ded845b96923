"""The live dashboard as a dialogue grows (issue 17 item 1): N questions
written straight into Redis with their counters (tests/support/bulk.py, the
test seed's mix of states), a three-hour broadcast's minutes added to the
counters; then the dashboard's read (``reports.dashboard`` and the API's
JSON, median of 20) against counting every question (``reports.figures``,
what a dashboard without counters would do on each load, median of 5); and
the page's staff feed opened after the figures' event (a replay of
nothing) against the staff snapshot it skips; and the cost the counters add
to each decision the staff feed carries; and the one recount of a
dialogue whose questions came before the counters: the
median of 100 approve/unpublish steps (``moderation.act``: the transition
script with its event) with the counters kept, and with them left out.

Run with ``python -m bench.dashboard [N ...]`` or through ``python -m bench``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from unittest import mock

from server.domain.model import SYSTEM, Status
from server.store import keys
from server.store.connection import connect
from server.web.dashboard_pages import view
from tests.support.bulk import seed

from .common import median_ms, private_redis, seeded

#: A broadcast's minutes, each with some received, approved and rejected.
MINUTES = 180
STEPS = 100


async def run(n_questions: int) -> None:
    with private_redis() as url:
        async with seeded(url) as (actions, dialogue, _store):
            client = connect(url)
            try:
                states = await seed(client, dialogue, n_questions)
                start = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
                async with client.pipeline(transaction=False) as pipe:
                    for i in range(MINUTES):
                        at = (start + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M")
                        for series, n in (("received", 100), ("approved", 60), ("rejected", 9)):
                            pipe.hincrby(keys.figures(dialogue.id), f"m:{at}:{series}", n)
                    await pipe.execute()
                fields = await client.hlen(keys.figures(dialogue.id))
            finally:
                await client.aclose()

            async def load() -> str:
                return json.dumps(view(await actions.reports.dashboard(dialogue)))

            body = await load()
            dash_ms = await median_ms(load, 20)
            last = json.loads(body)["last_event_id"]
            replay_ms = await median_ms(lambda: actions.feeds.missed(dialogue, last), 20)
            begin = time.perf_counter()
            staff = len(json.dumps(await actions.feeds.staff(dialogue)))
            staff_ms = (time.perf_counter() - begin) * 1000
            scan_ms = await median_ms(lambda: actions.reports.figures(dialogue), 5)
            pending = [qid for qid, s in states.items() if s is Status.PENDING][:STEPS]

            probe = connect(url)

            async def steps() -> float:
                """The transition script's own time in Redis (commandstats), per call:
                what the counters add is Redis's work, and a loaded client's
                clock would drown it."""
                await probe.config_resetstat()
                for qid in pending:
                    for action in ("approve", "unpublish"):
                        await actions.moderation.act(dialogue, qid, action, {}, SYSTEM)
                stats = await probe.info("commandstats")
                return float(stats["cmdstat_evalsha"]["usec_per_call"])

            await steps()  # warm: the first approval builds the duplicate index
            kept, bare = [], []
            for _ in range(2):  # interleaved, so that a loaded machine weighs on both
                kept.append(await steps())
                with (
                    mock.patch("server.domain.tally.standing", return_value={}),
                    mock.patch("server.domain.tally.moved", return_value=({}, {})),
                ):
                    bare.append(await steps())
            kept_us, bare_us = statistics.mean(kept), statistics.mean(bare)
            # A dialogue from before the counters: the first load counts them once.
            await probe.delete(keys.figures_ready(dialogue.id))
            begin = time.perf_counter()
            await actions.reports.dashboard(dialogue)
            recount_ms = (time.perf_counter() - begin) * 1000
            await probe.aclose()
    print(
        f"dashboard n={n_questions}: counters {fields} fields, JSON {len(body) / 1024:.1f} KiB, "
        f"read {dash_ms:.1f} ms (counting every question: {scan_ms:.0f} ms); "
        f"its staff feed from the figures' event {replay_ms:.2f} ms (the staff snapshot "
        f"it skips: {staff / 1024:.0f} KiB, {staff_ms:.0f} ms); "
        f"a decision's script in Redis (approve or unpublish, mean) with counters "
        f"{kept_us:.0f} µs, without {bare_us:.0f} µs; the one recount of a dialogue from "
        f"before the counters {recount_ms:.0f} ms"
    )


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [1000, 20000]:
        asyncio.run(run(n))
