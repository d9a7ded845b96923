"""The admin's pages: every dialogue with its phase and a form to create one
(``/admin``), one dialogue's settings, phase and overlay link
(``/admin/{slug}``), and the staff accounts (``/admin/users``).

Like the consoles, these are shells around the JSON API: admin.js creates,
edits and switches dialogues through ``/api/v1/dialogues...`` with the
session's CSRF token, so no handler here changes anything. Only system
administrators may open the list and the accounts, and a dialogue's admins
its settings; anyone else signed in gets the 403 page, anonymous visitors
the login page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..actions.accounts import MIN_PASSWORD, Identity
from ..domain.access import Permission
from ..domain.events import staff_dialogue
from ..domain.model import DialogueStatus, Role
from ..domain.phases import PHASES
from .auth import identify
from .context import address, services
from .staff_gate import login_redirect, open_staff_page
from .templating import gettext, render

#: The roles an account may hold in a dialogue, in the accounts page's order.
MEMBER_ROLES = (Role.MODERATOR, Role.PRODUCER, Role.OFFICIAL, Role.SECRETARY, Role.ADMIN)
#: Phases in their order of life, for the steps' buttons (forward ones first).
PHASE_ORDER = tuple(DialogueStatus)


def steps() -> dict[str, list[str]]:
    """Each phase's allowed next phases (``PHASES``), forward steps first."""
    rank = {status: n for n, status in enumerate(PHASE_ORDER)}
    return {
        status.value: [
            target.value
            for target in sorted(PHASES[status], key=lambda t: (rank[t] < rank[status], rank[t]))
        ]
        for status in PHASE_ORDER
    }


async def _admin(request: Request) -> Identity | Response:
    """The signed-in system administrator, or the response for anyone else."""
    identity = await identify(request)
    if identity is None:
        return login_redirect(request)
    if not identity.system_admin:
        return render(request, "admin.html", 403, forbidden=True, username=identity.username)
    return identity


async def dialogues(request: Request) -> Response:
    """Every dialogue, drafts included, with its phase; the create form."""
    identity = await _admin(request)
    if isinstance(identity, Response):
        return identity
    return render(
        request,
        "admin.html",
        forbidden=False,
        dialogues=await services(request).dialogues.all(),
        username=identity.username,
        csrf_token=identity.csrf_token or "",
    )


async def dialogue(request: Request) -> Response:
    """One dialogue's settings, phase and overlay link, edited by admin.js; a
    live dialogue's end is a link to its wrap-up (every admin may run it)."""
    _ = gettext(request)
    only_admins = _("Only administrators may open this page.")
    page = await open_staff_page(request, Permission.MANAGE, only_admins)
    if isinstance(page, Response):
        return page
    found = page.dialogue
    return page.render(
        "admin_dialogue.html",
        settings=staff_dialogue(found),
        steps=steps(),
        phase_order=[s.value for s in PHASE_ORDER],
        wrap_up_url=address(request, "wrap_up_page", slug=found.slug),
    )


async def users(request: Request) -> Response:
    """Staff accounts: users.js lists, adds and changes them through ``/api/v1/users``."""
    identity = await _admin(request)
    if isinstance(identity, Response):
        return identity
    return render(
        request,
        "users.html",
        roles=[r.value for r in MEMBER_ROLES],
        dialogues=[
            {"slug": d.slug, "title": d.title} for d in await services(request).dialogues.all()
        ],
        min_password=MIN_PASSWORD,
        username=identity.username,
        csrf_token=identity.csrf_token or "",
    )
