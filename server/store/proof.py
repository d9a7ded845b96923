"""Proof-of-work challenges against Redis: issued, and redeemed at most once.

The rules (signature, expiry, difficulty, the hash) are
``server/domain/proof.py``'s; this module adds the clock, the randomness and
the one write: a key per accepted challenge, set only if absent and expiring
with the challenge, so a solved challenge buys exactly one submission, or
admits one voter id for a broadcast day of votes.
"""

from __future__ import annotations

import math
import secrets
import time
from typing import Any

from redis.asyncio import Redis

from ..domain import proof
from . import keys
from .errors import guarded


@guarded
class Proofs:
    def __init__(self, redis: Redis, secret: bytes) -> None:
        self._redis = redis
        self._key = proof.signing_key(secret)

    def challenge(self, dialogue_id: str, difficulty: int) -> proof.Challenge:
        """A fresh challenge for the dialogue (no Redis: it carries its own state)."""
        return proof.issue(self._key, dialogue_id, difficulty, time.time(), secrets.token_hex(8))

    def ticket(self, answer: Any, dialogue_id: str, difficulty: int) -> tuple[str, int]:
        """The salt and time to live (ms) under which ``answer`` is used once
        by the submit script (``Gate``), or ``proof.refusal(...)``."""
        now = time.time()
        challenge = proof.check(self._key, answer, dialogue_id, difficulty, now)
        return challenge.salt, max(1, math.ceil((challenge.expires_at - now + 1) * 1000))

    async def redeem(self, answer: Any, dialogue_id: str, difficulty: int) -> None:
        """Accept ``answer`` (a submission's ``proof``) once, or raise
        ``proof.refusal(...)`` (Refused ``proof_required``)."""
        now = time.time()
        challenge = proof.check(self._key, answer, dialogue_id, difficulty, now)
        # Kept a second past expiry: by then check() refuses the challenge anyway.
        ttl_ms = max(1, math.ceil((challenge.expires_at - now + 1) * 1000))
        first = await self._redis.set(
            keys.proof_used(dialogue_id, challenge.salt), "1", nx=True, px=ttl_ms
        )
        if not first:
            raise proof.refusal("used")

    async def admit_voter(self, answer: Any, dialogue_id: str, voter: str, difficulty: int) -> None:
        """Let ``voter`` vote in the dialogue: at once if it proved itself
        within ``proof.VOTER_PASS``, else by redeeming ``answer`` (a solved
        challenge), which then admits it for that long; or raise
        ``proof.refusal(...)``."""
        key = keys.proven_voter(dialogue_id, voter)
        if await self._redis.exists(key):
            return
        await self.redeem(answer, dialogue_id, difficulty)
        await self._redis.set(key, "1", ex=proof.VOTER_PASS)
