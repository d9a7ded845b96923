"""Fan-out: N public feed sockets on one node, M events; time from the event
to the last socket receiving it, and the server's memory per socket.

The load generator (websockets clients) runs in this process on the same
2-core machine, so the numbers are an upper bound on the server's own cost.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

from websockets.asyncio.client import ClientConnection, connect

from server.domain.model import Actor, Role

from .common import private_redis, rss_kib, seeded, server

MOD = Actor("moderator", frozenset({Role.MODERATOR}))


async def run(n_sockets: int, n_events: int) -> None:
    with private_redis() as url:
        async with seeded(url) as (actions, dialogue, _):
            with server(url) as srv:
                assert srv.process is not None
                base_rss = rss_kib(srv.process.pid)
                ws_url = (
                    srv.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{dialogue.slug}/feed"
                )
                sockets: list[ClientConnection] = []
                for start in range(0, n_sockets, 100):
                    batch = await asyncio.gather(
                        *(
                            connect(ws_url, compression=None)
                            for _ in range(min(100, n_sockets - start))
                        )
                    )
                    sockets.extend(batch)
                await asyncio.gather(*(ws.recv() for ws in sockets))  # snapshots
                await asyncio.sleep(0.5)
                per_socket = (rss_kib(srv.process.pid) - base_rss) / n_sockets

                # One approved question, then votes: each vote is one public event.
                sub = await actions.submissions.submit(
                    dialogue, {"text": "Câu hỏi để đo hiệu năng phát tán.", "name": "Bench"}
                )
                await actions.intake.screen_now(dialogue, [sub.question_id])
                await actions.moderation.act(dialogue, sub.question_id, "approve", {}, MOD)
                await asyncio.gather(*(_until(ws, "question.approved") for ws in sockets))

                spans = []
                for n in range(n_events):
                    waiters = [asyncio.create_task(_until(ws, "votes.changed")) for ws in sockets]
                    started = time.perf_counter()
                    await actions.submissions.vote(
                        dialogue, sub.question_id, f"bench-voter-{n:06d}"
                    )
                    await asyncio.gather(*waiters)
                    spans.append(time.perf_counter() - started)
                for ws in sockets:
                    await ws.close()
    spans.sort()
    median = statistics.median(spans)
    print(f"fan-out: {n_sockets} sockets, {n_events} events (load generator on the same machine)")
    p95 = spans[int(len(spans) * 0.95) - 1]
    print(f"  event -> last socket: median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"  per delivery (median span / sockets): {median / n_sockets * 1e6:.1f} µs")
    print(f"  server memory per idle socket: {per_socket:.1f} KiB")


async def _until(ws: ClientConnection, type_: str) -> None:
    while json.loads(await ws.recv())["type"] != type_:
        pass
