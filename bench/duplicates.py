"""Duplicate suggestions: precision and recall on the labelled Vietnamese pairs
of tests/data/duplicates.tsv, and the index's speed at 5,000 questions.

The quality measure mirrors what a moderator sees. One ``DuplicateIndex`` holds
every distinct question of the set (460 of them, so every pair competes with
the whole set, its hard negatives included). For each pair (a, b), b counts as
suggested for a when it is among ``similar(a)``'s first 5 results (a itself
left out) at the threshold. Precision is the share of suggested pairs labelled
duplicates, recall the share of duplicate pairs suggested.

The set is split by family (the ``group`` column: one base question with its
rewordings and its hard negatives), by a hash of the group, so that no family
is on both sides: the knobs of ``Scoring`` and the threshold were chosen on the
"tune" half (the threshold where its F1 is best); the "held-out" half is what
the numbers in docs/moderation.md and the quality test promise.

Run with ``python -m bench.duplicates`` or through ``python -m bench``
(``run()``). Pure CPU: no Redis, no server.
"""

from __future__ import annotations

import csv
import random
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from server.domain.similarity import DEFAULT_THRESHOLD, DuplicateIndex, Scoring

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "duplicates.tsv"
#: The second held-out set (issue 16): 16 families written later, in the style
#: of hotline notes, teencode, text without marks and mixed typing, with
#: template questions about another subject. Never used to tune anything; it
#: is measured with the index holding its texts and those of ``DATA``.
SECOND = DATA.with_name("duplicates_second.tsv")
#: The development set (issue 16, third round): 12 families written after the
#: algorithm, rich in paraphrases, whose errors are read to find what fails on
#: families no rule was written for. Measured like the second set.
DEV = DATA.with_name("duplicates_dev.tsv")
#: Suggestions the console shows beside a question.
LIMIT = 5
SWEEP = (0.3, 0.4, 0.5, 0.55, 0.575, 0.6, 0.65, 0.7, 0.8)


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    duplicate: bool
    kind: str
    group: str

    @property
    def held_out(self) -> bool:
        """Whether the pair's family is in the held-out half (never used to tune)."""
        return zlib.crc32(self.group.encode()) % 2 == 1


@dataclass(frozen=True)
class Quality:
    pairs: int
    duplicates: int
    true_positives: int
    false_positives: int

    @property
    def precision(self) -> float:
        suggested = self.true_positives + self.false_positives
        return self.true_positives / suggested if suggested else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.duplicates if self.duplicates else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (
            f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"({self.true_positives}/{self.duplicates} duplicates found, "
            f"{self.false_positives} wrong suggestions, {self.pairs} pairs)"
        )


def load_pairs(path: Path = DATA) -> list[Pair]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [Pair(r["a"], r["b"], r["label"] == "1", r["kind"], r["group"]) for r in rows]


def index_of(
    texts: Iterable[str], threshold: float, scoring: Scoring | None = None
) -> tuple[DuplicateIndex, dict[str, str]]:
    """An index over the distinct ``texts``, and each text's id in it."""
    ids: dict[str, str] = {}
    for text in texts:
        ids.setdefault(text, str(len(ids) + 1))
    index = DuplicateIndex(threshold, scoring)
    index.rebuild((i, text) for text, i in ids.items())
    return index, ids


def suggestions(index: DuplicateIndex, ids: dict[str, str], text: str) -> list[str]:
    """The ids suggested for an indexed ``text``, itself left out."""
    own = ids[text]
    return [i for i, _ in index.similar(text, LIMIT + 1) if i != own][:LIMIT]


def suggested(
    pairs: Sequence[Pair],
    threshold: float = DEFAULT_THRESHOLD,
    scoring: Scoring | None = None,
    corpus: Sequence[Pair] | None = None,
) -> list[bool]:
    """For each pair, whether b is suggested for a, the index holding every
    text of ``corpus`` (default: the whole data set)."""
    corpus = corpus if corpus is not None else load_pairs()
    index, ids = index_of((t for p in corpus for t in (p.a, p.b)), threshold, scoring)
    cache: dict[str, list[str]] = {}
    out = []
    for pair in pairs:
        if pair.a not in cache:
            cache[pair.a] = suggestions(index, ids, pair.a)
        out.append(ids[pair.b] in cache[pair.a])
    return out


def quality(pairs: Sequence[Pair], hits: Sequence[bool]) -> Quality:
    tp = sum(hit and p.duplicate for p, hit in zip(pairs, hits, strict=True))
    fp = sum(hit and not p.duplicate for p, hit in zip(pairs, hits, strict=True))
    return Quality(len(pairs), sum(p.duplicate for p in pairs), tp, fp)


