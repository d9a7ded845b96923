"""The store: one Redis client and the repositories built on it."""

from __future__ import annotations

from redis.asyncio import BlockingConnectionPool, Redis

from .audit import AuditLog
from .dialogues import Dialogues
from .events import Events
from .proof import Proofs
from .questions import Questions
from .rate import RateLimiter
from .scripts import Scripts
from .users import Users

#: Connections one node opens to Redis at most. A burst (a thousand viewers
#: reconnecting after a restart) waits up to POOL_WAIT seconds for a free one
#: instead of failing with "Too many connections".
POOL_SIZE = 64
POOL_WAIT = 10


def connect(url: str, pool_size: int = POOL_SIZE) -> Redis:
    """A client for ``url`` (redis://, rediss:// or unix://), RESP2, str replies."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=pool_size,
        timeout=POOL_WAIT,
        decode_responses=True,
        protocol=2,
        health_check_interval=30,
    )
    return Redis.from_pool(pool)  # owns the pool: aclose() closes it


class Store:
    def __init__(self, redis: Redis, events_maxlen: int, secret: bytes) -> None:
        self.redis = redis
        scripts = Scripts(redis)
        self.audit = AuditLog(redis, scripts)
        self.dialogues = Dialogues(redis, scripts, events_maxlen)
        self.questions = Questions(redis, scripts, events_maxlen, self.audit)
        self.events = Events(redis)
        self.users = Users(redis)
        self.rate = RateLimiter(scripts, secret)
        self.proofs = Proofs(redis, secret)
