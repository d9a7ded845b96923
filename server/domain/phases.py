"""A dialogue's phases and the fields an admin may change. Pure: no I/O.

draft -> open (taking questions before the broadcast) -> live -> closed (no
new questions; written answers go on) -> archived. An admin may step back
one phase (a broadcast opened too early, a dialogue reopened to finish), but
never skip a phase, so that ``live_at`` and ``closed_at`` mean what they say.
A live dialogue closes only through the wrap-up of its broadcast
(``wrapup.py``), which leaves no question approved, queued or on air: the
phase switch alone refuses that step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from . import screening
from .folding import strip_marks
from .model import Dialogue, DialogueStatus, Official, Topic
from .text import ValidationError, clean_text, field_label, normalize_line
from .wording import N_, FieldError, Message, Refused
from .wrapup import MAX_ANSWER_DAYS

D = DialogueStatus
#: Allowed phase changes: forward one step, or back one step.
PHASES: dict[DialogueStatus, frozenset[DialogueStatus]] = {
    D.DRAFT: frozenset({D.OPEN}),
    D.OPEN: frozenset({D.DRAFT, D.LIVE}),
    D.LIVE: frozenset({D.OPEN, D.CLOSED}),
    D.CLOSED: frozenset({D.LIVE, D.ARCHIVED}),
    D.ARCHIVED: frozenset({D.CLOSED}),
}

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$|^https?://\[[0-9A-Fa-f:]+\](:\d{1,5})?$"
)


def change_phase(dialogue: Dialogue, status: Any, at: str, *, wrap_up: bool = False) -> Dialogue:
    """The dialogue in phase ``status``, or Refused (400 unknown, 409 not
    allowed). Live to closed only for the wrap-up (``wrap_up``)."""
    try:
        target = DialogueStatus(status)
    except ValueError:
        raise Refused("invalid", "status must be a dialogue phase", "status") from None
    if target is dialogue.status:
        return dialogue
    if target not in PHASES[dialogue.status]:
        raise Refused(
            "conflict",
            "a {status} dialogue cannot become {target}",
            "status",
            status=dialogue.status.value,
            target=target.value,
        )
    if dialogue.status is D.LIVE and target is D.CLOSED and not wrap_up:
        raise Refused(
            "conflict",
            "a live dialogue ends only through the wrap-up (“End the broadcast”), which turns "
            "every question not answered live into a written answer owed",
            "status",
        )
    changes: dict[str, Any] = {"status": target}
    if target is D.LIVE and dialogue.live_at is None:
        changes["live_at"] = at
    if target is D.CLOSED:
        changes["closed_at"] = at
    return dialogue.evolve(**changes)


#: The moments a dialogue in each phase has been through (``live_at``,
#: ``closed_at``): one created straight into a phase gets them too.
PAST: dict[D, tuple[str, ...]] = {
    D.LIVE: ("live_at",),
    D.CLOSED: ("live_at", "closed_at"),
    D.ARCHIVED: ("live_at", "closed_at"),
}


def _invalid(field: str, message: str, **params: Any) -> Refused:
    return Refused("invalid", message, field, **params)


def _bad(field: str, what: str) -> Refused:
    """``field`` (named in words) must be ``what`` (a msgid)."""
    return _invalid(
        field, "The {label} must be {what}.", label=field_label(field), what=Message(what)
    )


#: Slugs taken by pages of their own (/admin/users).
RESERVED_SLUGS = frozenset({"users"})


def clean_slug(value: Any) -> str:
    if isinstance(value, str) and value in RESERVED_SLUGS:
        raise _invalid("slug", "The slug “{slug}” is reserved; choose another.", slug=value)
    if not isinstance(value, str) or not _SLUG.match(value):
        raise _invalid("slug", "The slug must be 1-64 lowercase letters, digits and dashes.")
    return value


def _line(value: Any, field: str, limit: tuple[int, int], required: bool = False) -> str | None:
    try:
        return clean_text(value, field, required=required, multiline=False, limit=limit)
    except ValidationError as exc:
        raise Refused("invalid", exc.message, exc.field) from None


def _time(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _ISO.match(value):
        raise _bad(field, N_("a date and time with its offset"))
    return value


def _url(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or len(value) > 500
    ):
        raise _bad(field, N_("an http(s) address"))
    return str(value)


def _ids(items: Any, field: str) -> list[dict[str, Any]]:
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _bad(field, N_("a list"))
    for n, item in enumerate(items):
        if not isinstance(item.get("id"), str) or not _ID.match(item["id"]):
            raise _bad(f"{field}.{n}.id", N_("lowercase letters, digits, - and _"))
    if len({i["id"] for i in items}) != len(items):
        raise _invalid(field, "Two of the {label} have the same id.", label=field_label(field))
    return items


EDITABLE = (
    "title", "description", "starts_at", "ends_at", "stream_url", "topics", "officials",
    "localities", "allow_anonymous", "widget_origins", "topic_officials", "proof_of_work",
    "policy", "answer_days", "brand",
)  # fmt: skip
#: The overlay's look (``brand``): a short name, the band's and the accent's
#: colours (#rrggbb), and a logo as a data: URL of at most ``LOGO_MAX``
#: characters (kept with the dialogue: the overlay fetches nothing else
#: during the broadcast).
BRAND_KEYS = ("name", "color", "accent", "logo")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_LOGO = re.compile(r"^data:image/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$")
LOGO_MAX = 48_000
#: The most blocked words or phrases a dialogue may add, and their length.
MAX_BLOCKED = 500
BLOCKED_LENGTH = (1, 60)


#: The most meaningful syllables a dialogue may ask of a question: more, and
#: nearly every question would be rejected as too short.
MAX_MIN_SYLLABLES = 50
#: The most letters ``shouting`` may ask for before it counts.
MAX_SHOUTING_LETTERS = 1000


def _policy(current: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """The screening policy after an admin's change (any of its keys), every
    fault at once: a flag both held and rejected, a bound past sense, a
    blocked word listed twice."""
    if not isinstance(value, dict):
        raise _bad("policy", N_("an object"))
    errors: list[FieldError] = []
    words = value.get("extra_blocked", current.get("extra_blocked", ()))
    valid = isinstance(words, list | tuple) and len(words) <= MAX_BLOCKED
    if not valid or not all(
        isinstance(w, str) and BLOCKED_LENGTH[0] <= len(w.strip()) <= BLOCKED_LENGTH[1]
        for w in words
    ):
        errors += _faults(
            _invalid(
                "policy.extra_blocked",
                "extra_blocked must be at most {most} words or phrases of 1 to 60 characters.",
                most=MAX_BLOCKED,
            ),
            "",
        )
        words = []
    else:
        errors += [
            FieldError("policy.extra_blocked", e.code, e.message)
            for e in _repeated([("policy.extra_blocked", w) for w in words])
        ]
    bounds = (
        ("min_syllables", 0, MAX_MIN_SYLLABLES,
         N_("The fewest syllables of a question must be a whole number from {least} to {most}.")),
        ("shouting_min_letters", 1, MAX_SHOUTING_LETTERS,
         N_("The letters that make shouting must be a whole number from {least} to {most}.")),
    )  # fmt: skip
    for key, least, most, text in bounds:
        number = value.get(key, least)
        if type(number) is not int or not least <= number <= most:
            message = Message(text, {"least": least, "most": most})
            errors.append(FieldError(f"policy.{key}", "invalid", message))
    hold, reject = value.get("hold"), value.get("reject")
    merged = {**current, **value, "extra_blocked": [w.strip() for w in words]}
    if isinstance(hold, list | tuple) and isinstance(reject, dict):
        for flag in sorted(set(hold) & set(reject)):
            errors.append(
                FieldError(
                    "policy.reject",
                    "invalid",
                    Message(
                        "The flag “{flag}” cannot be both held for review and rejected at once.",
                        {"flag": flag},
                    ),
                )
            )
    elif isinstance(reject, dict):  # newly rejected flags are no longer held
        merged["hold"] = [f for f in merged.get("hold", screening.DEFAULT_POLICY.hold)
                          if f not in reject]  # fmt: skip
    elif isinstance(hold, list | tuple):  # newly held flags are no longer rejected
        kept = merged.get("reject", screening.DEFAULT_POLICY.reject)
        merged["reject"] = {f: r for f, r in dict(kept).items() if f not in hold}
    refuse(errors)
    try:
        return dict(screening.Policy.from_doc(merged).to_doc())
    except (ValueError, TypeError) as exc:
        raise _invalid("policy", "invalid policy: {problem}", problem=str(exc)) from None


def check_version(dialogue: Dialogue, version: Any) -> None:
    """Refuse (409) a change made on a page showing another ``version`` of
    the dialogue; ``None``: the caller did not say, and takes the latest."""
    if version is None:
        return
    if isinstance(version, bool) or not isinstance(version, int):
        raise _bad("version", N_("a whole number"))
    if version != dialogue.version:
        raise stale()


def stale() -> Refused:
    """409: another admin changed the dialogue since this one's page loaded."""
    return Refused(
        "conflict", "the dialogue was changed by someone else: reload to see the change", "version"
    )


