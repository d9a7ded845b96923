"""``doithoai intake``: an intake worker process (issue 15, item 4).

It screens received questions into moderation (``actions.intake``) as a
consumer of the intake group on every dialogue's inbox, beside the nodes'
and the other workers' consumers: each entry goes to one consumer, an entry
left by a dead one is taken over after ``DOITHOAI_INTAKE_CLAIM_IDLE``
(``store/groups.py``), and screening an entry twice writes once. ``serve``
starts ``DOITHOAI_INTAKE_WORKERS`` of them as its children (``server/workers.py``),
each under a consumer name that is stable across restarts, so a restarted
worker takes up the entries it had read first. Run it by hand, or as a
service of its own (compose.yaml), to give intake more cores than a node's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys

from .. import actions
from ..app import node_name, settled
from ..config import Settings
from ..store.connection import Cluster, Store, Where
from ..workers import CLUSTER_NODES, WITH_PARENT

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = sub.add_parser(
        "intake",
        help="screen received questions (a worker process; serve starts DOITHOAI_INTAKE_WORKERS)",
    )
    cmd.add_argument(
        "--consumer",
        help="this worker's consumer name, stable across its restarts and unique "
        "(default: the node name plus -intake)",
    )
    cmd.add_argument(WITH_PARENT, action="store_true", help=argparse.SUPPRESS)
    cmd.add_argument(CLUSTER_NODES, default="", help=argparse.SUPPRESS)


async def run(settings: Settings, where: Where, args: argparse.Namespace) -> int:
    """Work until SIGTERM or SIGINT (or, for ``serve``'s workers, stdin's end)."""
    if isinstance(where, Cluster) and args.cluster_nodes:
        where = Cluster(where.url, tuple(args.cluster_nodes.split(",")))
    store = Store.open(
        where,
        settings.events_maxlen,
        # Intake keys nothing with the secret (limits, proofs): no key file made for it.
        settings.secret_key.encode(),
        timeout=settings.redis_timeout,
        connect_timeout=settings.redis_connect_timeout,
    )
    services = actions.build(store, settings)
    consumer = args.consumer or f"{node_name(settings)}-intake"
    worker = store.intake_worker(
        store.dialogues.ids,
        services.intake.materialise,
        consumer,
        settings.intake_claim_idle,
        settings.intake_max_deliveries,
        batch=services.intake.materialise_many,
        block=settings.intake_block,
    )
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(worker.run(), name="intake")
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, task.cancel)
    if getattr(args, "until_stdin_closes", False):
        loop.add_reader(sys.stdin.fileno(), _on_stdin, task)
    settled()  # as a node does: full collections walk only what intake makes
    log.info("intake worker %s started", consumer)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        await store.close()
    log.info("intake worker %s stopped", consumer)
    return 0


def _on_stdin(task: asyncio.Task[None]) -> None:
    """The parent wrote nothing: readable means its end closed (EOF)."""
    if not os.read(sys.stdin.fileno(), 4096):
        asyncio.get_running_loop().remove_reader(sys.stdin.fileno())
        task.cancel()
