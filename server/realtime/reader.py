"""One event-stream reader per node, feeding the local hub.

It blocks (the store's ``Follower``) on the event streams of the dialogues
that have local sockets, projects and serialises each event once per
audience (``messages.render_all``) and hands the payloads to the hub.
Tracking a new dialogue wakes the blocked read so that no one waits.
"""

from __future__ import annotations

import asyncio
import logging

from ..domain.model import Dialogue
from ..metrics import FANOUT_SECONDS
from ..store.connection import Follower, Store
from ..store.errors import StoreUnavailable
from .hub import Hub
from .messages import render_all

log = logging.getLogger(__name__)

#: Longest a blocked XREAD waits before looking again at which dialogues to read.
BLOCK_MS = 2000


class Reader:
    def __init__(self, store: Store, follower: Follower, hub: Hub) -> None:
        self._store = store
        self._follower = follower
        self._hub = hub
        self._positions: dict[str, str] = {}
        self._dialogues: dict[str, Dialogue] = {}
        self._started = False
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()

    def dialogue(self, dialogue_id: str) -> Dialogue | None:
        return self._dialogues.get(dialogue_id)

    async def track(self, dialogue: Dialogue) -> None:
        """Read ``dialogue``'s events from now on. Call after adding the
        subscriber to the hub and before reading its snapshot: then every
        event reaches it through one path or the other."""
        async with self._lock:
            if dialogue.id in self._positions:
                return
            self._dialogues[dialogue.id] = dialogue
            self._positions[dialogue.id] = await self._store.events.last_id(dialogue.id)
        self._wake.set()
        if self._started:
            await self._follower.wake()

    async def run(self) -> None:
        self._started = True
        while True:
            try:
                await self._step()
            except asyncio.CancelledError:
                raise
            except StoreUnavailable as exc:
                log.warning("event reader: Redis unavailable (%s); retrying in a second", exc)
                await asyncio.sleep(1)
            except Exception:
                log.exception("event reader failed; retrying in a second")
                await asyncio.sleep(1)

    async def _step(self) -> None:
        wanted = self._hub.dialogues()
        for gone in set(self._positions) - wanted:
            self._positions.pop(gone, None)
            self._dialogues.pop(gone, None)
        if not self._positions:
            self._wake.clear()
            await self._wake.wait()
            return
        for event in await self._follower.read(dict(self._positions), BLOCK_MS):
            if event.dialogue_id not in self._positions:
                continue
            self._positions[event.dialogue_id] = event.id
            if event.type == "dialogue.updated":
                fresh = await self._store.dialogues.by_id(event.dialogue_id)
                if fresh is not None:
                    self._dialogues[event.dialogue_id] = fresh
            dialogue = self._dialogues[event.dialogue_id]
            with FANOUT_SECONDS.time():
                self._hub.publish(event.dialogue_id, event.id, render_all(event, dialogue))
            if event.type == "screen.rotated":
                self._hub.close_screens(event.dialogue_id)
