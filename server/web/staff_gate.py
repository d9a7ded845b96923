"""The door of every staff page of one dialogue: a session (else the login
page, coming back after), the dialogue (else 404), and the permission the
page needs (``domain/access.py``'s table, as the API asks it; else 404 for a
draft the account is no member of, 403 otherwise). A page that passes gets a
``StaffPage``, whose ``render`` adds what every staff template is given: the
dialogue, the account's name and its CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..actions.accounts import Identity
from ..domain.access import Permission
from ..domain.model import Dialogue, DialogueStatus
from .auth import identify
from .context import address, services
from .templating import error_page, gettext, protect, render


@dataclass(frozen=True, slots=True)
class StaffPage:
    """A staff page of ``dialogue`` that ``identity`` may open."""

    request: Request
    identity: Identity
    dialogue: Dialogue

    def render(self, template: str, status_code: int = 200, **context: Any) -> Response:
        return render(
            self.request,
            template,
            status_code,
            dialogue=self.dialogue,
            username=self.identity.username,
            csrf_token=self.identity.csrf_token or "",
            **context,
        )


async def open_staff_page(
    request: Request, permission: Permission, refusal: str | None = None
) -> StaffPage | Response:
    """The page of the path's ``slug`` if the signed-in account holds
    ``permission`` there, else the response to send (``refusal``: the 403
    page's sentence for a member without the permission)."""
    identity = await identify(request)
    if identity is None:
        return login_redirect(request)
    dialogue = await services(request).dialogues.find(request.path_params["slug"])
    if refused := page_refusal(request, identity, dialogue, permission, refusal):
        return refused
    assert dialogue is not None
    return StaffPage(request, identity, dialogue)


def page_refusal(
    request: Request,
    identity: Identity,
    dialogue: Dialogue | None,
    permission: Permission,
    message: str | None = None,
) -> Response | None:
    """The error page for a staff page of ``dialogue`` that ``identity`` may
    not open: 404 for no dialogue or a draft it is no member of, 403
    otherwise; None if it may."""
    if dialogue is None:
        return error_page(request, 404)
    if identity.may(dialogue, permission):
        return None
    if not identity.roles_in(dialogue):
        if dialogue.status is DialogueStatus.DRAFT:
            return error_page(request, 404)
        _ = gettext(request)
        message = _(
            "Your account is not a member of this dialogue. Ask an administrator to add you."
        )
    return error_page(request, 403, message)


def login_redirect(request: Request) -> Response:
    """A staff page asked for without a session: to the login page, coming
    back here after."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    target = address(request, "login_page") + "?" + urlencode({"next": here})
    return protect(request, RedirectResponse(target, status_code=303))
