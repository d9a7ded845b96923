"""CPU per request of whole ASGI apps, in one process, no sockets: the
node's app (``create_app``, its middleware and routes, without the intake
worker and the notifier) answering ``POST /api/v1/dialogues/{slug}/questions``,
and ``bench/floor.py``'s no-op POST and POST with one XADD, each called
directly with an HTTP scope, measured with the process's CPU clock (what a
shared machine stretches least; uvicorn's own parsing, the same for every
app, is left out). ``python -m bench.asgi_cpu URL N [C]``: C requests in
flight at once (1 by default; a server under load has many, and the submit
script's calls of one loop turn then share a send); ``CODE=DIR`` runs the
node's app from DIR (an export of an older commit) instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, os.environ.get("CODE", "."))

WARM = 300
App = Callable[..., Awaitable[None]]


async def lifespan(app: App) -> Callable[[], Awaitable[None]]:
    """Start ``app``'s lifespan; the coroutine that ends it."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started, done = asyncio.Event(), asyncio.Event()
    inbox.put_nowait({"type": "lifespan.startup"})

    async def send(message: dict[str, Any]) -> None:
        if message["type"].startswith("lifespan.startup"):
            started.set()
        if message["type"].startswith("lifespan.shutdown"):
            done.set()

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}

    async def run() -> None:
        await app(scope, inbox.get, send)

    task = asyncio.create_task(run())
    await started.wait()

    async def stop() -> None:
        inbox.put_nowait({"type": "lifespan.shutdown"})
        await done.wait()
        await task

    return stop


async def post(app: App, path: str, body: bytes) -> int:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "client": ("10.0.0.1", 40000), "server": ("127.0.0.1", 8000),
        "headers": [
            (b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }  # fmt: skip
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(app: App, path: str, n: int, tag: str, concurrent: int = 1) -> float:
    async def one(i: int) -> None:
        body = {
            "text": f"Câu hỏi số {i} về chuyển đổi số ở Huế?",
            "name": "Người dân",
            "submission_id": f"a{tag}-{i:09d}",
        }
        status = await post(app, path, json.dumps(body).encode())
        assert status == 202, status

    async def run(first: int, last: int) -> None:
        numbers = iter(range(first, last))

        async def client() -> None:
            for i in numbers:  # shared: each client takes the next number
                await one(i)

        await asyncio.gather(*(client() for _ in range(concurrent)))

    await run(0, WARM)
    c0 = time.process_time()
    await run(WARM, WARM + n)
    return (time.process_time() - c0) / n


async def main(url: str, n: int, concurrent: int = 1) -> None:
    from server.actions import build
    from server.app import create_app
    from server.config import Settings
    from server.store.connection import Store, connect

    tag = str(os.getpid())
    results = []
    if "CODE" not in os.environ:
        os.environ["REDIS_URL"] = url
        from bench import floor

        stop = await lifespan(floor.app)
        results.append(
            ("no-op POST (floor.py)", await measure(floor.app, "/noop", n, tag, concurrent))
        )
        results.append(
            ("POST + one XADD (floor.py)", await measure(floor.app, "/xadd", n, tag, concurrent))
        )
        await stop()
    client = connect(url)
    store = Store(client, 100_000, b"bench")
    slug = f"asgi-{tag}"
    await build(store).dialogues.create(slug=slug, title="ASGI", status="live")
    settings = Settings(
        redis_url=url, data_dir=Path(f"/tmp/h-ingest/asgi-{tag}"), secret_key="bench",
        submit_limit=(10**9, 60.0), log_level="warning",
    )  # fmt: skip
    app = create_app(settings, run_workers=False)
    stop = await lifespan(app)
    path = f"/api/v1/dialogues/{slug}/questions"
    results.append(("submit (create_app)", await measure(app, path, n, tag, concurrent)))
    await stop()
    await client.aclose()
    for name, cpu in results:
        print(f"{os.environ.get('CODE', 'this checkout')}: {name}: {cpu * 1e6:.0f} µs CPU")


if __name__ == "__main__":
    concurrent = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), concurrent))
