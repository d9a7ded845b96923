"""One client state model (moderator_ui/static/lib/state.js), checked the way
Zulip checks its event system: for a random sequence of staff and citizen
actions through the real API, the state reached by applying the events each
feed sent to an earlier snapshot equals the state of a fresh snapshot, for
the public and the staff audience. The reducer runs in Chromium, as the pages
and the widget run it; a control shows that one dropped event breaks the
equality."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from tests.helpers import ServerProcess
from tests.support.dialogues import LOCALITIES, TOPICS
from tests.support.questions import question_ids, submit
from tests.support.staff import StaffClient
from tests.support.waiting import wait_for
from tests.web.seed import seeded_site

from .producer_seed import OFFICIALS, add_staff, fresh_slug, new_dialogue

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

#: How long a feed may take to deliver the last event of a sequence.
DELIVERY_TIMEOUT = 30.0
TEXTS = [
    "Xin hỏi khi nào thành phố hoàn thành phủ sóng 4G cho các thôn vùng cao xã A Lưới 2?",
    "Thủ tục hành chính trực tuyến còn nhiều bước rườm rà, Huế có kế hoạch đơn giản hóa không?",
    "Doanh nghiệp nhỏ được hỗ trợ chuyển đổi số như thế nào trong năm tới?",
    "Khi nào có wifi miễn phí ở các điểm du lịch của thành phố Huế?",
    "Học sinh vùng cao có được hỗ trợ thiết bị học trực tuyến không?",
    "Người cao tuổi được hướng dẫn dùng dịch vụ công trực tuyến ở đâu?",
    "Thành phố có kế hoạch số hóa hồ sơ đất đai trong năm nay không?",
    "Hợp tác xã nông nghiệp bán hàng trên sàn thương mại điện tử được hỗ trợ gì?",
]
REASONS = ["off_topic", "duplicate", "spam", "other"]
BROADCAST = {"queue", "move", "on_air", "back", "answer", "defer"}


@pytest.fixture(scope="module")
def site(redis_server: str) -> Iterator[ServerProcess]:
    """One app for this module, with no rate limit in the way of a sequence."""
    limits = {"DOITHOAI_VOTE_LIMIT": "0", "DOITHOAI_VOTER_LIMIT": "0", "DOITHOAI_DEVICE_LIMIT": "0"}
    with seeded_site(redis_server, limits, also=add_staff) as server:
        yield server


class Listener:
    """A feed socket, opened and read by a thread that collects its messages
    (heartbeats left out) until the socket closes."""

    def __init__(self, url: str, headers: dict[str, str], origin: str) -> None:
        self.messages: list[dict[str, Any]] = []
        self.socket: ClientConnection | None = None
        self.opened = threading.Event()
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._read, args=(url, headers, origin), daemon=True)
        self.thread.start()
        assert self.opened.wait(DELIVERY_TIMEOUT), "the socket did not open"
        assert self.failed is None, self.failed

    def _read(self, url: str, headers: dict[str, str], origin: str) -> None:
        try:
            with connect(
                url, origin=Origin(origin), additional_headers=headers, open_timeout=10
            ) as socket:
                self.socket = socket
                self.opened.set()
                for raw in socket:
                    message = json.loads(raw)
                    if message.get("type") != "heartbeat":
                        self.messages.append(message)
        except ConnectionClosed:
            return
        except BaseException as exc:  # seen by the test thread
            self.failed = exc
            self.opened.set()

    def wait_for(self, event_id: str) -> None:
        """Until a message with ``event_id`` came (the last event of the sequence)."""

        def came() -> bool:
            assert self.failed is None, self.failed
            return any(m.get("id") == event_id for m in self.messages)

        wait_for(came, f"event {event_id}", DELIVERY_TIMEOUT)

    def wait_for_votes(self, fresh: dict[str, Any]) -> None:
        """Until the last votes.changed of each question in ``fresh`` (a
        snapshot) has its count: a question's vote changes are coalesced to
        one a second, so the last may come after later events."""

        def caught_up() -> bool:
            assert self.failed is None, self.failed
            last = {
                m["data"]["id"]: m["data"]["votes"]
                for m in list(self.messages)
                if m.get("type") == "votes.changed"
            }
            questions = fresh["data"]["questions"]
            return all(last.get(q["id"], q["votes"]) == q["votes"] for q in questions)

        wait_for(caught_up, "the last vote counts", DELIVERY_TIMEOUT)

    def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
        self.thread.join(timeout=5)
        assert self.failed is None, self.failed


def open_feed(site: ServerProcess, slug: str, audience: str, staff: StaffClient) -> Listener:
    path = "feed" if audience == "public" else "console"
    url = f"{site.url.replace('http', 'ws', 1)}/ws/v1/dialogues/{slug}/{path}"
    headers = {"Cookie": staff.cookie_header} if audience == "staff" else {}
    return Listener(url, headers, site.url)


def snapshot(site: ServerProcess, slug: str, audience: str, staff: StaffClient) -> dict[str, Any]:
    """A fresh snapshot of ``audience``: the first message of a new socket."""
    listener = open_feed(site, slug, audience, staff)
    wait_for(lambda: bool(listener.messages), "a snapshot", DELIVERY_TIMEOUT)
    listener.close()
    first = listener.messages[0]
    assert first["type"] == "snapshot"
    return first


class Citizens:
    """Questions asked and voted for through the public API."""

    def __init__(self, site: ServerProcess, slug: str, rng: random.Random) -> None:
        self.site, self.slug, self.rng = site, slug, rng
        self.api = f"{site.url}/api/v1/dialogues/{slug}"
        self.voters = 0

    def ask(self, count: int) -> list[str]:
        """Ask ``count`` questions; their ids once intake has screened them."""
        codes = [
            submit(
                self.site.url,
                self.slug,
                self.rng.choice(TEXTS),
                name=self.rng.choice(["Hồ Thị Lan", "Trần Văn Bình", ""]) or "Ẩn danh",
                locality=self.rng.choice(LOCALITIES),
            )
            for _ in range(count)
        ]
        found = question_ids(self.site.env["REDIS_URL"], codes)
        return [found[code] for code in codes]

    def vote(self, qid: str) -> int:
        self.voters += 1
        url = f"{self.api}/questions/{qid}/votes"
        response = httpx.post(url, json={"voter": f"cong-dan-{self.voters:04d}"}, timeout=10)
        return response.status_code


def random_step(
    rng: random.Random, staff: StaffClient, citizens: Citizens, slug: str, ids: list[str]
) -> str:
    """One random action that the admin's or a citizen's role allows now; what it was."""
    qid = rng.choice(ids)
    q = staff.question(slug, qid)
    allowed = [a for a in q["actions_by_role"]["admin"] if a != "note"]
    choices = [*allowed, "note", "vote", "claim", "next", "overlay"]
    # The broadcast's moves weigh more: a sequence should go on air, not only take notes.
    weights = [3 if a in BROADCAST else 2 for a in allowed] + [0.5, 1, 1, 2, 1]
    action = rng.choices(choices, weights)[0]
    params: dict[str, Any] = {"version": q["version"]}
    if action == "vote":
        citizens.vote(qid)
        return f"vote {qid}"
    if action in ("next", "overlay"):
        body = {"visible": rng.random() < 0.5} if action == "overlay" else {}
        response = staff.post(f"/api/v1/dialogues/{slug}/{action}", body)
        assert response.status_code in (200, 409), response.text
        return f"{action} -> {response.status_code}"
    if action == "claim":
        url = f"/api/v1/dialogues/{slug}/questions/{qid}/handling"
        if rng.random() < 0.7:
            staff.post(url)
        else:
            staff.client.delete(url, headers={"X-CSRF-Token": staff.csrf})
        return f"claim {qid}"
    if action == "reject":
        params["reason"] = rng.choice(REASONS)
    elif action == "edit":
        params["text"] = f"{q['text']} (đã biên tập)"
    elif action in ("answer", "note"):
        params["text"] = "Sở sẽ trả lời cụ thể trong tuần tới."
    elif action == "set_topic":
        params["topic"] = rng.choice([t["id"] for t in TOPICS])
    elif action == "assign":
        params["official_id"] = rng.choice([o["id"] for o in OFFICIALS] + [None])
    elif action in ("queue", "move"):
        params["position"] = rng.randint(0, 3)
    elif action == "merge":
        others = [i for i in ids if i != qid]
        params["into"] = rng.choice(others) if others else qid
    response = staff.post(f"/api/v1/dialogues/{slug}/questions/{qid}/actions/{action}", params)
    assert response.status_code in (200, 400, 404, 409), response.text
    return f"{action} {qid} -> {response.status_code}"


# The staff snapshot leaves finished questions out (the console's history
# pages them), while a state keeps those an event brought: compare the rest.
# It leaves out the history of pending questions too (the staff API has it),
# which their events carry: compare pending questions without it.
REDUCE = """async ([early, events, fresh, audience, now]) => {
    const { FINISHED, apply, createState, livePresence } = await import("/static/lib/state.js");
    // A staff page's snapshots get their questions' actions_by_role back first.
    const { withActions } = await import("/static/common.js");
    for (const message of [early, fresh]) {
        if (audience === "staff") withActions(message.data);
    }
    // What the staff snapshot leaves out and the events carry: a pending
    // question's history, and every question's folded text (the page folds).
    const snapshotted = ([id, q]) => {
        const { history, folded, ...rest } = q;
        return [id, q.status === "pending" ? rest : { ...rest, history }];
    };
    const working = (questions) => audience === "public" ? questions
        : Object.fromEntries(
            Object.entries(questions).filter(([, q]) => !FINISHED.has(q.status)).map(snapshotted));
    const view = (state) => ({
        dialogue: state.dialogue,
        questions: working(state.questions),
        onAir: state.onAir,
        queue: state.queue,
        overlay: state.overlay,
        presence: livePresence(state, now),
    });
    const replayed = createState(audience);
    apply(replayed, early);
    for (const event of events) apply(replayed, event);
    const current = createState(audience);
    apply(current, fresh);
    return [view(replayed), view(current)];
}"""


@pytest.mark.parametrize("seed_value", [11, 23, 47])
def test_events_applied_to_an_early_snapshot_reach_a_fresh_one(
    chromium: Browser, site: ServerProcess, redis_server: str, seed_value: int
) -> None:
    rng = random.Random(seed_value)
    slug = fresh_slug("trang-thai")
    new_dialogue(redis_server, slug)
    citizens = Citizens(site, slug, rng)
    with StaffClient(site.url, "admin") as staff:
        ids = citizens.ask(4)
        for qid in ids[:3]:
            staff.act(slug, qid, "approve")
        staff.act(slug, ids[0], "queue")
        feeds = {
            audience: open_feed(site, slug, audience, staff) for audience in ("public", "staff")
        }
        try:
            steps = []
            for n in range(40):
                if n in (10, 25):
                    ids += citizens.ask(2)
                steps.append(random_step(rng, staff, citizens, slug, ids))
            # Last, an event both feeds carry: a new question published.
            (marker,) = citizens.ask(1)
            staff.act(slug, marker, "approve")
            fresh = {a: snapshot(site, slug, a, staff) for a in feeds}
            assert fresh["public"]["id"] == fresh["staff"]["id"]
            for audience, feed in feeds.items():
                feed.wait_for(fresh["staff"]["id"])
                feed.wait_for_votes(fresh[audience])
        finally:
            for feed in feeds.values():
                feed.close()

    page = chromium.new_context().new_page()
    page.goto(f"{site.url}/d/{slug}")
    now = int(time.time() * 1000)
    for audience, feed in feeds.items():
        early, *events = feed.messages
        assert early["type"] == "snapshot"
        assert events, f"the {audience} feed sent no event"
        replayed, current = page.evaluate(REDUCE, [early, events, fresh[audience], audience, now])
        assert replayed == current, (audience, steps)
        # The control: without one of its events (the last about a question:
        # the marker's approval, not a vote summary of a finished question,
        # which the comparison of the staff states leaves out) the state differs.
        last = max(i for i, e in enumerate(events) if e["type"].startswith("question."))
        kept = events[:last] + events[last + 1 :]
        dropped, _ = page.evaluate(REDUCE, [early, kept, fresh[audience], audience, now])
        assert dropped != current, (audience, "a dropped event went unnoticed")
    assert any(q["status"] == "approved" for q in current["questions"].values())
    page.context.close()


OLDER = """async () => {
    const { apply, createState, older } = await import("/static/lib/state.js");
    const q = (id, status, votes = 0) => ({ id, status, votes, text: `#${id}` });
    const first = { questions: [q("9", "approved")], next_before: "9", counts: {} };
    const state = createState("public");
    apply(state, { id: "5-0", type: "snapshot", data: first });
    const epoch = state.epoch;
    // Events after the snapshot: 4 is unpublished, 3 answered (the feed says so
    // before the page that still has them approved comes back).
    apply(state, { id: "6-0", type: "question.unpublished", data: { id: "4" } });
    apply(state, { id: "7-0", type: "question.answered", data: q("3", "answered", 2) });
    const page = [q("8", "approved"), q("4", "approved"), q("3", "approved")];
    older(state, page, { epoch, nextBefore: "3" });
    const afterPage = {
        ids: Object.keys(state.questions).sort(),
        three: state.questions["3"].status,
        next: state.nextBefore,
    };
    // A page asked for before a (reset) snapshot is dropped.
    const asked = state.epoch;
    apply(state, { id: "8-0", type: "snapshot", reset: true, data: first });
    older(state, [q("2", "approved")], { epoch: asked, nextBefore: null });
    return { afterPage, afterReset: Object.keys(state.questions), next: state.nextBefore };
}"""


def test_a_page_of_older_questions_never_overrides_the_feed(
    chromium: Browser, site: ServerProcess
) -> None:
    """``older`` adds what the feed has said nothing of: a question an event
    took off stays off, one an event changed keeps the event's state, and a
    page asked for before a new snapshot is dropped."""
    page = chromium.new_context().new_page()
    try:
        page.goto(f"{site.url}/static/lib/state.js")
        result = page.evaluate(OLDER)
    finally:
        page.context.close()
    assert result["afterPage"] == {"ids": ["3", "8", "9"], "three": "answered", "next": "3"}
    assert result["afterReset"] == ["9"] and result["next"] == "9"
