"""Local subscribers of one node, by dialogue and audience.

The hub never awaits a client: ``publish`` hands each subscriber of an
audience the same pre-serialised payload through ``Sink.offer``, which must
not block. A sink that cannot take it (its buffer is full) is closed: the
client resumes with ``after=`` and loses nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Protocol

log = logging.getLogger(__name__)

#: WebSocket close code for a client that fell too far behind: "try again later".
CLOSE_SLOW = 1013
#: Close code for a broadcast overlay whose token was rotated: its link no
#: longer opens the overlay (an application code: the page reloads to say so).
CLOSE_TOKEN_ROTATED = 4403


class Sink(Protocol):
    def offer(self, payload: str) -> bool:
        """Queue ``payload`` for sending without blocking; False if full."""

    def close(self, code: int) -> None:
        """Close the connection soon, without blocking."""


def parse_id(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


class Subscriber:
    """One socket's place in the hub. Until ``go_live`` it collects live
    events in a backlog while its snapshot or replay is being sent; events at
    or before the last id it was sent are skipped, so none arrives twice."""

    __slots__ = ("_backlog", "audience", "dialogue_id", "last", "screen", "sink")

    def __init__(self, sink: Sink, dialogue_id: str, audience: str, screen: bool = False) -> None:
        self.sink = sink
        self.dialogue_id = dialogue_id
        self.audience = audience
        #: A broadcast overlay, let in by the dialogue's screen token.
        self.screen = screen
        self.last = (0, 0)
        self._backlog: list[tuple[tuple[int, int], str]] | None = []

    def deliver(self, event_id: tuple[int, int], payload: str) -> bool:
        if event_id <= self.last:
            return True
        if self._backlog is not None:
            self._backlog.append((event_id, payload))
            return True
        self.last = event_id
        return self.sink.offer(payload)

    def go_live(self, last_sent: str) -> bool:
        """The snapshot or replay up to ``last_sent`` is out: flush the backlog."""
        self.last = max(self.last, parse_id(last_sent))
        backlog, self._backlog = self._backlog or [], None
        return all(self.deliver(event_id, payload) for event_id, payload in backlog)


class Hub:
    def __init__(self) -> None:
        self._subs: dict[str, dict[str, set[Subscriber]]] = defaultdict(lambda: defaultdict(set))

    def add(self, sub: Subscriber) -> None:
        self._subs[sub.dialogue_id][sub.audience].add(sub)

    def remove(self, sub: Subscriber) -> None:
        audiences = self._subs.get(sub.dialogue_id)
        if audiences is None:
            return
        audiences[sub.audience].discard(sub)
        if not any(audiences.values()):
            del self._subs[sub.dialogue_id]

    def dialogues(self) -> set[str]:
        return set(self._subs)

    def count(self, dialogue_id: str | None = None) -> int:
        groups = [self._subs[dialogue_id]] if dialogue_id in self._subs else []
        if dialogue_id is None:
            groups = list(self._subs.values())
        return sum(len(subs) for audiences in groups for subs in audiences.values())

    def by_audience(self) -> dict[str, int]:
        """Local subscribers per audience, a broadcast overlay counted as ``screen``."""
        counts: dict[str, int] = defaultdict(int)
        for audiences in self._subs.values():
            for audience, subs in audiences.items():
                for sub in subs:
                    counts["screen" if sub.screen else audience] += 1
        return dict(counts)

    def close_screens(self, dialogue_id: str) -> None:
        """Close every local broadcast overlay of the dialogue: its token was
        rotated, and the old one must stop working at once."""
        for subs in self._subs.get(dialogue_id, {}).values():
            for sub in [s for s in subs if s.screen]:
                self.remove(sub)
                sub.sink.close(CLOSE_TOKEN_ROTATED)

    def publish(self, dialogue_id: str, event_id: str, payloads: dict[str, str]) -> None:
        """Offer each audience's one payload to every local subscriber of it."""
        audiences = self._subs.get(dialogue_id)
        if not audiences:
            return
        parsed = parse_id(event_id)
        for audience, payload in payloads.items():
            slow = [sub for sub in audiences.get(audience, ()) if not sub.deliver(parsed, payload)]
            for sub in slow:
                log.info("closing a %s socket that fell behind on %s", audience, dialogue_id)
                self.remove(sub)
                sub.sink.close(CLOSE_SLOW)
