"""The access matrix (issues 6 and 10): every HTTP route and every WebSocket
of the app, sent by each kind of visitor, gets the expected status, and no
body carries what that visitor may not see.

Visitors: ``anonymous``; ``citizen`` (anonymous, but with their own tracking
code in the path, where everyone else has a code that is not theirs); the
seeded dialogue's ``official``, ``producer``, ``moderator`` and ``manager``
(its admin), and ``admin`` (of the system), signed in with a browser's
cookie, Origin and CSRF token; ``disabled``, a former administrator whose
session was opened before the account was disabled; and ``outsider``: a
member of each role (moderator, producer, official, admin) of another
dialogue only, each of whom must get the column's status.

``ROWS`` is the table. ``test_every_route_has_a_row`` reads the routes from
the app's router (routes.py): a route added without a row fails it, and so
does a row for a route that is gone. Each row is one request template; its
cells run one real request each against one real server on real Redis.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from server.actions import Services
from server.domain.model import Role
from server.web.widget import script_url
from tests.helpers import ServerProcess
from tests.support.questions import question_ids, submit
from tests.support.staff import StaffClient
from tests.support.store import with_actions
from tests.web.seed import PASSWORD, SLUG

from . import leaks
from .people import DISABLED, MANAGER, OTHER_SLUG, OUTSIDERS, create_token, disable
from .routes import WS, app_routes

pytestmark = pytest.mark.e2e

ROLES = (
    "anonymous",
    "citizen",
    "official",
    "producer",
    "moderator",
    "manager",
    "admin",
    "disabled",
    "outsider",
)
#: The accounts each signed-in column sends its requests as.
ACCOUNTS = {
    "official": ("official",),
    "producer": ("producer",),
    "moderator": ("moderator",),
    "manager": (MANAGER,),
    "admin": ("admin",),
    "disabled": (DISABLED,),
    "outsider": tuple(OUTSIDERS),
}
#: Who may see what: contact data only the dialogue's moderators (and its
#: admins); the overlay token only the staff who run the broadcast; a
#: tracking code only the citizen who holds it: no staff payload carries one.
CONTACT_ROLES = frozenset({"moderator", "manager", "admin"})
SCREEN_ROLES = frozenset({"producer", "manager", "admin"})

DRAFT = "nhap"  # tests/web/seed.py's draft dialogue
PHASED = "ma-tran-pha"  # a draft the admin row moves to "open"
#: A well-formed tracking code that is nobody's.
NOT_THEIRS = "0000-00000-00000"
PHONE, EMAIL = "0912 345 678", "nguoi.hoi+matran@example.vn"
PHONE2, EMAIL2 = "0987 654 321", "cong.dan+matran@example.vn"
QUESTION = {"text": "Xin hỏi thủ tục cấp chữ ký số cho người dân?", "name": "Lê Thị Hoa"}
HOTLINE = {**QUESTION, "channel": "hotline"}
LOGIN = {"username": "moderator", "password": PASSWORD}

# Columns: anonymous, citizen, official, producer, moderator, manager,
# admin, disabled, outsider.
EVERYONE = (200,) * 9
STAFF_ONLY = (401, 401, 200, 200, 200, 200, 200, 401, 403)
MANAGERS = (401, 401, 403, 403, 403, 200, 200, 401, 403)
SYSTEM_ADMIN = (401, 401, 403, 403, 403, 403, 200, 401, 403)
PAGE_SYSTEM_ADMIN = (303, 303, 403, 403, 403, 403, 200, 303, 403)
CITIZEN_ONLY = (404, 200, 404, 404, 404, 404, 404, 404, 404)
#: A draft is seen by its members only: here, nobody but the system's admin.
ADMIN_SEES_DRAFT = (404, 404, 404, 404, 404, 404, 200, 404, 404)


@dataclass
class World:
    server: ServerProcess
    redis_url: str
    #: Every signed-in account, by username.
    staff: dict[str, StaffClient]
    disabled_token: str
    public_id: str
    citizen_code: str
    pending: list[str]
    http: httpx.Client
    #: label -> (value, the columns or accounts that may see it in a body)
    secrets: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)

    def params(self, role: str, account: str | None) -> dict[str, str]:
        """The values a row's placeholders take for ``role`` sent as ``account``."""
        member = self.staff.get(account or "")
        return {
            "slug": SLUG,
            "id": self.public_id,
            "code": self.citizen_code if role == "citizen" else NOT_THEIRS,
            "action": "note",
            "digest": script_url().removeprefix("/widget.").removesuffix(".js"),
            "path": "common.js",
            "csrf": member.csrf if member else "",
            "voter": f"matrix-voter-{account or role}",
            "username": DISABLED,
        }


