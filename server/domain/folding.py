"""Vietnamese text keys: what two pieces of text have in common once the way
they were typed no longer matters.

``fold`` turns "Chuyển đổi SỐ!!", "chuyen doi so", "chuyeenr ddooir soos"
(Telex typed with the input method off) and "chuye6n3 d9o6i3 so61" (VNI) into
the same key, "chuyen doi so". ``syllables``, ``bigrams`` and ``shingles`` cut
that key into the pieces that screening and duplicate detection compare.

How a key is made:

1. NFKC (which includes NFC's composition): full-width letters and digits,
   ligatures and other compatibility forms become plain ones, so a
   full-width "dm" (U+FF44 U+FF4D) and "dm" are one key.
2. Lower case; "đ" becomes "d"; every combining mark (tone and vowel marks) goes.
3. Anything that is not a letter or a digit (punctuation, emoji, symbols)
   becomes a space; runs of spaces collapse.
4. Each token that is not a valid Vietnamese syllable but becomes one after
   undoing a typing leftover is replaced by it (``fold_token``). The test of
   "valid" is a table of onsets and rhymes (``is_syllable``), so an English
   word such as "online", "wifi" or "festival" is left alone: nothing turns it
   into a Vietnamese syllable.

This module is pure: standard library only, no I/O, no Redis, Starlette or
asyncio. It never decides anything about a text (screening and similarity do);
it never changes what is stored or shown: keys are for matching only. Its twin
in the browser, ``moderator_ui/static/lib/fold.js``, gives the same keys
(``tests/browser/test_fold.py``): change both together.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import pairwise

# --- what a Vietnamese syllable looks like, without its marks ----------------

# Initial consonants, longest first so the regex prefers "ngh" to "ng" to "n".
_ONSETS = [
    "ngh",
    "ng",
    "gh",
    "gi",
    "kh",
    "ch",
    "nh",
    "ph",
    "th",
    "tr",
    "qu",
    "b",
    "c",
    "d",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
]

# Every rhyme (medial + nucleus + coda) of the written language with its marks
# removed: "ươ" is "uo", "ê" is "e" and so on. "oong"/"ooc" (xoong, quốc
# written "quooc") are left out on purpose: "coong" is far more often Telex
# for "công" than a real word.
_RHYMES = [
    "a",
    "ac",
    "ach",
    "ai",
    "am",
    "an",
    "ang",
    "anh",
    "ao",
    "ap",
    "at",
    "au",
    "ay",
    "e",
    "ec",
    "ech",
    "em",
    "en",
    "eng",
    "enh",
    "eo",
    "ep",
    "et",
    "eu",
    "i",
    "ia",
    "ich",
    "iec",
    "iem",
    "ien",
    "ieng",
    "iep",
    "iet",
    "ieu",
    "im",
    "in",
    "inh",
    "ip",
    "it",
    "iu",
    "o",
    "oa",
    "oac",
    "oach",
    "oai",
    "oam",
    "oan",
    "oang",
    "oanh",
    "oao",
    "oap",
    "oat",
    "oay",
    "oc",
    "oe",
    "oen",
    "oeo",
    "oet",
    "oi",
    "om",
    "on",
    "ong",
    "op",
    "ot",
    "u",
    "ua",
    "uan",
    "uang",
    "uanh",
    "uat",
    "uay",
    "uc",
    "ue",
    "uech",
    "uen",
    "uenh",
    "ui",
    "um",
    "un",
    "ung",
    "uo",
    "uoc",
    "uoi",
    "uom",
    "uon",
    "uong",
    "uop",
    "uot",
    "uou",
    "up",
    "ut",
    "uu",
    "uy",
    "uya",
    "uych",
    "uyen",
    "uyet",
    "uynh",
    "uyt",
    "uyu",
    "y",
    "yem",
    "yen",
    "yet",
    "yeu",
]

_SYLLABLE = re.compile(
    "(?:{})?(?:{})".format(
        "|".join(sorted(_ONSETS, key=len, reverse=True)),
        "|".join(sorted(_RHYMES, key=len, reverse=True)),
    )
)

# Telex tone keys: sắc s, huyền f, hỏi r, ngã x, nặng j. No Vietnamese
# syllable ends in one of these letters, so a token that does and that is a
# syllable without it is a Telex leftover.
_TONE_KEYS = frozenset("sfrxj")
_VOWELS = frozenset("aeiouy")
# VNI keys: 1-5 tones, 6 circumflex, 7 horn, 8 breve, 9 đ. Never 0.
_VNI_TOKEN = re.compile("[a-z][a-z1-9]*[1-9][a-z1-9]*")
_VNI_DIGITS = re.compile("[1-9]")
# Loanwords that the Telex rule would otherwise turn into a syllable.
_KEEP = frozenset({"bus"})


def is_syllable(token: str) -> bool:
    """Whether ``token`` (lower case, no marks) is a possible Vietnamese syllable."""
    return _SYLLABLE.fullmatch(token) is not None


#: A leading run of d's: "dd" is Telex's đ, and a longer run folds to the same
#: one d (else "ddd" → "dd" → "d": a key folded again would change).
_LEADING_DS = re.compile("^d{2,}")


def _undo_telex_marks(token: str) -> str:
    """Undo Telex vowel keys: dd → d; w (horn, breve) after its vowel goes, a w
    with no vowel before it is ư; doubled aa/ee/oo → one vowel."""
    token = _LEADING_DS.sub("d", token)
    if "w" in token:
        # The horn or breve key may follow its vowel at once ("uw") or come
        # at the end of the word ("mucws" for "mức"); a w with no vowel before
        # it is the vowel ư itself ("nwocs" for "nước").
        vowel = re.search("[aou]", token)
        if vowel is not None and vowel.start() < token.index("w"):
            token = token.replace("w", "")
        else:
            token = token.replace("w", "u", 1).replace("w", "")
    for double in ("aa", "ee", "oo"):
        token = token.replace(double, double[0])
    return token


def _without_tone_key(token: str) -> str | None:
    """``token`` without one Telex tone key, if that leaves a syllable: the last
    letter first (the usual place), else one right after a vowel ("tosan")."""
    if len(token) > 1 and token[-1] in _TONE_KEYS and is_syllable(token[:-1]):
        return token[:-1]
    for i in range(len(token) - 1, 0, -1):
        if token[i] in _TONE_KEYS and token[i - 1] in _VOWELS:
            candidate = token[:i] + token[i + 1 :]
            if is_syllable(candidate):
                return candidate
    return None


@lru_cache(maxsize=65536)
def fold_token(token: str) -> str:
    """One lower-case, mark-free token with its Telex or VNI leftovers undone.

    "chuyeenr" → "chuyen", "dduowngf" → "duong", "vieetj" → "viet",
    "chuye6n3" → "chuyen", "d9a6t1" → "dat". A token that is already a
    syllable, or that no rule makes one ("online", "covid19", "2025"), is
    returned unchanged, except that a leading "dd" (or a longer run of d's)
    always becomes "d" (no Vietnamese or common loanword starts so).
    """
    if is_syllable(token) or token in _KEEP or not token.isascii():
        return token
    if token[0].isdigit():
        return token
    if any(c.isdigit() for c in token):
        if _VNI_TOKEN.fullmatch(token):
            plain = _VNI_DIGITS.sub("", token)
            if is_syllable(plain):
                return plain
        return token
    plain = _undo_telex_marks(token)
    if is_syllable(plain):
        return plain
    toneless = _without_tone_key(plain)
    if toneless is not None:
        return toneless
    return _LEADING_DS.sub("d", token)


# --- keys --------------------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+")


class _Markless(dict[int, str]):
    """Each character's form without marks, made the first time
    ``str.translate`` asks for it: the translation then runs in C (a Python
    loop over each text's characters took half of ``fold``'s time). Only
    characters below U+2000 (Latin, Vietnamese, Greek, Cyrillic...) are kept,
    so the table stays small whatever people type."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        plain = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if code < 0x2000:
            self[code] = plain
        return plain


_MARKLESS = _Markless({ord("đ"): "d"})


def strip_marks(text: str) -> str:
    """``text`` in NFKC, lower case, without tone and vowel marks, đ → d."""
    return unicodedata.normalize("NFKC", text).lower().translate(_MARKLESS)


def fold(text: str) -> str:
    """The matching key of ``text``: lower case, no marks, đ → d, Telex and VNI
    leftovers undone, punctuation and symbols as spaces, single spaces.

    Questions keep their text folded by this (``Question.folded``, made at
    intake and on an edit) and the console's ``fold.js`` folds a search the
    same way: a change to these rules must change ``fold.js`` alike and drop
    the stored ``folded`` of every question (one without it is folded when
    read), or old questions are searched by the old rules.

    >>> fold("Chuyển đổi SỐ ở Huế?! 😀")
    'chuyen doi so o hue'
    >>> fold("chuyeenr ddooir soos owr Huees")
    'chuyen doi so o hue'
    """
    return " ".join(fold_token(t) for t in _NOT_WORD.sub(" ", strip_marks(text)).split())


#: ``fold`` of the last few whole texts: intake folds a question's text to
#: screen it and again to keep it with the question (``Question.folded``).
fold_text = lru_cache(maxsize=256)(fold)


def syllables(text: str) -> list[str]:
    """The folded tokens of ``text``, in order (Vietnamese words are written
    one syllable at a time, so these are syllables, plus numbers and loanwords)."""
    return fold(text).split()


def bigrams(text: str) -> list[str]:
    """Adjacent pairs of folded syllables, as "a b": most Vietnamese words are
    two syllables long ("chuyển đổi", "sổ đỏ"), so a bigram is roughly a word."""
    tokens = syllables(text)
    return [f"{a} {b}" for a, b in pairwise(tokens)]


# Syllables that frame almost every question and say nothing about its subject:
# politeness (xin, hỏi, ạ, cho, tôi), the yes/no frame (có ... không, được),
# copulas and linkers (là, và, của, thì, mà, để, ở, các, những/nhưng, này, vậy).
# Question words that tell questions apart are kept: "bao nhiêu" (how much),
# "khi nào"/"bao giờ" (when), "ở đâu" (where), "gì" (what), "sao" (why/how),
# "ai" (who); so are "thế"/"nào", which also make "khi nào" and "cơ quan nào".
# Short questions need what is left: "Hue-S là gì?" keeps "hue", "s", "gi".
STOP_SYLLABLES = frozenset(
    [
        "a",
        "ah",
        "ak",
        "xin",
        "hoi",
        "cho",
        "toi",
        "la",
        "va",
        "voi",
        "cua",
        "thi",
        "ma",
        "de",
        "o",
        "cac",
        "nhung",
        "co",
        "khong",
        "ko",
        "k",
        "duoc",
        "dc",
        "nay",
        "vay",
        "nhe",
        "roi",
    ]
)


def shingles(text: str) -> set[str]:
    """What ``text`` is compared by: its folded syllables that are not stop
    syllables, and its bigrams except those made only of stop syllables ("cho
    tôi", "có được" go; "sổ đỏ", "khi nào", "ở đâu" stay)."""
    tokens = syllables(text)
    out = {t for t in tokens if t not in STOP_SYLLABLES}
    out.update(
        f"{a} {b}"
        for a, b in pairwise(tokens)
        if a not in STOP_SYLLABLES or b not in STOP_SYLLABLES
    )
    return out
