"""Words the documents share: the states in the order a question lives
them, said in the reader's language."""

from __future__ import annotations

from ..domain import export
from ..domain.figures import Owing
from ..domain.model import Status
from ..domain.wording import N_, Gettext

#: The documents' media types, here so that naming them (the routes, the
#: OpenAPI document) does not import openpyxl and python-docx, which only
#: writing a document needs: a fifth of a process's start.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: Every state, in the order a question lives them.
STATUS = tuple(s.value for s in Status)
NOBODY = N_("Nobody yet")


def said_status(status: str, gettext: Gettext) -> str:
    return str(export.said("status", status, gettext))


def official_name(owing: Owing, gettext: Gettext) -> str:
    """The official's name and title, or that nobody owes it yet."""
    if owing.official_id is None:
        return gettext(NOBODY)
    return f"{owing.name} ({owing.title})" if owing.title else owing.name
