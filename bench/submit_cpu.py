"""CPU per question of the submit path and of intake, in one process through
the actions layer (no HTTP), measured with the process's CPU clock: what a
loaded, shared machine stretches least. ``python -m bench.submit_cpu URL N``
runs this checkout's code; with ``CODE=DIR`` in the environment, the code in
DIR (an export of an older commit; it must have ``Submissions.ask``).
``python -m bench.submit_cpu URL N batch`` runs the batches alone (a burst as
big as bench/ingest.py's, 13,000, where one at a time would take minutes).

- submit: the web handler's dialogue lookup (``Dialogues.cached`` where the
  code has it, else ``Dialogues.get``) and ``Submissions.ask`` with both
  limits on (never reached) and a fresh ``submission_id``, one at a time;
- intake: the same N questions screened one entry at a time
  (``Intake.materialise``, the in-process consumer's way) on one dialogue,
  and in batches of 100 (``Intake.materialise_many``, a worker process's
  way, where the code has it) on another. The texts are near-identical, each
  with its own number, as in bench/ingest.py.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

sys.path.insert(0, os.environ.get("CODE", "."))

from server.actions import build
from server.config import Settings
from server.store.connection import Store, connect

WARM = 200
BATCH = 100


async def main(url: str, n: int, ways: tuple[str, ...] = ("one", "batch")) -> None:
    client = connect(url)
    store = Store(client, 100_000, b"bench")
    actions = build(store, Settings(submit_limit=(10**9, 60.0), device_limit=(10**9, 60.0)))
    tag = f"{os.getpid()}"
    cached = getattr(actions.dialogues, "cached", None)
    get = cached or actions.dialogues.get
    batched = getattr(actions.intake, "materialise_many", None)
    results = []
    for way in ways if batched else ("one",):
        slug = f"cpu-{way}-{tag}"
        await actions.dialogues.create(slug=slug, title="CPU", status="live")

        async def ask(i: int, slug: str = slug) -> None:
            dialogue = await get(slug)
            body = {
                "text": f"Câu hỏi số {i} về chuyển đổi số ở Huế?",
                "name": "Người dân",
                "submission_id": f"s{tag}-{i:08d}",
                "device": f"dev-{i % 50:05d}",
            }
            await actions.submissions.ask(dialogue, body, f"10.0.{i % 200}.1")

        for i in range(WARM):
            await ask(i)
        c0 = time.process_time()
        for i in range(WARM, WARM + n):
            await ask(i)
        submit = (time.process_time() - c0) / n
        dialogue = await actions.dialogues.get(slug)
        entries = list((await store.questions.inbox_entries(dialogue.id)).items())
        c0 = time.process_time()
        if way == "one":
            for qid, entry in entries:
                await actions.intake.materialise(dialogue.id, qid, entry)
        else:
            assert batched is not None
            for start in range(0, len(entries), BATCH):
                await batched(dialogue.id, entries[start : start + BATCH])
        intake = (time.process_time() - c0) / len(entries)
        results.append((way, submit, intake, len(entries)))
    for way, submit, intake, count in results:
        print(
            f"{os.environ.get('CODE', 'this checkout')}: submit {submit * 1e6:.0f} µs CPU;"
            f" intake ({'batches of 100' if way == 'batch' else 'one at a time'},"
            f" {count} questions) {intake * 1e6:.0f} µs CPU per question"
        )
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), tuple(sys.argv[3:]) or ("one", "batch")))
