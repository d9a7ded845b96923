"""The public feed's snapshot frame, made once for the viewers that connect
together (issue 15, lean sockets): a reconnect storm of thousands of viewers
costs one read of the dialogue per burst, not one each, and the node does
not hold a thousand copies of the read in flight (at 1,000 viewers those
copies had been half the memory measured per socket: 16 KiB, now 7.5).

A viewer may be sent a frame made for another only if it misses nothing by
it. It joined the hub, then asks with ``since``: the last event the node's
reader had handed to the hub for the dialogue (``Reader.handled``). Every
event after that reaches the viewer's backlog; every event up to it must be
in the frame, so a frame whose id (the last event it includes) is older
than ``since`` is not reused. A frame whose making started after the viewer
asked is always good (it reads the dialogue after the viewer joined), so
a viewer waits for at most two makings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable

from .hub import parse_id

#: Frames kept (the newest made for each key), a few per dialogue followed.
KEPT = 64

#: A frame: the id of the last event it includes, and its bytes.
Frame = tuple[str, bytes]


class FirstPages:
    def __init__(self, kept: int = KEPT) -> None:
        self._most = kept
        self._kept: dict[Hashable, Frame] = {}
        #: The making under way for a key, and its number (makings are numbered 1, 2, ...).
        self._making: dict[Hashable, tuple[int, asyncio.Future[Frame]]] = {}
        #: The number of the last making started.
        self._started = 0

    async def get(self, key: Hashable, since: str, make: Callable[[], Awaitable[Frame]]) -> Frame:
        """A frame for ``key`` that includes every event up to ``since``:
        one kept, the one being made, or one ``make`` makes now."""
        floor = parse_id(since)
        asked = self._started  # makings numbered above this started after the ask
        while True:
            kept = self._kept.get(key)
            if kept is not None and parse_id(kept[0]) >= floor:
                return kept
            making = self._making.get(key)
            if making is None:
                making = self._start(key, make)
            number, future = making
            frame = await asyncio.shield(future)
            if number > asked or parse_id(frame[0]) >= floor:
                return frame

    def _start(
        self, key: Hashable, make: Callable[[], Awaitable[Frame]]
    ) -> tuple[int, asyncio.Future[Frame]]:
        self._started += 1
        number = self._started
        future = asyncio.ensure_future(make())
        making = self._making[key] = (number, future)
        future.add_done_callback(lambda done: self._made(key, making, done))
        return making

    def _made(
        self, key: Hashable, making: tuple[int, asyncio.Future[Frame]], done: asyncio.Future[Frame]
    ) -> None:
        if self._making.get(key) is making:
            del self._making[key]
        if done.cancelled() or done.exception() is not None:
            return  # every viewer waiting has it raised; nothing is kept
        frame = done.result()
        kept = self._kept.pop(key, None)
        if kept is not None and parse_id(kept[0]) > parse_id(frame[0]):
            frame = kept
        self._kept[key] = frame  # the newest last
        if len(self._kept) > self._most:
            del self._kept[next(iter(self._kept))]