# -- per-cell preparation -----------------------------------------------------------


def fresh_pending(world: World, role: str) -> dict[str, str]:
    """A question of its own, pending, for a cell that approves."""
    return {"id": world.pending.pop()}


def fresh_queue(world: World, role: str) -> dict[str, str]:
    """A question at the head of an otherwise empty on-air queue."""
    moderator = world.staff["moderator"]
    for queued in moderator.questions(SLUG, "queued"):
        moderator.act(SLUG, queued["id"], "dequeue")
    qid = world.pending.pop()
    moderator.act(SLUG, qid, "approve")
    moderator.act(SLUG, qid, "queue")
    return {}


def fresh_air(world: World, role: str) -> dict[str, str]:
    """A question on air (put there by the producer), for a cell that takes it back."""
    fresh_queue(world, role)
    producer = world.staff["producer"]
    response = producer.post(f"/api/v1/dialogues/{SLUG}/next", {"then": "defer"})
    assert response.status_code == 200, response.text
    return {}


def fresh_routed(world: World, role: str) -> dict[str, str]:
    """A queued question routed to the seeded official (``o1``): the official
    may say they are ready to answer it, but may not put it on air."""
    moderator = world.staff["moderator"]
    qid = world.pending.pop()
    moderator.act(SLUG, qid, "approve")
    moderator.act(SLUG, qid, "assign", official_id="o1")
    moderator.act(SLUG, qid, "queue")
    return {"id": qid}


def screen_token(world: World, role: str) -> dict[str, str]:
    response = world.staff["producer"].client.get(f"/api/v1/dialogues/{SLUG}/screen")
    token = str(response.json()["token"])
    world.secrets["overlay token"] = (token, SCREEN_ROLES)
    return {"screen": token}


Prepare = Callable[[World, str], dict[str, str]]


@dataclass(frozen=True)
class Row:
    method: str
    route: str
    expect: dict[str, int]
    query: str = ""
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    params: dict[str, str] = field(default_factory=dict)
    prepare: Prepare | None = None
    #: The cell signs out: give it a session of its own.
    fresh_session: bool = False
    #: A known bug: why the row fails today (it runs as a strict xfail).
    bug: str = ""

    @property
    def id(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.params.items())
        query = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.route}{query}" + (f" [{extra}]" if extra else "")


def row(method: str, route: str, codes: tuple[int, ...], **options: Any) -> Row:
    """One request, and the status each of ``ROLES`` must get, in that order."""
    assert len(codes) == len(ROLES), route
    return Row(method, route, dict(zip(ROLES, codes, strict=True)), **options)


