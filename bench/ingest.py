"""Ingest: K citizens' submissions over HTTP (20 at a time); the 202's latency
and the time until intake has made every question pending."""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx

from .common import private_redis, seeded, server

CONCURRENCY = 20


async def run(n_questions: int) -> None:
    with private_redis() as url:
        async with seeded(url) as (actions, dialogue):
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
                    counts = actions.store.questions.counts
                    while True:  # poll: the work happens in the server process
                        if (await counts(dialogue.id))["pending"] >= n_questions:
                            break
                        await asyncio.sleep(0.01)
                    pending = time.perf_counter() - started
    latencies.sort()
    print(f"ingest: {n_questions} submissions, {CONCURRENCY} concurrent clients")
    median, p99 = statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]
    print(f"  202 latency: median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(
        f"  accepted: {n_questions / accepted:.0f} questions/s; all pending after {pending:.2f} s"
    )
