"""Duplicate suggestions give exactly the answers recorded from ``main``'s code
before the speed work (issue 15, issue 16 item 4): the same ids, scores and
unrounded features on both labelled sets, the console seed, the demo's
questions and synthetic questions where the candidate cap decides.
``tests/data/duplicates_golden.json`` was written by
``python -m bench.duplicates_golden`` with that code, and is never
regenerated to make this test pass: a change to the scoring itself (new
coefficients, a new signal) regenerates it in its own commit, saying why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.duplicates_golden import GOLDEN, answers

PARTS = ("first", "second", "console", "demo", "synthetic")


@pytest.fixture(scope="module")
def now() -> dict[str, Any]:
    return answers()


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return recorded


@pytest.mark.parametrize("part", PARTS)
def test_answers_equal_the_recorded_ones(
    part: str, now: dict[str, Any], golden: dict[str, Any]
) -> None:
    """Every suggestion list and every feature tuple is what ``main`` gave."""
    assert now[part] == golden[part]


def test_the_golden_file_is_not_trivial(golden: dict[str, Any]) -> None:
    """The recorded answers hold suggestions and features to compare."""
    assert sum(len(found) for _, found in golden["first"]["similar"]) > 1000
    assert sum(f is not None for *_, f in golden["second"]["features"]) > 100
    assert sum(len(found) for found in golden["console"]) == 29
    assert sum(len(found) for found, _ in golden["synthetic"]) > 1000
