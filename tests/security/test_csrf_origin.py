"""Cross-site requests (issue 6): a staff WebSocket opened by a foreign page
with the staff member's cookie is refused; every cookie-authenticated unsafe
request needs the session's CSRF token and the app's own Origin; a forged
X-Forwarded-For from a peer that is not a trusted proxy changes no limit key.

``UNSAFE`` names every unsafe route of the app (read from its router,
routes.py): one added without a row fails ``test_every_unsafe_route_has_a_row``.
The submission limit's key is proven in tests/e2e/test_proxies.py; here the
login limit's and the WebSocket cap's keys.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.helpers import ServerProcess
from tests.support.questions import question_ids, submit
from tests.support.staff import StaffClient
from tests.web.seed import PASSWORD, SLUG

from .conftest import seeded_server
from .people import DISABLED
from .routes import app_routes, unsafe

pytestmark = pytest.mark.e2e

FOREIGN = "http://evil.example"
QUESTION = {"text": "Xin hỏi về dịch vụ công trực tuyến mức độ 4?", "name": "Phạm Văn Nam"}


# -- X-Forwarded-For from an untrusted peer (first: these tests empty Redis and
# start servers of their own, before this module's ``site`` is made) ---------------


def _failed_logins(server: ServerProcess, forwarded: list[str]) -> list[int]:
    """Wrong passwords for different (unknown) accounts, each with its own X-Forwarded-For."""
    with httpx.Client(base_url=server.url, timeout=20) as client:
        return [
            client.post(
                "/api/v1/session",
                json={"username": f"khong-ton-tai-{n}", "password": "mat-khau-sai"},
                headers={"X-Forwarded-For": hop},
            ).status_code
            for n, hop in enumerate(forwarded)
        ]


def _feeds(server: ServerProcess, forwarded: list[str]) -> list[int]:
    """Open public feed sockets at once, each with its own X-Forwarded-For; their statuses."""
    url = server.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/feed"
    statuses = []
    with contextlib.ExitStack() as open_:
        for hop in forwarded:
            try:
                ws = open_.enter_context(
                    connect(url, additional_headers={"X-Forwarded-For": hop}, open_timeout=20)
                )
            except InvalidStatus as refused:
                statuses.append(refused.response.status_code)
                continue
            ws.recv(timeout=20)  # the snapshot: the socket is counted and served
            statuses.append(101)
    return statuses


LIMITS = {"DOITHOAI_LOGIN_LIMIT": "2/minute", "DOITHOAI_WS_PER_ADDRESS": "2"}
HOPS = ["1.1.1.1", "2.2.2.2", "3.3.3.3"]


def test_forged_forwarded_for_does_not_change_the_login_or_socket_keys(redis_server: str) -> None:
    """From a peer that is not a trusted proxy, three different
    X-Forwarded-For values share the login limit's address bucket and the
    WebSocket cap's count (the submission limit: tests/e2e/test_proxies.py)."""
    with seeded_server(redis_server, LIMITS) as server:
        assert _failed_logins(server, HOPS) == [401, 401, 429]
        assert _feeds(server, HOPS) == [101, 101, 403]


def test_a_trusted_proxys_forwarded_for_does_change_them(redis_server: str) -> None:
    """Control: behind a trusted proxy the same requests count per client."""
    env = {**LIMITS, "DOITHOAI_TRUSTED_PROXIES": "127.0.0.0/8"}
    with seeded_server(redis_server, env) as server:
        assert _failed_logins(server, HOPS) == [401, 401, 401]
        assert _feeds(server, HOPS) == [101, 101, 101]


# -- cross-site WebSocket hijacking ---------------------------------------------------


def _console(server: ServerProcess, origin: str | None, cookie: str) -> int:
    """The status of a console handshake with ``origin`` and the session ``cookie``."""
    url = server.url.replace("http://", "ws://") + f"/ws/v1/dialogues/{SLUG}/console"
    try:
        with connect(
            url,
            origin=Origin(origin) if origin else None,
            additional_headers={"Cookie": f"doithoai_session={cookie}"},
            open_timeout=20,
        ) as ws:
            assert '"type":"snapshot"' in str(ws.recv(timeout=20))
    except InvalidStatus as refused:
        return refused.response.status_code
    return 101


