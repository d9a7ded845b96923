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
from .auth import identify
from .context import services
from .templating import gettext, login_redirect, page_refusal, render


async def wrap_up(request: Request) -> Response:
    identity = await identify(request)
    if identity is None:
        return login_redirect(request)
    actions = services(request)
    dialogue = await actions.dialogues.find(request.path_params["slug"])
    _ = gettext(request)
    refusal = _(
        "Your account may not end this broadcast. Ask an administrator for the producer role."
    )
    if refused := page_refusal(request, identity, dialogue, Permission.CLOSE, refusal):
        return refused
    assert dialogue is not None
    return render(
        request,
        "wrapup.html",
        dialogue=dialogue,
        plan=await actions.closing.plan(dialogue),
        wrappable=dialogue.status in WRAPPABLE,
        officials=[{"id": o.id, "name": o.name, "title": o.title} for o in dialogue.officials],
        username=identity.username,
        csrf_token=identity.csrf_token or "",
    )
