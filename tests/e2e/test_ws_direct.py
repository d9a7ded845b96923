"""The public feed's direct path (issue 15, items 1 and 6) on a real node:
the frames it writes are the bytes the ASGI path sends; a viewer whose
transport holds writes gets its frames queued and then all of them, in
order; one further behind is closed with 1013 and resumes with ``after=``
with no gap and nothing twice; and a vote storm reaches viewers as at most
one ``votes.changed`` per question per second, the last with the final count.

The viewers that read raw frames are raw sockets (tests/rawws.py). Nothing is
timed: each wait polls the state it waits for, with generous deadlines.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from websockets.asyncio.client import connect

from server.actions import Services, build
from server.domain.model import Actor, Dialogue, Role
from server.store.connection import Store
from tests import rawws
from tests.helpers import ServerProcess
from tests.support.store import opened
from tests.web.seed import SLUG, seed

pytestmark = pytest.mark.e2e

PATH = f"/ws/v1/dialogues/{SLUG}/feed"
MODERATOR = Actor("moderator", frozenset({Role.MODERATOR}))
#: No ping nor heartbeat while a test runs: the byte streams hold only events.
QUIET = {"DOITHOAI_WS_PING_INTERVAL": "600"}
#: A bound on a stuck test, not a timing: a loaded machine may be slow.
DEADLINE = 60.0
#: The viewer's receive buffer: small, so the node's transport soon holds writes.
VIEWER_RCVBUF = 4096
#: Two descriptions of the longest length a dialogue's may have (~10 KB events).
DESCRIPTIONS = [
    ("Lãnh đạo thành phố trả lời câu hỏi của người dân về chuyển đổi số. " * 70)[: 4000 - 1] + end
    for end in "AB"
]


@dataclass
class Feed:
    store: Store
    actions: Services
    dialogue: Dialogue

    async def publish(self, text: str) -> str:
        """A question submitted, screened and approved: its id."""
        sub = await self.actions.submissions.submit(self.dialogue, {"text": text, "name": "Lan"})
        await self.actions.intake.screen_now(self.dialogue, [sub.question_id])
        await self.actions.moderation.act(self.dialogue, sub.question_id, "approve", {}, MODERATOR)
        return sub.question_id

    async def edit(self) -> str:
        """One large public event (dialogue.updated): its id."""
        description = DESCRIPTIONS[self.dialogue.version % 2]
        changes = {"description": description, "version": self.dialogue.version}
        self.dialogue = await self.actions.dialogues.update(self.dialogue, changes)
        return await self.store.events.last_id(self.dialogue.id)

    async def public_ids_after(self, after: str) -> list[str]:
        """The ids of the stream's events after ``after`` (every one here is public)."""
        events = await self.store.events.after(self.dialogue.id, after, limit=100_000)
        assert events is not None
        return [event.id for event in events]


@pytest.fixture
async def feed(redis_url: str) -> AsyncIterator[Feed]:
    await asyncio.to_thread(seed, redis_url)
    async with opened(redis_url) as store:
        actions = build(store)
        yield Feed(store, actions, await actions.dialogues.get(SLUG))


@contextmanager
def node(redis_url: str, **env: str) -> Iterator[ServerProcess]:
    with ServerProcess(env={"REDIS_URL": redis_url, **QUIET, **env}) as server:
        yield server


class Viewer:
    """A raw socket past its handshake; what came with the handshake's head
    is kept (the snapshot may share its segment)."""

    def __init__(self, server: ServerProcess, path: str = PATH, rcvbuf: int | None = None):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        sock.settimeout(DEADLINE)
        sock.connect((server.host, server.port))
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        self.sock = sock
        self._buffer = b""
        while b"\r\n\r\n" not in self._buffer:
            self._fill()
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buffer += chunk

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def frame(self) -> bytes:
        """One whole server frame, header and all, as the bytes came."""
        head = self.read(2)
        length = head[1] & 0x7F
        extended = {126: 2, 127: 8}.get(length, 0)
        more = self.read(extended)
        if extended:
            length = int.from_bytes(more, "big")
        return head + more + self.read(length)

    def frames_until(self, last_id: str) -> list[bytes]:
        """Frames up to the one whose message has ``last_id``, or up to a close."""
        frames = []
        while True:
            frame = self.frame()
            frames.append(frame)
            if frame[0] & 0x0F == rawws.CLOSE or message(frame).get("id") == last_id:
                return frames

    def close(self) -> None:
        self.sock.close()


