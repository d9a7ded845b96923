"""The wrap-up page, where "end the broadcast" lands: every question not
answered live, each with the official it will be owed by (chosen there) and
the due day; one action closes the dialogue and owes them all (wrapup.js,
through ``POST /api/v1/dialogues/{slug}/wrap-up``, which checks everything
again). Only for those who may close the broadcast (the producer)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..actions.closing import WRAPPABLE
from ..domain.access import Permission
from .context import services
from .staff_gate import open_staff_page
from .templating import gettext


async def wrap_up(request: Request) -> Response:
    _ = gettext(request)
    refusal = _(
        "Your account may not end this broadcast. Ask an administrator for the producer role."
    )
    page = await open_staff_page(request, Permission.CLOSE, refusal)
    if isinstance(page, Response):
        return page
    dialogue = page.dialogue
    return page.render(
        "wrapup.html",
        plan=await services(request).closing.plan(dialogue),
        wrappable=dialogue.status in WRAPPABLE,
        officials=[{"id": o.id, "name": o.name, "title": o.title} for o in dialogue.officials],
    )
