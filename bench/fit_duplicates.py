"""Fit the learned combination of duplicate-suggestion features
(``similarity.COEFFICIENTS``) and its threshold on the tuning half of
tests/data/duplicates.tsv, and print them to paste into
server/domain/similarity.py. No label of the held-out half is read here,
and nothing of the second held-out set (tests/data/duplicates_second.tsv);
the held-out half's texts are in the index, unlabelled, as when the quality
is measured, so that the words weigh the same.

The model is a logistic regression with a small L2 penalty, fitted by
Newton's method in plain Python (five numbers: no need for numpy). Each
labelled tuning pair (a, b) gives one example: the features of a against b
in an index holding every text of the labelled set (as ``bench.duplicates``
measures), and its label. A pair whose weighted Jaccard is below
``JACCARD_FLOOR`` gives no example (its score is 0 whatever the
coefficients). The threshold is then the middle of the range where the
tuning half's F1 (as ``bench.duplicates`` measures it: b among the first 5
suggestions for a) is best.

Run with ``python -m bench.fit_duplicates``; ``--folds`` also prints, for
each feature left out in turn, the F1 of a model fitted on half of the
tuning families and measured on the other half (and the other way round):
what each feature is worth on families the fit has not seen.
"""

from __future__ import annotations

import math
import sys
import zlib
from collections.abc import Sequence
from dataclasses import replace

from server.domain.similarity import COEFFICIENTS, DuplicateIndex, Scoring

from .duplicates import Pair, evaluate, index_of, load_pairs

FEATURES = ("jaccard", "inside", "subjects_differ", "asks_differ")
#: The L2 penalty (not on the intercept).
PENALTY = 0.1
THRESHOLDS = [round(0.05 * i, 2) for i in range(2, 19)]


def examples(
    index: DuplicateIndex, ids: dict[str, str], pairs: Sequence[Pair]
) -> list[tuple[list[float], int]]:
    out = []
    for pair in pairs:
        features = index.features(pair.a, ids[pair.b])
        if features is not None:
            out.append(([1.0, *features], int(pair.duplicate)))
    return out


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting."""
    n = len(vector)
    m = [[*row, v] for row, v in zip(matrix, vector, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col and m[col][col]:
                f = m[r][col] / m[col][col]
                m[r] = [a - f * b for a, b in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(data: list[tuple[list[float], int]], mask: Sequence[bool] | None = None) -> list[float]:
    """Logistic regression coefficients (intercept first) by Newton's method;
    features where ``mask`` is False are held at 0."""
    k = len(data[0][0])
    mask = [True, *(mask or [True] * (k - 1))]
    w = [0.0] * k
    for _ in range(50):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y in data:
            z = sum(a * b for a, b in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
            for i in range(k):
                grad[i] += (p - y) * x[i]
                for j in range(k):
                    hess[i][j] += p * (1 - p) * x[i] * x[j]
        for i in range(1, k):
            grad[i] += PENALTY * w[i]
            hess[i][i] += PENALTY
        for i in range(k):
            if not mask[i]:
                grad[i] = 0.0
                hess[i] = [0.0] * k
                hess[i][i] = 1.0
                for j in range(k):
                    if j != i:
                        hess[j][i] = 0.0
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return w


def best_threshold(pairs: Sequence[Pair], corpus: Sequence[Pair], scoring: Scoring) -> float:
    """The middle of the thresholds where F1 on ``pairs`` is best (to 3 decimals)."""
    f1 = {t: round(evaluate(pairs, t, scoring, corpus).f1, 3) for t in THRESHOLDS}
    top = max(f1.values())
    best = [t for t in THRESHOLDS if f1[t] == top]
    return round((best[0] + best[-1]) / 2, 3)


def _half(pair: Pair) -> int:
    return zlib.crc32(pair.group.encode()) // 2 % 2  # bit 0 is the tuning/held-out split


def main(argv: list[str]) -> None:
    pairs = load_pairs()
    tune = [p for p in pairs if not p.held_out]
    texts = [t for p in pairs for t in (p.a, p.b)]
    index, ids = index_of(texts, 0.5)
    coefficients = fit(examples(index, ids, tune))
    scoring = replace(Scoring(), coefficients=tuple(round(c, 3) for c in coefficients))
    threshold = best_threshold(tune, pairs, scoring)
    print(f"# fitted on {len(tune)} tuning pairs; was {COEFFICIENTS}")
    print(f"COEFFICIENTS: tuple[float, ...] = {scoring.coefficients}")
    print(f"DEFAULT_THRESHOLD = {threshold}")
    print(f"tuning half at {threshold}: {evaluate(tune, threshold, scoring, pairs)}")
    if "--folds" in argv:
        for left_out in (None, *FEATURES):
            mask = [f != left_out for f in FEATURES]
            scores = []
            for fold in (0, 1):
                train = [p for p in tune if _half(p) != fold]
                test = [p for p in tune if _half(p) == fold]
                w = fit(examples(index, ids, train), mask)
                s = replace(Scoring(), coefficients=tuple(w))
                t = best_threshold(train, pairs, s)
                scores.append(evaluate(test, t, s, pairs).f1)
            print(
                f"  without {left_out or '-':16} F1 on unseen tuning families: "
                + " / ".join(f"{x:.3f}" for x in scores)
            )


if __name__ == "__main__":
    main(sys.argv[1:])
