"""The catalogs speak with the glossary's words (docs/glossary.md): no
Vietnamese translation and no English msgid uses a word the glossary's
"Words to avoid" tables list; no string of either catalog is left out or
untranslated; no public page and no widget string calls the citizen "bạn";
and the glossary names every role and every state of the model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from server.domain import text as text_module
from server.domain.model import Role, Status
from server.web import widget

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
LOCALE = ROOT / "moderator_ui" / "locale"
TEMPLATES = ROOT / "moderator_ui" / "templates"
#: The pages citizens and viewers read (and the pieces they are made of).
PUBLIC_TEMPLATES = (
    "base.html",
    "index.html",
    "dialogue.html",
    "tracking.html",
    "archive.html",
    "error.html",
    "screen.html",
    "_question.html",
    "_record.html",
    "_labels.html",
)


# -- the glossary's tables -----------------------------------------------------


def table(heading: str) -> list[list[str]]:
    """The rows of the table under ``## heading`` (cells unescaped, header and rule dropped)."""
    text = GLOSSARY.read_text()
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    cells = [
        [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        for row in rows[2:]
    ]
    assert cells, f"no table under {heading!r}"
    return cells


def pattern(avoid: str) -> re.Pattern[str]:
    """A cell of the "avoid" column: `/regex/`, or a phrase matched on whole words."""
    avoid = avoid.strip("`")
    if len(avoid) > 2 and avoid.startswith("/") and avoid.endswith("/"):
        return re.compile(avoid[1:-1], re.IGNORECASE)
    start = r"(?<!\w)" if avoid[0].isalnum() else ""
    end = r"(?!\w)" if avoid[-1].isalnum() else ""
    return re.compile(start + re.escape(avoid) + end, re.IGNORECASE)


def avoided(heading: str) -> list[tuple[re.Pattern[str], str]]:
    return [(pattern(avoid), use) for avoid, use, _ in table(heading)]


def misuses(text: str, rules: list[tuple[re.Pattern[str], str]]) -> list[str]:
    return [f"{rule.pattern!r} (use: {use})" for rule, use in rules if rule.search(text)]


# -- the catalogs ---------------------------------------------------------------


def read(lang: str) -> Catalog:
    path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        return read_po(po, locale=lang)


def strings(message: Message) -> tuple[str, ...]:
    found = message.string if isinstance(message.string, tuple) else (message.string,)
    return tuple(str(s or "") for s in found)


def ids(message: Message) -> tuple[str, ...]:
    found = message.id if isinstance(message.id, tuple) else (message.id,)
    return tuple(str(i) for i in found)


def entries(lang: str) -> list[Message]:
    return [m for m in read(lang) if m.id]


def template_msgids(names: tuple[str, ...]) -> set[str]:
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    found: set[str] = set()
    for filename, _, message, _, _ in extract_from_dir(
        str(TEMPLATES), method_map=[("**.html", "jinja2")], options_map=options
    ):
        if filename in names:
            found.update([message] if isinstance(message, str) else message[:1])
    return found


def test_no_vietnamese_string_uses_a_word_to_avoid() -> None:
    """Every vi translation keeps to the glossary's terms for the people,
    roles, states and actions, its register and its punctuation."""
    rules = avoided("Words to avoid (vi)")
    bad = [
        f"{ids(m)[0]!r} → {text!r}: {', '.join(found)}"
        for m in entries("vi")
        for text in strings(m)
        if (found := misuses(text, rules))
    ]
    assert not bad, "\n".join(bad)


def test_no_english_msgid_uses_a_word_to_avoid() -> None:
    """The English the en catalog shows (its msgids) keeps to the glossary too."""
    rules = avoided("Words to avoid (en)")
    bad = [
        f"{msgid!r}: {', '.join(found)}"
        for m in entries("en")
        for msgid in ids(m)
        if (found := misuses(msgid, rules))
    ]
    assert not bad, "\n".join(bad)


def test_the_checks_catch_a_word_to_avoid() -> None:
    """The rules do match what they are for, and leave the right words alone."""
    vi = avoided("Words to avoid (vi)")
    for wrong in (
        "Cảm ơn bạn!",
        "Chép mã",
        "Đã chọn 8 câu",
        "Xóa câu #3",
        "Đã sửa",
        "Mất kết nối; đang kết nối lại",
        "Giao {name}",
        "lãnh đạo tỉnh",
    ):
        assert misuses(wrong, vi), wrong
    for right in (
        "Cảm ơn Ông/Bà!",
        "Sao chép mã",
        "Đã chọn 8 câu hỏi",
        "3 câu trả lời",
        "Đã biên tập",
        "giao diện",
        "Thành phố Huế",
    ):
        assert not misuses(right, vi), right
    en = avoided("Words to avoid (en)")
    assert misuses("Assign {name}", en) and not misuses("Routed to {name}", en)


PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)[sd]")


def placeholders(text: str) -> set[str]:
    return {(a or b).lower() for a, b in PLACEHOLDER.findall(text)}


