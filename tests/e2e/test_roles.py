"""The role matrix of the live broadcast, against one real server: for each of
anonymous (a viewer or citizen), moderator, producer, the official a question
is routed to, another official and admin, the status code of every action,
admin call and page the broadcast adds. Plus: a rotated overlay token stops
working, and two producers pressing "next question" at once put exactly one
question on air.

Each row of the table prepares, for each role, a fresh question in the state
the action needs (through the app's own ``Services``, as staff would), then
sends that role's request over HTTP and records the status; the row passes
only if every cell matches.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from server.actions import Services, build
from server.domain.model import Actor, Dialogue, DialogueStatus, Role
from server.store.connection import Store, connect
from tests.helpers import ServerProcess
from tests.support.staff import PASSWORD, sign_in
from tests.support.store import flush, store_on

pytestmark = pytest.mark.e2e

SLUG = "chuyen-doi-so"
#: A second dialogue whose phase and settings the admin cells change.
PHASED = "doi-thoai-thu-nghiem"
#: A third one for the concurrent "next question" rounds.
RACE = "hai-dao-dien"
ROLES = ("anonymous", "moderator", "producer", "official", "official_other", "admin")
#: The account each role signs in as (anonymous signs in as nobody).
ACCOUNTS = {
    "moderator": frozenset({Role.MODERATOR}),
    "producer": frozenset({Role.PRODUCER}),
    "producer2": frozenset({Role.PRODUCER}),
    "official": frozenset({Role.OFFICIAL}),
    "official2": frozenset({Role.OFFICIAL}),
    "admin": frozenset({Role.ADMIN}),
}
LOGIN_OF = {
    "moderator": "moderator",
    "producer": "producer",
    "official": "official",
    "official_other": "official2",
    "admin": "admin",
}
OFFICIALS = [
    {"id": "o1", "name": "Giám đốc Sở Khoa học và Công nghệ", "title": "Sở KH&CN",
     "username": "official"},
    {"id": "o2", "name": "Giám đốc Trung tâm IOC", "title": "Trung tâm IOC",
     "username": "official2"},
]  # fmt: skip
#: The system's own actor that brings questions to the state a cell needs.
SETUP = Actor("setup", frozenset({Role.ADMIN}), None)
WRONG_TOKEN = "khong-phai-ma-lop-phu-nay-0123456789"


def row(*codes: int) -> dict[str, int]:
    """One expected status per role, in ``ROLES`` order."""
    assert len(codes) == len(ROLES)
    return dict(zip(ROLES, codes, strict=True))


class Client:
    """One role's HTTP client: a browser's cookie, Origin and CSRF token, or none."""

    def __init__(self, http: httpx.AsyncClient, csrf: str | None) -> None:
        self.http = http
        self.csrf = csrf

    async def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> int:
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        response = await self.http.request(method, path, json=body, headers=headers)
        return response.status_code


@dataclass
class World:
    server: ServerProcess
    actions: Services
    store: Store
    dialogue: Dialogue
    phased: Dialogue
    race: Dialogue
    clients: dict[str, Client]
    serial: itertools.count[int] = field(default_factory=itertools.count)

    async def question(self, state: str, dialogue: Dialogue | None = None) -> str:
        """A new question routed to official o1, brought to ``state``; its id."""
        target = dialogue or self.dialogue
        n = next(self.serial)
        submitted = await self.actions.submissions.submit(
            target,
            {"text": f"Câu hỏi thử nghiệm số {n} về chuyển đổi số của Huế?", "name": "Lê Thị Hoa"},
        )
        qid = submitted.question_id
        await self.actions.intake.screen_now(target, [qid])
        steps: list[tuple[str, dict[str, Any]]] = [
            ("approve", {}),
            ("assign", {"official_id": "o1"}),
        ]
        if state in ("queued", "on_air"):
            steps.append(("queue", {}))
        if state == "on_air":
            steps.append(("on_air", {}))
        if state == "deferred":
            steps.append(("defer", {}))
        for action, body in steps:
            await self.actions.moderation.act(target, qid, action, body, SETUP)
        return qid

    async def tracking_code(self) -> str:
        submitted = await self.actions.submissions.submit(
            self.dialogue, {"text": "Câu hỏi để theo dõi bằng mã tra cứu?", "name": "Lê Văn Nam"}
        )
        return submitted.tracking_code

    async def screen_token(self) -> str:
        return await self.actions.broadcast.screen_token(self.dialogue)


async def _sign_in(server: ServerProcess, username: str | None) -> Client:
    if username is None:
        return Client(httpx.AsyncClient(base_url=server.url, headers={"Origin": server.url}), None)
    staff = await sign_in(server.url, username)
    return Client(staff.client, staff.csrf)


@pytest.fixture(scope="module")
async def matrix(server: ServerProcess, redis_server: str) -> AsyncIterator[World]:
    """Three dialogues, the staff accounts, and a signed-in client per role."""
    await asyncio.to_thread(flush, redis_server)
    client = connect(redis_server)
    store = store_on(client)
    actions = build(store)
    common: dict[str, Any] = {
        "topics": [{"id": "kinh-te-so", "name": "Kinh tế số"}],
        "officials": OFFICIALS,
        "localities": ["Phường Thuận Hóa"],
    }
    dialogue = await actions.dialogues.create(
        slug=SLUG, title="Đối thoại trực tuyến về chuyển đổi số", status="live", **common
    )
    phased = await actions.dialogues.create(
        slug=PHASED, title="Đối thoại thử nghiệm các giai đoạn", status="draft", **common
    )
    race = await actions.dialogues.create(
        slug=RACE, title="Hai đạo diễn cùng bấm", status="live", **common
    )
    accounts = actions.accounts
    for username, roles in ACCOUNTS.items():
        places = [d.id for d in (dialogue, phased, race)]
        await accounts.add(username, PASSWORD, roles, dialogues=places)
    logins = {"anonymous": None, **LOGIN_OF, "producer2": "producer2"}
    signed_in = await asyncio.gather(*(_sign_in(server, name) for name in logins.values()))
    clients = dict(zip(logins, signed_in, strict=True))
    yield World(server, actions, store, dialogue, phased, race, clients)
    for c in clients.values():
        await c.http.aclose()
    await client.aclose()


# -- the table ----------------------------------------------------------------

#: A cell: given the world (the same for every role), prepare what the request needs and
#: return (method, path, body).
Request = tuple[str, str, dict[str, Any] | None]
Prepare = Callable[[World], Awaitable[Request]]

ANSWER = {"text": "Sở sẽ trả lời cụ thể trong buổi đối thoại."}
NOTE = {"text": "Đã chuẩn bị số liệu cho câu hỏi này."}


def action(state: str, name: str, body: dict[str, Any]) -> Prepare:
    async def prepare(w: World) -> Request:
        qid = await w.question(state)
        return "POST", f"/api/v1/dialogues/{SLUG}/questions/{qid}/actions/{name}", body

    return prepare


async def next_question(w: World) -> Request:
    await w.question("queued")
    current = await w.store.questions.on_air_id(w.dialogue.id)
    return "POST", f"/api/v1/dialogues/{SLUG}/next", {"then": "defer", "current": current or ""}


def air(op: str) -> Prepare:
    """Skip or take back the question on air (one is put there first)."""

    async def prepare(w: World) -> Request:
        await w.question("queued")
        if op == "skip" or not await w.store.questions.on_air_id(w.dialogue.id):
            await w.question("on_air")
        return "POST", f"/api/v1/dialogues/{SLUG}/air/{op}", {}

    return prepare


async def change_phase(w: World) -> Request:
    phased = await w.actions.dialogues.get(PHASED)
    if phased.status is not DialogueStatus.DRAFT:  # an admin's earlier cell opened it
        await w.actions.dialogues.set_status(phased, "draft")
    return "POST", f"/api/v1/dialogues/{PHASED}/status", {"status": "open"}


async def edit_settings(w: World) -> Request:
    body = {"description": f"Mô tả lần {next(w.serial)}", "topic_officials": {"kinh-te-so": "o1"}}
    return "PATCH", f"/api/v1/dialogues/{PHASED}", body


async def create_dialogue(w: World) -> Request:
    return "POST", "/api/v1/dialogues", {"slug": f"moi-{next(w.serial)}", "title": "Bản nháp mới"}


def get(path: str) -> Prepare:
    async def prepare(w: World) -> Request:
        return "GET", path, None

    return prepare


def post(path: str, body: dict[str, Any] | None = None) -> Prepare:
    async def prepare(w: World) -> Request:
        return "POST", path, body or {}

    return prepare


async def screen_right(w: World) -> Request:
    return "GET", f"/d/{SLUG}/screen?token={await w.screen_token()}", None


async def tracking_page(w: World) -> Request:
    return "GET", f"/t/{await w.tracking_code()}", None


#: Who may take each kind of action (the question is routed to "official").
TRIAGE = row(401, 200, 200, 403, 403, 200)  # moderators and producers
AIR = row(401, 403, 200, 403, 403, 200)  # the producer alone (and admins)
OWN_OFFICIAL = row(401, 403, 403, 200, 403, 200)  # the official it is routed to
STAFF_ONLY = row(401, 403, 403, 403, 403, 200)
EVERYONE = row(200, 200, 200, 200, 200, 200)
NOBODY = row(403, 403, 403, 403, 403, 403)
TABLE: dict[str, tuple[Prepare, dict[str, int]]] = {
    # question actions the broadcast uses
    "assign": (action("approved", "assign", {"official_id": "o2"}), TRIAGE),
    "queue": (action("approved", "queue", {}), TRIAGE),
    "move": (action("queued", "move", {"position": 0}), TRIAGE),
    "dequeue": (action("queued", "dequeue", {}), TRIAGE),
    "on_air": (action("queued", "on_air", {}), AIR),
    "back": (action("on_air", "back", {}), AIR),
    "answer live": (action("on_air", "answer", {}), AIR),
    "ready": (action("queued", "ready", {}), OWN_OFFICIAL),
    "air text": (action("queued", "air_text", {"text": "Chữ ký số?"}), TRIAGE),
    "answer written": (action("deferred", "answer", ANSWER), OWN_OFFICIAL),
    "defer": (action("approved", "defer", {}), row(401, 200, 200, 200, 403, 200)),
    "note": (action("approved", "note", NOTE), row(401, 200, 200, 200, 200, 200)),
    "POST next": (next_question, AIR),
    "POST air/skip": (air("skip"), AIR),
    "POST air/back": (air("back"), AIR),
    "POST overlay": (post(f"/api/v1/dialogues/{SLUG}/overlay", {"visible": True}), AIR),
    "GET wrap-up": (get(f"/api/v1/dialogues/{SLUG}/wrap-up"), AIR),
    "GET dashboard": (get(f"/api/v1/dialogues/{SLUG}/dashboard"), TRIAGE),
    # the admin's API
    "POST status": (change_phase, STAFF_ONLY),
    "PATCH dialogue": (edit_settings, STAFF_ONLY),
    "POST dialogues": (create_dialogue, row(401, 403, 403, 403, 403, 201)),
    "GET settings": (get(f"/api/v1/dialogues/{PHASED}/settings"), STAFF_ONLY),
    "GET screen": (get(f"/api/v1/dialogues/{SLUG}/screen"), row(401, 403, 200, 403, 403, 200)),
    "POST screen/rotate": (post(f"/api/v1/dialogues/{SLUG}/screen/rotate"), STAFF_ONLY),
    # pages (303: to the login page)
    "page console": (get(f"/console/{SLUG}"), row(303, 200, 403, 403, 403, 200)),
    "page producer": (get(f"/console/{SLUG}/producer"), row(303, 403, 200, 403, 403, 200)),
    "page official": (get(f"/console/{SLUG}/official"), row(303, 403, 403, 200, 200, 200)),
    "page wrap-up": (get(f"/console/{SLUG}/wrap-up"), row(303, 403, 200, 403, 403, 200)),
    "page dashboard": (get(f"/console/{SLUG}/dashboard"), row(303, 200, 200, 403, 403, 200)),
    "page admin": (get("/admin"), row(303, 403, 403, 403, 403, 200)),
    "page admin dialogue": (get(f"/admin/{PHASED}"), row(303, 403, 403, 403, 403, 200)),
    "page screen, right token": (screen_right, EVERYONE),
    "page screen, wrong token": (get(f"/d/{SLUG}/screen?token={WRONG_TOKEN}"), NOBODY),
    "page screen, no token": (get(f"/d/{SLUG}/screen"), NOBODY),
    "page archive": (get(f"/d/{SLUG}/archive"), EVERYONE),
    "page report": (get(f"/d/{SLUG}/report"), EVERYONE),
    "page tracking": (tracking_page, EVERYONE),
}  # fmt: skip


@pytest.mark.parametrize("cell", list(TABLE), ids=lambda name: name.replace(" ", "-"))
async def test_role_matrix(matrix: World, cell: str) -> None:
    """Every role gets exactly the status its row of the matrix says."""
    prepare, expected = TABLE[cell]
    actual = {}
    for role in ROLES:
        method, path, body = await prepare(matrix)
        actual[role] = await matrix.clients[role].send(method, path, body)
    assert actual == expected, f"{cell}: got {actual}"


async def test_rotated_overlay_token_stops_working(matrix: World) -> None:
    """After the admin rotates the overlay token the old URL is refused and the new one opens."""
    producer, admin = matrix.clients["producer"], matrix.clients["admin"]
    viewer = matrix.clients["anonymous"].http
    screen = f"/api/v1/dialogues/{SLUG}/screen"

    async def overlay(token: str) -> int:
        response = await viewer.get(f"/d/{SLUG}/screen", params={"token": token})
        return response.status_code

    old = (await producer.http.get(screen)).json()
    assert old["url"].endswith(f"/d/{SLUG}/screen?token={old['token']}")
    assert await overlay(old["token"]) == 200

    rotated = await admin.http.post(f"{screen}/rotate", headers={"X-CSRF-Token": admin.csrf or ""})
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["token"] != old["token"] and len(new["token"]) >= 24
    assert (await producer.http.get(screen)).json() == new
    assert await overlay(old["token"]) == 403
    assert await overlay(new["token"]) == 200


ROUNDS = 30


async def test_two_producers_pressing_next_put_one_question_on_air(matrix: World) -> None:
    """Two producers pressing "next" at once: one 200, one 409, one question on air; 30 rounds."""
    first, second = matrix.clients["producer"], matrix.clients["producer2"]
    base = f"/api/v1/dialogues/{RACE}"

    async def on_air() -> list[dict[str, Any]]:
        response = await first.http.get(f"{base}/questions", params={"status": "on_air"})
        assert response.status_code == 200
        return list(response.json()["items"])

    async def press(client: Client, then: str, current: str) -> httpx.Response:
        return await client.http.post(
            f"{base}/next",
            json={"then": then, "current": current},
            headers={"X-CSRF-Token": client.csrf or ""},
        )

    for _ in range(2):
        await matrix.question("queued", matrix.race)
    assert (await press(first, "answered", "")).status_code == 200
    for n in range(ROUNDS):
        queued = await first.http.get(f"{base}/questions", params={"status": "queued"})
        for _ in range(max(0, 2 - len(queued.json()["items"]))):
            await matrix.question("queued", matrix.race)
        (current,) = await on_air()
        # One producer would mark the current question answered, the other defer it.
        a, b = await asyncio.gather(
            press(first, "answered", current["id"]), press(second, "defer", current["id"])
        )
        codes = sorted((a.status_code, b.status_code))
        assert codes == [200, 409], f"round {n}: {a.text} / {b.text}"
        winner, loser = (a, b) if a.status_code == 200 else (b, a)
        assert loser.json()["error"]["code"] == "conflict"
        now = await on_air()
        on_air_now = winner.json()["on_air"]
        assert [q["id"] for q in now] == [on_air_now["id"]], f"round {n}: on air {now}"
        assert on_air_now["status"] == "on_air" and winner.json()["change"]["id"]
