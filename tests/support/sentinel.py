"""A Redis primary, its replicas and the Sentinels watching them, on free
loopback ports, as an operator runs them (``redis-server --sentinel`` with a
generated configuration), for tests that fail the primary over."""

from __future__ import annotations

import contextlib
import functools
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from server.store.connection import Sentinels
from server.store.embedded import find_redis_server
from tests.helpers import free_port
from tests.support.redis_server import start_redis, stop_redis
from tests.support.waiting import wait_for

MASTER = "doithoai"
#: Sentinels that must agree the primary is down (of the three).
QUORUM = 2
#: How long the primary may not answer before a Sentinel counts it down.
DOWN_AFTER_MS = 1000
#: Bound on a stuck start (discovery by hello messages takes a few seconds).
SETTLE = 60.0


@dataclass
class SentinelSet:
    """The primary (``servers[0]`` at first), its replicas and the Sentinels."""

    servers: dict[int, subprocess.Popen[bytes]]
    sentinels: list[subprocess.Popen[bytes]]
    sentinel_ports: list[int]
    first_primary: int

    @property
    def where(self) -> Sentinels:
        return Sentinels(tuple(("127.0.0.1", port) for port in self.sentinel_ports), MASTER)

    @property
    def env(self) -> dict[str, str]:
        """The settings of an app node using these Sentinels."""
        addresses = ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)
        return {"REDIS_SENTINELS": addresses, "REDIS_SENTINEL_MASTER": MASTER}

    def primary_port(self) -> int:
        """The port the Sentinels name as the primary now."""
        with _client(self.sentinel_ports[0]) as sentinel:
            _, port = sentinel.sentinel_get_master_addr_by_name(MASTER)
        return int(port)

    def kill_primary(self) -> int:
        """kill -9 the primary the Sentinels name; its port."""
        port = self.primary_port()
        self.servers[port].kill()
        self.servers[port].wait()
        return port

    def wait_failed_over(self, old: int) -> int:
        """The port of the replica the Sentinels promoted instead of ``old``."""
        return wait_for(
            lambda: (port := self.primary_port()) != old and port,
            "the Sentinels promoted a replica",
            SETTLE,
        )


def _client(port: int) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, decode_responses=True)


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def _sentinel(workdir: Path, primary: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    workdir.mkdir()
    config = workdir / "sentinel.conf"  # Sentinel rewrites it as it learns
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {workdir}\n"
        f"sentinel monitor {MASTER} 127.0.0.1 {primary} {QUORUM}\n"
        f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n"
        f"sentinel failover-timeout {MASTER} 10000\n"
    )
    with open(workdir / "sentinel.log", "wb") as log:
        process = subprocess.Popen(
            [find_redis_server(), str(config), "--sentinel"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, port


def _settled(ports: list[int], replicas: int) -> bool:
    """Whether every Sentinel knows the primary, its replicas and the others."""
    for port in ports:
        try:
            with _client(port) as sentinel:
                known = sentinel.sentinel_master(MASTER)
        except redis.RedisError:
            return False
        if int(known["num-slaves"]) < replicas or int(known["num-other-sentinels"]) < 2:
            return False
    return True


def _replicating(port: int) -> bool:
    with _client(port) as replica:
        return bool(replica.info("replication").get("master_link_status") == "up")


@contextlib.contextmanager
def sentinel_set(replicas: int = 2, sentinels: int = 3) -> Iterator[SentinelSet]:
    """A primary with ``replicas`` and ``sentinels`` Sentinels, once every
    replica is in sync and every Sentinel knows them all; all stopped after."""
    with tempfile.TemporaryDirectory(prefix="dt-sentinel-") as tmp:
        root = Path(tmp)
        servers: dict[int, subprocess.Popen[bytes]] = {}
        watchers: list[subprocess.Popen[bytes]] = []
        try:
            (root / "primary").mkdir()
            process, url = start_redis(root / "primary", "--appendonly", "yes")
            primary = _port(url)
            servers[primary] = process
            for n in range(replicas):
                (root / f"replica{n}").mkdir()
                process, url = start_redis(
                    root / f"replica{n}", "--replicaof", "127.0.0.1", str(primary)
                )
                servers[_port(url)] = process
            for port in servers:
                if port != primary:
                    wait_for(functools.partial(_replicating, port), "a replica in sync", SETTLE)
            ports = []
            for n in range(sentinels):
                process, port = _sentinel(root / f"sentinel{n}", primary)
                watchers.append(process)
                ports.append(port)
            wait_for(lambda: _settled(ports, replicas), "the Sentinels know everyone", SETTLE)
            yield SentinelSet(servers, watchers, ports, primary)
        finally:
            for process in [*watchers, *servers.values()]:
                if process.poll() is None:
                    stop_redis(process)
