"""A Redis Cluster of 3 primaries and 3 replicas on free loopback ports, as
an operator makes one (``redis-server --cluster-enabled yes`` six times,
then ``redis-cli --cluster create --cluster-replicas 1``)."""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.cluster import RedisCluster

from tests.helpers import free_port
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


#: The running clusters' redis-server processes, by port (``kill``), and
#: each cluster's ports, by its URL.
_PROCESSES: dict[int, subprocess.Popen[bytes]] = {}
_PORTS: dict[str, list[int]] = {}


def kill(port: int) -> None:
    """kill -9 the cluster node on ``port``, as a crash would."""
    process = _PROCESSES[port]
    process.kill()
    process.wait()


@contextlib.contextmanager
def frozen(port: int) -> Iterator[None]:
    """The cluster node on ``port`` stopped (SIGSTOP) and then resumed
    (SIGCONT): a replica that takes nothing and acknowledges nothing for a
    while, as a stalled machine would, without failing over anything."""
    process = _PROCESSES[port]
    process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        process.send_signal(signal.SIGCONT)


def restart(port: int) -> None:
    """Start the killed cluster node on ``port`` again, with its arguments and
    its nodes.conf: a primary that was failed over comes back as a replica
    of the node promoted in its place (and, without persistence, empty until
    its first sync)."""
    old = _PROCESSES[port]
    assert old.poll() is not None, f"the node on {port} is still running"
    args = [str(arg) for arg in old.args]  # type: ignore[union-attr]
    log = Path(args[args.index("--dir") + 1]) / "redis.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    _PROCESSES[port] = process

    def answers() -> bool:
        try:
            with _node("127.0.0.1", port) as node:
                return bool(node.ping())
        except redis.ConnectionError:
            return False

    wait_for(answers, f"the node on {port} answers again", SETTLE)


def replicas_of(primary: Primary) -> list[int]:
    """The ports of the replicas connected to ``primary``, as it tells
    (INFO replication: the other nodes' gossip may not know them yet)."""
    with _node(primary.host, primary.port) as node:
        info = node.info("replication")
    return sorted(int(info[f"slave{n}"]["port"]) for n in range(info["connected_slaves"]))


def _alive(url: str) -> int:
    """The port of a node of the cluster at ``url`` that is running (the
    URL's own may have been killed)."""
    for port in _PORTS.get(url, [_port(url)]):
        process = _PROCESSES.get(port)
        if process is None or process.poll() is None:
            return port
    raise AssertionError(f"no node of {url} is running")


def _synced(port: int) -> bool:
    """A primary, or a replica whose link to its primary is up."""
    with redis.Redis(host="127.0.0.1", port=port, decode_responses=True) as node:
        info = node.info("replication")
    return bool(info["role"] == "master" or info.get("master_link_status") == "up")


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
                # The bus port named, not the default port + 10000, which past
                # port 55535 does not exist.
                process, url = start_redis(
                    workdir, "--cluster-enabled", "yes", "--cluster-node-timeout", "2000",
                    "--cluster-config-file", str(workdir / "nodes.conf"),
                    "--cluster-port", str(free_port()),
                    "--repl-diskless-sync-delay", "0",
                )  # fmt: skip
                processes.append(process)
                _PROCESSES[_port(url)] = process
                ports.append(_port(url))
            subprocess.run(
                [cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports),
                 "--cluster-replicas", "1", "--cluster-yes"],
                check=True, capture_output=True, timeout=SETTLE,
            )  # fmt: skip
            for port in ports:
                wait_for(lambda port=port: _ok(port), "the cluster is ok", SETTLE)  # type: ignore[misc]
            # A replica that has not finished its first sync could not take
            # over its primary: wait for every one (a second, without the
            # diskless sync's default 5 s delay).
            for port in ports:
                wait_for(lambda port=port: _synced(port), "the replicas are in sync", SETTLE)  # type: ignore[misc]
            url = f"redis://127.0.0.1:{ports[0]}/0"
            _PORTS[url] = ports
            yield url
        finally:
            if ports:
                _PORTS.pop(f"redis://127.0.0.1:{ports[0]}/0", None)
            for port, process in zip(ports, processes, strict=False):
                stop_redis(_PROCESSES.pop(port, process))  # the one ``restart`` started, if any


