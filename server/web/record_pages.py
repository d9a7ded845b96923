"""The dialogue's public record: the citizen's tracking page and the archive.

Both pages are rendered on the server from the asker's view
(``tracking.view``) and the archive (``dialogues.archive``), which are built
from allowlists of public fields: they never carry contact data or moderator
notes, and nothing here may add them. A tracking code is as good as a
password for following one question, so its pages are never stored by
caches and never leak their URL through the Referer header, and the lookup
form posts the code rather than put it in a query string (logs, history).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..domain.model import DialogueStatus
from ..domain.wording import Refused
from .auth import own_origins, same_origin
from .context import address, services
from .errors import STATUS
from .pages import read_form
from .templating import error_page, gettext, protect, render

#: The alphabet of tracking codes (Crockford's base32, as server/store/
#: dialogues.py draws them): no I, L, O or U, so a code read aloud or copied
#: by hand is read back the way Crockford decodes it.
CODE_ALPHABET = frozenset("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: A code is 14 symbols; anything much longer typed in the form is not one.
MAX_TYPED = 64
#: The tracking code is in the URL: no Referer may carry it to another site.
TRACKING_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
ARCHIVE_VIEWS = ("topic", "official")


def normalise_code(typed: str) -> str | None:
    """The stored form ``K7M2-ABCDE-FGHJK`` of a code typed loosely (lower
    case, spaces, other dashes, O for 0), or None if it cannot be one."""
    if len(typed) > MAX_TYPED:
        return None
    folded = unicodedata.normalize("NFKC", typed).upper().translate(_READ_AS)
    symbols = "".join(c for c in folded if c.isalnum())
    if len(symbols) != 14 or not set(symbols) <= CODE_ALPHABET:
        return None
    return f"{symbols[:4]}-{symbols[4:9]}-{symbols[9:]}"


def _tracking_response(response: Response) -> Response:
    response.headers.update(TRACKING_HEADERS)
    return response


def _lookup_page(request: Request, status_code: int, typed: str = "", error: str = "") -> Response:
    return _tracking_response(
        render(request, "tracking.html", status_code, view=None, typed=typed, error=error)
    )


def _redirect(request: Request, code: str) -> Response:
    page = address(request, "tracking_page", code=code)
    response = protect(request, RedirectResponse(page, status_code=303))
    return _tracking_response(response)


def _not_from_here(request: Request) -> Response:
    """The answer to a tracking page's form posted from another site."""
    _ = gettext(request)
    refused = _("This request did not come from your tracking page; open the page and try again.")
    return render(request, "error.html", 403, status=403, message=refused)


async def lookup(request: Request) -> Response:
    """``GET /t``: the form to type a code in (whatever the query says: a code
    never travels in a URL's query, where logs and history keep it)."""
    return _lookup_page(request, 200)


async def lookup_submit(request: Request) -> Response:
    """``POST /t`` with ``code``: to the code's page (303). Same-origin form
    posts only, like the contact deletion: a foreign page cannot send a
    visitor to a page of its choosing through here."""
    if not same_origin(request, own_origins(request)):
        return _not_from_here(request)
    try:
        form = await read_form(request)
    except Refused as exc:
        return _tracking_response(error_page(request, STATUS[exc.code]))
    typed = form.get("code", "").strip()
    if not typed:
        return _lookup_page(request, 400, error="empty")
    code = normalise_code(typed)
    if code is None:
        return _lookup_page(request, 404, typed=typed[:MAX_TYPED], error="unknown")
    return _redirect(request, code)


async def tracking_page(request: Request) -> Response:
    """``/t/{code}``: the asker's question, its state in plain words and its
    answer; its script (tracking.js) keeps it up to date from the public feed."""
    typed = request.path_params["code"]
    code = normalise_code(typed)
    if code is None:
        return _lookup_page(request, 404, typed=typed[:MAX_TYPED], error="unknown")
    if code != typed:
        return _redirect(request, code)
    actions = services(request)
    try:
        # The feed's position first: the page follows it from there, and
        # misses nothing that changes the view after it was read.
        after = await actions.tracking.feed_position(code)
        view = await actions.tracking.view(code)
    except Refused:
        return _lookup_page(request, 404, typed=code, error="unknown")
    dialogue = await actions.dialogues.get(view["dialogue"]["slug"])
    topic = dialogue.topic(view.get("topic"))
    return _tracking_response(
        render(
            request,
            "tracking.html",
            view=view,
            after=after,
            dialogue=dialogue,
            topic_name=topic.name if topic else None,
            recording_url=view.get("recording_url"),
            contact_notice=request.query_params.get("contact"),
            typed="",
            error="",
        )
    )


async def forget_contact(request: Request) -> Response:
    """The asker deletes their phone number and email from their tracking page.
    Same-origin form posts only: a foreign page cannot do it for them."""
    code = normalise_code(request.path_params["code"])
    if code is None or not same_origin(request, own_origins(request)):
        return _not_from_here(request)
    try:
        removed = await services(request).tracking.forget_contact(code)
    except Refused:
        return _lookup_page(request, 404, typed=code, error="unknown")
    page = address(request, "tracking_page", code=code)
    target = f"{page}?{urlencode({'contact': 'deleted' if removed else 'none'})}"
    return _tracking_response(protect(request, RedirectResponse(target, status_code=303)))


async def report_page(request: Request) -> Response:
    """``/d/{slug}/report``: the public account of what became of the
    questions: counts, and per responsible body what it answered, still
    owes and is late with (no question, no asker)."""
    actions = services(request)
    dialogue = await actions.dialogues.find(request.path_params["slug"])
    if dialogue is None or dialogue.status is DialogueStatus.DRAFT:
        return render(request, "error.html", 404, status=404, message=None)
    account = await actions.reports.accountability(dialogue)
    return render(request, "accountability.html", dialogue=dialogue, account=account)


async def archive_page(request: Request) -> Response:
    """``/d/{slug}/archive``: every answered question, by topic or by official,
    then the written answers still owed with their due days."""
    actions = services(request)
    dialogue = await actions.dialogues.find(request.path_params["slug"])
    if dialogue is None or dialogue.status is DialogueStatus.DRAFT:
        return render(request, "error.html", 404, status=404, message=None)
    by = request.query_params.get("by")
    view = by if by in ARCHIVE_VIEWS else "topic"
    archive = await actions.dialogues.archive(dialogue)
    groups = archive["by_official"] if view == "official" else archive["by_topic"]
    officials = {o.id: o for o in dialogue.officials}
    return render(
        request,
        "archive.html",
        dialogue=dialogue,
        counts=archive["counts"],
        groups=groups,
        view=view,
        officials=officials,
        total=sum(len(g["questions"]) for g in groups),
        owed=archive["owed"],
    )
