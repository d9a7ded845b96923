"""The staff search's query rules (moderator_ui/static/lib/search.js), run in
Chromium: folded words in any order, all required, each the beginning of a
word; "quoted phrases" whole and in order (the last word of a phrase still
being typed may be the beginning of one); a number finds its question.

A reading of the rules in Python (``reference``) is checked on chosen cases
and on random ones, so the rules stated here are the ones the console runs.
The module is served from the repository (tests/browser/static_origin.py:
no app server)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, Page

from server.domain.folding import fold

from .static_origin import static_page

pytestmark = pytest.mark.browser

MATCH_ALL = """async (cases) => {
  const { matchesKey, parseQuery, searchKey } = await import("/static/lib/search.js");
  return cases.map(([query, fields, id]) => matchesKey(parseQuery(query), searchKey(fields), id));
}"""
QUOTES = re.compile('["“”„]')
QUESTION = "A Lưới, vấn đề camera giám sát ở các thôn còn thiếu"


def reference(query: str, fields: list[str | None], qid: str | None = None) -> bool:
    """The rules of lib/search.js, read in Python."""
    parts = QUOTES.split(query)
    words = fold(" ".join(parts[0::2])).split()
    phrases = [(fold(p), i == len(parts) - 1) for i, p in enumerate(parts) if i % 2 and fold(p)]
    if not words and not phrases:
        return True
    number = query.strip().removeprefix("#")
    if qid is not None and number.isdigit() and number.isascii() and number == qid:
        return True
    keys = [fold(f) for f in fields if f]
    key = " " + "  ".join(k for k in keys if k) + " "
    return all(f" {w}" in key for w in words) and all(
        (f" {p}" if still_typed else f" {p} ") in key for p, still_typed in phrases
    )


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    with static_page(chromium) as opened:
        yield opened


def browser_matches(
    page: Page, cases: Sequence[tuple[str, Sequence[str | None], str | None]]
) -> list[bool]:
    found: list[bool] = page.evaluate(MATCH_ALL, [list(case) for case in cases])
    return found


CASES: list[tuple[str, list[str | None], str | None, bool]] = [
    # Words in any order, with or without diacritics, upper or lower case, all required.
    ("camera a luoi", [QUESTION], None, True),
    ("luoi camera", [QUESTION], None, True),
    ("CAMERA A Lưới", [QUESTION], None, True),
    ("cam a lu", [QUESTION], None, True),
    ("camera hue", [QUESTION], None, False),
    ("camera a luoi", ["Camera giám sát ở phường Thuận Hóa"], None, False),
    # ... in any of the fields: the text, the asker, the place.
    ("camera a luoi", ["Camera giám sát còn thiếu", "Hồ Văn Sáu", "Xã A Lưới 2"], None, True),
    # A word is the beginning of a word, not any part of one.
    ("mera", [QUESTION], None, False),
    # Quoted phrases: whole words, in order, within one field.
    ('"van de camera"', [QUESTION], None, True),
    ("“vấn đề camera”", [QUESTION], None, True),
    ('"camera van de"', [QUESTION], None, False),
    ('"van de cam"', [QUESTION], None, False),
    ('"van de cam', [QUESTION], None, True),
    ('thon "camera giam sat"', [QUESTION], None, True),
    ('"giam sat o cac thon" a luoi', [QUESTION], None, True),
    ('"thieu ho van"', [QUESTION, "Hồ Văn Sáu"], None, False),
    # Telex typed with the input method off folds like the text.
    ("camera giasm sast vaasn ddeef", [QUESTION], None, True),
    # A number finds its question; an empty query finds all.
    ("#12", [QUESTION], "12", True),
    ("12", [QUESTION], "13", False),
    ("", [QUESTION], None, True),
    ('  ""  ', [QUESTION], None, True),
]


def test_the_chosen_queries_match_as_stated(page: Page) -> None:
    """The cases above, each as its comment says, in the browser and in the reading."""
    cases = [(query, fields, qid) for query, fields, qid, _ in CASES]
    wanted = [want for *_, want in CASES]
    assert [reference(*case) for case in cases] == wanted
    assert browser_matches(page, cases) == wanted


WORDS = st.sampled_from(
    [
        "camera",
        "Camera",
        "cam",
        "A",
        "Lưới",
        "luoi",
        "lưới",
        "thôn",
        "thon",
        "vấn",
        "đề",
        "de",
        "xã",
        "2",
        "sóng",
    ]
)
QUERY = st.lists(st.one_of(WORDS, st.just('"'), st.just("“"), st.just("”")), max_size=6).map(
    " ".join
)
FIELD = st.lists(WORDS, max_size=8).map(" ".join)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(QUERY, st.lists(st.one_of(st.none(), FIELD), max_size=3)),
        min_size=40,
        max_size=40,
    )
)
def test_random_queries_match_as_the_reading_says(page: Page, cases: Any) -> None:
    """Random queries (quotes open and closed among them) over random fields."""
    full = [(query, fields, None) for query, fields in cases]
    assert browser_matches(page, full) == [reference(*case) for case in full]
