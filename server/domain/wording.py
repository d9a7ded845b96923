"""What the app says to people, before it is said in their language.

The domain and the actions never write a sentence in Vietnamese or English:
they name a message by its English text (a msgid of the gettext catalogs,
with ``{placeholders}``) and its parameters (``Message``), and raise
``Refused`` with one. The web layer (and the CLI) says it in the reader's
language through the catalogs (``Message.say``). ``N_`` marks a msgid for
extraction (``make i18n``) where it is written down, without translating it.

A parameter that is itself a ``Message`` (a field's name, a role) is said in
the same language, and a placeholder written with a capital (``{Field}``)
gets its value capitalised, for a sentence that starts with it.

Pure: no I/O, no catalogs (the caller passes its gettext).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Gettext = Callable[[str], str]


def N_(text: str) -> str:
    """Mark ``text`` as a msgid of the catalogs (for extraction); return it as is."""
    return text


def english(text: str) -> str:
    """The identity gettext: English is the catalogs' msgids themselves."""
    return text


@dataclass(frozen=True)
class Message:
    """A sentence to say: its English msgid and its parameters."""

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def say(self, gettext: Gettext = english) -> str:
        """The sentence in ``gettext``'s language."""
        values: dict[str, Any] = {}
        for key, value in self.params.items():
            if isinstance(value, Message):
                value = value.say(gettext)
            values[key] = value
            if isinstance(value, str) and key[:1].islower():
                values[key[:1].upper() + key[1:]] = value[:1].upper() + value[1:]
        return gettext(self.text).format(**values)


@dataclass(frozen=True)
class FieldError:
    """One field at fault: its dot path, a machine code (``required``,
    ``too_short``, ``invalid`` ...) and what to say about it."""

    field: str
    code: str
    message: Message


class Refused(Exception):
    """What was asked may not be done. ``code`` is the API's error code
    (``invalid``, ``forbidden``, ``conflict`` ...: the web layer gives it its
    HTTP status), ``message`` what to tell the person (a msgid, formatted with
    ``params``), ``field`` the field at fault if one is, ``fields`` every
    field at fault (by default ``field`` alone, with ``code`` and
    ``message``), and ``retry_after`` the seconds to wait before trying again
    (a rate limit)."""

    def __init__(
        self,
        code: str,
        message: str | Message,
        field: str | None = None,
        *,
        fields: Sequence[FieldError] = (),
        retry_after: float | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.message = message if isinstance(message, Message) else Message(message, params)
        self.field = field
        self.fields = tuple(fields)
        if not self.fields and field is not None:
            self.fields = (FieldError(field, code, self.message),)
        self.retry_after = retry_after
        super().__init__(self.message.say())

    def say(self, gettext: Gettext = english) -> str:
        return self.message.say(gettext)
