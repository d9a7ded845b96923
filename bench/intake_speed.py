"""Intake's domain CPU per question as the duplicate index grows, against an
older version, interleaved in one process: ``python -m bench.intake_speed
BASE [ROUNDS]``, BASE being an export of an older commit (``git archive main
| tar -x -C BASE``). What an intake worker does for each question apart from
Redis: screen it (``screening.screen``, with an asker's name), ask the index
(``similar``, limit 6) and add it. For index sizes 1,000 to 13,000, on three
kinds of text: near-identical numbered questions ("Câu hỏi số N về chuyển
đổi số ở Huế?", whose terms every question shares, as bench/ingest.py
sends), bench/duplicates.py's mixed synthetic questions, each with its own
file number, and the same without the numbers (many near each other, none
told apart by a number: the costliest case).

Each round builds an index of the size (not timed) and times 150 questions,
BASE's code and this checkout's one after the other (the order alternating),
so that a shared machine's load weighs on both alike; the median of the
rounds is printed, and whether both gave the same suggestions. CPU from
``time.process_time``. Pure CPU: no Redis.
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
from bench.duplicates_speed import load_base
from server.domain import screening, similarity

SIZES = (1000, 4000, 8000, 13000)
QUESTIONS = 150


def load_base_screening(root: Path) -> ModuleType:
    """``root``'s screening module (and what it imports), beside its similarity."""
    load_base(root)
    for name in ("model", "text", "views", "screening"):
        path = root / "server" / "domain" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"_base_domain.{name}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["_base_domain.screening"]


def one_round(sim: Any, screen: Any, texts: list[str], size: int) -> tuple[float, list[Any]]:
    """CPU µs a question of screening, asking and adding ``QUESTIONS`` texts
    into an index of ``size``, and the suggestions given."""
    policy = screen.Policy.from_doc({})
    index = sim.DuplicateIndex()
    index.rebuild((str(i), text) for i, text in enumerate(texts[:size]))
    answers = []
    cpu = time.process_time()
    for i, text in enumerate(texts[size : size + QUESTIONS]):
        screen.screen(text, "Người dân", "", policy)
        answers.append(index.similar(text, 6))
        index.add(str(size + i), text)
    return (time.process_time() - cpu) / QUESTIONS * 1e6, answers


def main(base: Path, rounds: int) -> None:
    old_screen = load_base_screening(base)
    old_sim = sys.modules["_base_domain.similarity"]
    count = max(SIZES) + QUESTIONS
    kinds = {
        "near-identical": _burst(count),
        "mixed": synthetic_questions(count),
        "unnumbered": synthetic_questions(count, numbered=False),
    }
    print(f"intake CPU a question (screen, ask, add), median of {rounds} rounds, base = {base}")
    for kind, texts in kinds.items():
        for size in SIZES:
            figures: dict[str, list[float]] = {"base": [], "this": []}
            answers: dict[str, list[Any]] = {}
            for r in range(rounds):
                order = [("base", old_sim, old_screen), ("this", similarity, screening)]
                for name, sim, screen in order[:: -1 if r % 2 else 1]:
                    cpu, answers[name] = one_round(sim, screen, texts, size)
                    figures[name].append(cpu)
            b, t = (statistics.median(figures[name]) for name in ("base", "this"))
            same = answers["base"] == answers["this"]
            print(
                f"  {kind:14} {size:6,}: base {b:7.0f} µs  this {t:6.0f} µs"
                f"  ratio {t / b:.2f}  same answers: {same}"
            )


def _burst(count: int) -> list[str]:
    return [f"Câu hỏi số {i} về chuyển đổi số ở Huế?" for i in range(count)]


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
