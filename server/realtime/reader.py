"""One event-stream reader per node, feeding the local hub.

It blocks (the store's ``Follower``) on the event streams of the dialogues
that have local sockets, projects and serialises each event once per
audience (``messages.render_all``) and hands the payloads to the hub.
Tracking a new dialogue wakes the blocked read so that no one waits.

Votes coalesce here (``Votes``): at most one ``votes.changed`` per question
per ``VOTE_WINDOW`` reaches the hub, whatever the vote rate; the last count
of a burst always follows, as a summary carrying the id of the last event
the reader had handled in that dialogue (hub.py, ``Subscriber``). The event
stream keeps every vote: a replay (``after=``) sends each of them, after the
count of each question last voted on in the ``VOTES_LOOK_BACK_MS`` before
``after`` (``Feeds.missed``). A held change is never older than that behind
an event sent after it: before anything is sent in a dialogue, the changes
held longer than that in stream time (a reader catching up after an outage
reads minutes of events in a second) go first (``Votes.overdue``). So a
client that resumes after any id it was sent gets every count held then.
"""

from __future__ import annotations

import asyncio
import dataclasses
import heapq
import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.events import VOTE_WINDOW, VOTES_LOOK_BACK_MS
from ..domain.model import Dialogue
from ..metrics import FANOUT_SECONDS
from ..store.connection import Follower, Store
from ..store.errors import StoreUnavailable
from ..store.events import StoredEvent
from .hub import Hub, parse_id
from .messages import render_all

log = logging.getLogger(__name__)

#: Longest a blocked XREAD waits before looking again at which dialogues to read.
BLOCK_MS = 2000
#: Questions remembered per dialogue before those with nothing held are forgotten.
VOTES_KEPT = 1024


@dataclass(slots=True)
class _Held:
    #: Loop time before which another change of the question waits.
    due: float
    #: The latest change not sent yet, and the timer that sends it at ``due``.
    event: StoredEvent | None = None
    timer: asyncio.TimerHandle | None = None
    #: ``event``'s stream time (ms).
    ms: int = 0


