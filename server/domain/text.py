"""Vietnamese-safe normalisation and validation of what people type.

Every piece of text a citizen or a staff member sends (a question, a name, an
answer, a note) passes through here before anything stores, screens or shows
it: ``normalize`` makes it NFC and removes what is invisible or dangerous
(control characters, bidi overrides, zero-width and other format characters),
``clean_text`` and friends check types and lengths and raise a
``ValidationError`` that names the field and carries a Vietnamese and an
English message; ``clean_submission`` does all of it for the body of a public
or staff question submission, and reports every field at fault at once.

Vietnamese needs no format character (category Cf): its letters and tone marks
are letters and combining marks, and NFC composes them ("Huế" typed as
``e`` + U+0302 + U+0301 becomes the single U+1EBF). So every Cf character
goes. The one visible loss is emoji built with a zero-width joiner or tag
characters: the family emoji 👨‍👩‍👧 becomes 👨👩👧, the flag of
Scotland becomes a plain black flag. That is accepted.

This module is pure: standard library only, no I/O, no Redis, Starlette or
asyncio. It never stores, logs or looks anything up; it never guesses a
value the caller did not send (it does not fix typos or pick "the nearest"
locality), and it never lets through text that is not NFC.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from typing import Literal, NamedTuple, ParamSpec, TypeVar, overload

from .wording import N_, FieldError, Message, Refused

P = ParamSpec("P")
T = TypeVar("T")


class ValidationError(ValueError):
    """A field fails validation. .field names it (dot path, e.g. 'contact.phone'),
    .code is a machine code, .message what to say (a ``Message``: an English
    msgid of the catalogs and its parameters, said in the reader's language
    by the web layer). .errors is every field that failed with it, this one
    first (itself alone unless ``all_of`` gathered more)."""

    def __init__(self, field: str, code: str, message: str, **params: object) -> None:
        self.field = field
        self.code = code
        self.message = Message(message, params)
        self.errors: tuple[ValidationError, ...] = (self,)
        super().__init__(field, code, self.message.say())

    def __str__(self) -> str:
        return f"{self.field} ({self.code}): {self.message.say()}"

    @staticmethod
    def all_of(errors: list[ValidationError]) -> ValidationError:
        """The first of ``errors``, carrying them all."""
        first = errors[0]
        first.errors = tuple(errors)
        return first

    def refused(self) -> Refused:
        """The API's 400: this field's message, and every failing field."""
        fields = [FieldError(e.field, e.code, e.message) for e in self.errors]
        return Refused("invalid", self.message, self.field, fields=fields)


class _Gathered:
    """Runs checks, keeping each one's ``ValidationError`` instead of stopping at it."""

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []

    def __call__(self, check: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        try:
            return check(*args, **kwargs)
        except ValidationError as exc:
            self.errors.append(exc)
            return None

    def failed(self, prefix: str) -> bool:
        return any(e.field.startswith(prefix) for e in self.errors)


class _Straight(_Gathered):
    """Runs checks, stopping at the first ``ValidationError`` (most bodies
    have none: a few µs less than gathering them)."""

    def __call__(self, check: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T | None:
        return check(*args, **kwargs)


# --- normalisation ---------------------------------------------------------

# UAX #14 mandatory breaks (CR LF, CR, LF, NEL, VT, FF, LS, PS) all become "\n",
# so a question pasted from Word, an old Mac or a terminal keeps its lines.
_LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")

# The Unicode White_Space property minus the line breaks above: tab, space,
# NBSP, Ogham space, the U+2000 typographic spaces, narrow NBSP, medium
# mathematical space, ideographic space. Each becomes one plain space.
_SPACES = frozenset("\t \xa0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B))))

# Letters that render as nothing (Hangul fillers, default-ignorable): without
# this, a "name" of two U+3164 passes the 2-character minimum and shows blank.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")

# Cc: control characters (C0, DEL, C1). Cf: format characters, which include
# the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
# the zero-width space/joiners (U+200B-U+200D), word joiner (U+2060), BOM
# (U+FEFF), soft hyphen, LRM/RLM and tag characters. Cs: lone surrogates,
# which json.loads produces from "\ud800" and which UTF-8 cannot encode.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})

_RUN_OF_SPACES = re.compile(" {2,}")
_THREE_OR_MORE_NEWLINES = re.compile("\n{3,}")


def _classify(code: int) -> int | str | None:
    """What ``normalize``'s translation makes of the character ``code``:
    a space, nothing (None), or itself (as is "\\n", the one line break
    left by then)."""
    char = chr(code)
    if char == "\n":
        return code
    if char in _SPACES:
        return " "
    if char in _INVISIBLE_LETTERS or unicodedata.category(char) in _DROPPED_CATEGORIES:
        return None
    return code


class _Translation(dict[int, int | str | None]):
    """The str.translate table of ``normalize``, filled as characters are met:
    each character of the Basic Multilingual Plane is classified once per
    process (at most 65,536 entries, ~5 MB), any other each time it is met
    (emoji, rare CJK: left out so that no text can grow the table without
    bound)."""

    def __missing__(self, code: int) -> int | str | None:
        value = _classify(code)
        if code <= 0xFFFF:
            self[code] = value
        return value


_TRANSLATION = _Translation()


#: A character ``normalize`` keeps as it is wherever it stands: printable
#: ASCII but the space, and the Latin letters (Vietnamese's among them,
#: precomposed) and signs of U+00A1-U+024F and U+1E00-U+1EFF, but the soft
#: hyphen (a format character). No space, line break, control, format or
#: combining character is one (``tests/domain/test_text.py`` checks each).
_KEPT = "!-~\u00a1-\u00ac\u00ae-\u024f\u1e00-\u1eff"
#: Text ``normalize`` leaves as it is when it is NFC: words of kept
#: characters with one space between them (most of what people type).
_PLAIN = re.compile(f"[{_KEPT}]+(?: [{_KEPT}]+)*")


def normalize(text: str) -> str:
    """Make ``text`` NFC, without invisible or control characters, with tidy whitespace.

    Line breaks become "\\n"; other whitespace runs become one space; each
    line and the whole text are stripped; at most one blank line in a row.
    """
    if _PLAIN.fullmatch(text) and unicodedata.is_normalized("NFC", text):
        return text  # ``_tidied`` would not change it
    return _tidied(text)


def _tidied(text: str) -> str:
    """``normalize``'s steps."""
    text = _LINE_BREAK.sub("\n", text)
    text = text.translate(_TRANSLATION)
    text = _RUN_OF_SPACES.sub(" ", text)
    text = "\n".join(line.strip(" ") for line in text.split("\n"))
    text = _THREE_OR_MORE_NEWLINES.sub("\n\n", text).strip("\n")
    # NFC last: removing a character can bring a letter and a combining mark
    # together ("e", ZWJ, U+0301), and NFC never produces what the steps above
    # remove, so the result is stable under a second pass.
    return unicodedata.normalize("NFC", text)


def normalize_line(text: str) -> str:
    """As ``normalize``, but on one line: for names, organisations, localities."""
    if _PLAIN.fullmatch(text) and unicodedata.is_normalized("NFC", text):
        return text  # one line already, and ``normalize``'s own
    return " ".join(line for line in normalize(text).split("\n") if line)


# --- fields and limits -----------------------------------------------------

# (min, max) characters (code points, after normalisation; NFC makes each
# Vietnamese letter one code point). A question is a sentence or a short
# paragraph, as the provinces' forms allow; an answer may be a long written
# reply after the broadcast.
LIMITS: dict[str, tuple[int, int]] = {
    "text": (10, 2000),
    "edit": (10, 2000),
    "name": (2, 100),
    "organization": (0, 200),
    "locality": (0, 100),
    "answer": (1, 10000),
    "note": (1, 2000),
    #: The short version of a question read on air and shown on the overlay.
    "air_text": (5, 200),
}

# field (dot path) -> its name as a sentence says it (a msgid of the catalogs).
_LABELS: dict[str, str] = {
    "body": N_("request body"),
    "text": N_("question"),
    "edit": N_("question"),
    "name": N_("name"),
    "organization": N_("organisation"),
    "locality": N_("locality"),
    "topic": N_("topic"),
    "contact": N_("contact details"),
    "contact.phone": N_("phone number"),
    "contact.email": N_("email address"),
    "consent": N_("consent"),
    "submission_id": N_("submission id"),
    "channel": N_("channel"),
    "answer": N_("answer"),
    "note": N_("note"),
    "air_text": N_("on-air text"),
    "title": N_("title"),
    "description": N_("description"),
    "starts_at": N_("start time"),
    "ends_at": N_("end time"),
    "stream_url": N_("stream URL"),
    "topics": N_("topics"),
    "topics.id": N_("topic id"),
    "topics.name": N_("topic name"),
    "officials": N_("officials"),
    "officials.id": N_("official id"),
    "officials.name": N_("name or title"),
    "officials.title": N_("position"),
    "officials.username": N_("account"),
    "officials.aides": N_("aides' accounts"),
    "localities": N_("locality"),
    "widget_origins": N_("widget origins"),
    "topic_officials": N_("default officials by topic"),
    "allow_anonymous": N_("anonymous questions"),
    "answer_days": N_("days for written answers"),
    "brand": N_("look of the overlay"),
    "brand.name": N_("short name"),
    "brand.color": N_("band colour"),
    "brand.accent": N_("accent colour"),
    "brand.logo": N_("logo"),
    "slug": N_("slug"),
    "version": N_("version"),
    "status": N_("phase"),
    "policy": N_("screening policy"),
    "proof_of_work": N_("anti-robot check"),
    "proof": N_("anti-robot check"),
    "device": N_("device id"),
    "voter": N_("voter id"),
    "username": N_("username"),
    "password": N_("password"),
    "display_name": N_("display name"),
    "admin": N_("administrator flag"),
    "memberships": N_("roles"),
    "disabled": N_("disabled flag"),
    "reason": N_("reason"),
    "official_id": N_("official"),
    "position": N_("position in the queue"),
    "into": N_("question to merge into"),
    "ready": N_("ready flag"),
    "then": N_("what follows"),
    "current": N_("question on air"),
    "change": N_("air change"),
    "visible": N_("overlay's visibility"),
    "action": N_("action"),
    "ids": N_("question ids"),
    "versions": N_("versions"),
}

# Where a question came from. The caller decides who may set which: a public
# caller only "web" or "widget"; staff enter the rest.
_CHANNELS = ("web", "widget", "hotline", "email", "paper", "social", "other")

# A client-made idempotency key: UUIDs (36) and shorter random ids fit.
_SUBMISSION_ID = re.compile("[A-Za-z0-9_-]{8,64}")
#: A citizen's device id: the random id the widget and the public page keep
#: on the device and send with votes and questions (a UUID or 32 hex digits).
DEVICE_ID = re.compile("[A-Za-z0-9_-]{8,64}")


def field_label(field: str) -> Message:
    """A field's name as a sentence says it, also for dot paths with list
    indexes: "officials.1.name" is "officials.name", "localities.0" "localities"."""
    general = ".".join(part for part in field.split(".") if not part.isdigit())
    label = (
        _LABELS.get(field)
        or _LABELS.get(general)
        or _LABELS.get(general.split(".", 1)[0] if general.startswith("topic_officials") else "")
        or _LABELS.get(field.rsplit(".", 1)[-1])
    )
    return Message(label) if label else Message("{name}", {"name": field})


def _invalid(field: str, message: str, **params: object) -> ValidationError:
    return ValidationError(field, "invalid", message, **params)


def _not_text(field: str) -> ValidationError:
    return _invalid(field, "The {label} must be text.", label=field_label(field))


def _limit_for(field: str) -> tuple[int, int]:
    limit = LIMITS.get(field) or LIMITS.get(field.rsplit(".", 1)[-1])
    if limit is None:
        # A programming error, not bad input: unbounded text must not slip through.
        raise KeyError(f"no length limit for field {field!r}; pass limit=")
    return limit


@overload
def clean_text(
    value: object,
    field: str,
    *,
    required: Literal[True] = ...,
    multiline: bool = ...,
    limit: tuple[int, int] | None = ...,
) -> str: ...
@overload
def clean_text(
    value: object,
    field: str,
    *,
    required: bool,
    multiline: bool = ...,
    limit: tuple[int, int] | None = ...,
) -> str | None: ...
def clean_text(
    value: object,
    field: str,
    *,
    required: bool = True,
    multiline: bool = True,
    limit: tuple[int, int] | None = None,
) -> str | None:
    """Normalise a text field and check its length; None when empty and not required.

    ``None`` (a missing key or JSON null) counts as empty. The limit defaults
    to ``LIMITS[field]``; lengths are counted after normalisation.
    """
    if value is None:
        text = ""
    elif isinstance(value, str):
        text = normalize(value) if multiline else normalize_line(value)
    else:
        raise _not_text(field)
    if not text:
        if required:
            raise ValidationError(
                field, "required", "Please enter the {label}.", label=field_label(field)
            )
        return None
    low, high = limit if limit is not None else _limit_for(field)
    length = len(text)
    if length < low:
        raise ValidationError(
            field,
            "too_short",
            "The {label} is too short: at least {low} characters (it has {length}).",
            label=field_label(field),
            low=low,
            length=length,
        )
    if length > high:
        raise ValidationError(
            field,
            "too_long",
            "The {label} is too long: at most {high} characters (it has {length}).",
            label=field_label(field),
            high=high,
            length=length,
        )
    return text


# --- contact ---------------------------------------------------------------

# Longer than any way of writing a Vietnamese number ("+84 (0) 236.3822.222").
_PHONE_MAX_CHARS = 32
#: Digits with spaces, dots, dashes and brackets, after a plus that comes
#: first or just after an opening bracket ("(+84) 912 ..."). Brackets are
#: not matched in pairs: the screening finds numbers in a question's text
#: from their first digit ("0234) 3822 123" of "Gọi số (0234) 3822 123").
_PHONE_CHARS = re.compile(r"\(?\+?[0-9 .()\-]+")
# The national number without its leading 0. Mobiles: 03x/05x/07x/08x/09x and
# 8 more digits. Landlines: every area code has started with 02 since 2017;
# 9 or 10 digits after the 0, as the numbering plan allows.
_NATIONAL_NUMBER = re.compile(r"[35789][0-9]{8}|2[0-9]{8,9}")


def clean_phone(value: object, field: str = "contact.phone") -> str | None:
    """A Vietnamese phone number as "+84..." (E.164); None when empty.

    Accepts national ("0912 345 678", "0912-345-678", "(024) 3825 1234")
    and international ("+84 912 345 678", "+84 912.345.678", "(+84) 912 345
    678", "84912345678", "0084 ...", "+84 (0) 912 ...") forms with spaces,
    dots, dashes and brackets (``_PHONE_CHARS``). Foreign numbers are
    refused.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise _not_text(field)
    # NFKC folds full-width digits and plus signs that some keyboards type.
    raw = unicodedata.normalize("NFKC", normalize_line(value))
    if not raw:
        return None
    error = _invalid(
        field, "The phone number is not valid: enter a Vietnamese number, e.g. 0912 345 678."
    )
    if len(raw) > _PHONE_MAX_CHARS or not _PHONE_CHARS.fullmatch(raw):
        raise error
    digits = re.sub("[^0-9]", "", raw)
    if raw.lstrip("(").startswith("+") or digits.startswith(("0084", "84")):
        international = digits.removeprefix("00")
        if not international.startswith("84"):
            raise error
        national = international[2:].removeprefix("0")  # "+84 (0) 912 345 678"
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        raise error
    if not _NATIONAL_NUMBER.fullmatch(national):
        raise error
    return "+84" + national


# RFC 5321's limit on a forward path.
_EMAIL_MAX_CHARS = 254
# Never in an address people actually use; their presence means a pasted
# display name ("An <an@x.vn>") or a list of addresses.
_EMAIL_FORBIDDEN = frozenset(' <>()[]\\,;:"')


def clean_email(value: object, field: str = "contact.email") -> str | None:
    """A plausible email address with its domain lowercased; None when empty.

    Pragmatic, not RFC 5322: one "@", a non-empty local part, a domain of at
    least two non-empty labels, no spaces, at most 254 characters.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise _not_text(field)
    address = normalize_line(value)
    if not address:
        return None
    local, at, domain = address.partition("@")
    labels = domain.split(".")
    if (
        len(address) > _EMAIL_MAX_CHARS
        or not at
        or not local
        or "@" in domain
        or len(labels) < 2
        or not all(labels)
        or not _EMAIL_FORBIDDEN.isdisjoint(address)
    ):
        raise _invalid(field, "The email address is not valid, e.g. name@example.vn.")
    return f"{local}@{domain.lower()}"


# --- the submission --------------------------------------------------------


class Submission(NamedTuple):
    """A question as submitted, validated and normalised, before intake (a
    named tuple: made on every submission, where a frozen dataclass sets
    each of its fields by ``object.__setattr__``)."""

    text: str
    name: str | None
    organization: str | None
    locality: str | None
    topic: str | None
    phone: str | None
    email: str | None
    consent: bool
    submission_id: str | None
    channel: str


def _clean_locality(value: object, localities: Collection[str]) -> str | None:
    locality = clean_text(value, "locality", required=False, multiline=False)
    if locality is None or not localities or locality in localities:
        return locality
    if any(normalize_line(known) == locality for known in localities):
        return locality
    raise _invalid("locality", "The locality is not one of the dialogue's localities.")


def _clean_topic(value: object, topics: Collection[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _not_text("topic")
    topic = normalize_line(value)
    if not topic:
        return None
    if topic not in topics:
        raise _invalid("topic", "The topic is not one of the dialogue's topics.")
    return topic


def _contact(value: object) -> Mapping[object, object]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not set(value) <= {"phone", "email"}:
        raise _invalid(
            "contact", "The contact details may hold only a phone number and an email address."
        )
    return value


def _clean_submission_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SUBMISSION_ID.fullmatch(value):
        raise _invalid(
            "submission_id",
            "The submission id is not valid: 8 to 64 letters, digits, '_' or '-'.",
        )
    return value


def _clean_channel(value: object) -> str:
    if value is None:
        return "web"
    if not isinstance(value, str) or value not in _CHANNELS:
        raise _invalid(
            "channel", "The channel is not valid; one of: {listed}.", listed=", ".join(_CHANNELS)
        )
    return value


def _clean_consent(value: object, contact_given: bool) -> bool:
    if value is not None and not isinstance(value, bool):
        raise _invalid("consent", "The consent must be true or false.")
    if contact_given and value is not True:
        raise ValidationError(
            "consent",
            "consent_required",
            "Please agree that the organisers may use your contact details to reply.",
        )
    return value is True


def clean_submission(
    payload: object,
    *,
    topics: Collection[str],
    localities: Collection[str],
    allow_anonymous: bool,
) -> Submission:
    """Validate the body of POST /api/v1/dialogues/{slug}/questions.

    Checks every field and raises one ``ValidationError`` carrying all that
    fail (``.errors``), in the order text, name, organization, locality,
    topic, contact, contact.phone, contact.email, consent, submission_id,
    channel; the first of them is the one raised. Consent is asked for when
    a phone number or email address was written, valid or not. Unknown keys
    are ignored. Whether the caller may use a given channel is the caller's
    decision.
    """
    if not isinstance(payload, Mapping):
        raise _invalid("body", "The request body must be a JSON object.")
    try:
        return _checked(payload, topics, localities, allow_anonymous, _Straight())
    except ValidationError:
        pass  # the checks again, each one's error kept (they are pure: the same errors)
    return _checked(payload, topics, localities, allow_anonymous, _Gathered())


def _checked(
    payload: Mapping[str, object],
    topics: Collection[str],
    localities: Collection[str],
    allow_anonymous: bool,
    check: _Gathered,
) -> Submission:
    """``clean_submission``'s checks in its order, run by ``check``."""
    text = check(clean_text, payload.get("text"), "text")
    name = check(
        clean_text, payload.get("name"), "name", required=not allow_anonymous, multiline=False
    )
    organization = check(
        clean_text, payload.get("organization"), "organization", required=False, multiline=False
    )
    locality = check(_clean_locality, payload.get("locality"), localities)
    topic = check(_clean_topic, payload.get("topic"), topics)
    contact = check(_contact, payload.get("contact")) or {}
    phone = check(clean_phone, contact.get("phone"))
    email = check(clean_email, contact.get("email"))
    contact_given = bool(phone or email) or check.failed("contact.")
    consent = check(_clean_consent, payload.get("consent"), contact_given)
    submission_id = check(_clean_submission_id, payload.get("submission_id"))
    channel = check(_clean_channel, payload.get("channel"))
    if check.errors:
        raise ValidationError.all_of(check.errors)
    assert text is not None and channel is not None  # required: an error otherwise
    return Submission(
        text=text,
        name=name,
        organization=organization,
        locality=locality,
        topic=topic,
        phone=phone,
        email=email,
        consent=consent is True,
        submission_id=submission_id,
        channel=channel,
    )