#: The table. Codes are in ``ROLES`` order: anonymous, citizen, official,
#: producer, moderator, manager, admin, disabled, outsider.
# fmt: off
ROWS = [
    # -- meta and the public API
    row("GET", "/healthz", EVERYONE),
    row("GET", "/readyz", EVERYONE),
    # From this machine, through no proxy: the tests' own (web/observe.py).
    row("GET", "/metrics", EVERYONE),
    row("GET", "/api/v1/openapi.json", EVERYONE),
    row("GET", "/api/v1/dialogues", EVERYONE),
    row("GET", "/api/v1/dialogues/{slug}", EVERYONE),
    row("GET", "/api/v1/dialogues/{slug}/feed", EVERYONE),
    # A draft is not public yet: its page and archive are 404 to the public;
    # its settings and feed must not be readable by slug either, and only its
    # own staff (here: none but the system's admin) see it.
    row("GET", "/api/v1/dialogues/{slug}", ADMIN_SEES_DRAFT, params={"slug": DRAFT}),
    row("GET", "/api/v1/dialogues/{slug}/feed", ADMIN_SEES_DRAFT, params={"slug": DRAFT}),
    row("GET", "/api/v1/dialogues/{slug}/challenge", EVERYONE),
    row("GET", "/api/v1/dialogues/{slug}/archive", EVERYONE),
    row("GET", "/api/v1/dialogues/{slug}/archive", (404,) * 9, params={"slug": DRAFT}),
    row("POST", "/api/v1/dialogues/{slug}/questions", (202,) * 9, json=QUESTION),
    # A staff entry (with a channel) needs a member of the dialogue; anyone
    # else's is a citizen's submission naming a staff channel: invalid.
    row("POST", "/api/v1/dialogues/{slug}/questions",
        (400, 400, 202, 202, 202, 202, 202, 400, 403), json=HOTLINE),
    row("POST", "/api/v1/dialogues/{slug}/questions/{id}/votes", EVERYONE,
        json={"voter": "{voter}"}),
    row("GET", "/api/v1/tracking/{code}", CITIZEN_ONLY),
    row("DELETE", "/api/v1/tracking/{code}/contact",
        (404, 204, 404, 404, 404, 404, 404, 404, 404)),
    # -- sessions and the staff API
    row("POST", "/api/v1/session", EVERYONE, json=LOGIN),
    row("GET", "/api/v1/session", (401, 401, 200, 200, 200, 200, 200, 401, 200)),
    row("DELETE", "/api/v1/session", (401, 401, 204, 204, 204, 204, 204, 401, 204),
        fresh_session=True),
    row("GET", "/api/v1/dialogues/{slug}/questions", STAFF_ONLY),
    row("GET", "/api/v1/dialogues/{slug}/history", STAFF_ONLY),
    row("GET", "/api/v1/dialogues/{slug}/questions/{id}", STAFF_ONLY),
    row("POST", "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}", STAFF_ONLY,
        json={"text": "Ghi chú của bảng phân quyền."}),
    row("POST", "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}",
        (401, 401, 403, 403, 200, 200, 200, 401, 403), params={"action": "approve"},
        prepare=fresh_pending),
    row("POST", "/api/v1/dialogues/{slug}/next", (401, 401, 403, 200, 403, 200, 200, 401, 403),
        json={}, prepare=fresh_queue),
    # The air is the producer's alone: no official action changes it.
    row("POST", "/api/v1/dialogues/{slug}/air/{op}", (401, 401, 403, 200, 403, 200, 200, 401, 403),
        params={"op": "back"}, json={}, prepare=fresh_air),
    row("POST", "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}",
        (401, 401, 403, 200, 403, 200, 200, 401, 403), params={"action": "on_air"},
        prepare=fresh_routed),
    row("POST", "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}",
        (401, 401, 200, 403, 403, 200, 200, 401, 403), params={"action": "ready"},
        prepare=fresh_routed),
    row("POST", "/api/v1/dialogues/{slug}/overlay", (401, 401, 403, 200, 403, 200, 200, 401, 403),
        json={"visible": True}),
    row("GET", "/api/v1/dialogues/{slug}/wrap-up", (401, 401, 403, 200, 403, 200, 200, 401, 403)),
    row("GET", "/api/v1/dialogues/{slug}/screen", (401, 401, 403, 200, 403, 200, 200, 401, 403)),
    # Bulk moderation answers 200 to any staff member of the dialogue, with
    # each question's own outcome inside (an official's and a producer's are
    # refusals).
    row("POST", "/api/v1/dialogues/{slug}/questions/bulk", STAFF_ONLY,
        json={"action": "approve", "ids": ["{id}"]}, prepare=fresh_pending),
    row("POST", "/api/v1/dialogues/{slug}/questions/{id}/handling",
        (401, 401, 403, 403, 200, 200, 200, 401, 403)),
    row("DELETE", "/api/v1/dialogues/{slug}/questions/{id}/handling",
        (401, 401, 403, 403, 204, 204, 204, 401, 403)),
    row("GET", "/api/v1/dialogues/{slug}/audit", (401, 401, 403, 403, 200, 200, 200, 401, 403)),
    row("GET", "/api/v1/dialogues/{slug}/export", (401, 401, 403, 403, 200, 200, 200, 401, 403)),
    row("GET", "/api/v1/dialogues/{slug}/export", (401, 401, 403, 403, 200, 200, 200, 401, 403),
        query="format=json&contact=true"),
    row("GET", "/api/v1/dialogues/{slug}/report", STAFF_ONLY),
    row("GET", "/api/v1/dialogues/{slug}/dashboard", (401, 401, 403, 200, 200, 200, 200, 401, 403)),
    # -- the admin API: dialogues are made by the system's admins, managed by
    # their own admins; accounts are the system's admins' alone
    row("POST", "/api/v1/dialogues", (401, 401, 403, 403, 403, 403, 201, 401, 403),
        json={"slug": "ma-tran-moi", "title": "Đối thoại mới của bảng phân quyền"}),
    row("PATCH", "/api/v1/dialogues/{slug}", MANAGERS,
        json={"description": "Lãnh đạo thành phố trả lời câu hỏi của người dân."}),
    row("GET", "/api/v1/dialogues/{slug}/settings", MANAGERS),
    # The draft is for its members only (404 to the others) until the admin's
    # cell opens it; the outsiders' cells come after that (403).
    row("POST", "/api/v1/dialogues/{slug}/status", (401, 401, 404, 404, 404, 404, 200, 401, 403),
        params={"slug": PHASED}, json={"status": "open"}),
    row("GET", "/api/v1/users", SYSTEM_ADMIN),
    row("POST", "/api/v1/users", (401, 401, 403, 403, 403, 403, 201, 401, 403),
        json={"username": "nhan-vien-ma-tran", "password": "mat-khau-du-dai-123",
              "memberships": {SLUG: ["moderator"]}}),
    row("PATCH", "/api/v1/users/{username}", SYSTEM_ADMIN,
        json={"display_name": "Quản trị viên cũ"}),
    # -- the feeds
    row(WS, "/ws/v1/dialogues/{slug}/feed", (101,) * 9),
    row(WS, "/ws/v1/dialogues/{slug}/feed", (403, 403, 403, 403, 403, 403, 101, 403, 403),
        params={"slug": DRAFT}),
    row(WS, "/ws/v1/dialogues/{slug}/console", (403, 403, 101, 101, 101, 101, 101, 403, 403)),
    # -- pages (anonymous visitors of staff pages are sent to the login page)
    row("GET", "/", EVERYONE),
    row("GET", "/login", EVERYONE),
    row("POST", "/login", (303,) * 9, form=LOGIN),
    row("POST", "/logout", (303,) * 9, form={"csrf_token": "{csrf}"}, fresh_session=True),
    row("GET", "/console/{slug}", (303, 303, 403, 403, 200, 200, 200, 303, 403)),
    row("GET", "/console/{slug}/producer", (303, 303, 403, 200, 403, 200, 200, 303, 403)),
    row("GET", "/console/{slug}/official", (303, 303, 200, 403, 403, 200, 200, 303, 403)),
    row("GET", "/console/{slug}/wrap-up", (303, 303, 403, 200, 403, 200, 200, 303, 403)),
    row("GET", "/admin", PAGE_SYSTEM_ADMIN),
    row("GET", "/admin/{slug}", (303, 303, 403, 403, 403, 200, 200, 303, 403)),
    row("GET", "/admin/users", PAGE_SYSTEM_ADMIN),
    row("GET", "/console/{slug}/audit", (303, 303, 403, 403, 200, 200, 200, 303, 403)),
    row("GET", "/console/{slug}/dashboard", (303, 303, 403, 200, 200, 200, 200, 303, 403)),
    row("GET", "/d/{slug}", EVERYONE),
    row("GET", "/d/{slug}", ADMIN_SEES_DRAFT, params={"slug": DRAFT}),
    row("GET", "/d/{slug}/archive", EVERYONE),
    row("GET", "/d/{slug}/report", EVERYONE),
    row("GET", "/d/{slug}/report", (404,) * 9, params={"slug": DRAFT}),
    row("GET", "/d/{slug}/qr.svg", EVERYONE),
    row("GET", "/d/{slug}/qr.svg", ADMIN_SEES_DRAFT, params={"slug": DRAFT}),
    row("GET", "/d/{slug}/screen", (403,) * 9),  # without the overlay token
    row("GET", "/d/{slug}/screen", EVERYONE, query="token={screen}", prepare=screen_token),
    # The presenter view: staff who may see the dialogue, or a screen on set
    # with the overlay's token (a wrong one: 403, whoever asks).
    row("GET", "/console/{slug}/presenter", (303, 303, 200, 200, 200, 200, 200, 303, 403)),
    row("GET", "/console/{slug}/presenter", EVERYONE, query="token={screen}",
        prepare=screen_token),
    row("GET", "/console/{slug}/presenter", (403,) * 9, query="token=sai"),
    row("GET", "/t", EVERYONE),
    # The lookup form posts the code (never in a URL) and is sent to its page.
    row("POST", "/t", (303,) * 9, form={"code": "{code}"}),
    row("GET", "/t/{code}", CITIZEN_ONLY),
    row("POST", "/t/{code}/contact", (404, 303, 404, 404, 404, 404, 404, 404, 404), form={}),
    # -- the widget and static files
    row("GET", "/widget.js", EVERYONE),
    row("GET", "/favicon.ico", EVERYONE),
    row("GET", "/widget.{digest}.js", EVERYONE),
    row("GET", "/widget/check/{slug}", EVERYONE),
    row("GET", "/static/{path}", EVERYONE),
    # last: it changes the overlay token the screen rows use
    row("POST", "/api/v1/dialogues/{slug}/screen/rotate", MANAGERS),
    # after everything: it ends the broadcast (a closed one may be wrapped up again)
    row("POST", "/api/v1/dialogues/{slug}/wrap-up", (401, 401, 403, 200, 403, 200, 200, 401, 403),
        json={}),
]
# fmt: on