def payload(frame: bytes) -> bytes:
    length = frame[1] & 0x7F
    return frame[2 + {126: 2, 127: 8}.get(length, 0) :]


def message(frame: bytes) -> dict[str, Any]:
    assert frame[0] == 0x80 | rawws.TEXT, frame[:2]
    return dict(json.loads(payload(frame)))


def counter(server: ServerProcess, name: str) -> float:
    """A counter of the node's /metrics (0 before it first counts)."""
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name) and not line.startswith("#")
    )


async def test_the_direct_and_queued_paths_write_the_same_bytes(redis_url: str, feed: Feed) -> None:
    """Two nodes on one Redis, one on the direct path, one on the ASGI path
    (DOITHOAI_WS_DIRECT=false): a raw viewer of each reads the very same
    bytes, frame for frame: the snapshot, questions, votes, a large edit."""
    with node(redis_url) as direct, node(redis_url, DOITHOAI_WS_DIRECT="false") as queued:
        socks = [await asyncio.to_thread(Viewer, server) for server in (direct, queued)]
        try:
            snapshots = [await asyncio.to_thread(sock.frame) for sock in socks]
            assert snapshots[0] == snapshots[1] and message(snapshots[0])["type"] == "snapshot"
            qids = [await feed.publish(f"Câu hỏi số {n} về chuyển đổi số?") for n in range(3)]
            for n, qid in enumerate(qids):
                await feed.actions.submissions.vote(feed.dialogue, qid, f"same-voter-{n:04d}")
            last = await feed.edit()
            streams = [await asyncio.to_thread(sock.frames_until, last) for sock in socks]
        finally:
            for sock in socks:
                sock.close()
    assert streams[0] == streams[1]
    types = [message(frame)["type"] for frame in streams[0]]
    assert types.count("question.approved") == 3 and types.count("votes.changed") == 3
    assert types[-1] == "dialogue.updated" and len(streams[0][-1]) > 4000


async def test_a_paused_transport_queues_and_catches_up_in_order(
    redis_url: str, feed: Feed
) -> None:
    """A viewer stops reading: once the node's transport holds its writes,
    frames wait in its queue (the metric counts them); when it reads again
    it gets every event after its snapshot, in order, once."""
    env = {"DOITHOAI_WS_SEND_QUEUE": "100000", "DOITHOAI_WS_WRITE_STALL": "0"}
    with node(redis_url, **env) as server:
        sock = await asyncio.to_thread(Viewer, server, PATH, VIEWER_RCVBUF)
        try:
            snapshot = message(await asyncio.to_thread(sock.frame))
            waited = counter(server, "doithoai_ws_frames_waited_total")
            deadline = time.monotonic() + DEADLINE
            while counter(server, "doithoai_ws_frames_waited_total") < waited + 5:
                assert time.monotonic() < deadline, "the node never queued for the viewer"
                await feed.edit()
            for _ in range(5):  # more behind those queued
                last = await feed.edit()
            got = [message(f)["id"] for f in await asyncio.to_thread(sock.frames_until, last)]
        finally:
            sock.close()
    assert got == await feed.public_ids_after(snapshot["id"])


