"""Local subscribers of one node, by dialogue and audience.

The hub never awaits a client: ``publish`` hands each subscriber of an
audience the same ``Message`` (the payload serialised once, and its
WebSocket frame built once, on first use) through ``Sink.offer``, which must
not block. A sink that cannot take it (its buffer is full) is closed: the
client resumes with ``after=`` and loses nothing.

A live subscriber whose sink writes straight to a transport that takes
writes (``direct.DirectSink.writer``) is *written*: ``publish`` writes the
frame to its transport itself, with no call into the subscriber or the sink
(a delivery's Python cost was a fifth of the bare write's). Its sink tells
the hub the moment that stops being true (the transport holds writes, a
close frame went out), and it is *offered* again, through its sink's
bounded queue; a transport found closing in the loop is offered too.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from websockets.frames import Frame, Opcode

from ..metrics import FELL_BEHIND

log = logging.getLogger(__name__)

#: WebSocket close code for a client that fell too far behind: "try again later".
CLOSE_SLOW = 1013
#: Close code for a broadcast overlay whose token was rotated: its link no
#: longer opens the overlay (an application code: the page reloads to say so).
CLOSE_TOKEN_ROTATED = 4403


class Message:
    """One payload for every socket of an audience: its text (the ASGI path
    sends it) and its WebSocket frame (the direct path writes it), built once
    on first use and the same bytes for every socket."""

    __slots__ = ("_frame", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._frame: bytes | None = None

    @property
    def frame(self) -> bytes:
        if self._frame is None:
            self._frame = text_frame(self.text)
        return self._frame


def text_frame(text: str) -> bytes:
    """A final, unmasked text frame (a server's), as uvicorn's protocol writes
    it for ``send_text`` with no extension: per-message deflate is off."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class Sink(Protocol):
    def offer(self, message: Message) -> bool:
        """Queue ``message`` for sending without blocking; False if full."""

    def close(self, code: int) -> None:
        """Close the connection soon, without blocking."""


def parse_id(event_id: str) -> tuple[int, int]:
    ms, _, seq = event_id.partition("-")
    return int(ms), int(seq or 0)


class Subscriber:
    """One socket's place in the hub. Until ``go_live`` it collects live
    events in a backlog while its snapshot or replay is being sent; events at
    or before the last id it was sent are skipped, so none arrives twice.

    A summary (the votes of a question coalesced over a second, reader.py)
    carries the id of the last event the node had published when it was
    sent, which a live event may already have carried: it is skipped only
    when that id was the end of the snapshot or replay, which then had it."""

    __slots__ = (
        "_backlog",
        "_live",
        "_writer",
        "audience",
        "dialogue_id",
        "last",
        "screen",
        "sink",
    )

    def __init__(self, sink: Sink, dialogue_id: str, audience: str, screen: bool = False) -> None:
        self.sink = sink
        self.dialogue_id = dialogue_id
        self.audience = audience
        #: A broadcast overlay, let in by the dialogue's screen token.
        self.screen = screen
        self.last = (0, 0)
        #: Whether ``last`` is a live event's id (not the snapshot's or replay's end).
        self._live = False
        self._backlog: list[tuple[tuple[int, int], Message, bool]] | None = []
        self._writer: Callable[[Callable[[], None]], Any] | None = getattr(sink, "writer", None)

    def deliver(self, event_id: tuple[int, int], message: Message, summary: bool = False) -> bool:
        if event_id < self.last or (event_id == self.last and not (summary and self._live)):
            return True
        if self._backlog is not None:
            self._backlog.append((event_id, message, summary))
            return True
        self.last, self._live = event_id, True
        return self.sink.offer(message)

    @property
    def writable(self) -> bool:
        """Live (past its snapshot or replay) with a sink that may be
        written to (``Hub._write_to`` asks it)."""
        return self._backlog is None and self._writer is not None

    def go_live(self, last_sent: str) -> bool:
        """The snapshot or replay up to ``last_sent`` is out: flush the backlog."""
        self.last = max(self.last, parse_id(last_sent))
        backlog, self._backlog = self._backlog or [], None
        return all(self.deliver(*held) for held in backlog)


#: What the hub keeps of a written subscriber: its sink (whose heartbeat
#: count a write resets) and the transport it writes to.
_Written = tuple[Any, Any]


class Hub:
    def __init__(self) -> None:
        #: Each dialogue's subscribers by audience, in two parts: those offered
        #: each message (through their sinks), and those written to (their
        #: transports, ``_Written``). A dialogue is a key of ``_offered``
        #: while it has a subscriber in either.
        self._offered: dict[str, dict[str, set[Subscriber]]] = defaultdict(lambda: defaultdict(set))
        self._written: dict[str, dict[str, dict[Subscriber, _Written]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        #: While publish writes: the subscribers to offer to once it is done.
        self._blocking: list[Subscriber] | None = None

    def add(self, sub: Subscriber) -> None:
        self._offered[sub.dialogue_id][sub.audience].add(sub)

    def remove(self, sub: Subscriber) -> None:
        offered = self._offered.get(sub.dialogue_id)
        if offered is None:
            return
        offered[sub.audience].discard(sub)
        written = self._written.get(sub.dialogue_id)
        if written is not None:
            written[sub.audience].pop(sub, None)
        if not any(offered.values()) and not (written and any(written.values())):
            del self._offered[sub.dialogue_id]
            self._written.pop(sub.dialogue_id, None)

    def _each(self, dialogue_id: str) -> Iterator[tuple[str, Subscriber]]:
        """Every subscriber of the dialogue, with its audience."""
        for part in (self._offered.get(dialogue_id, {}), self._written.get(dialogue_id, {})):
            for audience, subs in part.items():
                for sub in subs:
                    yield audience, sub

    def _write_to(self, sub: Subscriber) -> None:
        """Write to ``sub`` from now on, if its sink can be written to."""
        if sub._writer is None:
            return
        transport = sub._writer(lambda: self._offer_to(sub))
        if transport is not None:
            self._offered[sub.dialogue_id][sub.audience].discard(sub)
            self._written[sub.dialogue_id][sub.audience][sub] = (sub.sink, transport)

    def _offer_to(self, sub: Subscriber) -> None:
        """Its sink can no longer be written to: offer it each message again."""
        if self._blocking is not None:  # in publish's loop over the written
            self._blocking.append(sub)
            return
        written = self._written.get(sub.dialogue_id, {}).get(sub.audience)
        if written is not None and written.pop(sub, None) is not None:
            self._offered[sub.dialogue_id][sub.audience].add(sub)

    def dialogues(self) -> set[str]:
        return set(self._offered)

    def count(self, dialogue_id: str | None = None) -> int:
        dialogues = self._offered if dialogue_id is None else [dialogue_id]
        return sum(1 for d in dialogues for _ in self._each(d))

    def viewers(self) -> dict[str, int]:
        """Local viewers (public subscribers, overlays left out) per dialogue id."""
        return {
            dialogue_id: n
            for dialogue_id in self._offered
            if (n := sum(a == "public" and not sub.screen for a, sub in self._each(dialogue_id)))
        }

    def by_audience(self) -> dict[str, int]:
        """Local subscribers per audience, a broadcast overlay counted as ``screen``."""
        counts: dict[str, int] = defaultdict(int)
        for dialogue_id in self._offered:
            for audience, sub in self._each(dialogue_id):
                counts["screen" if sub.screen else audience] += 1
        return dict(counts)

    def close_screens(self, dialogue_id: str) -> None:
        """Close every local broadcast overlay of the dialogue: its token was
        rotated, and the old one must stop working at once."""
        for sub in [sub for _, sub in self._each(dialogue_id) if sub.screen]:
            self.remove(sub)
            sub.sink.close(CLOSE_TOKEN_ROTATED)

    def publish(
        self, dialogue_id: str, event_id: str, payloads: dict[str, str], summary: bool = False
    ) -> None:
        """Offer each audience's one message to every local subscriber of it;
        ``summary``: see ``Subscriber``."""
        audiences = self._offered.get(dialogue_id)
        if audiences is None:
            return
        parsed = parse_id(event_id)
        for audience, payload in payloads.items():
            offered = audiences[audience]
            written = self._written[dialogue_id][audience]
            if not offered and not written:
                continue
            message = Message(payload)
            # Before the writes: one that fills its transport is offered from
            # the next message on, not this one again.
            offering = list(offered)
            if written:
                frame = message.frame
                closing = []
                # A write that fills a transport takes its subscriber out
                # (``_offer_to``, as the transport calls pause_writing): held
                # in ``_blocking`` until the loop is over. No copy of the
                # dict: 10,000 tuples a message woke the garbage collector.
                blocking: list[Subscriber] = []
                self._blocking = blocking
                try:
                    for sub, (sink, transport) in written.items():
                        if transport.is_closing():
                            closing.append(sub)
                        else:
                            transport.write(frame)
                            sink.quiet = 0
                finally:
                    self._blocking = None
                for sub in blocking:
                    self._offer_to(sub)
                for sub in closing:
                    self._offer_to(sub)
                    sub.deliver(parsed, message, summary)  # the sink knows what to do
            slow = [sub for sub in offering if not sub.deliver(parsed, message, summary)]
            for sub in slow:
                FELL_BEHIND.labels(audience).inc()
                log.info("closing a %s socket that fell behind on %s", audience, dialogue_id)
                self.remove(sub)
                sub.sink.close(CLOSE_SLOW)
            for sub in [sub for sub in offering if sub.writable and sub in offered]:
                self._write_to(sub)
