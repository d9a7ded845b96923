"""The Lua scripts of ``scripts/``, registered once per Redis client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

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


class Scripts:
    """Each script by name; redis-py loads it with EVALSHA and falls back to EVAL."""

    def __init__(self, redis: Redis) -> None:
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
        return await self._scripts[name](keys=keys, args=args, client=client)