def test_every_route_has_a_row() -> None:
    """Every route and WebSocket of the app has a row in the matrix, and every row a route."""
    in_app = app_routes()
    in_table = {(r.method, r.route) for r in ROWS}
    missing = sorted(in_app - in_table)
    assert not missing, "routes without a row in the access matrix (add one):\n" + "\n".join(
        f"  {m} {p}" for m, p in missing
    )
    assert not in_table - in_app, f"rows for routes the app no longer has: {in_table - in_app}"


# -- the world the table runs in ---------------------------------------------------


def _secret_key(server: ServerProcess) -> str:
    return (server.workdir / "var" / "secret_key").read_text().strip()


@pytest.fixture(scope="module")
def world(site: ServerProcess, redis_server: str) -> Iterator[World]:
    url = site.url
    staff = {name: StaffClient(url, name) for names in ACCOUNTS.values() for name in names}
    token = create_token(redis_server, DISABLED, Role.ADMIN)
    disable(redis_server, DISABLED)
    moderator = staff["moderator"]
    contact: dict[str, Any] = {"contact": {"phone": PHONE, "email": EMAIL}, "consent": True}
    public_code = submit(url, SLUG, **QUESTION, **contact)
    citizen_code = submit(
        url, SLUG, **{**QUESTION, "text": "Câu hỏi của chính người dân này?"},
        contact={"phone": PHONE2, "email": EMAIL2}, consent=True,
    )  # fmt: skip
    # One per cell that uses one up: (the approve and bulk rows, the next and
    # air rows' queue, the two routed rows) x (every column's accounts).
    spares = 6 * (len(ROLES) + len(OUTSIDERS))
    pool = [
        submit(url, SLUG, **{**QUESTION, "text": f"Câu hỏi dự phòng số {n}?"})
        for n in range(spares)
    ]
    ids = question_ids(site.env["REDIS_URL"], [public_code, citizen_code, *pool])
    moderator.act(SLUG, ids[public_code], "approve")
    admin = staff["admin"]
    created = admin.post("/api/v1/dialogues", {"slug": PHASED, "title": "Đối thoại chưa mở"})
    assert created.status_code == 201, created.text
    nobody: frozenset[str] = frozenset()
    secrets: dict[str, tuple[str, frozenset[str]]] = {
        "password": (PASSWORD, nobody),
        "secret key": (_secret_key(site), nobody),
        "disabled account's API token": (token, nobody),
        "email": (EMAIL, CONTACT_ROLES),
        "citizen's email": (EMAIL2, CONTACT_ROLES),
        "tracking code of another asker": (public_code, nobody),
        "citizen's tracking code": (citizen_code, frozenset({"citizen"})),
    }
    for label, value in leaks.phone_forms(PHONE).items():
        secrets[f"phone {label}"] = (value, CONTACT_ROLES)
    for label, value in leaks.phone_forms(PHONE2).items():
        secrets[f"citizen's phone {label}"] = (value, CONTACT_ROLES)
    for name, member in staff.items():
        secrets[f"session of {name}"] = (member.session, nobody)
        secrets[f"CSRF token of {name}"] = (member.csrf, frozenset({name}))
    built = World(
        site, redis_server, staff, token, ids[public_code], citizen_code,
        [ids[c] for c in pool], httpx.Client(base_url=url, timeout=20), secrets,
    )  # fmt: skip
    try:
        yield built
    finally:
        built.http.close()
        for member in staff.values():
            member.close()


