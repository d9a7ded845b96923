"""Saying the app's messages in a language, as the web layer does, for the
tests of the code that only names them (domain, actions)."""

from __future__ import annotations

from server.domain.wording import Message, Refused
from server.web.catalogs import catalog


def vi(what: Message | Refused) -> str:
    """``what`` in Vietnamese, through the app's catalog."""
    return what.say(catalog("vi").gettext)


def en(what: Message | Refused) -> str:
    """``what`` in English (the catalogs' msgids, formatted)."""
    return what.say(catalog("en").gettext)
