"""The Lua scripts of ``scripts/``, registered once per Redis client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from .wire import Lane, Unlaned, lane

_DIR = Path(__file__).parent / "scripts"
NAMES = (
    "submit",
    "transition",
    "vote",
    "snapshot",
    "front",
    "rate_limit",
    "audit",
    "save_dialogue",
    "notice",
    "viewers",
    "recount",
)
#: Scripts that begin with the audit chain's functions (``_audit.lua``).
_WITH_AUDIT = ("transition", "audit")
#: Scripts called on the client's lane (``wire.Lane``) when not in a pipeline:
#: the busiest write, a citizen's question.
LANED = frozenset({"submit"})


class Scripts:
    """Each script by name; redis-py loads it with EVALSHA and falls back to
    EVAL. ``LANED`` scripts go by EVALSHA on the client's lane, if it has
    one (not a Cluster's), and the usual way when the lane does not answer."""

    def __init__(self, redis: Redis) -> None:
        self.lane: Lane | None = lane(getattr(redis, "connection_pool", None))
        library = (_DIR / "_audit.lua").read_text()
        self._scripts: dict[str, AsyncScript] = {
            name: redis.register_script(
                (library if name in _WITH_AUDIT else "") + (_DIR / f"{name}.lua").read_text()
            )
            for name in NAMES
        }

    async def __call__(
        self, name: str, keys: list[str], args: list[Any], client: Any = None
    ) -> Any:
        """Run script ``name``, or queue it on ``client`` (a pipeline)."""
        script = self._scripts[name]
        if client is None and self.lane is not None and name in LANED:
            try:
                return await self.lane.execute("EVALSHA", script.sha, len(keys), *keys, *args)
            except Unlaned:
                pass  # Redis lacks the script, or the lane is down: redis-py's way
        return await script(keys=keys, args=args, client=client)

    async def load(self, name: str) -> None:
        """Load script ``name`` into Redis (on a Cluster, into every primary):
        for a pipeline, which runs it by its hash alone."""
        script = self._scripts[name]
        await script.registered_client.script_load(script.script)