def test_staff_websocket_refuses_foreign_origins(site: ServerProcess, admin: StaffClient) -> None:
    """The admin's valid cookie opens the console feed from the app's own
    origin only: a foreign page, an opaque origin, a look-alike host, another
    port or scheme, or no Origin at all gets 403 at the handshake."""
    host = site.url.removeprefix("http://")
    refused = [
        FOREIGN,
        "null",
        f"http://{host}.evil.example",
        f"http://evil.example/{host}",
        f"https://{host}",
        f"http://{host.rsplit(':', 1)[0]}:1",
        None,
    ]
    got = {origin: _console(site, origin, admin.session) for origin in refused}
    assert got == dict.fromkeys(refused, 403)
    assert _console(site, site.url, admin.session) == 101  # the same cookie, from the app itself


# -- CSRF and Origin on unsafe requests ------------------------------------------------

#: How a row's route is protected against cross-site requests.
CSRF = "cookie + CSRF token + Origin"
ORIGIN = "Origin only (no session yet, or the tracking code is the key)"
PUBLIC = "public: the cookie gives it nothing"

Prepare = Callable[["Ctx"], None]


@dataclass
class Ctx:
    server: ServerProcess
    admin: StaffClient
    ids: list[str]
    code: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Unsafe:
    method: str
    route: str
    kind: str
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    #: Run before the request that must succeed (it needs some state).
    prepare: Prepare | None = None
    #: The request ends the session it carries: use a session of its own.
    own_session: bool = False


def _pending(ctx: Ctx) -> None:
    ctx.params["id"] = ctx.ids.pop()


def _queued(ctx: Ctx) -> None:
    qid = ctx.ids.pop()
    ctx.admin.act(SLUG, qid, "approve")
    ctx.admin.act(SLUG, qid, "queue")


def _on_air(ctx: Ctx) -> None:
    _queued(ctx)
    response = ctx.admin.post(f"/api/v1/dialogues/{SLUG}/next", {"then": "defer"})
    assert response.status_code == 200, response.text


NOTE = {"text": "Ghi chú thử chống giả mạo."}
# fmt: off
UNSAFE = [
    Unsafe("POST", "/api/v1/dialogues/{slug}/questions/{id}/actions/{action}", CSRF, json=NOTE),
    Unsafe("POST", "/api/v1/dialogues/{slug}/questions/bulk", CSRF,
           json={"action": "approve", "ids": ["{id}"]}, prepare=_pending),
    Unsafe("POST", "/api/v1/dialogues/{slug}/questions/{id}/handling", CSRF),
    Unsafe("DELETE", "/api/v1/dialogues/{slug}/questions/{id}/handling", CSRF),
    Unsafe("POST", "/api/v1/dialogues/{slug}/next", CSRF, json={}, prepare=_queued),
    Unsafe("POST", "/api/v1/dialogues/{slug}/air/{op}", CSRF, json={}, prepare=_on_air),
    Unsafe("POST", "/api/v1/dialogues/{slug}/overlay", CSRF, json={"visible": True}),
    Unsafe("POST", "/api/v1/dialogues/{slug}/screen/rotate", CSRF),
    Unsafe("POST", "/api/v1/dialogues", CSRF,
           json={"slug": "chong-gia-mao", "title": "Đối thoại thử chống giả mạo"}),
    Unsafe("PATCH", "/api/v1/dialogues/{slug}", CSRF, json={"description": "Mô tả mới."}),
    Unsafe("POST", "/api/v1/dialogues/{slug}/status", CSRF, json={"status": "open"}),
    Unsafe("POST", "/api/v1/users", CSRF,
           json={"username": "nhan-vien-csrf", "password": "mat-khau-du-dai-456"}),
    Unsafe("PATCH", "/api/v1/users/{username}", CSRF, json={"display_name": "Tên mới"}),
    Unsafe("DELETE", "/api/v1/session", CSRF, own_session=True),
    Unsafe("POST", "/logout", CSRF, form={"csrf_token": "{csrf}"}, own_session=True),
    # A staff entry (it names a channel) acts with the staff member's authority.
    Unsafe("POST", "/api/v1/dialogues/{slug}/questions", CSRF,
           json={**QUESTION, "channel": "hotline"}),
    Unsafe("POST", "/api/v1/session", ORIGIN, json={"username": "producer", "password": PASSWORD}),
    Unsafe("POST", "/login", ORIGIN, form={"username": "producer", "password": PASSWORD}),
    Unsafe("POST", "/t/{code}/contact", ORIGIN, form={}),
    Unsafe("POST", "/t", ORIGIN, form={"code": "{code}"}),
    Unsafe("POST", "/api/v1/dialogues/{slug}/questions/{id}/votes", PUBLIC,
           json={"voter": "csrf-test-voter"}),
    Unsafe("DELETE", "/api/v1/tracking/{code}/contact", PUBLIC),
    # last: it ends the broadcast (no more votes)
    Unsafe("POST", "/api/v1/dialogues/{slug}/wrap-up", CSRF, json={}),
]
# fmt: on
#: ``/status`` moves this draft to "open" (the seed's draft is left alone).
PHASED = "chong-gia-mao-pha"


