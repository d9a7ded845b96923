"""The broadcast's pages: the producer console, the presenter view and the
overlay screen.

All are shells around the API and the feeds: producer.js draws the air, the
queue and the approved questions from the staff feed and acts through the
staff API; presenter.js and screen.js draw the question on air from the
public feed. The overlay, and the presenter view on a screen on set, need no
session, only the dialogue's screen token, and show nothing the public feed
does not carry. No handler here changes a question or writes HTML itself.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain.access import Permission
from ..domain.events import public_dialogue
from ..domain.model import Dialogue
from ..domain.text import LIMITS
from .auth import actor_of, identify
from .context import address, services, settings
from .pages import viewer_data
from .share import public_url
from .staff_gate import login_redirect, open_staff_page, page_refusal
from .templating import error_page, gettext, render

#: Background variants of the overlay: transparent by default (for
#: compositing in OBS or vMix), ``opaque`` (a dark backdrop, for tools that
#: cannot composite) or ``green`` (a chroma key).
SCREEN_BACKGROUNDS = ("transparent", "opaque", "green")


async def _dialogue(request: Request) -> Dialogue | None:
    return await services(request).dialogues.find(request.path_params["slug"])


async def producer(request: Request) -> Response:
    """The producer console: the shell; producer.js fills it from the staff feed."""
    _ = gettext(request)
    refusal = _(
        "Your account may not open the producer console. "
        "Ask an administrator for the producer role."
    )
    page = await open_staff_page(request, Permission.PRODUCE, refusal)
    if isinstance(page, Response):
        return page
    identity, dialogue = page.identity, page.dialogue
    return page.render(
        "producer.html",
        dialogue_data=public_dialogue(dialogue),
        air_text_limits=LIMITS["air_text"],
        air_undo=settings(request).air_undo,
        may_close=identity.may(dialogue, Permission.CLOSE),
        wrap_up_url=address(request, "wrap_up_page", slug=dialogue.slug),
        presenter_url=address(request, "presenter_page", slug=dialogue.slug),
        viewer=viewer_data(actor_of(request, identity, dialogue)),
    )


async def presenter(request: Request) -> Response:
    """The presenter view, for the presenter and the leader on set: staff who
    may see the dialogue, or a screen opened with the overlay's token
    (``?token=``; a wrong one gets a 403 page)."""
    dialogue = await _dialogue(request)
    token = request.query_params.get("token")
    if token is not None:
        if dialogue is None:
            return error_page(request, 404)
        if not await services(request).broadcast.screen_token_ok(dialogue, token):
            return render(request, "presenter.html", 403, denied=True, dialogue=dialogue)
    else:
        identity = await identify(request)
        if identity is None:
            return login_redirect(request)
        if refused := page_refusal(request, identity, dialogue, Permission.SEE):
            return refused
    assert dialogue is not None
    return render(
        request,
        "presenter.html",
        denied=False,
        dialogue=dialogue,
        dialogue_data=public_dialogue(dialogue),
    )


async def screen(request: Request) -> Response:
    """The broadcast overlay: the question on air, for OBS or vMix (with
    ``?qr=1``, the dialogue's QR code too). The token in the URL is the only
    key; a wrong or missing one gets a 403 page."""
    dialogue = await _dialogue(request)
    if dialogue is None:
        return error_page(request, 404)
    background = request.query_params.get("bg", "")
    context: dict[str, Any] = {
        "dialogue": dialogue,
        "background": background if background in SCREEN_BACKGROUNDS else "transparent",
        # ?qr=1: the public page's QR code and address in a corner, for viewers to ask.
        "share_url": public_url(request, dialogue) if request.query_params.get("qr") else None,
    }
    token = request.query_params.get("token", "")
    if not await services(request).broadcast.screen_token_ok(dialogue, token):
        return render(request, "screen.html", 403, denied=True, **context)
    feed = await services(request).feeds.public(dialogue)
    initial = {
        "last_event_id": feed["last_event_id"],
        "on_air": feed["on_air"],
        "dialogue": feed["dialogue"],
        "overlay": feed["overlay"],
    }
    visible = bool(feed["overlay"]["visible"])
    return render(request, "screen.html", denied=False, initial=initial, visible=visible, **context)