# -- one cell --------------------------------------------------------------------


def _fill(value: Any, params: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**params)
    if isinstance(value, dict):
        return {k: _fill(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, params) for v in value]
    return value


def _fresh_session(world: World, account: str) -> tuple[str, str]:
    """A new session (id, CSRF token) for ``account``, opened as a login opens one."""

    async def work(actions: Services) -> tuple[str, str]:
        accounts = actions.accounts
        session_id, identity = await accounts.open_session(await accounts.user(account))
        return session_id, identity.csrf_token or ""

    return with_actions(world.redis_url, work)


def send(world: World, r: Row, role: str, account: str | None = None) -> tuple[int, str, str]:
    """Send ``r`` as ``role`` (signed in as ``account``): (status, body, the URL it went to)."""
    params = world.params(role, account) | r.params
    if r.prepare is not None:
        params |= r.prepare(world, role)
    member = world.staff.get(account or "")
    session = member.session if member else None
    if member and account and r.fresh_session and role != "disabled":
        session, params["csrf"] = _fresh_session(world, account)
    path = r.route.format(**params) + (f"?{r.query.format(**params)}" if r.query else "")
    headers = {"Origin": world.server.url}
    if session:
        headers["Cookie"] = f"doithoai_session={session}"
    if r.method == WS:
        return _open_socket(world, path, headers)
    if member and r.method != "GET":
        headers["X-CSRF-Token"] = params["csrf"]
    client = world.http
    client.cookies.clear()  # only the cell's own credentials, never a cookie a cell was given
    response = client.request(
        r.method,
        path,
        headers=headers,
        json=_fill(r.json, params) if r.json is not None else None,
        data=_fill(r.form, params) if r.form is not None else None,
    )
    return response.status_code, response.text, path