def test_every_unsafe_route_has_a_row() -> None:
    """Every POST, PUT, PATCH and DELETE route of the app says how it is protected."""
    in_app = unsafe(app_routes())
    in_table = {(u.method, u.route) for u in UNSAFE}
    assert not in_app - in_table, f"unsafe routes without a row: {sorted(in_app - in_table)}"
    assert not in_table - in_app, f"rows for routes that are gone: {sorted(in_table - in_app)}"


@pytest.fixture(scope="module")
def ctx(site: ServerProcess, admin: StaffClient) -> Ctx:
    codes = [
        submit(site.url, SLUG, **{**QUESTION, "text": f"Câu hỏi thử số {n}?"}) for n in range(6)
    ]
    found = question_ids(site.env["REDIS_URL"], codes)
    ids = [found[c] for c in codes]
    first = ids.pop()
    admin.act(SLUG, first, "approve")
    created = admin.post("/api/v1/dialogues", {"slug": PHASED, "title": "Đối thoại chưa mở"})
    assert created.status_code == 201, created.text
    return Ctx(site, admin, ids, codes[0], {"id": first})


def _send(
    ctx: Ctx, u: Unsafe, *, session: StaffClient | None, csrf: str | None, origin: str | None
) -> httpx.Response:
    params = {
        "slug": PHASED if u.route.endswith("/status") else SLUG,
        "action": "note",
        "op": "back",
        "username": DISABLED,
        "code": ctx.code,
        "csrf": csrf or "",  # a form's token (the logout form) is the header's
        **ctx.params,
    }

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.format(**params)
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    headers = {"Origin": origin} if origin else {}
    if session is not None:
        headers["Cookie"] = f"doithoai_session={session.session}"
    if csrf is not None:
        headers["X-CSRF-Token"] = csrf
    with httpx.Client(base_url=ctx.server.url, timeout=20) as client:
        return client.request(
            u.method,
            u.route.format(**params),
            headers=headers,
            json=fill(u.json) if u.json is not None else None,
            data=fill(u.form) if u.form is not None else None,
        )


def _refusal(response: httpx.Response) -> str | None:
    """None if ``response`` is a 403 refusal, else what it was."""
    return None if response.status_code == 403 else f"{response.status_code} {response.text[:200]}"


@pytest.mark.parametrize("u", UNSAFE, ids=lambda u: f"{u.method} {u.route} ({u.kind.split()[0]})")
def test_cross_site_unsafe_requests_are_refused(ctx: Ctx, u: Unsafe) -> None:
    """A cookie request without the CSRF token, or with the token from a
    foreign Origin, is refused (403) and changes nothing; with both (or, for
    Origin-only routes, from the app's own page) the same request works."""
    own = ctx.server.url
    session = StaffClient(own, "admin") if u.own_session else ctx.admin
    try:
        if u.kind == CSRF:
            assert _refusal(_send(ctx, u, session=session, csrf=None, origin=own)) is None
            assert _refusal(_send(ctx, u, session=session, csrf="sai-ma", origin=own)) is None
            assert (
                _refusal(_send(ctx, u, session=session, csrf=session.csrf, origin=FOREIGN)) is None
            )
            assert (
                _refusal(_send(ctx, u, session=session, csrf=session.csrf, origin="null")) is None
            )
        elif u.kind == ORIGIN:
            assert _refusal(_send(ctx, u, session=None, csrf=None, origin=FOREIGN)) is None
        # else PUBLIC: the admin's cookie, without a token, is no more than no cookie.
        if u.prepare is not None:
            u.prepare(ctx)
        csrf = session.csrf if u.kind == CSRF else None
        response = _send(ctx, u, session=session, csrf=csrf, origin=own)
        assert response.status_code < 400, response.text
    finally:
        if u.own_session:
            session.close()


def test_a_refused_note_changes_nothing(ctx: Ctx) -> None:
    """The question is as it was after a cross-site note: no note, same version."""
    note = UNSAFE[0]
    path = f"/api/v1/dialogues/{SLUG}/questions/{ctx.params['id']}"
    before = ctx.admin.client.get(path).json()
    refused = _send(ctx, note, session=ctx.admin, csrf=None, origin=FOREIGN)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    after = ctx.admin.client.get(path).json()
    assert (after["version"], after["notes"]) == (before["version"], before["notes"])
