"""The HTML pages: the list of dialogues, staff login and logout, the
moderator console and the public dialogue page, and the static files.

Pages are shells around the JSON API and the WebSocket feeds: the console and
the public page draw live data in the browser and act through the API, so no
handler here changes a question. Every page goes through ``templating.render``
(autoescaped templates, security headers); nothing here writes HTML itself.
"""

from __future__ import annotations

import hmac
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ..actions import PUBLIC_CHANNELS, Identity
from ..actions.moderation import BULK_MAX
from ..domain.access import Permission
from ..domain.events import public_dialogue
from ..domain.model import CHANNELS, REJECT_REASONS, Actor, Dialogue, DialogueStatus
from ..domain.screening import FLAGS
from ..domain.text import LIMITS
from ..domain.wording import Refused
from .auth import (
    actor_of,
    clear_session_cookie,
    cookie_name,
    identify,
    may_see,
    own_origins,
    same_origin,
    set_login_cookies,
)
from .catalogs import say
from .context import address, node, services, settings
from .errors import STATUS, refusal_headers
from .share import public_url
from .staff import sign_in
from .staff_gate import open_staff_page
from .templating import STATIC, error_page, protect, render

#: A login form is three short fields; anything bigger is not one.
MAX_FORM_BODY = 8192
#: The longest ``next`` path the login page keeps.
MAX_NEXT = 2000

#: The icon the pages link to (base.html), served at /favicon.ico too.
FAVICON = STATIC / "favicon.svg"


async def healthz(request: Request) -> Response:
    """The process is alive (a supervisor restarts it when not); whether it
    should take traffic is ``/readyz``'s."""
    return JSONResponse({"status": "ok", "node": node(request).name})