def evaluate(
    pairs: Sequence[Pair],
    threshold: float = DEFAULT_THRESHOLD,
    scoring: Scoring | None = None,
    corpus: Sequence[Pair] | None = None,
) -> Quality:
    """Precision and recall of the suggestions on ``pairs``, the index holding
    every text of ``corpus`` (default: the whole data set)."""
    return quality(pairs, suggested(pairs, threshold, scoring, corpus))


# --- speed -------------------------------------------------------------------


def synthetic_questions(n: int, seed: int = 7, numbered: bool = True) -> list[str]:
    """``n`` question-like texts made from the data set's own questions: the
    first half of one and the second half of another, with a locality and
    (``numbered``) a file number, so that words repeat across thousands of
    questions as in a busy dialogue. Unnumbered, many are near each other
    and none is told apart by its number: the index's costliest case."""
    rng = random.Random(seed)
    texts = sorted({t for p in load_pairs() for t in (p.a, p.b)})
    places = ["phường Phú Hội", "xã Hương Thọ", "phường Vỹ Dạ", "huyện A Lưới", "Phong Điền"]
    out = []
    for i in range(n):
        head = rng.choice(texts).split()
        tail = rng.choice(texts).split()
        words = head[: len(head) // 2] + tail[len(tail) // 2 :]
        number = f", hồ sơ số {i}" if numbered else ""
        out.append(f"{' '.join(words)} ({rng.choice(places)}{number})")
    return out


@dataclass(frozen=True)
class Speed:
    questions: int
    queries: int
    build_seconds: float
    build_cpu_seconds: float
    query_seconds: float
    query_cpu_seconds: float
    #: Queries whose answer differs when every candidate is scored (no cap).
    differing_from_uncapped: int


def timing(n_questions: int = 5000, n_queries: int = 1000) -> Speed:
    """Index ``n_questions`` synthetic questions, query ``n_queries`` more, and
    compare the answers with those of scoring every candidate."""
    questions = synthetic_questions(n_questions + n_queries)
    queries = questions[n_questions:]
    index = DuplicateIndex()
    wall, cpu = time.perf_counter(), time.process_time()
    index.rebuild((str(i), text) for i, text in enumerate(questions[:n_questions]))
    build = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    answers = [index.similar(text) for text in queries]
    query = time.perf_counter() - wall, time.process_time() - cpu
    index.cap = len(index)
    differing = sum(
        index.similar(text) != answer for text, answer in zip(queries, answers, strict=True)
    )
    return Speed(n_questions, n_queries, *build, *query, differing)


def run() -> None:
    """Print precision/recall (tune half, held-out half, all, the second
    held-out set, the development set), the tuning half by kind and its threshold sweep, and the
    index's timings."""
    pairs = load_pairs()
    second = load_pairs(SECOND)
    tune = [p for p in pairs if not p.held_out]
    held = [p for p in pairs if p.held_out]
    print(f"duplicates: {len(pairs)} labelled pairs, {sum(p.duplicate for p in pairs)} duplicates")
    print(f"  threshold {DEFAULT_THRESHOLD}, first {LIMIT} suggestions")
    for name, subset in (("tune", tune), ("held-out", held), ("all", pairs)):
        print(f"  {name:9} {evaluate(subset, corpus=pairs)}")
    print(
        f"  second held-out set ({len(second)} pairs, {len({p.group for p in second})} families):"
    )
    print(f"  {'second':9} {evaluate(second, corpus=pairs + second)}")
    dev = load_pairs(DEV)
    print(f"  development set ({len(dev)} pairs, {len({p.group for p in dev})} families):")
    print(f"  {'dev':9} {evaluate(dev, corpus=pairs + dev)}")
    # Kinds and the sweep on the tuning half only: the held-out sets' totals
    # above are all that is looked at of them (docs/moderation.md).
    hits = suggested(tune, corpus=pairs)
    print("  by kind (tuning half): duplicates found / pairs, or wrong suggestions / pairs")
    for kind in sorted({p.kind for p in tune}):
        chosen = [(p, h) for p, h in zip(tune, hits, strict=True) if p.kind == kind]
        label = "found" if chosen[0][0].duplicate else "wrong"
        print(f"    {kind:14} {label} {sum(h for _, h in chosen)}/{len(chosen)}")
    print("  sweep (tuning half):")
    for threshold in SWEEP:
        q = evaluate(tune, threshold, corpus=pairs)
        print(f"    {threshold:.3f}  P {q.precision:.3f} R {q.recall:.3f} F1 {q.f1:.3f}")
    speed = timing()
    print(
        f"  index {speed.questions} questions: {speed.build_seconds:.2f} s "
        f"(CPU {speed.build_cpu_seconds:.2f} s); {speed.queries} queries: "
        f"{speed.query_seconds:.2f} s (CPU {speed.query_cpu_seconds:.2f} s); "
        f"{speed.differing_from_uncapped} answers differ from scoring every candidate"
    )


if __name__ == "__main__":
    run()
