"""``serve``'s intake workers (issue 15, item 4): ``DOITHOAI_INTAKE_WORKERS``
``doithoai intake`` processes (``cli/intake.py``), so that screening runs
off the node's own core."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence

log = logging.getLogger(__name__)

#: The hidden option ``serve`` gives its workers: stop when stdin closes,
#: which it does when the node stops or dies (even by kill -9).
WITH_PARENT = "--until-stdin-closes"
#: The hidden option naming the Redis Cluster's nodes the node knows (a
#: worker started while the node of REDIS_CLUSTER_URL is down finds the rest).
CLUSTER_NODES = "--cluster-nodes"
#: Seconds a worker told to stop may take before it is killed.
STOP_GRACE = 5.0


class Workers:
    """``serve``'s intake workers: ``count`` child processes, started once
    Redis is there, started again if one dies, stopped with the node. Each
    holds the read end of a pipe the node never writes to: when the node
    goes, however it goes, the pipe closes and the worker stops."""

    def __init__(
        self, node: str, count: int, env: Mapping[str, str], args: Sequence[str] = ()
    ) -> None:
        self._node = node
        self._count = count
        self._args = list(args)
        self._env = {**os.environ, **env}
        self._processes: dict[int, asyncio.subprocess.Process] = {}
        self._stopping = False

    async def _spawn(self, n: int) -> asyncio.subprocess.Process:
        command = [sys.executable, "-m", "server", "intake", WITH_PARENT]
        command += ["--consumer", f"{self._node}-intake-{n}", *self._args]
        # A session of its own: a Ctrl-C at the terminal reaches the node
        # alone, which then stops its workers (rather than starting again
        # workers that the same Ctrl-C stopped while it was shutting down).
        process = await asyncio.create_subprocess_exec(
            *command, stdin=subprocess.PIPE, env=self._env, start_new_session=True
        )
        self._processes[n] = process
        return process

    async def run(self) -> None:
        """Keep ``count`` workers running until cancelled; then stop them."""
        try:
            await asyncio.gather(*(self._keep(n) for n in range(self._count)))
        finally:
            await self.stop()

    async def _keep(self, n: int) -> None:
        while not self._stopping:
            process = await self._spawn(n)
            code = await process.wait()
            if not self._stopping:
                log.error("intake worker %s ended (%s); starting it again", n, code)
                await asyncio.sleep(1)

    async def stop(self) -> None:
        """Close each worker's pipe and send it SIGTERM; kill one that lingers.

        A running worker stops on either, as on a Ctrl-C (``cli/intake.py``).
        One still starting (about a second of CPU importing, more on a busy
        machine) reads its pipe only once started, so without the signal
        the node's stop, an operator's Ctrl-C, would wait for it: SIGTERM
        ends it at once, before it has touched Redis (its handler is set
        before its first command)."""
        self._stopping = True
        for process in self._processes.values():
            if process.stdin is not None:
                process.stdin.close()
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        for process in self._processes.values():
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()

    def pids(self) -> list[int]:
        return [p.pid for p in self._processes.values() if p.returncode is None]
