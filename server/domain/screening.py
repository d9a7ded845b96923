"""Screening at intake: named flags on a question, and what the dialogue's
policy does about them.

``screen(text, name, organization, policy)`` runs every rule over a submitted
question and returns a ``ScreeningResult``: the flags raised (each with what
it found, by field, quoted as the asker wrote it: no sentence in any language,
so that each reader's console says it in theirs), and the decision the policy
draws from them:
``"pending"`` (nothing to say: into the moderation queue), ``"hold"`` (into
the queue, marked for a moderator's review; never auto-approved) or
``"reject"`` (rejected at once with a reason code the citizen sees).

The rules (``FLAGS``, in the order they are reported):

- ``blocked_word``: a word of the built-in Vietnamese and English lists, or of
  the dialogue's ``Policy.extra_blocked``, in the text, the name or the
  organisation. Matching works on whole syllables of the folded text, so "đi",
  "má", "con", "các", "lớn" never match inside or as other words. Words that
  are innocent once their marks are gone ("đéo" vs "đeo", "lồn" vs "lớn",
  "cặc" vs "các", "đĩ" vs "đi", "đụ" vs "du") only match with their marks, or
  typed in Telex or VNI ("ddeos", "d9eo1"). Obfuscations are undone first:
  letters spaced or dotted apart ("đ m", "d.m", "f u c k"), repeated letters
  ("đmmmm", "fuuuck"), digits for letters ("d1t", "sh1t").
- ``link``: a URL, a "www." address, or a bare domain with a known top-level
  domain ("abc.com", "bit.ly/x", "zalo.me/...", "xyz chấm com").
- ``phone``: a Vietnamese phone number (as ``text.clean_phone`` accepts).
- ``email``: an e-mail address, also "ten (at) gmail.com".
- ``shouting``: at least ``Policy.shouting_min_letters`` letters, 70 % of them
  capitals.
- ``repeated_chars``: one character five times or more in a row ("!!!!!",
  "aaaaa"); digits are exempt ("100000 đồng").
- ``empty_content``: nothing left once punctuation, emoji and the syllables
  that frame every question ("xin hỏi", "cho tôi", "ạ") are gone: "Xin hỏi
  ạ!!!!!" is a question not yet written, not spam. By default it is turned
  back at once with the reason ``no_content``, which asks the citizen, kindly,
  to send it again with what they want to ask.
- ``too_short``: fewer than ``Policy.min_syllables`` meaningful syllables.

This module is pure: standard library only, no I/O, no Redis, Starlette or
asyncio. It never changes the text; it never decides on meaning (abuse that
uses no listed word, a question that is off topic): moderators do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from .folding import STOP_SYLLABLES, fold, fold_text, is_syllable
from .model import REJECT_REASONS
from .text import ValidationError, clean_phone
from .views import ScreeningPolicy

FLAGS = (
    "blocked_word",
    "link",
    "phone",
    "email",
    "shouting",
    "repeated_chars",
    "empty_content",
    "too_short",
)

Decision = Literal["pending", "hold", "reject"]


# --- the policy --------------------------------------------------------------


def _default_reject() -> dict[str, str]:
    # Nothing to answer yet: no moderator needs to see it, and the citizen is
    # told that the question itself is missing (never "spam").
    return {"empty_content": "no_content"}


def _default_hints() -> dict[str, str]:
    # The reason a moderator will most likely pick, preselected in the console.
    return {
        "blocked_word": "abusive",
        "link": "spam",
        "phone": "personal_case",
        "email": "personal_case",
    }


@dataclass(frozen=True)
class Policy:
    """What a dialogue does with each flag. A flag in neither ``hold`` nor
    ``reject`` is shown to moderators and changes nothing else."""

    #: Flags that keep a question for a moderator's review.
    hold: frozenset[str] = frozenset({"blocked_word", "link", "phone", "email"})
    #: Flags that reject a question at once, with the reason code the citizen sees.
    reject: Mapping[str, str] = field(default_factory=_default_reject)
    #: For held flags, the reject reason to preselect for the moderator.
    hints: Mapping[str, str] = field(default_factory=_default_hints)
    #: The dialogue's own blocked words or phrases, matched like the built-in
    #: folded list: without marks, on whole syllables ("tham nhũng" matches
    #: "Tham nhũng", "tham nhung" and "tham nhũng vặt", never "thamnhung").
    extra_blocked: tuple[str, ...] = ()
    #: Fewer meaningful syllables than this raise ``too_short``.
    min_syllables: int = 3
    #: ``shouting`` needs at least this many letters (a short "UBND HUẾ" is not shouting).
    shouting_min_letters: int = 20

    def __post_init__(self) -> None:
        unknown = (set(self.hold) | set(self.reject) | set(self.hints)) - set(FLAGS)
        if unknown:
            raise ValueError(f"unknown flags: {sorted(unknown)}")
        reasons = set(self.reject.values()) | set(self.hints.values())
        if not reasons <= set(REJECT_REASONS):
            raise ValueError(f"unknown reject reasons: {sorted(reasons - set(REJECT_REASONS))}")
        if self.min_syllables < 0 or self.shouting_min_letters < 1:
            raise ValueError("min_syllables must be >= 0 and shouting_min_letters >= 1")

    def to_doc(self) -> ScreeningPolicy:
        return {
            "hold": sorted(self.hold),
            "reject": dict(self.reject),
            "hints": dict(self.hints),
            "extra_blocked": list(self.extra_blocked),
            "min_syllables": self.min_syllables,
            "shouting_min_letters": self.shouting_min_letters,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Policy:
        """A policy from ``to_doc``'s form; missing keys take the defaults."""
        default = cls()
        return cls(
            hold=frozenset(doc.get("hold", default.hold)),
            reject=dict(doc.get("reject", default.reject)),
            hints=dict(doc.get("hints", default.hints)),
            extra_blocked=tuple(doc.get("extra_blocked", ())),
            min_syllables=int(doc.get("min_syllables", default.min_syllables)),
            shouting_min_letters=int(doc.get("shouting_min_letters", default.shouting_min_letters)),
        )