async def favicon(request: Request) -> Response:
    """The icon at the address a browser asks for when a page names none (a
    JSON answer opened in a tab, a client that ignores ``<link rel="icon">``):
    the pages' own SVG, instead of a 404 in every such log."""
    return Response(
        FAVICON.read_bytes(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def _redirect(request: Request, url: str) -> Response:
    return protect(request, RedirectResponse(url, status_code=303))


def _message(request: Request, exc: Refused) -> str:
    """The refusal's sentence in the page's language, written as a sentence."""
    text = say(request, exc, header=False)
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def safe_next(value: str) -> str | None:
    """``value`` if it is a path on this site (``/...``, not ``//`` or ``/\\``)."""
    if not value or len(value) > MAX_NEXT or not value.startswith("/"):
        return None
    if value.startswith(("//", "/\\")) or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


async def read_form(request: Request) -> dict[str, str]:
    """A small ``application/x-www-form-urlencoded`` body, or Refused."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise Refused("invalid", "send the form as a web form", "body")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BODY:
            raise Refused("too_large", "the form is too large", "body")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=16)
    except (UnicodeDecodeError, ValueError):
        raise Refused("invalid", "the form could not be read", "body") from None
    return dict(pairs)


async def _landing(request: Request, identity: Identity, requested: str) -> str:
    """Where a fresh sign-in goes: the page asked for, else the console of
    the first dialogue the account works in (a live one first), else the
    administration (for administrators) or the home page."""
    target = safe_next(requested)
    if target:
        return target
    dialogues = await services(request).dialogues.all()
    ordered = sorted(dialogues, key=lambda d: d.status is not DialogueStatus.LIVE)
    consoles = (
        (Permission.MODERATE, "console"),
        (Permission.PRODUCE, "producer_console"),
        (Permission.ANSWER, "official_console"),
    )
    for dialogue in ordered:
        for permission, page in consoles:
            if identity.may(dialogue, permission):
                return address(request, page, slug=dialogue.slug)
    return address(request, "admin" if identity.system_admin else "index")


def _login_page(
    request: Request,
    *,
    username: str = "",
    next_: str = "",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "login.html",
        status_code,
        headers,
        username=username,
        next=safe_next(next_) or "",
        error=error,
    )


async def login_form(request: Request) -> Response:
    identity = await identify(request)
    return _login_page(
        request,
        next_=request.query_params.get("next", ""),
        username=identity.username if identity else "",
    )


async def login_submit(request: Request) -> Response:
    try:
        form = await read_form(request)
    except Refused as exc:
        return _login_page(request, error=_message(request, exc), status_code=STATUS[exc.code])
    username, password, next_ = (
        form.get("username", ""),
        form.get("password", ""),
        form.get("next", ""),
    )
    try:
        signed = await sign_in(request, username.strip(), password)
    except Refused as exc:
        return _login_page(
            request,
            username=username[:64],
            next_=next_,
            error=_message(request, exc),
            status_code=STATUS[exc.code],
            headers=refusal_headers(exc),
        )
    response = _redirect(request, await _landing(request, signed.identity, next_))
    set_login_cookies(response, settings(request), signed.session_id, signed.device_token)
    return response


async def logout(request: Request) -> Response:
    """End the session: a form POST with the session's CSRF token, same origin only."""
    config = settings(request)
    identity = await identify(request)
    if identity is None:
        response = _redirect(request, address(request, "login_page"))
        clear_session_cookie(response, config)
        return response
    try:
        form = await read_form(request)
    except Refused as exc:
        return error_page(request, STATUS[exc.code], _message(request, exc))
    token = form.get("csrf_token", "")
    if (
        not same_origin(request, own_origins(request))
        or identity.csrf_token is None
        or not hmac.compare_digest(token.encode(), identity.csrf_token.encode())
    ):
        refused = Refused("forbidden", "the sign-out request was refused")
        return error_page(request, 403, _message(request, refused))
    await services(request).accounts.close_session(request.cookies.get(cookie_name(config), ""))
    response = _redirect(request, address(request, "login_page"))
    clear_session_cookie(response, config)
    return response


async def dialogue_of_path(request: Request) -> Dialogue | None:
    """The dialogue the path's ``slug`` names, if any."""
    return await services(request).dialogues.find(request.path_params["slug"])


def viewer_data(actor: Actor) -> dict[str, Any]:
    """A staff page's viewer, for its script: the roles held in the dialogue and
    the official answered as. With each question's ``actions_by_role`` the page
    offers what the server allows (lib/permissions.js), with no copy of the
    transition table."""
    return {"roles": sorted(role.value for role in actor.roles), "official": actor.official_id}


async def console(request: Request) -> Response:
    """The moderation console: the shell; console.js fills it from the staff feed."""
    page = await open_staff_page(request, Permission.MODERATE)
    if isinstance(page, Response):
        return page
    identity, dialogue = page.identity, page.dialogue
    return page.render(
        "console.html",
        reasons=REJECT_REASONS,
        edit_max=LIMITS["edit"][1],
        text_max=LIMITS["text"][1],
        bulk_max=BULK_MAX,
        flag_codes=FLAGS,
        staff_channels=[c for c in CHANNELS if c not in PUBLIC_CHANNELS],
        dialogue_data=public_dialogue(dialogue),
        viewer=viewer_data(actor_of(request, identity, dialogue)),
    )


def _stream_url(dialogue: Dialogue) -> str | None:
    """The broadcast's link, if it is an http(s) URL (never a script URL)."""
    url = dialogue.stream_url
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


#: Where a YouTube broadcast is embedded from: the privacy-enhanced host,
#: which sets no cookie until the viewer plays the video.
YOUTUBE_EMBED = "https://www.youtube-nocookie.com"
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"})


def youtube_embed(url: str | None) -> str | None:
    """The embed URL of a YouTube watch, youtu.be or live link, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path.rstrip("/")
    video = None
    if host in _YOUTUBE_HOSTS and path == "/watch":
        video = dict(parse_qsl(parts.query)).get("v")
    elif host in _YOUTUBE_HOSTS and path.startswith(("/live/", "/embed/")):
        video = path.split("/")[2]
    elif host == "youtu.be":
        video = path.removeprefix("/")
    if not video or not _YOUTUBE_ID.match(video):
        return None
    return f"{YOUTUBE_EMBED}/embed/{video}"


async def dialogue_page(request: Request) -> Response:
    """The public page: the server renders the feed as it is now, and public.js
    resumes the live feed from that snapshot's event id. A YouTube broadcast
    is embedded (and only then may this page hold a frame from that host)."""
    dialogue = await dialogue_of_path(request)
    if dialogue is None or not await may_see(request, dialogue):
        return error_page(request, 404)
    feed = await services(request).feeds.public(dialogue)
    # Once the broadcast has ended nothing is on air: every question is listed.
    ended = dialogue.status in (DialogueStatus.CLOSED, DialogueStatus.ARCHIVED)
    questions = [q for q in reversed(feed["questions"]) if ended or q["status"] != "on_air"]
    stream_url = _stream_url(dialogue)
    embed = youtube_embed(stream_url)
    response = render(
        request,
        "dialogue.html",
        dialogue=dialogue,
        feed=feed,
        questions=questions,
        stream_url=stream_url,
        embed_url=embed,
        share_url=public_url(request, dialogue),
    )
    if embed:
        policy = response.headers["Content-Security-Policy"]
        response.headers["Content-Security-Policy"] = f"{policy}; frame-src {YOUTUBE_EMBED}"
    return response


async def index(request: Request) -> Response:
    listed = await services(request).dialogues.listed()
    organiser = settings(request).organiser
    return render(request, "index.html", dialogues=listed, organiser=organiser)
