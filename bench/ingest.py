"""Ingest: K citizens' submissions over HTTP (20 at a time); the 202's latency,
the time until intake has made every question pending, and how long each
question waited between its 202 and its screening (policy and duplicate
suggestions), under that burst and then at a calm pace (one every 200 ms)."""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import datetime

import httpx

from server.domain.model import Dialogue, Question, Status
from server.store.connection import Store

from .common import private_redis, seeded, server

CONCURRENCY = 20


async def run(n_questions: int) -> None:
    with private_redis() as url:
        async with seeded(url) as (_actions, dialogue, store):
            with server(url) as srv:
                latencies: list[float] = []
                queue: asyncio.Queue[int] = asyncio.Queue()
                for n in range(n_questions):
                    queue.put_nowait(n)
                async with httpx.AsyncClient(base_url=srv.url, timeout=30) as client:

                    async def worker() -> None:
                        while not queue.empty():
                            n = queue.get_nowait()
                            text = f"Câu hỏi số {n} về chuyển đổi số ở Huế?"
                            body = {
                                "text": text,
                                "name": "Người dân",
                                "submission_id": f"b-{n:08d}",
                            }
                            started = time.perf_counter()
                            response = await client.post(
                                f"/api/v1/dialogues/{dialogue.slug}/questions", json=body
                            )
                            latencies.append(time.perf_counter() - started)
                            assert response.status_code == 202, response.text

                    started = time.perf_counter()
                    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
                    accepted = time.perf_counter() - started
                    counts = store.questions.counts
                    while True:  # poll: the work happens in the server process
                        if (await counts(dialogue.id))["pending"] >= n_questions:
                            break
                        await asyncio.sleep(0.01)
                    pending = time.perf_counter() - started
                    burst = await _screening_delays(store, dialogue)
                    for n in range(CALM):
                        body = {"text": CALM_TEXTS[n % 2], "name": "Người dân"}
                        await client.post(f"/api/v1/dialogues/{dialogue.slug}/questions", json=body)
                        await asyncio.sleep(0.2)
                    while True:
                        if (await counts(dialogue.id))["pending"] >= n_questions + CALM:
                            break
                        await asyncio.sleep(0.01)
                    calm = (await _screening_delays(store, dialogue))[len(burst) :]
    latencies.sort()
    print(f"ingest: {n_questions} submissions, {CONCURRENCY} concurrent clients")
    median, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]
    print(f"  202 latency: median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(
        f"  accepted: {n_questions / accepted:.0f} questions/s; all pending after {pending:.2f} s"
    )
    for name, delays in (("burst", burst), ("calm", calm)):
        found = sum(1 for _, has in delays if has) / len(delays)
        ms = sorted(d for d, _ in delays)
        print(
            f"  202 -> screened with suggestions ({name}): median {statistics.median(ms):.0f} ms,"
            f" p95 {ms[int(len(ms) * 0.95) - 1]:.0f} ms, max {ms[-1]:.0f} ms;"
            f" {found:.0%} have duplicate suggestions"
        )


#: The calm phase: questions one at a time, alternating two that duplicate
#: each other (so each finds the earlier ones).
CALM = 30
CALM_TEXTS = (
    "Xin hỏi khi nào tỉnh cấp chữ ký số miễn phí cho hộ kinh doanh cá thể?",
    "Khi nao tinh cap chu ky so mien phi cho ho kinh doanh ca the a?",
)


async def _screening_delays(store: Store, dialogue: Dialogue) -> list[tuple[float, bool]]:
    """(ms from the 202 to the screening, has suggestions) per pending
    question, in id order: both times are the server's own stamps."""
    _, questions = await store.questions.snapshot(dialogue.id, [Status.PENDING])
    questions.sort(key=lambda q: int(q.id))
    return [
        (
            (_screened_at(q) - datetime.fromisoformat(q.submitted_at)).total_seconds() * 1000,
            bool(q.duplicates),
        )
        for q in questions
    ]


def _screened_at(q: Question) -> datetime:
    return datetime.fromisoformat(next(h.at for h in q.history if h.action == "screen"))
