"""The store: one Redis client, the repositories built on it, and the
long-lived readers that need connections of their own (the event follower's
blocking reads, the intake worker's and the notifier's).

Only this package knows Redis. The layers above get a ``Store`` (opened by
the app's lifespan or a command with ``Store.open``) and its repositories,
whose errors are ``StoreUnavailable`` (``errors.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.exceptions import RedisError

from .. import metrics
from . import keys
from .air import Air
from .audit import AuditLog
from .dialogues import Dialogues
from .errors import StoreUnavailable, guarded
from .events import EVENTS_COUNT, Events, StoredEvent, decode
from .groups import BLOCK_MS, BatchHandler, Handler
from .intake import Intake
from .notices import Notices, Notifier
from .proof import Proofs
from .questions import Questions
from .rate import RateLimiter
from .scripts import Scripts
from .streams import MAX_BLOCK, ShardedReads, is_cluster
from .users import Users
from .watch import Watch
from .wire import Pool, SentinelPool

log = logging.getLogger(__name__)

#: Connections one node opens to Redis at most. A burst (a thousand viewers
#: reconnecting after a restart) waits up to POOL_WAIT seconds for a free one
#: instead of failing with "Too many connections".
POOL_SIZE = 64
POOL_WAIT = 10
#: Seconds a command may take, and a connection to open, unless the caller
#: says (``DOITHOAI_REDIS_TIMEOUT``, ``DOITHOAI_REDIS_CONNECT_TIMEOUT``). Set
#: here, not left to redis-py, whose defaults changed between its versions.
TIMEOUT = 5.0
CONNECT_TIMEOUT = 2.0


@dataclass(frozen=True)
class Sentinels:
    """A Redis whose primary the Sentinels at ``addresses`` name ``master``."""

    addresses: tuple[tuple[str, int], ...]
    master: str


@dataclass(frozen=True)
class Cluster:
    """A Redis Cluster, one of whose nodes is at ``url`` (the others are discovered).

    Every key of a dialogue is in one slot (its hash tag), every script names
    its keys, and the readers of many streams read them per shard
    (``streams.py``); ``REDIS_CLUSTER_URL`` names it. ``nodes`` ("host:port")
    are others to start from too: a process started while the node at
    ``url`` is down (a failed primary) finds the Cluster through them."""

    url: str
    nodes: tuple[str, ...] = ()


#: Where Redis is: a URL (redis://, rediss:// or unix://), its Sentinels, or a Cluster.
Where = str | Sentinels | Cluster


def connect(
    where: Where,
    pool_size: int = POOL_SIZE,
    *,
    timeout: float = TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> Redis:
    """A client for ``where``, RESP2, str replies; a command fails after
    ``timeout`` seconds, a connection after ``connect_timeout``."""
    sockets = {"socket_timeout": timeout, "socket_connect_timeout": connect_timeout}
    options: dict[str, Any] = {
        **sockets,
        "max_connections": pool_size,
        "timeout": POOL_WAIT,
        "decode_responses": True,
        "protocol": 2,
        "health_check_interval": 30,
        # No CLIENT SETINFO on connect: Redis before 7.2 refuses it, and a
        # connect cancelled between sending it and reading the refusal leaves
        # that reply on the socket for the next command to read as its own.
        "driver_info": None,
    }
    if isinstance(where, Cluster):
        # Each node's pool; MOVED and ASK (a reshard) are followed by redis-py,
        # which corrects the slot a MOVED names. Not also, every 5th MOVED,
        # a full reload that closes every node's connections, those in use by
        # other requests too (they then fail with a RuntimeError, a 500).
        del options["timeout"]
        also = [ClusterNode(h, int(p)) for h, _, p in (n.rpartition(":") for n in where.nodes)]
        cluster: Any = RedisCluster.from_url(
            where.url, reinitialize_steps=0, startup_nodes=also or None, **options
        )
        return cast(Redis, cluster)  # the commands the store uses are the same
    if isinstance(where, Sentinels):
        sentinel = Sentinel(
            where.addresses, sentinel_kwargs={**sockets, "driver_info": None, "protocol": 2}
        )
        # owns its pool: aclose() closes it
        client: Redis = sentinel.master_for(
            where.master, connection_pool_class=SentinelPool, **options
        )
        return client
    return Redis.from_pool(Pool.from_url(where, **options))


def _alone(redis: Redis) -> Redis:
    """A client on a connection of its own to ``redis``'s server (a blocking
    read holds its connection for as long as it waits, up to ``MAX_BLOCK``)."""
    pool = redis.connection_pool
    kwargs = dict(pool.connection_kwargs)
    kwargs["socket_timeout"] = (kwargs.get("socket_timeout") or TIMEOUT) + MAX_BLOCK
    kwargs.update(connection_class=pool.connection_class, max_connections=1)
    if isinstance(pool, SentinelConnectionPool):
        del kwargs["connection_pool"]  # the new pool's, set by the pool itself
        return Redis.from_pool(SentinelPool(pool.service_name, pool.sentinel_manager, **kwargs))
    return Redis.from_pool(Pool(**kwargs))


@guarded
class Follower:
    """Blocking reads of event streams, on a connection of their own (on a
    Cluster, one per shard: ``streams.py``), that another task can cut short
    (``wake``) when there is more to follow."""

    def __init__(self, main: Redis) -> None:
        self._main = main
        self._sharded = ShardedReads(cast(RedisCluster, main)) if is_cluster(main) else None
        self._blocking = main if self._sharded is not None else _alone(main)
        self._events = Events(self._blocking)
        #: The blocking connection's id, for ``wake``; None until the first
        #: read, and again after a failed one (Redis may have restarted: the
        #: connection that comes next is a new one, with a new id).
        self._client_id: int | None = None

    async def read(self, positions: Mapping[str, str], block_ms: int) -> list[StoredEvent]:
        """Events after each dialogue's position, waiting up to ``block_ms``."""
        assert block_ms <= MAX_BLOCK * 1000, block_ms
        if self._sharded is not None:
            return await self._read_sharded(positions, block_ms)
        try:
            if self._client_id is None:
                self._client_id = int(await self._blocking.client_id())
            return await self._events.read(positions, block_ms)
        except (RedisError, StoreUnavailable):
            self._client_id = None
            raise

    async def _read_sharded(self, positions: Mapping[str, str], block_ms: int) -> list[StoredEvent]:
        assert self._sharded is not None
        by_stream = {keys.events(d): d for d in positions}
        streams = {keys.events(d): position for d, position in positions.items()}
        reply = await self._sharded.read(streams, block_ms, EVENTS_COUNT)
        return [
            decode(by_stream[stream], entry_id, fields)
            for stream, rows in reply
            for entry_id, fields in rows
        ]

    async def wake(self) -> None:
        """End the read that is waiting now, if any (its caller then reads again)."""
        if self._sharded is not None:
            await self._sharded.wake()
        elif self._client_id is not None:
            await self._main.client_unblock(self._client_id)

    async def close(self) -> None:
        if self._sharded is not None:
            await self._sharded.close()
        else:
            await self._blocking.aclose()