class Votes:
    """Coalesces each question's ``votes.changed``: the first of a quiet
    question goes at once; later ones within ``window`` of the last sent are
    held, each replacing the one before, and the one held is handed to
    ``flush`` when the window ends. Votes are absolute counts, so the one
    held says all the ones it replaced said."""

    def __init__(
        self,
        flush: Callable[[StoredEvent], None],
        window: float = VOTE_WINDOW,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self._flush = flush
        self._window = window
        self._loop = loop
        self._held: dict[str, dict[str, _Held]] = {}
        #: Per dialogue, (stream ms, question) of each change held, oldest
        #: first; an entry whose question has since held a newer change (or
        #: sent it) is stale and skipped. ``overdue`` pops what is older than
        #: the look-back before each event sent, so it holds about that span.
        self._ages: dict[str, list[tuple[int, str]]] = {}

    def _clock(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self._loop

    def offer(self, event: StoredEvent) -> bool:
        """True: send ``event`` now; False: it is held (for ``flush``)."""
        loop = self._clock()
        now = loop.time()
        questions = self._held.setdefault(event.dialogue_id, {})
        qid = event.question_id or ""
        held = questions.get(qid)
        if held is None or (held.event is None and now >= held.due):
            if held is None and len(questions) >= VOTES_KEPT:
                self._prune(questions, now)
            questions[qid] = _Held(now + self._window)
            return True
        held.event = event
        held.ms = parse_id(event.id)[0]
        heapq.heappush(self._ages.setdefault(event.dialogue_id, []), (held.ms, qid))
        if held.timer is None:
            held.timer = loop.call_at(held.due, self._due, event.dialogue_id, qid)
        return False

    def overdue(self, dialogue_id: str, event_id: str) -> list[StoredEvent]:
        """The changes of the dialogue held for more than ``VOTES_LOOK_BACK_MS``
        of stream time before ``event_id``, handed back to be sent now,
        before it (each question's window starts again)."""
        ages = self._ages.get(dialogue_id)
        if not ages:
            return []
        before = parse_id(event_id)[0] - VOTES_LOOK_BACK_MS
        questions = self._held.get(dialogue_id, {})
        out = []
        while ages and ages[0][0] < before:
            ms, qid = heapq.heappop(ages)
            held = questions.get(qid)
            if held is None or held.event is None or held.ms != ms:
                continue  # sent since, or replaced by a later change
            if held.timer is not None:
                held.timer.cancel()
            out.append(held.event)
            held.event, held.timer = None, None
            held.due = self._clock().time() + self._window
        return out

    def _due(self, dialogue_id: str, qid: str) -> None:
        held = self._held.get(dialogue_id, {}).get(qid)
        if held is None or held.event is None:
            return
        event, held.event, held.timer = held.event, None, None
        held.due = self._clock().time() + self._window
        self._flush(event)

    def forget(self, dialogue_id: str) -> None:
        """The node no longer reads the dialogue: drop what it holds."""
        self._ages.pop(dialogue_id, None)
        for held in self._held.pop(dialogue_id, {}).values():
            if held.timer is not None:
                held.timer.cancel()

    def holding(self) -> int:
        """Changes held now, across dialogues."""
        return sum(h.event is not None for qs in self._held.values() for h in qs.values())

    @staticmethod
    def _prune(questions: dict[str, _Held], now: float) -> None:
        for qid in [q for q, h in questions.items() if h.event is None and h.due <= now]:
            del questions[qid]


class Reader:
    def __init__(
        self,
        store: Store,
        follower: Follower,
        hub: Hub,
        on_dialogue: Callable[[Dialogue], object] | None = None,
    ) -> None:
        self._store = store
        self._follower = follower
        self._hub = hub
        #: Told each dialogue it reads again after ``dialogue.updated`` (the
        #: node's remembered copies for the submit path: ``Dialogues.remember``).
        self._on_dialogue = on_dialogue
        self._positions: dict[str, str] = {}
        #: The last event of each dialogue handled (published, held or not for anyone).
        self._handled: dict[str, str] = {}
        self._dialogues: dict[str, Dialogue] = {}
        self.votes = Votes(self._held_due)
        self._started = False
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()

    def dialogue(self, dialogue_id: str) -> Dialogue | None:
        return self._dialogues.get(dialogue_id)

    def handled(self, dialogue_id: str) -> str | None:
        """The last event of ``dialogue_id`` handed to the hub (or held, or
        for no one), None if it is not followed."""
        return self._handled.get(dialogue_id)

    async def track(self, dialogue: Dialogue) -> None:
        """Read ``dialogue``'s events from now on. Call after adding the
        subscriber to the hub and before reading its snapshot: then every
        event reaches it through one path or the other."""
        async with self._lock:
            if dialogue.id in self._positions:
                return
            self._dialogues[dialogue.id] = dialogue
            last_id = await self._store.events.last_id(dialogue.id)
            self._positions[dialogue.id] = self._handled[dialogue.id] = last_id
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
            self._handled.pop(gone, None)
            self._dialogues.pop(gone, None)
            self.votes.forget(gone)
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
                    if self._on_dialogue is not None:
                        self._on_dialogue(fresh)
            dialogue = self._dialogues[event.dialogue_id]
            if event.type != "votes.changed" or self.votes.offer(event):
                self._send_overdue(event.dialogue_id, event.id)
                with FANOUT_SECONDS.time():
                    self._hub.publish(event.dialogue_id, event.id, render_all(event, dialogue))
            self._handled[event.dialogue_id] = event.id
            if event.type == "screen.rotated":
                self._hub.close_screens(event.dialogue_id)

    def _held_due(self, event: StoredEvent) -> None:
        """A held change whose window ended: sent, after any held too long."""
        handled = self._handled.get(event.dialogue_id)
        if handled is not None:
            self._send_overdue(event.dialogue_id, handled)
        self._summarise(event)

    def _send_overdue(self, dialogue_id: str, event_id: str) -> None:
        """Before ``event_id`` is sent: the changes held too long before it."""
        for held in self.votes.overdue(dialogue_id, event_id):
            self._summarise(held)

    def _summarise(self, event: StoredEvent) -> None:
        """Send a held vote count, under the id of the last event handled in
        its dialogue: every event up to that id has reached the hub or is
        summed up here, so a client resuming after it misses nothing."""
        dialogue = self._dialogues.get(event.dialogue_id)
        handled = self._handled.get(event.dialogue_id)
        if dialogue is None or handled is None:
            return
        latest = dataclasses.replace(event, id=handled)
        with FANOUT_SECONDS.time():
            self._hub.publish(
                event.dialogue_id, handled, render_all(latest, dialogue), summary=True
            )