def test_every_string_is_translated_in_both_catalogs() -> None:
    """The vi and en catalogs hold every msgid of the template (.pot); each
    vi translation is there (not empty, not fuzzy) and uses only the
    placeholders its msgid has. The en catalog may leave a msgid
    untranslated (English is the msgids themselves); where it gives a
    reader's wording for a developer's msgid, it too uses only its
    msgid's placeholders."""
    with (LOCALE / "messages.pot").open("rb") as pot:
        template = {m.id for m in read_po(pot) if m.id}
    assert len(template) > 500
    for lang in ("vi", "en"):
        assert template <= {m.id for m in entries(lang)}, lang
    empty = [ids(m)[0] for m in entries("vi") if m.fuzzy or not all(strings(m))]
    assert not empty, f"untranslated in vi: {empty}"
    invented = [
        f"{ids(m)[0]!r} → {text!r}"
        for m in entries("vi")
        for text in strings(m)
        if not placeholders(text) <= set().union(*(placeholders(i) for i in ids(m)))
    ]
    assert not invented, "\n".join(invented)
    invented = [
        f"{ids(m)[0]!r} → {text!r}"
        for m in entries("en")
        for text in strings(m)
        if not placeholders(text) <= set().union(*(placeholders(i) for i in ids(m)))
    ]
    assert not invented, "\n".join(invented)


def test_public_pages_and_the_widget_never_say_ban() -> None:
    """No text of a public page (its templates' strings) or of the widget
    calls the citizen "bạn": they say "Ông/Bà"."""
    vi = {ids(m)[0]: strings(m) for m in entries("vi")}
    public = template_msgids(PUBLIC_TEMPLATES) | set(widget.msgids())
    assert len(public) > 100
    ban = re.compile(r"(?<!\w)bạn(?!\w)", re.IGNORECASE)
    casual = sorted(msgid for msgid in public if any(ban.search(s) for s in vi.get(msgid, ())))
    assert not casual, casual
    for name in PUBLIC_TEMPLATES:
        assert not ban.search((TEMPLATES / name).read_text()), name


@pytest.mark.parametrize(
    ("heading", "names"),
    [
        ("Roles", {f"`{r.value}`" for r in Role}),
        ("States of a question", {f"`{s.value}`" for s in Status}),
    ],
)
def test_the_glossary_names_every_role_and_state(heading: str, names: set[str]) -> None:
    """Each role and each state of the model has its row in the glossary."""
    assert {row[0] for row in table(heading)} == names


#: The en msgids that are pieces of a sentence, never shown alone: they stay
#: lowercase. A field's name (``{label}`` in "The {label} must be {what}."),
#: what a value must be (``{what}``), what was done to a question ("Question
#: #{id}: {what}."), what a screening flag found (after the flag's name), the
#: rows of the dashboard's "From receipt" column, the hidden word after a
#: number of votes, "(you)" after a username, and the product's name.
FRAGMENTS = set(text_module._LABELS.values()) | {
    # body fields' names the domain's labels lack, and what an unnamed one is
    # called (server/web/bodies.py)
    "fewest syllables a question needs",
    "fewest letters for the shouting check",
    "value sent",
    # what a value must be (server/web/bodies.py, server/domain/phases.py)
    "text",
    "a whole number",
    "a number",
    "true or false",
    "an object",
    "a list",
    "a date and time with its offset",
    "an http(s) address",
    "lowercase letters, digits, - and _",
    "a list of scheme://host[:port]",
    "topic ids with official ids",
    "a colour such as #0b3d91",
    "a username",
    "a list of usernames",
    # what was done to a question (console.html's done_actions)
    "approved",
    "rejected",
    "restored to pending",
    "taken off the public page",
    "text saved",
    "topic set",
    "routed",
    "merged",
    "merge undone",
    "put in the on-air queue",
    "taken out of the on-air queue",
    # after a screening flag's name
    "in the question: {found}",
    "in the name: {found}",
    "in the organisation: {found}",
    # dashboard.html: "From receipt" / "to a first decision"
    "to a first decision",
    "to an answer",
    "more than 90 days",
    "votes",
    "you",
    "doithoai: live questions and answers for online public dialogues",
}


def shown_in_english(message: Message) -> str:
    """What an English reader sees: the en translation, or else the msgid."""
    return strings(message)[0] or ids(message)[0]


def test_every_english_message_shown_alone_starts_with_a_capital() -> None:
    """A message shown on its own (a refusal, an error, a label) reads as
    English for a moderator or a citizen: it starts with a capital letter, in
    its msgid or in the en catalog's translation. Only the pieces listed in
    FRAGMENTS, which are put into other sentences, start lowercase."""
    lowercase = sorted(
        ids(m)[0]
        for m in entries("en")
        if ids(m)[0] not in FRAGMENTS and shown_in_english(m)[:1].islower()
    )
    assert not lowercase, f"give these an English msgstr (or list a fragment): {lowercase}"


def test_fragments_are_in_the_catalog_and_stay_lowercase() -> None:
    """Each listed fragment is a msgid still, and is not capitalised: it is
    read in the middle of another sentence (a capital placeholder, such as
    ``{Label}``, capitalises it where a sentence starts with it)."""
    catalog = {ids(m)[0]: m for m in entries("en")}
    stale = sorted(f for f in FRAGMENTS if f not in catalog)
    assert not stale, stale
    capital = sorted(f for f in FRAGMENTS if not shown_in_english(catalog[f])[:1].islower())
    assert not capital, capital


def test_the_capital_check_catches_a_developer_message() -> None:
    """The check above does fail on an untranslated lowercase msgid."""
    developer = Message("cannot approve a question that is answered")
    assert shown_in_english(developer)[:1].islower()
    assert developer.id not in FRAGMENTS
    translated = Message(developer.id, "That cannot be done to a question that is “answered”.")
    assert not shown_in_english(translated)[:1].islower()