async def test_a_viewer_over_its_queue_is_closed_1013_and_resumes_without_gap(
    redis_url: str, feed: Feed
) -> None:
    """A viewer that stops reading falls more than DOITHOAI_WS_SEND_QUEUE
    frames behind while its transport holds writes: the node closes it with
    1013 (after what it had written). Reconnecting with after= the last id
    it read, it gets the rest: every event after its snapshot once, in order."""
    env = {
        "DOITHOAI_WS_SEND_QUEUE": "8",
        "DOITHOAI_WS_WRITE_STALL": "0",
        "DOITHOAI_WS_CLOSE_DEADLINE": "120",
    }
    with node(redis_url, **env) as server:
        sock = await asyncio.to_thread(Viewer, server, PATH, VIEWER_RCVBUF)
        try:
            snapshot = message(await asyncio.to_thread(sock.frame))
            behind = counter(server, "doithoai_ws_fell_behind_total")
            deadline = time.monotonic() + DEADLINE
            while counter(server, "doithoai_ws_fell_behind_total") <= behind:
                assert time.monotonic() < deadline, "the node never gave up on the viewer"
                await feed.edit()
            for _ in range(3):  # after the close: for the resumed socket
                last = await feed.edit()
            first = await asyncio.to_thread(sock.frames_until, last)
        finally:
            sock.close()
        close = first.pop()
        assert close[0] & 0x0F == rawws.CLOSE
        assert int.from_bytes(payload(close)[:2], "big") == 1013
        got = [message(frame)["id"] for frame in first]
        resumed = await asyncio.to_thread(Viewer, server, f"{PATH}?after={got[-1]}")
        try:
            got += [message(f)["id"] for f in await asyncio.to_thread(resumed.frames_until, last)]
        finally:
            resumed.close()
    assert got == await feed.public_ids_after(snapshot["id"])


#: The storm: votes per second, for how long, over how many questions.
VOTE_RATE = 1000
STORM_SECONDS = 3
QUESTIONS = 3


async def test_a_vote_storm_reaches_viewers_once_a_second_per_question(
    redis_url: str, feed: Feed
) -> None:
    """1,000 votes a second over three questions for three seconds: a viewer
    gets at most about one votes.changed per question per second (the node
    spaces them a second apart; arrival may bunch two by a little), and the
    last it gets for each question is the stored count."""
    qids = [await feed.publish(f"Câu hỏi được bình chọn số {n}?") for n in range(QUESTIONS)]
    with node(redis_url) as server:
        url = server.url.replace("http://", "ws://") + PATH
        async with connect(url) as ws:
            assert json.loads(await ws.recv())["type"] == "snapshot"
            seen: dict[str, list[tuple[float, int]]] = {qid: [] for qid in qids}

            async def listen() -> None:
                while True:
                    got = json.loads(await ws.recv())
                    if got["type"] == "votes.changed":
                        seen[got["data"]["id"]].append((time.monotonic(), got["data"]["votes"]))

            listening = asyncio.create_task(listen())
            started = time.monotonic()
            counts: dict[str, int] = {}
            for n in range(VOTE_RATE * STORM_SECONDS // 10):
                batch = [
                    feed.actions.submissions.vote(
                        feed.dialogue, qids[(n * 10 + k) % QUESTIONS], f"storm-{n * 10 + k:06d}"
                    )
                    for k in range(10)
                ]
                for k, votes in enumerate(await asyncio.gather(*batch)):
                    qid = qids[(n * 10 + k) % QUESTIONS]
                    counts[qid] = max(counts.get(qid, 0), votes)
                pause = started + (n + 1) * 10 / VOTE_RATE - time.monotonic()
                if pause > 0:
                    await asyncio.sleep(pause)  # pacing the storm, not waiting for a result
            deadline = time.monotonic() + DEADLINE
            try:
                while not all(seen[q] and seen[q][-1][1] == counts[q] for q in qids):
                    assert not listening.done(), listening
                    assert time.monotonic() < deadline, f"final counts never came: {seen}"
                    await asyncio.sleep(0.05)
            finally:
                listening.cancel()
    assert sum(counts.values()) == VOTE_RATE * STORM_SECONDS
    for qid in qids:
        times = [at for at, _ in seen[qid]]
        assert seen[qid][-1][1] == counts[qid]
        assert len(times) <= (times[-1] - times[0]) + 2, f"{len(times)} changes of {qid}"
        assert len(times) < VOTE_RATE * STORM_SECONDS / QUESTIONS / 10


#: Live viewers opened at once in the test below.
IDLE_VIEWERS = 20
PUBLIC_SOCKETS = 'doithoai_sockets{audience="public"'


async def until(check: Any, what: str) -> None:
    """Poll ``check`` (a blocking callable) until it is true."""
    deadline = time.monotonic() + DEADLINE
    while not await asyncio.to_thread(check):
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.05)


