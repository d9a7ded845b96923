"""Who is asking: staff sessions and the Origin/CSRF checks on them.

A cookie-authenticated unsafe request must come from the app's own origin
(``Origin``, or ``Sec-Fetch-Site: same-origin``) and carry the session's
``X-CSRF-Token``. Staff WebSocket handshakes must carry an allowed Origin.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from ..actions import Identity
from ..config import Settings
from ..domain import access
from ..domain.access import Permission
from ..domain.addresses import limit_key
from ..domain.model import Actor, Dialogue, DialogueStatus
from ..domain.wording import Refused
from . import context

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The session cookie's name (``__Host-`` before it behind HTTPS), and the
#: header an unsafe request authenticated by it carries the CSRF token in.
SESSION_COOKIE = "doithoai_session"
CSRF_HEADER = "X-CSRF-Token"


def cookie_name(settings: Settings) -> str:
    # __Host- makes the browser refuse the cookie unless Secure, path=/ and no Domain.
    return f"__Host-{SESSION_COOKIE}" if settings.secure_cookies else SESSION_COOKIE


def set_session_cookie(response: Response, settings: Settings, session_id: str) -> None:
    response.set_cookie(
        cookie_name(settings),
        session_id,
        max_age=settings.session_ttl,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


#: How long a browser stays a known device of the account it signed in as
#: (server/domain/devices.py): renewed by each login.
DEVICE_MAX_AGE = 180 * 24 * 3600


def device_cookie_name(settings: Settings) -> str:
    return "__Host-doithoai_device" if settings.secure_cookies else "doithoai_device"


def set_login_cookies(
    response: Response, settings: Settings, session_id: str, device_token: str
) -> None:
    """The session's cookie and the known-device cookie of a successful login."""
    set_session_cookie(response, settings, session_id)
    response.set_cookie(
        device_cookie_name(settings),
        device_token,
        max_age=DEVICE_MAX_AGE,
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        cookie_name(settings),
        path="/",
        secure=settings.secure_cookies,
        httponly=True,
        samesite="strict",
    )


def client_address(conn: HTTPConnection) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy,
    the last address in X-Forwarded-For that is not a trusted proxy (a client
    may put anything at the front of that header; only the proxies' own
    additions at its end can be believed)."""
    peer = conn.client.host if conn.client else "unknown"
    trusted = context.settings(conn).trusted_proxies
    if not trusted or not _within(peer, trusted):
        return peer
    hops = [h.strip() for h in conn.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, trusted):
            return hop if _is_ip(hop) else peer
    return peer


def client_key(conn: HTTPConnection) -> str:
    """What the abuse limits count this client as: its address, or for IPv6
    its /64 (``domain/addresses.py``)."""
    return limit_key(client_address(conn))


def _is_ip(value: str) -> bool:
    try:
        ip_address(value)
    except ValueError:
        return False
    return True


def _within(address: str, networks: Iterable[IPv4Network | IPv6Network]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


async def identify(conn: HTTPConnection) -> Identity | None:
    """The staff member behind the session cookie (pages use only this)."""
    session_id = conn.cookies.get(cookie_name(context.settings(conn)))
    if not session_id or len(session_id) > 128:
        return None
    return await context.services(conn).accounts.identify(session_id)


async def identify_api(conn: HTTPConnection) -> Identity | None:
    """For the JSON API and the console feed: an API token
    (``Authorization: Bearer ...``) if one is sent, else the session cookie."""
    scheme, _, secret = conn.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret:
        return await context.services(conn).accounts.identify_token(secret.strip())
    return await identify(conn)


def own_origins(conn: HTTPConnection) -> frozenset[str]:
    """The origins that count as the app itself (``Settings.origins``): fixed
    at start, never taken from the request's Host header."""
    return context.settings(conn).origins


def same_origin(conn: HTTPConnection, allowed: Iterable[str]) -> bool:
    """Whether the request comes from one of ``allowed`` origins. A page sent
    with ``Referrer-Policy: no-referrer`` (the tracking page) makes browsers
    post its forms with ``Origin: null``; then, as when there is no Origin,
    the browser's own ``Sec-Fetch-Site`` (which no page can set) decides."""
    origin = conn.headers.get("origin")
    if origin is not None and origin != "null":
        return origin.rstrip("/") in set(allowed)
    return conn.headers.get("sec-fetch-site") == "same-origin"


async def require_staff(request: Request) -> Identity:
    """The signed-in staff member, after the Origin and CSRF checks on unsafe
    methods; Refused 401/403 otherwise."""
    identity = await identify_api(request)
    if identity is None:
        raise Refused("unauthenticated", "sign in first")
    if request.method in UNSAFE and identity.csrf_token is not None:
        check_csrf(request, identity)  # cookies only: a token is not sent by browsers on its own
    return identity


def require_dialogue_scope(identity: Identity, slug: str) -> None:
    """An API token scoped to other dialogues may not touch this one."""
    if not identity.may_use(slug):
        raise Refused("forbidden", "this token is not for this dialogue")


def require(identity: Identity, dialogue: Dialogue, permission: Permission) -> None:
    """``identity`` may do ``permission`` in ``dialogue`` (``domain/access.py``'s
    table), else Refused: 404 for a draft it is no member of (as for the
    public), 403 otherwise."""
    require_dialogue_scope(identity, dialogue.slug)
    if identity.may(dialogue, permission):
        return
    if not identity.roles_in(dialogue):
        if dialogue.status is DialogueStatus.DRAFT:
            raise Refused("not_found", "no such dialogue")
        raise Refused("forbidden", "your account is not a member of this dialogue")
    raise Refused("forbidden", "your role in this dialogue may not do this")


def actor_of(conn: HTTPConnection, identity: Identity, dialogue: Dialogue) -> Actor:
    """The staff member acting in ``dialogue``: their roles there, the official
    they answer as, and their client address (for the audit trail)."""
    return access.actor_in(
        dialogue, identity.username, identity.roles_in(dialogue), client_address(conn)
    )


def check_csrf(request: Request, identity: Identity) -> None:
    if not same_origin(request, own_origins(request)):
        raise Refused("forbidden", "cross-site request refused")
    token = request.headers.get(CSRF_HEADER, "")
    if identity.csrf_token is None or not hmac.compare_digest(token, identity.csrf_token):
        raise Refused("forbidden", "missing or wrong CSRF token")


def staff_ws_origin_ok(conn: HTTPConnection) -> bool:
    """Staff WebSocket handshakes must carry the app's own Origin (exact match)."""
    origin = conn.headers.get("origin")
    return origin is not None and origin.rstrip("/") in own_origins(conn)


async def may_see(conn: HTTPConnection, dialogue: Dialogue) -> bool:
    """Whether this request may see ``dialogue`` at all: anyone once it is out
    of draft; a draft only its own staff."""
    if dialogue.status is not DialogueStatus.DRAFT:
        return True
    identity = await identify_api(conn)
    return identity is not None and identity.may(dialogue, Permission.SEE)
