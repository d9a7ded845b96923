"""The reader's language and the gettext catalogs everything is said in.

Every sentence a person reads, on a page or in an API error, is a msgid of
``moderator_ui/locale/<lang>/LC_MESSAGES/messages.po`` (English text; the
``en`` catalog may leave it untranslated). Catalogs are compiled in memory
from the .po files when first needed (no .mo file is written). This module
never decides what to say: templates and ``Message`` objects do.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import HTTPConnection

from ..domain.wording import Message, Refused

LOCALE = Path(__file__).resolve().parent.parent.parent / "moderator_ui" / "locale"
#: Vietnamese first: it is the default when the request states no preference.
LANGUAGES = ("vi", "en")


def load_translations(lang: str) -> Translations:
    """The ``lang`` catalog, compiled from its .po file into memory."""
    path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


@functools.cache
def catalog(lang: str) -> Translations:
    """The compiled catalog of ``lang``, built once."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    return load_translations(lang)


def bilingual(message: Message | Refused) -> str:
    """``message`` in Vietnamese, then in English, for an operator's terminal
    (the CLI, which has no reader's language to follow)."""
    return f"{message.say(catalog('vi').gettext)} / {message.say(catalog('en').gettext)}"


def language(conn: HTTPConnection, *, header: bool = True) -> str:
    """``vi`` unless English is asked for: ``?lang=``, the ``lang`` cookie the
    language switch sets, and (``header=True``, for API clients) the
    Accept-Language header. Pages pass ``header=False``: a Vietnamese citizen
    on a phone set to English still gets the Vietnamese dialogue first."""
    # No query string (a submission's POST): none parsed.
    asked = conn.query_params.get("lang") if conn.scope.get("query_string") else None
    # No Cookie header (an API client's, a widget's POST): none parsed.
    cookie = any(key == b"cookie" for key, _ in conn.scope["headers"])
    choice = asked or (conn.cookies.get("lang") if cookie else None)
    if choice in LANGUAGES:
        return choice
    if not header:
        return "vi"
    accept = conn.headers.get("accept-language", "")
    first = accept.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


def gettext_for(conn: HTTPConnection, *, header: bool = True) -> Callable[[str], str]:
    """gettext in the request's language (see ``language``)."""
    return catalog(language(conn, header=header)).gettext


def say(conn: HTTPConnection, what: Message | Refused | str, *, header: bool = True) -> str:
    """``what`` (a message, a refusal's message, or a msgid) in the request's language."""
    gettext = gettext_for(conn, header=header)
    if isinstance(what, str):
        return gettext(what)
    return what.say(gettext)


@functools.cache
def script_msgids(path: Path) -> tuple[str, ...]:
    """The msgids a script passes to ``t()``, found as ``make i18n`` finds
    them (babel.cfg's javascript sections), sorted."""
    with path.open("rb") as source:
        found = {
            message
            for _, message, _, _ in extract("javascript", source, keywords={"t": None})
            if isinstance(message, str)
        }
    return tuple(sorted(found))


def script_strings(lang: str, paths: Iterable[Path]) -> dict[str, str]:
    """msgid -> its ``lang`` translation, for every msgid the scripts at
    ``paths`` pass to ``t()``: the table a page gives a shared module."""
    gettext = catalog(lang).gettext
    return {m: gettext(m) for path in paths for m in script_msgids(path)}
