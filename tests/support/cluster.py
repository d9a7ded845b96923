"""A Redis Cluster of 3 primaries and 3 replicas on free loopback ports, as
an operator makes one (``redis-server --cluster-enabled yes`` six times,
then ``redis-cli --cluster create --cluster-replicas 1``)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import redis
from redis.cluster import RedisCluster

from tests.support.redis_server import start_redis, stop_redis
from tests.support.waiting import wait_for

NODES = 6
#: Bound on a stuck start (the nodes agree on the slots within seconds).
SETTLE = 60.0


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def _ok(port: int) -> bool:
    with redis.Redis(host="127.0.0.1", port=port, decode_responses=True) as node:
        return bool(node.cluster("INFO").get("cluster_state") == "ok")


@contextlib.contextmanager
def redis_cluster() -> Iterator[str]:
    """The cluster's URL (one of its nodes), once every node says it is ok."""
    cli = shutil.which("redis-cli")
    assert cli, "redis-cli is needed to create a cluster"
    with tempfile.TemporaryDirectory(prefix="dt-cluster-") as tmp:
        processes: list[subprocess.Popen[bytes]] = []
        try:
            ports = []
            for n in range(NODES):
                workdir = Path(tmp) / f"node{n}"
                workdir.mkdir()
                process, url = start_redis(
                    workdir, "--cluster-enabled", "yes", "--cluster-node-timeout", "2000",
                    "--cluster-config-file", str(workdir / "nodes.conf"),
                )  # fmt: skip
                processes.append(process)
                ports.append(_port(url))
            subprocess.run(
                [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports),
                 "--cluster-replicas", "1", "--cluster-yes"],
                check=True, capture_output=True, timeout=SETTLE,
            )  # fmt: skip
            for port in ports:
                wait_for(lambda port=port: _ok(port), "the cluster is ok", SETTLE)  # type: ignore[misc]
            yield f"redis://127.0.0.1:{ports[0]}/0"
        finally:
            for process in processes:
                stop_redis(process)


def flush_cluster(url: str) -> None:
    """Empty every primary of the cluster at ``url``."""
    with RedisCluster.from_url(url) as client:
        client.flushall(target_nodes=RedisCluster.PRIMARIES)
