"""Duplicate suggestions: which questions of a dialogue ask the same thing.

A ``DuplicateIndex`` holds one dialogue's questions in memory (any state but
rejected; the store refills it with ``rebuild`` when a node starts). Intake asks
it ``similar(text)`` for a new question, then ``add``s the question; the
console shows the suggestions beside the question so a moderator can merge.

How two questions are compared:

1. Each text is folded (``folding.fold``: no marks, Telex/VNI undone) and cut
   into syllables; a small phrase table (``PHRASES``) maps chat abbreviations
   ("ko", "dc", "bhyt") and frequent variants ("online"/"qua mạng" →
   "trực tuyến", "mã QR"/"chuyển khoản"/"không dùng tiền mặt" → one term,
   "bao giờ" → "khi nào") to one form.
2. Question words become class terms ("khi nào" → ``?when``, "bao nhiêu" →
   ``?qty``, "ở đâu" → ``?where``...): two questions about the same thing that
   ask when vs how much are different questions.
3. A question's terms are its syllables minus ``folding.STOP_SYLLABLES``, plus
   its class terms. Each syllable weighs ``1 + ln((N+1)/(df+1))``, df being the
   number of indexed questions that contain it, so the words every question of
   the dialogue shares ("Huế", "thành phố") count little and the words that
   tell questions apart count much; class terms weigh ``question_word_weight``.
4. The score is the weighted Jaccard of the two term sets, in [0, 1]
   (1.0 for two texts with the same terms), multiplied by ``other_name_factor``
   when each text names a place or body the other does not mention at all
   ("đường Lê Duẩn" vs "đường Nguyễn Hoàng"): the same question about another
   street is another question. Names are the capitalised words that do not
   start a sentence, so text typed without capitals has none and is never
   penalised.

Finding candidates: a question can only reach the threshold t against the
query if their shared weight is at least t times the query's weight, so it must
share one of the query's terms outside a set of its most frequent terms that
weighs less than t of the total (prefix filtering; exact). Only the posting
lists of those rarer terms are read. Of the questions found, the ``CANDIDATES``
that share the most of those terms are scored: at 5,000 questions this keeps a
query near a millisecond, and changes under 1 % of answers
(``bench/duplicates.py`` measures both). Scores change a little as the index
grows, since the weights come from it; an index refilled by ``rebuild`` answers
exactly as the same ``add``s and ``remove``s make it answer.

This module is pure: standard library only, no I/O, no Redis, Starlette or
asyncio. It never stores anything and never decides: it suggests, moderators
merge. It knows no meaning beyond its phrase table.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .folding import STOP_SYLLABLES, fold

# --- phrases -----------------------------------------------------------------

#: Folded phrase → its canonical form. Kept small on purpose (docs/moderation.md
#: lists it): chat abbreviations people type on phones, and variants of the
#: same notion that are frequent in questions to a province. Longest match wins.
PHRASES: dict[str, str] = {
    # chat abbreviations
    "ko": "khong",
    "k": "khong",
    "hok": "khong",
    "kg": "khong",
    "dc": "duoc",
    "j": "gi",
    "ntn": "the nao",
    "bn": "bao nhieu",
    "ng": "nguoi",
    "vs": "voi",
    "tp": "thanh pho",
    "hs": "hoc sinh",
    "sv": "sinh vien",
    "gv": "giao vien",
    "bv": "benh vien",
    "dh": "dai hoc",
    "ktx": "ky tuc xa",
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "cccd": "can cuoc",
    "can cuoc cong dan": "can cuoc",
    "ubnd": "uy ban",
    "uy ban nhan dan": "uy ban",
    "thpt": "trung hoc pho thong",
    "sdt": "so dien thoai",
    # online
    "online": "truc tuyen",
    "qua mang": "truc tuyen",
    "tren mang": "truc tuyen",
    # cashless payment
    "ma qr": "chuyen khoan",
    "qr": "chuyen khoan",
    "khong dung tien mat": "chuyen khoan",
    # free of charge
    "free": "mien phi",
    "khong mat tien": "mien phi",
    # apps, licences, children, residents, traffic jams, traffic lights, repairs
    "app": "ung dung",
    "gplx": "bang lai",
    "giay phep lai xe": "bang lai",
    "bang lai xe": "bang lai",
    "tre": "tre em",
    "thieu nhi": "tre em",
    "ba con": "nguoi dan",
    "ket xe": "un tac",
    "ach tac": "un tac",
    "den xanh den do": "den tin hieu",
    "den giao thong": "den tin hieu",
    "cai tao": "sua chua",
    # documents, land title, compensation, firms, buses, visitors
    "giay to": "ho so",
    "giay chung nhan quyen su dung dat": "so do",
    "so hong": "so do",
    "boi thuong": "den bu",
    "cong ty": "doanh nghiep",
    "xe bus": "xe buyt",
    "bus": "buyt",
    "du khach": "khach du lich",
    # question words with the same meaning
    "bao gio": "khi nao",
    "luc nao": "khi nao",
    "thoi gian nao": "khi nao",
    "nhu the nao": "the nao",
    "ra sao": "the nao",
    "lam sao": "the nao",
    "kieu gi": "the nao",
    "cach nao": "the nao",
    "tai sao": "vi sao",
    "ly do": "vi sao",
    "thang may": "khi nao",
    "ngay nao": "khi nao",
    "may gio": "khi nao",
    "may ngay": "bao lau",
    "bao nhieu ngay": "bao lau",
    "cho nao": "o dau",
    "noi nao": "o dau",
    "tai dau": "o dau",
    "don vi nao": "co quan nao",
}

#: Question words (after ``PHRASES``) → the class term that stands for them.
#: The "?" keeps class terms apart from syllables.
QUESTION_WORDS: dict[str, str] = {
    "khi nao": "?when",
    "bao nhieu": "?qty",
    "bao lau": "?duration",
    "o dau": "?where",
    "den dau": "?where",
    "the nao": "?how",
    "vi sao": "?why",
    "co quan nao": "?who",
    "ai": "?who",
    "gi": "?what",
    # "nào" after a noun: which one ("những khoản nào", "ngày nào"); the
    # phrases above that contain it are replaced first.
    "nao": "?which",
}

#: Class term of a yes/no question: a clause that ends in "không"/"chưa"
#: ("có được miễn phí không?", "đã có kết quả chưa?"), but not in "sửa chữa",
#: "khám chữa", "cứu chữa" (chữa folds to chua too).
YES_NO = "?yesno"
_YES_NO_ENDINGS = frozenset({"khong", "chua"})
_NOT_YES_NO = frozenset({("sua", "chua"), ("kham", "chua"), ("cuu", "chua")})
#: Particles that may follow the question's last word: "... không ạ", "... chưa vậy".
_FINAL_PARTICLES = frozenset({"a", "ah", "ak", "ha", "nhe", "nha", "vay", "the", "day"})


_Table = dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]


def _phrase_table(table: dict[str, str]) -> _Table:
    """Phrases by their first syllable, longest first, for ``_replace``."""
    out: _Table = {}
    for phrase, replacement in table.items():
        key = tuple(phrase.split())
        out.setdefault(key[0], []).append((key, tuple(replacement.split())))
    for options in out.values():
        options.sort(key=lambda option: -len(option[0]))
    return out


_PHRASES = _phrase_table(PHRASES)
_QUESTION_WORDS = _phrase_table(QUESTION_WORDS)


def _replace(tokens: list[str], table: _Table) -> list[str]:
    """``tokens`` with every phrase of ``table`` replaced, longest match first."""
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        for phrase, replacement in table.get(tokens[i], ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out.extend(replacement)
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


_CLAUSE_END = re.compile(r"[,.;:!?\n]")


def _terms_and_words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    found: set[str] = set()
    words: set[str] = set()
    for clause in _CLAUSE_END.split(text):
        folded = fold(clause).split()
        words.update(folded)
        tokens = _replace(folded, _PHRASES)
        end = len(tokens)
        while end > 1 and tokens[end - 1] in _FINAL_PARTICLES:
            end -= 1
        if (
            end
            and tokens[end - 1] in _YES_NO_ENDINGS
            and tuple(tokens[end - 2 : end]) not in _NOT_YES_NO
        ):
            found.add(YES_NO)
        found.update(_replace(tokens, _QUESTION_WORDS))
    return frozenset(found - STOP_SYLLABLES), frozenset(words)


def terms(text: str) -> frozenset[str]:
    """The terms a question is compared by: its folded syllables after the
    phrase table, without stop syllables, with question words as class terms."""
    return _terms_and_words(text)[0]


# --- names ---------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?:;\n]")


def names(text: str) -> frozenset[str]:
    """Folded syllables of the capitalised words that do not begin a sentence
    ("Khi nào chợ An Cựu ..." → {"an", "cuu"}). Empty when the text has no
    capitals, or when most of its words are capitalised (shouting, titles)."""
    found: set[str] = set()
    capitalised = total = 0
    for sentence in _SENTENCE_END.split(text):
        words = _WORD.findall(sentence)
        total += len(words)
        for position, word in enumerate(words):
            if word[0].isupper():
                capitalised += 1
                # Acronyms (VNeID, THPT, QR) are not names of places or bodies.
                if position > 0 and word[1:].islower():
                    found.update(fold(word).split())
    if total == 0 or capitalised * 2 > total:
        return frozenset()
    return frozenset(found - STOP_SYLLABLES)


# --- the index ---------------------------------------------------------------


@dataclass(frozen=True)
class Scoring:
    """The knobs of the score. The defaults were chosen on the tuning half of
    tests/data/duplicates.tsv (docs/moderation.md has the numbers)."""

    #: Weight of a question-word class term (?when, ?qty, ...), whatever its df:
    #: about two rare words, so asking "when" instead of "how much" matters.
    question_word_weight: float = 8.0
    #: Factor applied when each text names something the other does not mention.
    other_name_factor: float = 0.3


@dataclass(frozen=True)
class _Entry:
    words: frozenset[str]  # the syllables, weighed by idf
    classes: int  # how many question-word class terms it has
    terms: frozenset[str]  # words and class terms
    mentions: frozenset[str]  # every folded syllable, to look names up in
    names: frozenset[str]


def _entry(text: str) -> _Entry:
    found, mentions = _terms_and_words(text)
    words = frozenset(t for t in found if t[0] != "?")
    return _Entry(words, len(found) - len(words), found, mentions, names(text))


#: 1.0 in the index's fixed-point weights (about 6 decimal digits).
_ONE = 1 << 20


def _fixed(value: float) -> int:
    return round(value * _ONE)


#: The score a suggestion must reach, chosen on the tuning half of
#: tests/data/duplicates.tsv (docs/moderation.md has the sweep).
DEFAULT_THRESHOLD = 0.36

#: At most this many candidates are scored per query: those that share the most
#: rare terms with it. A duplicate shares many; at 5,000 questions the cap keeps
#: a query under a millisecond or so (bench/duplicates.py measures both the time
#: and how often the capped answer differs from scoring every candidate).
CANDIDATES = 100


class DuplicateIndex:
    """One dialogue's questions, searchable by similarity. Not thread-safe;
    one per dialogue per node, owned by the intake worker.

    A word's weight is ``1 + ln(N + 1) - ln(df + 1)``, so a question's total
    weight is ``len(words) * (1 + ln(N + 1)) - sum(ln(df + 1))`` plus its class
    terms: the index keeps ``ln(df + 1)`` per word up to date on every
    ``add``/``remove``, and a score costs a few C-level sums. Weights are
    fixed-point integers (``_ONE`` is 1.0), so sums are exact whatever the
    order of a set, and scores are the same in every process.
    """

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, scoring: Scoring | None = None):
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        self.threshold = threshold
        self.scoring = scoring or Scoring()
        self.cap = CANDIDATES
        self._entries: dict[str, _Entry] = {}
        self._postings: dict[str, set[str]] = {}
        self._log_df: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._entries

    def add(self, question_id: str, text: str) -> None:
        """Index a question (again: a second ``add`` replaces its text)."""
        self.remove(question_id)
        entry = _entry(text)
        self._entries[question_id] = entry
        for term in entry.terms:
            posting = self._postings.setdefault(term, set())
            posting.add(question_id)
            self._log_df[term] = _fixed(math.log(len(posting) + 1))

    def remove(self, question_id: str) -> None:
        """Forget a question (rejected, or merged away); unknown ids are ignored."""
        entry = self._entries.pop(question_id, None)
        if entry is None:
            return
        for term in entry.terms:
            posting = self._postings[term]
            posting.discard(question_id)
            if posting:
                self._log_df[term] = _fixed(math.log(len(posting) + 1))
            else:
                del self._postings[term], self._log_df[term]

    def rebuild(self, items: Iterable[tuple[str, str]]) -> None:
        """Replace the whole content with ``(question_id, text)`` pairs."""
        self._entries.clear()
        self._postings.clear()
        self._log_df.clear()
        for question_id, text in items:
            self.add(question_id, text)

    def similar(self, text: str, limit: int = 5) -> list[tuple[str, float]]:
        """The indexed questions most like ``text``: at most ``limit`` (id,
        score) pairs with score ≥ the threshold, best first, ties by id.
        Scores are rounded to 4 decimals."""
        query = _Query(self, _entry(text))
        if not query.entry.terms or limit <= 0:
            return []
        scored = query.scores(query.candidates(self.threshold, self.cap), self.threshold)
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:limit]

    def score(self, text: str, question_id: str) -> float:
        """The score of ``text`` against one indexed question (0.0 if unknown)."""
        other = self._entries.get(question_id)
        query = _Query(self, _entry(text))
        if other is None or not query.entry.terms:
            return 0.0
        return round(query.score(other), 4)


class _Query:
    """One text being compared with the index's questions, its weights fixed."""

    def __init__(self, index: DuplicateIndex, entry: _Entry) -> None:
        self.index = index
        self.entry = entry
        self.base = _fixed(1.0 + math.log(len(index._entries) + 1))
        self.class_weight = _fixed(index.scoring.question_word_weight)
        log_df = index._log_df
        self.weights = {t: self.base - log_df.get(t, 0) for t in entry.words}
        self.weights.update((t, self.class_weight) for t in entry.terms - entry.words)
        self.total = sum(self.weights.values())

    def weight_of(self, other: _Entry) -> int:
        return (
            len(other.words) * self.base
            - sum(map(self.index._log_df.__getitem__, other.words))
            + other.classes * self.class_weight
        )

    def score(self, other: _Entry) -> float:
        shared_terms = self.entry.terms & other.terms
        if not shared_terms:
            return 0.0
        shared = sum(map(self.weights.__getitem__, shared_terms))
        score = shared / (self.total + self.weight_of(other) - shared)
        if self.names_differ(other):
            score *= self.index.scoring.other_name_factor
        return score

    def names_differ(self, other: _Entry) -> bool:
        """Whether each text names something the other does not mention."""
        mine = self.entry
        return bool(
            mine.names
            and other.names
            and not mine.names <= other.mentions
            and not other.names <= mine.mentions
        )

    def scores(self, question_ids: Iterable[str], threshold: float) -> list[tuple[str, float]]:
        """(id, score rounded) for each of ``question_ids`` that reaches
        ``threshold``: ``score``'s steps inlined, as this is the hot loop."""
        entries = self.index._entries
        terms = self.entry.terms
        weight = self.weights.__getitem__
        log_df = self.index._log_df.__getitem__
        base, class_weight, total = self.base, self.class_weight, self.total
        need = threshold * total  # the score is at most shared / total
        out = []
        for question_id in question_ids:
            other = entries[question_id]
            shared = sum(map(weight, terms & other.terms))
            if shared < need:
                continue
            other_weight = (
                len(other.words) * base
                - sum(map(log_df, other.words))
                + other.classes * class_weight
            )
            score = shared / (total + other_weight - shared)
            if score >= threshold and self.names_differ(other):
                score *= self.index.scoring.other_name_factor
            if score >= threshold:
                out.append((question_id, round(score, 4)))
        return out

    def candidates(self, threshold: float, cap: int) -> list[str]:
        """The indexed questions worth scoring against ``threshold``.

        The score is at most shared / total, so a question reaching the
        threshold t shares at least t * total with the query: it cannot share
        only terms of a set that weighs less than that. That set is filled with
        the query's most frequent terms (their posting lists are the long
        ones); every question that shares one of the other, rarer terms is a
        candidate (prefix filtering, exact). Of those, the ``cap`` that share
        the most rare terms are returned, ties by id.
        """
        postings = self.index._postings
        budget = threshold * self.total
        by_frequency = sorted(self.weights, key=lambda t: (-len(postings.get(t, ())), t))
        skipped = 0
        shared: Counter[str] = Counter()
        for term in by_frequency:
            weight = self.weights[term]
            if skipped + weight < budget:
                skipped += weight
            elif term in postings:
                shared.update(postings[term])
        if len(shared) <= cap:
            return list(shared)
        # The count c at which the cap falls: all above it, the first ids at it.
        above = cut = 0
        for cut, n in sorted(Counter(shared.values()).items(), reverse=True):  # noqa: B007
            if above + n >= cap:
                break
            above += n
        chosen = [i for i, n in shared.items() if n > cut]
        chosen += sorted(i for i, n in shared.items() if n == cut)[: cap - above]
        return chosen
