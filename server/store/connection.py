"""The store: one Redis client and the repositories built on it."""

from __future__ import annotations

from redis.asyncio import Redis

from .dialogues import Dialogues
from .events import Events
from .questions import Questions
from .rate import RateLimiter
from .scripts import Scripts
from .users import Users


def connect(url: str) -> Redis:
    """A client for ``url`` (redis://, rediss:// or unix://), RESP2, str replies."""
    return Redis.from_url(url, decode_responses=True, protocol=2, health_check_interval=30)


class Store:
    def __init__(self, redis: Redis, events_maxlen: int, secret: bytes) -> None:
        self.redis = redis
        scripts = Scripts(redis)
        self.dialogues = Dialogues(redis, events_maxlen)
        self.questions = Questions(redis, scripts, events_maxlen)
        self.events = Events(redis)
        self.users = Users(redis)
        self.rate = RateLimiter(scripts, secret)
