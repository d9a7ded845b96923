"""The broadcast's two pages: the producer console and the overlay screen.

Both are shells around the API and the feeds: producer.js draws the on-air
queue from the staff feed and acts through the staff API; screen.js draws the
question on air from the public feed. The overlay needs no session, only the
dialogue's screen token, and shows nothing the public feed does not carry.
No handler here changes a question or writes HTML itself.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..domain.access import Permission
from ..domain.model import Dialogue
from ..domain.text import LIMITS
from .auth import actor_of, identify
from .context import services
from .pages import viewer_data
from .templating import error_page, gettext, login_redirect, page_refusal, render

#: Background variants of the overlay: ``transparent`` for compositing in
#: OBS or vMix, ``green`` for a chroma key; anything else is the dark default.
SCREEN_BACKGROUNDS = ("transparent", "green")


async def _dialogue(request: Request) -> Dialogue | None:
    return await services(request).dialogues.find(request.path_params["slug"])


async def producer(request: Request) -> Response:
    """The producer console: the shell; producer.js fills it from the staff feed."""
    identity = await identify(request)
    if identity is None:
        return login_redirect(request)
    dialogue = await _dialogue(request)
    _ = gettext(request)
    refusal = _(
        "Your account may not open the producer console. "
        "Ask an administrator for the producer role."
    )
    if refused := page_refusal(request, identity, dialogue, Permission.PRODUCE, refusal):
        return refused
    assert dialogue is not None
    officials = [{"id": o.id, "name": o.name, "title": o.title} for o in dialogue.officials]
    return render(
        request,
        "producer.html",
        dialogue=dialogue,
        officials=officials,
        username=identity.username,
        csrf_token=identity.csrf_token or "",
        answer_max=LIMITS["answer"][1],
        viewer=viewer_data(actor_of(request, identity, dialogue)),
    )


async def screen(request: Request) -> Response:
    """The broadcast overlay: the question on air, for OBS or vMix. The token in
    the URL is the only key; a wrong or missing one gets a 403 page."""
    dialogue = await _dialogue(request)
    if dialogue is None:
        return error_page(request, 404)
    background = request.query_params.get("bg", "")
    context: dict[str, Any] = {
        "dialogue": dialogue,
        "background": background if background in SCREEN_BACKGROUNDS else "default",
    }
    token = request.query_params.get("token", "")
    if not await services(request).broadcast.screen_token_ok(dialogue, token):
        return render(request, "screen.html", 403, denied=True, **context)
    feed = await services(request).feeds.public(dialogue)
    initial = {
        "last_event_id": feed["last_event_id"],
        "on_air": feed["on_air"],
        "dialogue": {"title": dialogue.title},
    }
    return render(request, "screen.html", denied=False, initial=initial, **context)