async def test_a_live_viewer_holds_no_task_and_leaves_the_hub_when_it_goes(
    redis_url: str, feed: Feed
) -> None:
    """Once its snapshot is out, a public viewer is the node's alone (issue 15
    item 2): its handler's task has ended, so the node's tasks
    (``doithoai_tasks``) do not grow with the audience, where on the ASGI
    path (``DOITHOAI_WS_DIRECT=false``) each viewer holds tasks. What it sends
    is still read: a text message the app no longer reads does not stop its
    reading, and a ping behind it is answered. When a viewer goes, with a
    close or by dropping the connection, the hub forgets it and its
    per-address place is free again; the others still get every event."""
    n = IDLE_VIEWERS
    for direct in (True, False):
        env = {"DOITHOAI_WS_DIRECT": str(direct).lower(), "DOITHOAI_WS_PER_ADDRESS": str(n + 1)}
        with node(redis_url, **env) as server:
            first = await asyncio.to_thread(Viewer, server)  # the reader now follows the dialogue
            viewers = [first]
            try:
                snapshot = message(await asyncio.to_thread(first.frame))
                await until(lambda: counter(server, PUBLIC_SOCKETS) == 1, "the viewer counted")
                before = counter(server, "doithoai_tasks")
                for _ in range(n):
                    viewers.append(await asyncio.to_thread(Viewer, server))
                    await asyncio.to_thread(viewers[-1].frame)
                await until(lambda: counter(server, PUBLIC_SOCKETS) == n + 1, "all counted")
                grown = counter(server, "doithoai_tasks") - before
                if not direct:
                    assert grown >= n, "the ASGI path's tasks per socket are not counted"
                    continue
                assert grown < n / 4, f"{grown:g} more tasks for {n} live viewers"

                talker = viewers[1]
                talker.sock.sendall(rawws.masked_frame(rawws.TEXT, b'{"type": "ping"}'))
                talker.sock.sendall(rawws.masked_frame(rawws.PING, b"still there?"))
                pong = await asyncio.to_thread(talker.frame)
                assert pong[0] & 0x0F == 0xA and payload(pong) == b"still there?"

                closing, dropped = viewers.pop(), viewers.pop()
                closing.sock.sendall(rawws.masked_frame(rawws.CLOSE, (1000).to_bytes(2, "big")))
                answer = await asyncio.to_thread(closing.frame)
                assert answer[0] & 0x0F == rawws.CLOSE
                closing.close()
                dropped.close()
                await until(lambda: counter(server, PUBLIC_SOCKETS) == n - 1, "the hub forgot them")
                for _ in range(2):  # their places are free again
                    viewers.append(await asyncio.to_thread(Viewer, server))
                    await asyncio.to_thread(viewers[-1].frame)
                with pytest.raises(ConnectionError):  # and the cap still holds
                    await asyncio.to_thread(rawws.open_socket, server.host, server.port, PATH)
                await feed.publish("Câu hỏi sau khi hai người xem rời đi?")
                last = await feed.store.events.last_id(feed.dialogue.id)
                for viewer in (viewers[0], viewers[-1]):
                    frames = await asyncio.to_thread(viewer.frames_until, last)
                    assert message(frames[-1])["id"] == last
            finally:
                for viewer in viewers:
                    viewer.close()
    assert snapshot["type"] == "snapshot"