DEFAULT_POLICY = Policy()


#: What a flag found, by field ("text", "name", "organization"), each item
#: quoted as written: {"text": ["đm"], "name": ["shop.vn"]}. Empty for a flag
#: about the whole text (shouting, empty content, too short).
Found = dict[str, list[str]]
#: The fields screening reads, in the order a console lists them.
FIELDS = ("text", "name", "organization")


@dataclass(frozen=True)
class ScreeningResult:
    #: Raised flags, in the order of ``FLAGS``.
    flags: tuple[str, ...]
    #: flag → what it found (``Found``), for the moderator's console to say
    #: in the reader's language.
    reasons: dict[str, Found]
    decision: Decision
    #: For "reject": the reason code the citizen sees (model.REJECT_REASONS).
    reject_reason: str | None = None
    #: For "hold": the reject reason to preselect if the moderator rejects.
    suggested_reason: str | None = None


# --- blocked words -----------------------------------------------------------

#: Matched on folded syllables (no marks): abbreviations and words that stay
#: offensive without their marks. Kept moderate; docs/moderation.md lists it.
BLOCKED_FOLDED = (
    # Vietnamese
    "dit",
    "dit me",
    "dm",
    "dmm",
    "dcm",
    "dkm",
    "vcl",
    "vkl",
    "clgt",
    "cmm",
    "loz",
    "me kiep",
    "khon nan",
    "ngu nhu cho",
    "ngu nhu bo",
    # English
    "fuck",
    "fucking",
    "fucker",
    "motherfucker",
    "fck",
    "fuk",
    "fvck",
    "shit",
    "bullshit",
    "bitch",
    "asshole",
    "bastard",
    "dick",
    "cunt",
    "wtf",
    "stfu",
)

#: Matched only with their marks (or typed in Telex or VNI): without them they
#: are everyday words (đéo/đeo, lồn/lớn, cặc/các, đĩ/đi, đụ/du, buồi/buổi) or
#: everyday phrases ("tháng cho", "sức sinh lời", "mất dây").
BLOCKED_MARKED = (
    "đụ",
    "đéo",
    "đĩ",
    "lồn",
    "buồi",
    "cặc",
    "cứt",
    "điếm",
    "đồ chó",
    "đồ ngu",
    "thằng ngu",
    "thằng chó",
    "mất dạy",
    "súc sinh",
    "chó chết",
    "mả mẹ",
    "đù má",
    "vãi lồn",
)

#: A marked word followed by one of these is a typo of another word:
#: "buồi sáng" is "buổi sáng" typed with the wrong tone.
_UNLESS_NEXT = {
    "buồi": frozenset(
        [
            "sang",
            "chieu",
            "toi",
            "trua",
            "dem",
            "hoc",
            "hop",
            "lam",
            "le",
            "gap",
            "doi",
            "tiep",
            "thi",
            "hom",
            "nay",
            "kham",
        ]
    ),
}

