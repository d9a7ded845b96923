"""The floors the submit path is measured against (bench/ingest.py): a
Starlette app on the same uvicorn as a node, with ``POST /noop`` (the body
read and parsed, 202) and ``POST /xadd`` (the same, then one XADD to a
stream on the node's Redis client: the durable-write floor on this stack).
Run by ``python -m uvicorn bench.floor:app`` with ``REDIS_URL``."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.store.connection import connect

#: The floor's answer: the shape of the app's 202, fixed on purpose (a floor
#: does the least a submit could; it takes no question and makes no code).
_ACCEPTED = {"tracking_code": "XXXX-XXXXX-XXXXX", "status": "received"}


async def noop(request: Request) -> Response:
    msgspec.json.decode(await request.body())
    return JSONResponse(_ACCEPTED, 202)


async def xadd(request: Request) -> Response:
    body = msgspec.json.decode(await request.body())
    await request.app.state.redis.xadd("floor:inbox", {"text": body["text"]})
    return JSONResponse(_ACCEPTED, 202)


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.redis = connect(os.environ["REDIS_URL"])
    yield
    await app.state.redis.aclose()


app = Starlette(
    routes=[Route("/noop", noop, methods=["POST"]), Route("/xadd", xadd, methods=["POST"])],
    lifespan=lifespan,
)
