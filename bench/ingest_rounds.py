"""Submit against its floor on a shared machine: rounds of ``bench.ingest``'s
servers one after the other, so that each ratio comes from minutes apart
rather than from phases a whole run apart. In each round: the floor's
POST + one XADD (``bench/floor.py`` on uvicorn), a node of older code
(``BASE``: a checkout or ``git archive`` export, on ``PYTHONPATH``) and a
node of this checkout, each as fast as it answers then at half that rate
(its p99), the order reversed every other round. Servers on core 0, Redis,
the load generator and each node's intake worker on core 1, as in
``bench.ingest``; CPU per 202 from the server process's own clock.

``python -m bench.ingest_rounds BASE [ROUNDS] [SECONDS]``
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import psutil
import uvloop

from .common import pinned, private_redis, seeded, server
from .ingest import CLIENT_CORE, SERVER_CORE, Phase, _load, floor_server


async def floor(url: str, seconds: float) -> Phase:
    async with floor_server(url) as (port, proc):
        return await _load("xadd", port, "/xadd", proc, seconds)


async def node(url: str, label: str, env: dict[str, str], seconds: float) -> tuple[Phase, Phase]:
    async with seeded(url, f"rounds-{label}-{time.time_ns() % 10**9}") as (_, dialogue, _store):
        with pinned(SERVER_CORE):
            srv = server(url, DOITHOAI_INTAKE_WORKERS="1", **env).start()
        try:
            assert srv.process is not None
            proc = psutil.Process(srv.process.pid)
            for child in proc.children():
                child.cpu_affinity([CLIENT_CORE])
            path = f"/api/v1/dialogues/{dialogue.slug}/questions"
            full = await _load(label, srv.port, path, proc, seconds)
            half = await _load(f"{label} half", srv.port, path, proc, seconds, full.per_second / 2)
            return full, half
        finally:
            srv.stop()


def _per(phase: Phase) -> float:
    return phase.cpu / max(phase.answered, 1) * 1e6


def _share(phase: Phase) -> str:
    return f"{phase.per_second:,.0f}/s, {100 * phase.cpu / phase.wall:.0f} % of its core"


def _p99(phase: Phase) -> float:
    ms = sorted(x * 1000 for x in phase.latencies)
    return ms[min(len(ms) - 1, int(len(ms) * 0.99))]


async def run(base: str, rounds: int, seconds: float) -> None:
    rows = []
    with pinned(CLIENT_CORE), private_redis() as url:
        for r in range(rounds):
            order = ["floor", "base", "this"] if r % 2 == 0 else ["this", "base", "floor"]
            nodes: dict[str, tuple[Phase, Phase]] = {}
            for what in order:
                if what == "floor":
                    xadd = await floor(url, seconds)
                else:
                    env = {"PYTHONPATH": base} if what == "base" else {}
                    nodes[what] = await node(url, what, env, seconds)
            (b, b_half), (t, t_half) = nodes["base"], nodes["this"]
            print(
                f"round {r + 1} ({', '.join(order)}; load {os.getloadavg()[0]:.1f}): "
                f"POST+XADD {_per(xadd):.0f} µs ({_share(xadd)}), base {_per(b):.0f} µs "
                f"({_share(b)}), this {_per(t):.0f} µs ({_share(t)}); floor / base "
                f"{_per(xadd) / _per(b):.2f}, floor / this {_per(xadd) / _per(t):.2f}; p99 at "
                f"half load: base {_p99(b_half):.1f} ms at {b_half.per_second:,.0f}/s, this "
                f"{_p99(t_half):.1f} ms at {t_half.per_second:,.0f}/s",
                flush=True,
            )
            rows.append((_per(xadd), _per(b), _per(t)))
    for name, i in (("base", 1), ("this", 2)):
        ratios = [row[0] / row[i] for row in rows]
        print(
            f"floor / {name}: median {statistics.median(ratios):.2f} "
            f"[{min(ratios):.2f}-{max(ratios):.2f}] (target ≥ 0.8)"
        )


if __name__ == "__main__":
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 4.0
    uvloop.run(run(sys.argv[1], rounds, seconds))
