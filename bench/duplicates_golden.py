"""The duplicate index's answers on fixed texts, to prove that a change made
for speed changes no result: ``python -m bench.duplicates_golden`` writes
them to ``tests/data/duplicates_golden.json`` (generated from the code of
``main`` before the speed work of issue 15 / issue 16 item 4, and again only
by a change meant to change answers: the third round of issue 16, which made
"gì", "nào" and "thế nào" one kind of question), and
``tests/domain/test_similarity_golden.py`` computes them again with
``answers()`` and compares.

What is recorded:

- both labelled sets (tests/data/duplicates.tsv, and duplicates_second.tsv
  with the first set's texts, as bench/duplicates.py measures them): every
  text's ``similar(text, limit=50)`` (ids and scores), and for every labelled
  pair the features of a against b (``DuplicateIndex.features``, unrounded);
- the browser tests' console seed (200 texts) and the demo's questions, each
  text asked before it is added, as intake does;
- 1,500 synthetic questions (bench/duplicates.py's), indexed, and 300 more
  asked with the default candidate cap (where the cap decides which
  candidates are scored), at threshold 0.001 so that scores show (none of them
  reaches the default threshold), with the unrounded features of each
  suggestion.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from bench.duplicates import DATA, SECOND, load_pairs, synthetic_questions
from server.domain.similarity import DuplicateIndex

GOLDEN = DATA.with_name("duplicates_golden.json")
#: Suggestions asked per labelled text: more than the console shows, so that
#: scores below the first five are compared too.
LIMIT = 50
SYNTHETIC_THRESHOLD = 0.001


def _labelled(path_pairs: list[Any], corpus: list[Any]) -> dict[str, Any]:
    ids: dict[str, str] = {}
    for pair in corpus:
        for text in (pair.a, pair.b):
            ids.setdefault(text, str(len(ids) + 1))
    index = DuplicateIndex()
    index.rebuild((i, text) for text, i in ids.items())
    texts = sorted({t for p in path_pairs for t in (p.a, p.b)})
    return {
        "similar": [[ids[t], index.similar(t, LIMIT)] for t in texts],
        "features": [[ids[p.a], ids[p.b], index.features(p.a, ids[p.b])] for p in path_pairs],
    }


def _incremental(texts: list[str]) -> list[Any]:
    index = DuplicateIndex()
    out = []
    for n, text in enumerate(texts):
        out.append(index.similar(text, LIMIT))
        index.add(str(n), text)
    return out


def answers() -> dict[str, Any]:
    """Everything ``GOLDEN`` holds, computed with the code as it is now."""
    from server.demo.data import QUESTIONS as DEMO
    from tests.browser.console_seed import texts as console_texts

    first, second = load_pairs(), load_pairs(SECOND)
    synthetic = synthetic_questions(1800)
    index = DuplicateIndex(SYNTHETIC_THRESHOLD)
    index.rebuild((str(i), t) for i, t in enumerate(synthetic[:1500]))
    out = {
        "first": _labelled(first, first),
        "second": _labelled(second, first + second),
        "console": _incremental(console_texts(200)),
        "demo": _incremental([q["text"] for q in DEMO]),
        "synthetic": [
            [found, [index.features(t, i) for i, _ in found]]
            for t in synthetic[1500:]
            for found in [index.similar(t, 20)]
        ],
    }
    # Tuples become lists, as they come back from the file.
    result: dict[str, Any] = json.loads(json.dumps(out))
    return result


def main() -> None:
    GOLDEN.write_text(json.dumps(answers(), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    main()
