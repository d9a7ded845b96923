"""The WebSocket feeds: public (viewers, widget) and staff console.

Each socket: join the hub (live events wait in its backlog), make sure the
node's reader follows the dialogue, send a snapshot (or replay the events
after ``after=``, or a snapshot with ``reset: true`` when that id is gone or
more than ``DOITHOAI_REPLAY_MAX`` events behind: a long replay costs the
server more than a snapshot), then go live. The hub only ever offers to a
socket's sink, which never blocks, so no client can slow the others: on the
public feed served by our protocol, the direct path (``realtime/direct.py``:
the frame written to the transport, a bounded queue only while it holds
writes, the node's one heartbeat timer), and once live the socket is handed
over to the node (``GuardedProtocol.hand_over``): its handler ends, and the
protocol's callback unregisters it and frees its per-address place when it
goes; otherwise (the staff console, or another server) a bounded queue
drained by a task per socket, with the handler listening until it goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from ..actions import Services, StoreUnavailable
from ..config import Settings
from ..domain import access
from ..domain.access import Permission
from ..domain.events import PUBLIC, STAFF
from ..domain.model import Dialogue
from ..domain.wording import Refused
from ..realtime.direct import HEARTBEAT, DirectSink
from ..realtime.first_pages import Frame
from ..realtime.hub import CLOSE_SLOW, Message, Subscriber
from ..realtime.messages import render, snapshot
from ..realtime.wsprotocol import DIRECT, GuardedProtocol
from .auth import client_key, identify_api, may_see, staff_ws_origin_ok
from .catalogs import say
from .context import Node, node, services, settings
from .errors import STATUS, error_body, refusal_headers, unavailable
from .templating import ui_build
from .widget import origin_allowed

log = logging.getLogger(__name__)

#: Close codes: policy violation (bad Origin, no session) and "going away"-
#: like codes let clients tell a refusal from a restart.
CLOSE_POLICY = 1008
CLOSE_RESTART = 1012
#: Close code and reason for a socket that needs Redis while it is away (the
#: session check, a catch-up): "internal error", so clients back off.
CLOSE_UNAVAILABLE = 1011
UNAVAILABLE_REASON = "unavailable"

Endpoint = Callable[[WebSocket], Awaitable[None]]


class QueueSink:
    """A bounded queue drained by one task per socket (the ASGI send path)."""

    def __init__(self, ws: WebSocket, size: int, heartbeat: float) -> None:
        self._ws = ws
        self._queue: asyncio.Queue[str] = asyncio.Queue(size)
        self._heartbeat = heartbeat
        self.close_code: int | None = None
        self.close_reason: str | None = None
        self._task: asyncio.Task[None] | None = None

    def offer(self, message: Message) -> bool:
        try:
            self._queue.put_nowait(message.text)
        except asyncio.QueueFull:
            return False
        return True

    def close(self, code: int) -> None:
        self.close_code = code
        if self._task is not None:
            self._task.cancel()

    async def pump(self) -> None:
        self._task = asyncio.current_task()
        while True:
            try:
                # Not wait_for: on Python 3.11 it returns the message when the
                # hub's cancel lands as one arrives, and the close is lost.
                async with asyncio.timeout(self._heartbeat):
                    payload = await self._queue.get()
            except TimeoutError:
                payload = HEARTBEAT
            await self._ws.send_text(payload)


async def _catch_up(
    ws: WebSocket, app: Services, here: Node, dialogue: Dialogue, audience: str
) -> str:
    """Send what the client missed (or a snapshot); return the last id sent."""
    after = ws.query_params.get("after")
    missed = await app.feeds.missed(dialogue, after) if after else None
    if missed is None:
        reset = after is not None
        handled = here.reader.handled(dialogue.id)
        if audience == PUBLIC and handled is not None:
            # Made once for the viewers connecting together (first_pages.py).
            async def make() -> Frame:
                data = await app.feeds.public(dialogue)
                return data["last_event_id"], snapshot(dialogue, data, reset)

            key = (dialogue.id, dialogue.version, reset)
            last_id, frame = await here.first_pages.get(key, handled, make)
            await _send_utf8(ws, frame)
            return last_id
        feeds = app.feeds
        data = await (feeds.public(dialogue) if audience == PUBLIC else feeds.staff(dialogue))
        await _send_utf8(ws, snapshot(dialogue, data, reset))
        return data["last_event_id"]
    last_id = after or "0-0"
    for event in missed:
        payload = render(event, dialogue, audience)
        if payload is not None:
            await ws.send_text(payload)
        last_id = event.id
    return last_id


async def _send_utf8(ws: WebSocket, text: bytes) -> None:
    """Send ``text`` (UTF-8) as a text message: as it is on our protocol
    without an extension, else decoded for ``send_text`` (a test client,
    another server, per-message deflate)."""
    protocol = ws.scope.get("extensions", {}).get(DIRECT)
    if not isinstance(protocol, GuardedProtocol) or ws.application_state is not (
        WebSocketState.CONNECTED
    ):
        await ws.send_text(text.decode())
        return
    try:
        await protocol.send_utf8(text)
    except OSError as exc:  # as Starlette's send: the client is gone
        ws.application_state = WebSocketState.DISCONNECTED
        raise WebSocketDisconnect(code=1006) from exc


def _direct(ws: WebSocket, audience: str, config: Settings) -> GuardedProtocol | None:
    """The socket's protocol if the direct path serves it: the public feed,
    on our protocol (not another server's, as under a test client)."""
    if audience != PUBLIC or not config.ws_direct:
        return None
    protocol = ws.scope.get("extensions", {}).get(DIRECT)
    return protocol if isinstance(protocol, GuardedProtocol) else None


async def _serve(
    ws: WebSocket, dialogue: Dialogue, audience: str, screen: bool, release: Callable[[], None]
) -> bool:
    """Serve the socket; True if it was handed over to the node (its handler
    may end; ``release`` is called once it is gone), False once it is done."""
    here = node(ws)
    config = settings(ws)
    protocol = _direct(ws, audience, config)
    sink: DirectSink | QueueSink = (
        DirectSink(protocol, config.ws_send_queue)
        if protocol is not None
        else QueueSink(ws, config.ws_send_queue, config.ws_ping_interval)
    )
    sub = Subscriber(sink, dialogue.id, audience, screen)
    here.hub.add(sub)
    handed_over = False
    try:
        await here.reader.track(dialogue)
        last_id = await _catch_up(ws, services(ws), here, dialogue, audience)
        if not sub.go_live(last_id):
            sink.close_code = CLOSE_SLOW
            return False
        if sink.close_code is not None:  # closed by the hub meanwhile (a rotated screen token)
            return False
        if isinstance(sink, DirectSink):
            assert protocol is not None
            handed_over = _hand_over(here, protocol, sink, sub, release)
            if not handed_over:  # closing already: hear it out here
                await _serve_direct(ws, sink)
            return handed_over
        ended = asyncio.Event()
        tasks = {asyncio.create_task(sink.pump()), asyncio.create_task(_listen(ws))}
        if audience == STAFF:
            tasks.add(asyncio.create_task(_still_signed_in(ws, sink, dialogue, ended)))
        here.sockets.add(ws)
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                failure = None if task.cancelled() else task.exception()
                if isinstance(failure, StoreUnavailable):
                    raise failure
        finally:
            here.sockets.discard(ws)
            ended.set()
            for task in tasks:
                task.cancel()
            # wait, not gather: gather would swallow a cancellation of this
            # handler itself (anyio's, when the server or client goes away).
            # Bounded: redis-py's async client can lose a cancellation that
            # lands mid-command; such a task ends by itself at its next look
            # at ``ended`` instead of holding this handler (and its slot).
            await asyncio.wait(tasks, timeout=CANCEL_GRACE)
    except WebSocketDisconnect:
        pass
    except StoreUnavailable as exc:
        log.warning("closing a %s socket: Redis unavailable (%s)", audience, exc)
        sink.close_code, sink.close_reason = CLOSE_UNAVAILABLE, UNAVAILABLE_REASON
    finally:
        if not handed_over:
            here.hub.remove(sub)
            if isinstance(sink, DirectSink):
                sink.detach()
            if (
                ws.application_state is WebSocketState.CONNECTED
                and ws.client_state is WebSocketState.CONNECTED
            ):
                # Bounded: the protocol resets a close not done by its deadline.
                with contextlib.suppress(Exception):
                    await ws.close(sink.close_code or 1000, sink.close_reason)
    return False


def _hand_over(
    here: Node,
    protocol: GuardedProtocol,
    sink: DirectSink,
    sub: Subscriber,
    release: Callable[[], None],
) -> bool:
    """Live on the direct path with no handler: the hub writes, the node's
    heartbeat beats and pings, the protocol reads (and drops) what the client
    sends within its limits and, once the connection is lost, unregisters
    the socket and frees its per-address place. False if it is closing."""

    def gone() -> None:
        here.heartbeat.discard(sink)
        here.hub.remove(sub)
        sink.detach()
        release()

    if not protocol.hand_over(gone):
        return False
    here.heartbeat.add(sink)
    return True


async def _serve_direct(ws: WebSocket, sink: DirectSink) -> None:
    """Live on the direct path, a socket that could not be handed over (it
    is closing): the handler hears the client until it goes."""
    here = node(ws)
    here.heartbeat.add(sink)
    here.sockets.add(ws)
    try:
        await _listen(ws)
    finally:
        here.sockets.discard(ws)
        here.heartbeat.discard(sink)


#: How long a closing socket waits for its tasks to finish after cancelling them.
CANCEL_GRACE = 1.0
#: How often an open staff socket re-checks its session or token: signing
#: out, disabling the account or taking its roles away closes it this soon.
RECHECK_SECONDS = 3.0
#: Close code for a staff socket whose session ended (an application code:
#: the console shows the login page instead of reconnecting).
CLOSE_SIGNED_OUT = 4401
#: Close code for a staff socket whose account lost a role it held when the
#: socket opened (still signed in, no longer allowed what it was opened for).
CLOSE_FORBIDDEN = 4403
#: Close code for a staff socket opened by a page whose code is not this
#: node's (``?ui=``, ``templating.ui_build``): a page loaded before an upgrade
#: reloads rather than read the new snapshots and events with its old script.
CLOSE_OUTDATED = 4426


async def _still_signed_in(
    ws: WebSocket, sink: QueueSink, dialogue: Dialogue, ended: asyncio.Event
) -> None:
    """Return (ending the socket) once its staff identity is gone (4401), or
    has lost any role in the dialogue it held when the socket opened (4403):
    the socket does not know which console it feeds, so losing any role ends
    it, and a console its new roles still allow reconnects under them."""
    opened = await identify_api(ws)
    held = opened.roles_in(dialogue) if opened is not None else frozenset()
    while not ended.is_set():
        await asyncio.sleep(RECHECK_SECONDS)
        if ended.is_set():
            return
        identity = await identify_api(ws)
        if identity is None:
            sink.close_code = CLOSE_SIGNED_OUT
            return
        roles = identity.roles_in(dialogue)
        if not access.allows(roles, Permission.SEE) or not roles >= held:
            sink.close_code = CLOSE_FORBIDDEN
            return


async def _listen(ws: WebSocket) -> None:
    """Read (and ignore) what the client sends until it goes; clients may send
    ``{"type": "ping"}`` and do not need an answer beyond the heartbeat."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _open(
    ws: WebSocket,
    audience: str,
    allowed: Callable[[WebSocket, Dialogue], bool] | None = None,
) -> None:
    """Accept the handshake for the path's dialogue and serve it; an unknown
    dialogue, or one that ``allowed`` refuses, refuses the handshake (403).
    A public socket that names a screen token (``?screen=``, the broadcast
    overlay) must name the current one, and is closed when it is rotated."""
    app = services(ws)
    try:
        dialogue = await app.dialogues.get(ws.path_params["slug"])
    except Refused:
        await ws.close(CLOSE_POLICY)
        return
    if allowed is not None and not allowed(ws, dialogue):
        await ws.close(CLOSE_POLICY)
        return
    token = ws.query_params.get("screen") if audience == PUBLIC else None
    if token is not None and not await app.broadcast.screen_token_ok(dialogue, token):
        await ws.close(CLOSE_POLICY)
        return
    if not await may_see(ws, dialogue):  # a draft: staff only
        await ws.close(CLOSE_POLICY)
        return
    address = client_key(ws)
    per_address = node(ws).sockets_per_address
    cap = settings(ws).ws_per_address
    if cap and per_address[address] >= cap:
        log.warning("refused a WebSocket: %d open from one address", cap)
        await ws.close(CLOSE_POLICY)
        return
    per_address[address] += 1

    def release() -> None:
        per_address[address] -= 1
        if per_address[address] <= 0:
            del per_address[address]

    handed_over = False
    try:
        await ws.accept()
        handed_over = await _serve(ws, dialogue, audience, token is not None, release)
    finally:
        if not handed_over:
            release()


def _unavailable_refused(feed: Endpoint) -> Endpoint:
    """``feed``, refusing its handshake with 503 ``unavailable`` (not a 500)
    when Redis is away before the socket is accepted (after, ``_serve``
    closes it with 1011)."""

    @functools.wraps(feed)
    async def refusing(ws: WebSocket) -> None:
        try:
            await feed(ws)
        except StoreUnavailable as exc:
            if ws.application_state is not WebSocketState.CONNECTING:
                raise
            log.warning("refused a WebSocket: Redis unavailable (%s)", exc)
            refused = unavailable()
            body = error_body(refused.code, say(ws, refused))
            headers = refusal_headers(refused)
            await ws.send_denial_response(JSONResponse(body, STATUS[refused.code], headers))

    return refusing


@_unavailable_refused
async def public_feed(ws: WebSocket) -> None:
    """Public events; a browser page whose Origin may not embed the dialogue
    (widget.origin_allowed) is refused (403)."""
    await _open(ws, PUBLIC, origin_allowed)


@_unavailable_refused
async def console_feed(ws: WebSocket) -> None:
    """Staff events; the handshake is refused (403) on a foreign Origin or
    without a staff session."""
    identity = await identify_api(ws) if staff_ws_origin_ok(ws) else None
    if identity is None:
        await ws.close(CLOSE_POLICY)
        return
    page = ws.query_params.get("ui")
    if page is not None and page != ui_build():
        await ws.accept()
        await ws.close(CLOSE_OUTDATED)
        return
    await _open(ws, STAFF, lambda _, dialogue: identity.may(dialogue, Permission.SEE))