def _open_socket(world: World, path: str, headers: dict[str, str]) -> tuple[int, str, str]:
    """101 and the first message (the snapshot), or the refusal's status and body."""
    url = world.server.url.replace("http://", "ws://") + path
    origin = Origin(headers.pop("Origin"))
    try:
        with connect(url, origin=origin, additional_headers=headers, open_timeout=20) as ws:
            first = ws.recv(timeout=20)
    except InvalidStatus as refused:
        return refused.response.status_code, refused.response.body.decode(errors="replace"), path
    return 101, str(first), path


# -- the matrix -------------------------------------------------------------------


def _leaked(world: World, role: str, account: str | None, body: str, url: str) -> list[str]:
    """What ``body`` holds that ``role`` (as ``account``) may not see (a
    secret in the URL it asked for is the caller's own, as the overlay token
    or a tracking code)."""
    forbidden = {
        label: value
        for label, (value, allowed) in world.secrets.items()
        if role not in allowed and account not in allowed and value not in url
    }
    return leaks.found(body, forbidden)


def _cases() -> list[Any]:
    return [
        pytest.param(r, id=r.id, marks=[pytest.mark.xfail(strict=True, reason=r.bug)] * bool(r.bug))
        for r in ROWS
    ]


@pytest.mark.parametrize("r", _cases())
def test_access_matrix(world: World, r: Row) -> None:
    """Each visitor gets the row's status, and no body carries what they may not see."""
    wrong = []
    for role in ROLES:
        for account in ACCOUNTS.get(role, (None,)):
            status, body, url = send(world, r, role, account)
            who = f"{role} ({account})" if account and account != role else role
            if status != r.expect[role]:
                wrong.append(f"  {who:<26} expected {r.expect[role]}, got {status}: {body[:300]!r}")
            for leak in _leaked(world, role, account, body, url):
                wrong.append(f"  {who:<26} body holds the {leak}")
    assert not wrong, f"{r.id}:\n" + "\n".join(wrong)


