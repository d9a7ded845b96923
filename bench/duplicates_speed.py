"""The duplicate index's CPU against an older version of it, interleaved in one
process: ``python -m bench.duplicates_speed BASE [ROUNDS]``, BASE being an
export of an older commit (``git archive main | tar -x -C BASE``). Its
``server/domain/similarity.py`` and ``folding.py`` are loaded as a package of
their own beside this checkout's, and each round times both on the same texts,
one after the other, so that a shared machine's load weighs on both alike:

- indexing 5,000 synthetic questions (bench/duplicates.py's);
- 1,000 queries against them (``similar``);
- intake's pattern: 1,000 questions each asked (``similar``, limit 6) and
  then added, into an index of 4,000;
- the same on a burst of near-identical
  numbered questions ("Câu hỏi số N về chuyển đổi số ở Huế?", as
  bench/ingest.py and bench/submit_cpu.py send): 500 asked and added into
  8,000 of them, where each query's terms are shared by every question
  but its number.

CPU from ``time.process_time``; the median of the rounds is printed, and
whether both versions gave the same answers. Pure CPU: no Redis.
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.duplicates import synthetic_questions
from server.domain import similarity

#: The burst's texts: every question shares all its terms but its number.
BURST = [f"Câu hỏi số {i} về chuyển đổi số ở Huế?" for i in range(8500)]


def load_base(root: Path) -> ModuleType:
    """``root``'s similarity module, imported as ``_base_domain.similarity``."""
    domain = root / "server" / "domain"
    package = ModuleType("_base_domain")
    package.__path__ = [str(domain)]
    sys.modules["_base_domain"] = package
    for name in ("folding", "similarity"):
        spec = importlib.util.spec_from_file_location(f"_base_domain.{name}", domain / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["_base_domain.similarity"]


def one_round(module: Any, texts: list[str]) -> tuple[dict[str, float], list[Any]]:
    """CPU seconds of the three measures, and the answers given."""
    out = {}
    index = module.DuplicateIndex()
    cpu = time.process_time()
    index.rebuild((str(i), t) for i, t in enumerate(texts[:5000]))
    out["index 5,000 (s)"] = time.process_time() - cpu
    cpu = time.process_time()
    answers = [index.similar(t) for t in texts[5000:6000]]
    out["query (ms)"] = time.process_time() - cpu  # 1,000 queries: s → ms each
    index = module.DuplicateIndex()
    index.rebuild((str(i), t) for i, t in enumerate(texts[:4000]))
    cpu = time.process_time()
    for i, text in enumerate(texts[4000:5000]):
        answers.append(index.similar(text, 6))
        index.add(f"n{i}", text)
    out["intake (ms a question)"] = time.process_time() - cpu
    index = module.DuplicateIndex()
    index.rebuild((str(i), text) for i, text in enumerate(BURST[:8000]))
    cpu = time.process_time()
    for i, text in enumerate(BURST[8000:]):
        answers.append(index.similar(text, 6))
        index.add(str(8000 + i), text)
    out["burst (ms a question)"] = (time.process_time() - cpu) * 2  # 500: s → ms each
    return out, answers


def main(base: Path, rounds: int) -> None:
    old = load_base(base)
    texts = synthetic_questions(6000)
    figures: dict[str, dict[str, list[float]]] = {"base": {}, "this": {}}
    same = True
    for r in range(rounds):
        order = [("base", old), ("this", similarity)]
        if r % 2:
            order.reverse()
        answers = {}
        for name, module in order:
            measured, answers[name] = one_round(module, texts)
            for key, value in measured.items():
                figures[name].setdefault(key, []).append(value)
        same = same and answers["base"] == answers["this"]
        print(
            f"round {r + 1}: "
            + "; ".join(
                f"{name} " + ", ".join(f"{v[-1]:.3f}" for v in figures[name].values())
                for name in ("base", "this")
            )
        )
    print(f"medians of {rounds} rounds (CPU), base = {base}:")
    for key in figures["this"]:
        b, t = statistics.median(figures["base"][key]), statistics.median(figures["this"][key])
        print(f"  {key:24} base {b:.3f}  this {t:.3f}  ratio {t / b:.2f}")
    print(f"  same answers: {same}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5)