def replicated(port: int) -> None:
    """Once every replica of the primary on ``port`` has what it has now.

    Redis Cluster replicates asynchronously: a primary killed a moment after
    a write may take it with it (a test that makes a dialogue and kills its
    primary 50 ms later lost the dialogue itself). Replication is one ordered
    stream per primary, so a replica at the primary's offset has every write
    made before it."""
    with redis.Redis(host="127.0.0.1", port=port, decode_responses=True) as node:
        offset = node.info("replication")["master_repl_offset"]

        def caught_up() -> bool:
            info = node.info("replication")
            replicas = [info[f"slave{n}"] for n in range(info["connected_slaves"])]
            return bool(replicas) and all(r["offset"] >= offset for r in replicas)

        wait_for(caught_up, f"the replicas of {port} at offset {offset}", SETTLE)


def flush_cluster(url: str) -> None:
    """Empty every primary of the cluster at ``url``."""
    with RedisCluster.from_url(url) as client:
        client.flushall(target_nodes=RedisCluster.PRIMARIES)


@dataclass(frozen=True)
class Primary:
    """A primary of the cluster: its node id, address and slots."""

    id: str
    host: str
    port: int
    slots: frozenset[int]


def _node(host: str, port: int) -> redis.Redis:
    return redis.Redis(host=host, port=port, decode_responses=True)


def primaries(url: str) -> list[Primary]:
    """The cluster's primaries, as CLUSTER NODES tells them."""
    with _node("127.0.0.1", _alive(url)) as node:
        listing = node.execute_command("CLUSTER NODES")
    found = []
    # redis-py parses CLUSTER NODES into {address: fields}; the slots are ranges.
    for address, fields in listing.items():
        if "master" not in fields["flags"] or "fail" in fields["flags"]:
            continue
        host, port = address.split("@")[0].rsplit(":", 1)
        slots: set[int] = set()
        for low, *high in fields["slots"]:
            slots.update(range(int(low), int(high[0] if high else low) + 1))
        found.append(Primary(fields["node_id"], host, int(port), frozenset(slots)))
    return sorted(found, key=lambda p: p.port)


def keyslot(url: str, key: str) -> int:
    """The slot of ``key``, as the cluster says (CLUSTER KEYSLOT)."""
    with _node("127.0.0.1", _alive(url)) as node:
        return int(node.execute_command("CLUSTER KEYSLOT", key))


def primary_of(url: str, slot: int) -> Primary:
    return next(p for p in primaries(url) if slot in p.slots)


def move_slot(url: str, slot: int, to: Primary) -> int:
    """Move ``slot`` to the primary ``to`` the way ``redis-cli --cluster
    reshard`` does (IMPORTING on the target, MIGRATING on the source, MIGRATE
    its keys in batches, then SETSLOT NODE on both and the other primaries),
    while clients go on using it; the number of keys moved."""
    source = primary_of(url, slot)
    assert source.id != to.id, f"slot {slot} is already on {to.port}"
    moved = 0
    with _node(to.host, to.port) as target, _node(source.host, source.port) as origin:
        target.execute_command("CLUSTER SETSLOT", slot, "IMPORTING", source.id)
        origin.execute_command("CLUSTER SETSLOT", slot, "MIGRATING", to.id)
        while True:
            batch = origin.execute_command("CLUSTER GETKEYSINSLOT", slot, 100)
            if not batch:
                break
            origin.execute_command("MIGRATE", to.host, to.port, "", 0, 10_000, "KEYS", *batch)
            moved += len(batch)
        # The target first, as redis-cli does: it then serves the slot before
        # the source starts answering MOVED.
        target.execute_command("CLUSTER SETSLOT", slot, "NODE", to.id)
        origin.execute_command("CLUSTER SETSLOT", slot, "NODE", to.id)
    for other in primaries(url):
        if other.id not in (source.id, to.id):
            with _node(other.host, other.port) as node:
                node.execute_command("CLUSTER SETSLOT", slot, "NODE", to.id)
    wait_for(lambda: primary_of(url, slot).id == to.id, f"slot {slot} on {to.port}", SETTLE)
    return moved