def test_the_leak_check_sees_contact_data(world: World) -> None:
    """Positive control: a moderator's view of the question does show its
    contact data, so the matrix's leak check is not passing vacuously."""
    staff_view = next(r for r in ROWS if r.route.endswith("/questions/{id}"))
    status, body, _ = send(world, staff_view, "moderator", "moderator")
    assert status == 200
    assert json.loads(body)["contact"] == {"phone": "+84912345678", "email": EMAIL}
    assert leaks.found(body, {"email": EMAIL, **leaks.phone_forms(PHONE)}) == ["email", "as stored"]


def test_a_disabled_accounts_api_token_opens_nothing(world: World) -> None:
    """The disabled admin's API token, made while the account was enabled,
    gets what an anonymous visitor gets, on every staff API route."""
    wrong = []
    client = world.http
    client.cookies.clear()
    for r in ROWS:
        if not r.route.startswith("/api/v1/") or r.prepare or r.expect["anonymous"] != 401:
            continue
        params = world.params("anonymous", None) | r.params
        path = r.route.format(**params) + (f"?{r.query.format(**params)}" if r.query else "")
        response = client.request(
            r.method,
            path,
            headers={"Authorization": f"Bearer {world.disabled_token}"},
            json=_fill(r.json, params) if r.json is not None else None,
        )
        if response.status_code != 401:
            wrong.append(f"{r.id}: {response.status_code} {response.text[:200]}")
    assert not wrong, "\n".join(wrong)


def test_outsiders_work_in_their_own_dialogue(world: World) -> None:
    """Control: the outsiders refused everywhere in the seeded dialogue do
    their work in their own one, so the refusals are about membership."""
    other = f"/api/v1/dialogues/{OTHER_SLUG}"
    moderator, producer = world.staff["khac-moderator"], world.staff["khac-producer"]
    official, manager = world.staff["khac-official"], world.staff["khac-quan-ly"]
    assert moderator.client.get(f"{other}/questions").status_code == 200
    assert moderator.client.get(f"{other}/audit").status_code == 200
    assert producer.client.get(f"{other}/screen").status_code == 200
    assert official.client.get(f"/console/{OTHER_SLUG}/official").status_code == 200
    assert manager.client.get(f"{other}/settings").status_code == 200
    for member in (moderator, producer, official, manager):
        assert member.client.get(f"{other}/questions").status_code == 200
        assert member.client.get(f"/api/v1/dialogues/{SLUG}/questions").status_code == 403