# Telex and VNI keys for each mark, to spell the marked words as typed with
# the input method off.
_TELEX_VOWELS = {"â": "aa", "ă": "aw", "ê": "ee", "ô": "oo", "ơ": "ow", "ư": "uw", "đ": "dd"}
_VNI_VOWELS = {"â": "a6", "ă": "a8", "ê": "e6", "ô": "o6", "ơ": "o7", "ư": "u7", "đ": "d9"}
_TONES = {"\u0301": ("s", "1"), "\u0300": ("f", "2"), "\u0309": ("r", "3"), "\u0303": ("x", "4"),
          "\u0323": ("j", "5")}  # fmt: skip


def _typed_spellings(word: str) -> set[str]:
    """``word`` as written, and as typed in Telex and VNI with the tone key last."""
    out = {word}
    tone: tuple[str, str] | None = None
    telex, vni = [], []
    for char in word:
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        for mark in decomposed[1:]:
            if mark in _TONES:
                tone = _TONES[mark]
        shaped = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
        if char == "đ":
            shaped = "đ"
        telex.append(_TELEX_VOWELS.get(shaped, base))
        vni.append(_VNI_VOWELS.get(shaped, base))
    out.add("".join(telex) + (tone[0] if tone else ""))
    out.add("".join(vni) + (tone[1] if tone else ""))
    return out


_LEET = str.maketrans("0134578", "oieastb")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def _collapsed(token: str) -> str:
    """``token`` with each run of one character made one ("đmmm" → "đm")."""
    return _REPEATS.sub(r"\1", token)


#: ``fold`` of one written word: the same few thousand words come again and
#: again, and screening folds every word of every question.
_fold_word = lru_cache(maxsize=65536)(fold)
#: Tokens and, for each, the span of written words it was made from.
Tokens = list[tuple[str, tuple[int, int]]]


