"""The official's console page: the shell that official.js fills live with
what one official of a dialogue has to do (say they are ready, promise a
written answer, write the answers and summaries they owe), and a
secretary's summaries to write for every official.

Who sees it: an account that answers as an official of the dialogue (its own
account or an aide's), a secretary of the dialogue, or an admin, who picks
the official. The page itself changes nothing: official.js acts through the
staff API, which checks every action again. It never shows contact data
(the staff feed has none).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..domain.access import Permission
from ..domain.model import Dialogue, Official, Role
from ..domain.text import LIMITS
from .auth import actor_of, identify
from .context import services
from .pages import viewer_data
from .staff_gate import login_redirect, page_refusal
from .templating import error_page, gettext, render


def _refused(request: Request, status_code: int, dialogue: Dialogue | None = None) -> Response:
    if status_code == 404:
        return error_page(request, 404)
    return error_page(request, 403, _refusal(request, dialogue))


def _refusal(request: Request, dialogue: Dialogue | None) -> str:
    _ = gettext(request)
    refusal = _("This account is not an official of the dialogue “{title}”, nor an aide of one.")
    return refusal.format(title=dialogue.title if dialogue else "")


def choose_official(
    dialogue: Dialogue, own_id: str | None, is_admin: bool, asked: str | None
) -> Official | None:
    """The official whose questions the page shows: an admin's choice (else the
    first official), or the one the account answers as."""
    if is_admin and asked and dialogue.official(asked):
        return dialogue.official(asked)
    if own_id:
        return dialogue.official(own_id)
    if is_admin and dialogue.officials:
        return dialogue.officials[0]
    return None


async def official_console(request: Request) -> Response:
    identity = await identify(request)
    if identity is None:
        return login_redirect(request)
    actions = services(request)
    dialogue = await actions.dialogues.find(request.path_params["slug"])
    if dialogue is None:
        return _refused(request, 404)
    actor = actor_of(request, identity, dialogue)
    is_admin = Role.ADMIN in actor.roles
    secretary = Role.SECRETARY in actor.roles
    if actor.official_id is None and not (is_admin or secretary):
        refusal = _refusal(request, dialogue)
        if refused := page_refusal(request, identity, dialogue, Permission.SEE, refusal):
            return refused
        return error_page(request, 403, refusal)
    official = choose_official(
        dialogue, actor.official_id, is_admin, request.query_params.get("official")
    )
    return render(
        request,
        "official.html",
        dialogue=dialogue,
        official=official,
        officials=dialogue.officials if is_admin else (),
        secretary=secretary,
        is_aide=bool(official and official.username != identity.username and not is_admin),
        username=identity.username,
        csrf_token=identity.csrf_token or "",
        answer_max=LIMITS["answer"][1],
        note_max=LIMITS["note"][1],
        viewer=viewer_data(actor),
    )
