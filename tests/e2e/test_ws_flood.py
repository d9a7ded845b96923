"""Clients that send without reading, or stop reading (issues 10 and 14), on
a real node: its memory stays bounded, it closes them within its deadlines,
other viewers keep getting events, and a dropped socket frees its slot.

The misbehaving clients are raw sockets (tests/rawws.py): a library client
reads in the background. Nothing here is timed to the millisecond: each wait
polls the state it waits for, with deadlines generous for a loaded machine.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus

from server.actions import Services, build
from server.domain.model import Actor, Dialogue, Role
from tests import rawws
from tests.helpers import ServerProcess
from tests.support.store import opened
from tests.web.seed import SLUG, seed

pytestmark = pytest.mark.e2e

PATH = f"/ws/v1/dialogues/{SLUG}/feed"
#: The issue's bound: the node's RSS during a flood, over its level before.
RSS_BOUND_KIB = 50 * 1024
#: The write stall deadline the nodes here run with (the default is 5 s).
WRITE_STALL = "1"
#: The close deadline the stalled viewers' nodes run with (the default is 10 s).
CLOSE_AFTER = "1"
#: How long the node may take to close a flooding or stalled socket: the
#: deadline above plus a wide margin for a loaded machine. The old protocol
#: never closes them, so it fails here (or on memory first).
CLOSE_DEADLINE = 20.0
#: How long a viewer may take to get an event caused during a flood.
EVENT_DEADLINE = 20.0
MODERATOR = Actor("moderator", frozenset({Role.MODERATOR}))
#: The stalled viewer's receive buffer: small, so that a few hundred events
#: fill it and the node's buffers, rather than megabytes of them.
VIEWER_RCVBUF = 4096
POLL = 0.05
#: Votes at once: more than a short send queue holds.
BURST = 50
#: Two descriptions of the longest length a dialogue's may have.
DESCRIPTIONS = [
    ("Lãnh đạo thành phố trả lời câu hỏi của người dân về chuyển đổi số. " * 70)[: 4000 - 1] + end
    for end in "AB"
]


@dataclass
class Feed:
    actions: Services
    dialogue: Dialogue
    qid: str
    voters: Iterator[int]
    #: Questions to spread a burst over: each question's votes coalesce (one
    #: votes.changed a second), so only votes for many make a burst of events.
    many: list[str] = field(default_factory=list)

    async def vote(self, qid: str | None = None) -> int:
        """One small public event (votes.changed); returns the new count."""
        return await self.actions.submissions.vote(
            self.dialogue, qid or self.qid, f"flood-voter-{next(self.voters)}"
        )

    async def votes(self) -> None:
        """A burst of votes, one for each of BURST questions, as fast as
        Redis takes them: a burst of events each time a second has passed."""
        while len(self.many) < BURST:
            self.many.append(await publish(self.actions, self.dialogue))
        await asyncio.gather(*(self.vote(qid) for qid in self.many))

    async def edit(self) -> None:
        """One large public event (dialogue.updated, with a 4000-character
        description): the description alternates between two."""
        description = DESCRIPTIONS[self.dialogue.version % 2]
        changes = {"description": description, "version": self.dialogue.version}
        self.dialogue = await self.actions.dialogues.update(self.dialogue, changes)


@pytest.fixture
async def feed(redis_url: str) -> AsyncIterator[Feed]:
    """The seeded dialogue with one published question to vote on."""
    await asyncio.to_thread(seed, redis_url)
    async with opened(redis_url) as store:
        actions = build(store)
        dialogue = await actions.dialogues.get(SLUG)
        yield Feed(actions, dialogue, await publish(actions, dialogue), iter(range(1_000_000)))


async def publish(actions: Services, dialogue: Dialogue) -> str:
    """A question submitted, screened and approved: its id."""
    sub = await actions.submissions.submit(
        dialogue, {"text": "Xin hỏi về phủ sóng 4G ở A Lưới?", "name": "Lan"}
    )
    await actions.intake.screen_now(dialogue, [sub.question_id])
    await actions.moderation.act(dialogue, sub.question_id, "approve", {}, MODERATOR)
    return sub.question_id


@contextmanager
def node(redis_url: str, **env: str) -> Iterator[ServerProcess]:
    base = {"REDIS_URL": redis_url, "DOITHOAI_WS_WRITE_STALL": WRITE_STALL}
    with ServerProcess(env={**base, **env}) as server:
        yield server


def ws_url(server: ServerProcess) -> str:
    return server.url.replace("http://", "ws://") + PATH


@asynccontextmanager
async def viewer(server: ServerProcess) -> AsyncIterator[ClientConnection]:
    """A well-behaved viewer, past its snapshot."""
    async with connect(ws_url(server)) as ws:
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "snapshot"
        yield ws


async def votes_seen(ws: ClientConnection, votes: int) -> None:
    """Read the viewer until it has the votes.changed event with ``votes``."""
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "votes.changed" and message["data"]["votes"] == votes:
            return


def rss_kib(server: ServerProcess) -> int:
    """The node's resident memory (VmRSS), in KiB."""
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])