class Store:
    def __init__(
        self, redis: Redis, events_maxlen: int, secret: bytes, *, replica_acks: int = 0
    ) -> None:
        self._redis = redis
        self._owned = False
        scripts = Scripts(redis)
        self.audit = AuditLog(redis, scripts)
        self.dialogues = Dialogues(redis, scripts, events_maxlen)
        self.questions = Questions(redis, scripts, events_maxlen, self.audit, replica_acks)
        self.events = Events(redis)
        self.users = Users(redis)
        self.rate = RateLimiter(scripts, secret)
        self.proofs = Proofs(redis, secret)
        self.air = Air(redis, events_maxlen)
        self.notices = Notices(redis, scripts)
        self.watch = Watch(redis)

    @classmethod
    def open(
        cls,
        where: Where,
        events_maxlen: int,
        secret: bytes,
        *,
        timeout: float = TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        replica_acks: int = 0,
    ) -> Store:
        """A store on its own client for ``where``; ``close`` closes it."""
        client = connect(where, timeout=timeout, connect_timeout=connect_timeout)
        store = cls(client, events_maxlen, secret, replica_acks=replica_acks)
        store._owned = True
        return store

    async def close(self) -> None:
        if self._owned:
            await self._redis.aclose()

    async def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless Redis answers."""
        try:
            await self._redis.ping()
        except Exception as exc:
            metrics.REDIS_ERRORS.labels(type(exc).__name__).inc()
            raise StoreUnavailable(type(exc).__name__, str(exc)) from exc

    async def cluster_nodes(self) -> list[str]:
        """Every node ("host:port") of the Redis Cluster this store is on, as
        its client knows them now; none on one Redis."""
        if not is_cluster(self._redis):
            return []
        cluster: Any = self._redis
        try:
            await cluster.initialize()
            return [f"{n.host}:{n.port}" for n in cluster.get_nodes()]
        except Exception as exc:  # the workers then start from the URL alone
            log.warning("the Cluster's nodes are not known (%s)", exc)
            return []

    def follower(self) -> Follower:
        """A new follower of event streams (the node's one reader owns it)."""
        return Follower(self._redis)

    def intake_worker(
        self,
        dialogue_ids: Callable[[], Awaitable[list[str]]],
        handle: Handler,
        consumer: str,
        claim_idle: float,
        max_deliveries: int,
        batch: BatchHandler | None = None,
        block: float = BLOCK_MS / 1000,
    ) -> Intake:
        """An intake consumer (``intake.py``); ``batch`` handles entries read
        together; ``block``: seconds a read waits before the next pass."""
        return Intake(
            self._redis, dialogue_ids, handle, consumer, claim_idle, max_deliveries, batch, block
        )

    def notifier(
        self,
        dialogue_ids: Callable[[], Awaitable[list[str]]],
        handle: Handler,
        consumer: str,
        *,
        backoff: float,
        attempts: int,
        lease: float,
        delay: float = 0.0,
        block: float = BLOCK_MS / 1000,
    ) -> Notifier:
        """The node's consumer of notices to askers (``notices.py``)."""
        return Notifier(
            self._redis, dialogue_ids, handle, consumer,
            backoff=backoff, attempts=attempts, lease=lease, delay=delay, block=block,
        )  # fmt: skip