def _phrases(entries: Iterable[str]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases (tuples of tokens) by their first token."""
    table: dict[str, list[tuple[str, ...]]] = {}
    for entry in entries:
        tokens = tuple(entry.split())
        if tokens:
            table.setdefault(tokens[0], []).append(tokens)
    return table


def _find(tokens: Tokens, table: dict[str, list[tuple[str, ...]]]) -> list[tuple[int, int, str]]:
    """(first, last + 1) token of each phrase of ``table`` found, and the phrase."""
    words = [token for token, _ in tokens]
    hits = []
    for i, token in enumerate(words):
        for phrase in table.get(token, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                hits.append((i, i + len(phrase), " ".join(phrase)))
    return hits


def _joined_letters(tokens: Tokens) -> Tokens:
    """Runs of one-letter tokens joined: "d m" → "dm", "f u c k" → "fuck"."""
    out: Tokens = []
    run: Tokens = []
    for token, span in [*tokens, ("", (0, 0))]:
        if len(token) == 1 and token.isalpha():
            run.append((token, span))
            continue
        if len(run) > 1:
            out.append(("".join(t for t, _ in run), (run[0][1][0], run[-1][1][1])))
        else:
            out.extend(run)
        run = []
        if token:
            out.append((token, span))
    return out


@lru_cache(maxsize=65536)
def _undone(token: str) -> tuple[str, str]:
    """``token`` with its repeats collapsed, and that with leet undone."""
    collapsed = _collapsed(token)
    return collapsed, collapsed.translate(_LEET) if not collapsed.isdigit() else collapsed


def _variants(tokens: Tokens) -> list[Tokens]:
    """``tokens`` with obfuscations undone: letters joined, repeats collapsed,
    leet; each variant that differs from the one before. The three share
    their spans, so they differ by their words alone (most words are left
    as they are: no new list is made for a variant that is not one)."""
    joined = _joined_letters(tokens)
    out = [tokens]
    if joined != tokens:
        out.append(joined)
    words = [t for t, _ in joined]
    undone = list(map(_undone, words))
    collapsed = [c for c, _ in undone]
    if collapsed != words:
        out.append([(c, span) for c, (_, span) in zip(collapsed, joined, strict=True)])
    leet = [t for _, t in undone]
    if leet != collapsed:
        out.append([(t, span) for t, (_, span) in zip(leet, joined, strict=True)])
    return out


def _written_words(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` in NFKC, and the (start, end) of each of its words: the runs of
    letters and digits, each with the marks that follow it, one per token of
    ``fold(text)``."""
    text = unicodedata.normalize("NFKC", text)
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, char in enumerate(text):
        if unicodedata.combining(char):
            continue
        if char.isalnum():
            start = i if start is None else start
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return text, spans


@lru_cache(maxsize=256)
def _folded_table(extra: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    return _phrases([*BLOCKED_FOLDED, *(fold(e) for e in extra)])


def _marked_table() -> dict[str, list[tuple[str, ...]]]:
    entries: list[str] = []
    for entry in BLOCKED_MARKED:
        words = entry.split()
        if len(words) == 1:
            entries.extend(_typed_spellings(words[0]))
        else:
            entries.append(entry)
    return _phrases(entries)


_MARKED = _marked_table()
_MARKED_ROOT = {s: w for w in BLOCKED_MARKED if " " not in w for s in _typed_spellings(w)}


def blocked_words(text: str, extra: Iterable[str] = ()) -> list[str]:
    """The blocked words and phrases found in ``text``, each once, in order
    found, quoted as written ("Đm", "d.m", "ddeos"): never as the folded key
    they matched, so that a moderator reads what the asker typed."""
    written, spans = _written_words(text)
    found: dict[str, None] = {}

    def quote(tokens: Tokens, first: int, end: int) -> str:
        return written[spans[tokens[first][1][0]][0] : spans[tokens[end - 1][1][1] - 1][1]]

    words = [written[a:b] for a, b in spans]
    folded: Tokens = [(_fold_word(word), (i, i + 1)) for i, word in enumerate(words)]
    for variant in _variants(folded):
        for first, end, _ in _find(variant, _folded_table(tuple(extra))):
            found[quote(variant, first, end)] = None
    marked: Tokens = [(word.lower(), (i, i + 1)) for i, word in enumerate(words)]
    for variant in _variants(marked):
        for first, end, phrase in _find(variant, _MARKED):
            word = _MARKED_ROOT.get(phrase, phrase)
            following = _fold_word(variant[end][0]) if end < len(variant) else ""
            if following in _UNLESS_NEXT.get(word, ()):
                continue
            found[quote(variant, first, end)] = None
    # "Địt mẹ" found, "Địt" alone says nothing more.
    return [q for q in found if not any(q != other and q in other for other in found)]


# --- links, phones, e-mails --------------------------------------------------

# Top-level domains seen in spam and in everyday links here. A closed list, so
# that "TP.HCM", "v.v.", "3.5" or "Q.1" are not domains. The ones that are
# also Vietnamese syllables (có, mẹ, tô, lý, gà) count only with a path
# ("bit.ly/x", "zalo.me/123"): "ở hue.co ai biết" is a missing space.
_TLDS = (
    "com|net|org|vn|info|io|xyz|top|link|site|online|shop|store|biz|gov|edu|app|dev|"
    "tk|ml|cf|gq|club|vip|live|tv|cc|asia|pro|ws|gl|gg|us|uk|ru|cn"
)
_SYLLABLE_TLDS = "co|me|to|ly|ga"
_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_LABELS = r"(?<![\w@.])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
_DOMAIN = re.compile(
    rf"(?i){_LABELS}(?:(?:{_TLDS})\b(?:/\S*)?|(?:{_SYLLABLE_TLDS})/[\w\-./?=&%#]+)"
)
_SPELLED_DOMAIN = re.compile(
    rf"(?i)\b[a-z0-9-]{{2,}}\s*(?:\[\.\]|\(\.\)|\s(?:dot|chấm|cham)\s)\s*(?:{_TLDS})\b"
)
_EMAIL = re.compile(
    r"(?i)[\w.+-]+\s*(?:@|\(at\)|\[at\]|\s(?:at|a còng)\s)\s*[\w-]+(?:\s*\.\s*[\w-]+)+"
)
# A run of digits with the separators people put in phone numbers.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d .()\-]{7,18}\d(?!\w)")


def links(text: str) -> list[str]:
    if "." not in text and "://" not in text:
        # No URL, domain or e-mail without either (each pattern needs a "."
        # or "://"): only a spelled-out domain ("abc chấm com") is left.
        return [m.group() for m in _SPELLED_DOMAIN.finditer(text)]
    found = [m.group() for m in _URL.finditer(text)]
    rest = _URL.sub(" ", _EMAIL.sub(" ", text))
    found += [m.group() for m in _DOMAIN.finditer(rest)]
    found += [m.group() for m in _SPELLED_DOMAIN.finditer(rest)]
    return found


def emails(text: str) -> list[str]:
    if "." not in text:
        return []  # an address needs a "." after its "@" (or "at")
    return [m.group() for m in _EMAIL.finditer(text)]


def _phone_in(candidate: str) -> str | None:
    """The longest run of ``candidate``'s groups, from its start, that is a
    Vietnamese phone number ("0912 345 678 2025" → "0912 345 678")."""
    groups = re.split(r"(?<=\d)(?=[ .\-])", candidate)
    for end in range(len(groups), 0, -1):
        number = "".join(groups[:end]).strip(" .-")
        try:
            if clean_phone(number):
                return number
        except ValidationError:
            continue
    return None


def phones(text: str) -> list[str]:
    """The Vietnamese phone numbers in ``text``, as written (in NFKC)."""
    found = []
    for match in _PHONE_CANDIDATE.finditer(unicodedata.normalize("NFKC", text)):
        # A number may follow a year or a count in the same run of digits.
        candidate = match.group()
        starts = [0, *(m.end() for m in re.finditer(r"(?<=\d)[ .\-]+(?=\d)", candidate))]
        for start in starts:
            number = _phone_in(candidate[start:])
            if number:
                found.append(number)
                break
    return found


# --- form --------------------------------------------------------------------

#: The share of capitals among letters above which a long text is shouting.
SHOUTING_RATIO = 0.7
_RUN = re.compile(r"([^\w\s]|[^\W\d])\1{4,}")


def shouting(text: str, min_letters: int) -> bool:
    letters = [c for c in text if c.isalpha() and (c.isupper() or c.islower())]
    if len(letters) < min_letters:
        return False
    return sum(c.isupper() for c in letters) >= SHOUTING_RATIO * len(letters)


def repeated_runs(text: str) -> list[str]:
    return [m.group() for m in _RUN.finditer(text)]


#: The most characters of a run (or of anything else found) a flag's reasons
#: quote: the console shows the start of "xxxx…" (2,000 of them), not all.
EXCERPT = 40


def excerpt(found: str, most: int = EXCERPT) -> str:
    """``found`` as a flag's reasons quote it: its first ``most`` characters
    and "…" when it is longer."""
    return found if len(found) <= most else found[:most] + "…"


def meaningful_syllables(text: str) -> list[str]:
    """Folded tokens that say something: not a stop syllable, and either a
    Vietnamese syllable of two letters or more, a number, or a longer word."""
    return [
        t
        for t in fold_text(text).split()
        if t not in STOP_SYLLABLES and (t.isdigit() or len(t) > 1 or not is_syllable(t))
    ]


# --- screen ------------------------------------------------------------------

#: The flags found by looking for something in a field, in the order of a
#: screening's reasons.
_CHECKED = ("blocked_word", "link", "phone", "email")


def _found_in(value: str, extra: tuple[str, ...]) -> tuple[list[str], ...]:
    """What each of ``_CHECKED`` finds in ``value``."""
    return blocked_words(value, extra), links(value), phones(value), emails(value)


@lru_cache(maxsize=4096)
def _found_cached(value: str, extra: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """``_found_in``, kept (as tuples: never changed by a caller) for the
    names and organisations that come again and again."""
    return tuple(map(tuple, _found_in(value, extra)))


def screen(
    text: str,
    name: str | None = None,
    organization: str | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> ScreeningResult:
    """Run every rule over a question (its text, the asker's name and
    organisation) and apply ``policy``. Pure and deterministic."""
    reasons: dict[str, Found] = {}
    extra = policy.extra_blocked
    # Each field's findings, flag by flag (``_CHECKED``'s order): the text's
    # found afresh, the name's and the organisation's through a cache, as the
    # same few ("Người dân") come with question after question.
    fields: list[tuple[str, Sequence[Sequence[str]]]] = []
    if text:
        fields.append(("text", _found_in(text, extra)))
    fields += [
        (f, _found_cached(v, extra))
        for f, v in (("name", name), ("organization", organization))
        if v
    ]
    for i, flag in enumerate(_CHECKED):
        found = {
            f: [excerpt(item, 2 * EXCERPT) for item in items[i]] for f, items in fields if items[i]
        }
        if found:
            reasons[flag] = found
    if shouting(text, policy.shouting_min_letters):
        reasons["shouting"] = {}
    runs = repeated_runs(text)
    if runs:
        reasons["repeated_chars"] = {"text": [excerpt(run) for run in runs[:3]]}
    meaningful = meaningful_syllables(text)
    if not meaningful:
        reasons["empty_content"] = {}
    elif len(meaningful) < policy.min_syllables:
        reasons["too_short"] = {}

    flags = tuple(flag for flag in FLAGS if flag in reasons)
    rejecting = [flag for flag in flags if flag in policy.reject]
    if rejecting:
        return ScreeningResult(flags, reasons, "reject", reject_reason=policy.reject[rejecting[0]])
    holding = [flag for flag in flags if flag in policy.hold]
    if holding:
        hint = next((policy.hints[f] for f in holding if f in policy.hints), None)
        return ScreeningResult(flags, reasons, "hold", suggested_reason=hint)
    return ScreeningResult(flags, reasons, "pending")