async def test_viewers_joining_while_questions_are_published_miss_none(
    redis_url: str, feed: Feed
) -> None:
    """Viewers connecting in waves while questions are approved share
    snapshot frames (realtime/first_pages.py); each still gets every
    question, in its snapshot or as an event after it, and no event twice
    or out of order."""
    published: list[str] = []
    with node(redis_url) as server:
        viewers: list[Viewer] = []
        try:
            for wave in range(6):
                joining = asyncio.gather(*(asyncio.to_thread(Viewer, server) for _ in range(8)))
                publishing = feed.publish(f"Câu hỏi đợt {wave} về thủ tục hành chính?")
                joined, qid = await asyncio.gather(joining, publishing)
                viewers.extend(joined)
                published.append(qid)
            last = await feed.edit()
            streams = await asyncio.gather(
                *(asyncio.to_thread(viewer.frames_until, last) for viewer in viewers)
            )
        finally:
            for viewer in viewers:
                viewer.close()
    for frames in streams:
        first, *rest = (message(frame) for frame in frames)
        assert first["type"] == "snapshot"
        ids = [first["id"], *(m["id"] for m in rest)]
        assert ids == sorted(set(ids), key=lambda i: tuple(map(int, i.split("-"))))
        seen = {q["id"] for q in first["data"]["questions"]}
        seen |= {m["data"]["id"] for m in rest if m["type"] == "question.approved"}
        assert set(published) <= seen, f"missing {set(published) - seen}"


async def test_resuming_after_a_live_event_gets_a_vote_change_held_before_it(
    redis_url: str, feed: Feed
) -> None:
    """A question's second vote within a second is held; a dialogue edit
    after it goes out at once, ahead of it. A viewer that got the edit and
    left before the held count came resumes after the edit's id: its replay
    starts, under that id, with the count it never got."""
    qid = await feed.publish("Câu hỏi được bình chọn khi người xem rời đi?")
    with node(redis_url) as server:
        url = server.url.replace("http://", "ws://") + PATH
        async with connect(url) as watcher:
            assert json.loads(await watcher.recv())["type"] == "snapshot"
            counts: list[int] = []

            async def watch() -> None:
                while True:
                    got = json.loads(await watcher.recv())
                    if got["type"] == "votes.changed":
                        counts.append(got["data"]["votes"])

            watching = asyncio.create_task(watch())
            try:
                votes, passed = 0, None
                async with connect(url) as viewer:  # it leaves once a count was held
                    assert json.loads(await viewer.recv())["type"] == "snapshot"
                    # The first vote goes at once; one within a second of it is
                    # held (a loaded machine may take longer: vote again).
                    for attempt in range(50):
                        voter = f"leaving-{attempt:02d}"
                        votes = await feed.actions.submissions.vote(feed.dialogue, qid, voter)
                        edited = await feed.edit()
                        seen = []
                        while (got := json.loads(await viewer.recv()))["id"] != edited:
                            seen.append(got)
                        if not any(
                            m["type"] == "votes.changed" and m["data"]["votes"] == votes
                            for m in seen
                        ):
                            passed = edited  # the count was held behind the edit
                            break
                assert passed is not None, "no vote was ever held behind the edit"
                await until(lambda: votes in counts, "the held count never went out")
            finally:
                watching.cancel()
        async with connect(f"{url}?after={passed}") as resumed:
            marker = await feed.edit()
            replay = []
            while (got := json.loads(await resumed.recv()))["id"] != marker:
                replay.append(got)
    changes = [m for m in replay if m["type"] == "votes.changed"]
    assert [(m["id"], m["data"]["id"], m["data"]["votes"]) for m in changes] == [
        (passed, qid, votes)
    ]