def _faults(exc: Refused, field: str) -> list[FieldError]:
    """Every field ``exc`` names (``field`` if it names none)."""
    return list(exc.fields) or [FieldError(exc.field or field, exc.code, exc.message)]


def _each(items: list[Any], check: Any, errors: list[FieldError]) -> list[Any]:
    """``check(item, n)`` of every item, each fault kept in ``errors``."""
    done = []
    for n, item in enumerate(items):
        try:
            done.append(check(item, n))
        except Refused as exc:
            errors += _faults(exc, "")
    return done


def _description(value: Any) -> str:
    try:
        return clean_text(value, "description", required=False, limit=(0, 4000)) or ""
    except ValidationError as exc:
        raise Refused("invalid", exc.message, exc.field) from None


def _flag(value: Any, field: str, what: str) -> bool:
    if not isinstance(value, bool):
        raise _bad(field, what)
    return value


def _proof_of_work(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _invalid("proof_of_work", "The anti-robot check must be on (true) or off (false).")
    return value


def _origins(origins: Any) -> tuple[str, ...]:
    if not isinstance(origins, list) or not all(
        isinstance(o, str) and _ORIGIN.match(o.rstrip("/")) for o in origins
    ):
        raise _bad("widget_origins", N_("a list of scheme://host[:port]"))
    return tuple(o.rstrip("/") for o in origins)


def _answer_days(days: Any) -> int:
    if type(days) is not int or not 1 <= days <= MAX_ANSWER_DAYS:
        raise _invalid(
            "answer_days",
            "The days for written answers must be a whole number from 1 to {most}.",
            most=MAX_ANSWER_DAYS,
        )
    return days


def _field_values(
    dialogue: Dialogue, changes: Mapping[str, Any], errors: list[FieldError]
) -> dict[str, Any]:
    """Each changed field's checked value; each fault kept in ``errors``
    (a field with a fault is left out)."""
    checks: dict[str, Any] = {
        "title": lambda v: _line(v, "title", (3, 200), required=True),
        "description": _description,
        "starts_at": lambda v: _time(v, "starts_at"),
        "ends_at": lambda v: _time(v, "ends_at"),
        "stream_url": lambda v: _url(v, "stream_url"),
        "allow_anonymous": lambda v: _flag(v, "allow_anonymous", N_("true or false")),
        "proof_of_work": _proof_of_work,
        "widget_origins": _origins,
        "policy": lambda v: _policy(dialogue.policy, v),
        "answer_days": _answer_days,
        "brand": _brand,
    }
    new: dict[str, Any] = {}
    for field, check in checks.items():
        if field in changes:
            try:
                new[field] = check(changes[field])
            except Refused as exc:
                errors += _faults(exc, field)
    lists: dict[str, Any] = {
        "topics": lambda t, n: Topic(
            t["id"], _line(t.get("name"), f"topics.{n}.name", (1, 100), True) or ""
        ),
        "officials": _official,
        "localities": lambda x, n: _line(x, f"localities.{n}", (1, 100), True) or "",
    }
    for field, check in lists.items():
        if field not in changes:
            continue
        before = len(errors)
        try:
            items = changes[field] if field == "localities" else _ids(changes[field], field)
            if not isinstance(items, list):
                raise _bad(field, N_("a list"))
        except Refused as exc:
            errors += _faults(exc, field)
            continue
        done = _each(items, check, errors)
        if len(errors) == before:
            new[field] = tuple(done)
    return new


def edit(dialogue: Dialogue, changes: Mapping[str, Any]) -> Dialogue:
    """``dialogue`` with the admin's ``changes`` (any of ``EDITABLE``, and
    the ``version`` they were made on), validated: every field at fault is
    named in one Refused (its first fault's message, ``fields`` all)."""
    check_version(dialogue, changes.get("version"))
    errors: list[FieldError] = []
    unknown = set(changes) - set(EDITABLE) - {"version"}
    for field in sorted(unknown):
        errors += _faults(_invalid(field, "{name} cannot be changed here.", name=field), field)
    new = _field_values(dialogue, changes, errors)
    result = dialogue.evolve(**new)
    errors += _together(result, set(new))
    if "topic_officials" in changes:
        mapping = changes["topic_officials"]
        lists_failed = any(f in changes and f not in new for f in ("topics", "officials"))
        if lists_failed:
            pass  # checked again once the topics and officials they name are fixed
        elif not isinstance(mapping, dict):
            errors += _faults(_bad("topic_officials", N_("topic ids with official ids")), "")
        else:
            for topic_id, official_id in mapping.items():
                if result.topic(topic_id) is None or result.official(official_id) is None:
                    message = Message("That topic or official is not in this dialogue.")
                    errors.append(FieldError(f"topic_officials.{topic_id}", "invalid", message))
            result = result.evolve(topic_officials=tuple(sorted(mapping.items())))
    else:  # drop defaults whose topic or official is gone
        kept = tuple(
            (t, o) for t, o in result.topic_officials if result.topic(t) and result.official(o)
        )
        result = result.evolve(topic_officials=kept)
    refuse(errors)
    return result


def refuse(errors: list[FieldError]) -> None:
    """Refuse (400) every fault of ``errors`` at once, if there is one: the
    first's message, as a question's submission does."""
    if errors:
        first = errors[0]
        raise Refused(first.code, first.message, first.field, fields=errors)


def _key(name: str) -> str:
    """What two names must differ in to be two: not case, marks (đ is d),
    or spaces around and between words."""
    return " ".join(strip_marks(name).split())


def _repeated(names: list[tuple[str, str]]) -> list[FieldError]:
    """An error for each name (field, name) that repeats one before it."""
    seen: set[str] = set()
    errors: list[FieldError] = []
    for field, name in names:
        key = _key(name)
        if key in seen:
            message = Message(
                "“{name}” is listed twice: the names must differ (not only in case or marks).",
                {"name": name},
            )
            errors.append(FieldError(field, "invalid", message))
        seen.add(key)
    return errors


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _together(result: Dialogue, changes: set[str] | Mapping[str, Any]) -> list[FieldError]:
    """The rules between fields, on the dialogue as the change leaves it:
    the end after the start, and no topic, locality or official listed
    twice. Checked where the change touches them, every fault at once."""
    errors: list[FieldError] = []
    timed = "starts_at" in changes or "ends_at" in changes
    start, end = result.starts_at, result.ends_at
    if timed and start and end and _moment(end) <= _moment(start):
        field = "ends_at" if "ends_at" in changes else "starts_at"
        errors.append(FieldError(field, "invalid", Message("The end must come after the start.")))
    if "topics" in changes:
        errors += _repeated([(f"topics.{n}.name", t.name) for n, t in enumerate(result.topics)])
    if "localities" in changes:
        errors += _repeated([(f"localities.{n}", x) for n, x in enumerate(result.localities)])
    if "officials" in changes:
        errors += _repeated(
            [
                (f"officials.{n}.name", f"{o.name}, {o.title}" if o.title else o.name)
                for n, o in enumerate(result.officials)
            ]
        )
    return errors


def _brand(value: Any) -> dict[str, str]:
    """The overlay's look, validated: every key optional, an empty one dropped."""
    if not isinstance(value, dict):
        raise _bad("brand", N_("an object"))
    unknown = sorted(set(value) - set(BRAND_KEYS))
    if unknown:
        raise _invalid(f"brand.{unknown[0]}", "{name} cannot be changed here.", name=unknown[0])
    brand: dict[str, str] = {}
    name = _line(value.get("name"), "brand.name", (0, 60))
    if name:
        brand["name"] = name
    for key in ("color", "accent"):
        color = value.get(key)
        if color in (None, ""):
            continue
        if not isinstance(color, str) or not _COLOR.match(color):
            raise _bad(f"brand.{key}", N_("a colour such as #0b3d91"))
        brand[key] = color.lower()
    logo = value.get("logo")
    if logo not in (None, ""):
        if not isinstance(logo, str) or len(logo) > LOGO_MAX or not _LOGO.match(logo):
            raise _invalid(
                "brand.logo",
                "The logo must be a PNG, JPEG, WebP or SVG image of at most {kb} KB.",
                kb=LOGO_MAX * 3 // 4 // 1000,
            )
        brand["logo"] = logo
    return brand


def _official(o: dict[str, Any], n: int) -> Official:
    aides = o.get("aides", [])
    username = o.get("username")
    if username is not None and (not isinstance(username, str) or not username):
        raise _bad(f"officials.{n}.username", N_("a username"))
    if not isinstance(aides, list) or not all(isinstance(a, str) and a for a in aides):
        raise _bad(f"officials.{n}.aides", N_("a list of usernames"))
    return Official(
        id=o["id"],
        name=_line(o.get("name"), f"officials.{n}.name", (2, 200), True) or "",
        title=_line(o.get("title"), f"officials.{n}.title", (0, 300)) or "",
        username=username,
        aides=tuple(aides),
    )


def new_dialogue(dialogue_id: str, payload: Mapping[str, Any]) -> Dialogue:
    """A draft dialogue from an admin's request body (every fault at once)."""
    errors: list[FieldError] = []
    try:
        slug = clean_slug(payload.get("slug"))
    except Refused as exc:
        errors += _faults(exc, "slug")
        slug = "x"
    base = Dialogue(
        id=dialogue_id, slug=slug, title=normalize_line(str(payload.get("title") or ""))
    )
    changes = {k: v for k, v in payload.items() if k != "slug"} | {"title": payload.get("title")}
    try:
        edited = edit(base, changes)
    except Refused as exc:
        if exc.code != "invalid":
            raise
        errors += _faults(exc, "")
    refuse(errors)
    return edited