async def flood_and_watch(server: ServerProcess, feed: Feed, opcode: int) -> None:
    """Two raw sockets flood ``opcode`` frames and never read; meanwhile a
    viewer gets an event caused after the flood began. The node's RSS stays
    within RSS_BOUND_KIB of its level before, and it closes both sockets."""
    async with viewer(server) as ws:
        before = rss_kib(server)
        socks = [
            await asyncio.to_thread(rawws.open_socket, server.host, server.port, PATH)
            for _ in range(2)
        ]
        floods = [rawws.Flood(sock, opcode) for sock in socks]
        stop = threading.Event()
        deadline = time.monotonic() + CLOSE_DEADLINE
        flooding = asyncio.create_task(asyncio.to_thread(rawws.flood, floods, deadline, stop))
        seen = asyncio.create_task(votes_seen(ws, await feed.vote()))
        try:
            peak = before
            while not flooding.done():
                peak = max(peak, rss_kib(server))
                assert peak - before < RSS_BOUND_KIB, f"RSS grew by {(peak - before) // 1024} MB"
                await asyncio.wait({flooding}, timeout=0.05)
            await flooding
            await asyncio.wait_for(seen, EVENT_DEADLINE)
        finally:
            stop.set()
            seen.cancel()
            await asyncio.wait({flooding})
            for sock in socks:
                sock.close()
        assert all(each.closed_at is not None for each in floods), "the node left a flood open"
        assert all(each.sent > 0 for each in floods)


async def test_a_ping_flood_is_closed_by_the_frame_budget(redis_url: str, feed: Feed) -> None:
    """Pings as fast as they go, never reading: the node closes both sockets
    (their frame budget), with memory bounded; a viewer gets its event."""
    with node(redis_url) as server:
        await flood_and_watch(server, feed, rawws.PING)


async def test_a_ping_flood_is_closed_by_the_write_stall(redis_url: str, feed: Feed) -> None:
    """The same without a frame budget: the node stops reading once its
    pongs wait unsent, so memory stays bounded, and drops the sockets when
    those pongs make no progress for the stall deadline."""
    with node(redis_url, DOITHOAI_WS_CLIENT_FRAMES="0") as server:
        await flood_and_watch(server, feed, rawws.PING)


async def test_a_text_flood_is_closed_by_the_frame_budget(redis_url: str, feed: Feed) -> None:
    """Text messages as fast as they go, never reading: closed, memory
    bounded, and a viewer gets its event."""
    with node(redis_url) as server:
        await flood_and_watch(server, feed, rawws.TEXT)


async def test_a_client_over_its_frame_budget_is_told_1008(redis_url: str, feed: Feed) -> None:
    """A client that sends one frame more than its budget and then reads is
    closed with 1008 (policy violation)."""
    with node(redis_url, DOITHOAI_WS_CLIENT_FRAMES="10/minute") as server:
        sock = await asyncio.to_thread(rawws.open_socket, server.host, server.port, PATH)
        try:
            sock.sendall(rawws.masked_frame(rawws.TEXT, b'{"type":"ping"}') * 11)
            while True:
                opcode, payload = await asyncio.to_thread(rawws.read_frame, sock)
                if opcode == rawws.CLOSE:
                    break
            assert int.from_bytes(payload[:2], "big") == 1008
        finally:
            sock.close()


@pytest.mark.parametrize(
    ("events", "queue", "stall", "direct"),
    [
        ("votes", "8", WRITE_STALL, "false"),
        ("edits", "256", WRITE_STALL, "true"),
        ("edits", "8", "0", "true"),
        ("edits", "8", "0", "false"),
    ],
    ids=["hub-gives-up", "writes-stall", "close-deadline", "close-deadline-asgi"],
)
async def test_a_viewer_that_stops_reading_is_dropped_and_frees_its_place(
    redis_url: str, feed: Feed, events: str, queue: str, stall: str, direct: str
) -> None:
    """A viewer takes its snapshot and then never reads while events keep
    coming: the node drops it (not TCP, minutes later), and with one socket
    allowed per address, the address may connect again.

    On the ASGI path (DOITHOAI_WS_DIRECT=false, as staff sockets are served),
    votes for many questions come in bursts longer than the socket's short
    queue, so the hub gives up on it while its writes still flow, and its
    close waits behind all it never read (the direct path queues only while
    the transport holds writes). Edits of the dialogue each carry its ~10 KB
    description, one at a time: the kernel's buffers fill, then the node's,
    the writes stall, and then the hub gives up on it (issue 14). With the
    write stall off, only the close deadline ends that close: before it,
    the close waited for the socket to become writable, which never came."""
    publish = feed.votes if events == "votes" else feed.edit
    env = {
        "DOITHOAI_WS_PER_ADDRESS": "1",
        "DOITHOAI_WS_SEND_QUEUE": queue,
        "DOITHOAI_WS_WRITE_STALL": stall,
        "DOITHOAI_WS_CLOSE_DEADLINE": CLOSE_AFTER,
        "DOITHOAI_WS_DIRECT": direct,
    }
    with node(redis_url, **env) as server:
        sock = await asyncio.to_thread(
            rawws.open_socket, server.host, server.port, PATH, rcvbuf=VIEWER_RCVBUF
        )
        try:
            with pytest.raises(InvalidStatus):  # its place is taken
                await connect(ws_url(server))
            deadline = time.monotonic() + CLOSE_DEADLINE
            while not rawws.closed_by_peer(sock):
                assert time.monotonic() < deadline, "the node kept a viewer that stopped reading"
                await publish()
        finally:
            sock.close()
        while True:
            try:
                async with viewer(server) as ws:
                    await asyncio.wait_for(votes_seen(ws, await feed.vote()), EVENT_DEADLINE)
                    return
            except InvalidStatus:
                assert time.monotonic() < deadline, "the dropped viewer's place stayed taken"
                await asyncio.sleep(POLL)
