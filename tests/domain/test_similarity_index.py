"""The duplicate index's data structures (issue 15, intake's speed): posting
lists held as bitsets of slots, slots reused, ids kept in order, and the
candidate search that counts shared terms on whole bitsets. Each is checked
against a plain recomputation from the indexed entries themselves, after
adds, removes and edits, so that a speed change can never change which
questions are scored."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from server.domain.similarity import (
    DEFAULT_THRESHOLD,
    JACCARD_FLOOR,
    DuplicateIndex,
    _BitCounter,
    _entry,
    _Query,
)

SUBJECTS = ["học phí", "ký túc xá", "đường Lê Duẩn", "xe buýt", "sổ đỏ", "bảo hiểm y tế"]
ASKS = ["khi nào xong", "là bao nhiêu", "có miễn phí không", "nộp ở đâu", "làm thế nào"]


def _text(rng: random.Random) -> str:
    if rng.random() < 0.4:  # near-identical numbered questions
        return f"Câu hỏi số {rng.randrange(60)} về chuyển đổi số ở Huế?"
    return f"{rng.choice(SUBJECTS)} ở phường {rng.randrange(5)} {rng.choice(ASKS)}?"


def _churned(seed: int, steps: int) -> tuple[DuplicateIndex, dict[str, str]]:
    """An index after random adds, edits (an id added again) and removes, and
    the texts it holds; ids of every length, so that their order as strings
    is not their order as numbers."""
    rng = random.Random(seed)
    index = DuplicateIndex()
    texts: dict[str, str] = {}
    for _ in range(steps):
        question_id = str(rng.randrange(400))
        if rng.random() < 0.25:
            index.remove(question_id)
            texts.pop(question_id, None)
        else:
            index.add(question_id, text := _text(rng))
            texts[question_id] = text
    return index, texts


def _expected_candidates(query: _Query, cap: int, scored_at: float | None = None) -> list[str]:
    """The candidate search as first written: each question's count of the
    query's rarer terms it has (a focus term twice), from the entries alone;
    the ``cap`` with the highest counts, ties by id. Given ``scored_at``,
    without the questions that name numbers, none of the query's, and have
    none of the terms left when the most frequent are set aside up to the
    query's ``differ_need``."""
    index = query.index
    df = Counter(t for entry in index._entries.values() for t in entry.terms)
    left_out: set[str] = set()
    if scored_at is not None and query.entry.numbers:
        need = min(query.differ_need(scored_at))
        skipped = 0
        rare = set()
        for term in sorted(query.bounds, key=lambda t: (-df[t], t)):
            if skipped + query.bounds[term] < need:
                skipped += query.bounds[term]
            else:
                rare.add(term)
        left_out = {
            qid
            for qid, entry in index._entries.items()
            if entry.numbers and entry.numbers.isdisjoint(query.entry.numbers)
            if rare.isdisjoint(entry.terms)
        }
    budget = JACCARD_FLOOR * query.total
    skipped = 0
    shared: Counter[str] = Counter()
    for term in sorted(query.bounds, key=lambda t: (-df[t], t)):
        if skipped + query.bounds[term] < budget:
            skipped += query.bounds[term]
            continue
        for question_id, entry in index._entries.items():
            if term in entry.terms and question_id not in left_out:
                shared[question_id] += 2 if term in query.entry.focus else 1
    ranked = sorted(shared, key=lambda qid: (-shared[qid], qid))
    return ranked[:cap]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_posting_bitsets_equal_a_recomputation(seed: int) -> None:
    """After churn, each term's bitset holds exactly the slots of the
    questions that have it (shifted by the lowest of them), its df and
    ln(df + 1) are theirs, slots are unique and each maps back to its id,
    and the ids are in order."""
    index, texts = _churned(seed, 1500)
    slots = index._slots
    assert sorted(slots.values()) == sorted(set(slots.values()))
    assert all(index._ids[slot] == qid for qid, slot in slots.items())
    assert sum(qid is not None for qid in index._ids) == len(index) == len(slots)
    assert sorted(index._free) == [s for s, qid in enumerate(index._ids) if qid is None]
    assert index._order == sorted(slots)
    assert index._order_slots == [slots[qid] for qid in index._order]
    terms: dict[str, set[str]] = {}
    for qid, entry in index._entries.items():
        for term in entry.terms:
            terms.setdefault(term, set()).add(qid)
    assert set(index._postings) == set(terms) == set(index._df) == set(index._log_df)
    assert set(index._offsets) == set(terms)
    for term, ids in terms.items():
        assert index._offsets[term] == min(slots[qid] for qid in ids)
        assert index._postings[term] << index._offsets[term] == sum(1 << slots[qid] for qid in ids)
        assert index._df[term] == len(ids)
    numbers: dict[str, set[str]] = {}
    for qid, entry in index._entries.items():
        for number in entry.numbers:
            numbers.setdefault(number, set()).add(qid)
    assert numbers and set(index._number_postings) == set(index._number_offsets) == set(numbers)
    for number, ids in numbers.items():
        bits = index._number_postings[number] << index._number_offsets[number]
        assert bits == sum(1 << slots[qid] for qid in ids)
    named = [qid for qid, entry in index._entries.items() if entry.numbers]
    assert index._numbered == sum(1 << slots[qid] for qid in named)
    rebuilt = DuplicateIndex()
    rebuilt.rebuild(texts.items())
    assert rebuilt._log_df == index._log_df
    assert rebuilt._df == index._df


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("cap", [1, 7, 40, 200])
@pytest.mark.parametrize("scored_at", [None, DEFAULT_THRESHOLD, 0.2])
def test_candidates_equal_a_recomputation(seed: int, cap: int, scored_at: float | None) -> None:
    """The bitset search picks exactly the questions the counting search
    did, whatever the cap (so the cut falls among ties as often as not),
    with the questions about other numbers left out or not."""
    index, _ = _churned(seed, 1200)
    rng = random.Random(seed)
    for _ in range(40):
        query = _Query(index, _entry(_text(rng)))
        found = query.candidates(JACCARD_FLOOR, cap, scored_at)
        assert len(found) == len(set(found))
        assert sorted(found) == sorted(_expected_candidates(query, cap, scored_at))


@pytest.mark.parametrize("threshold", [DEFAULT_THRESHOLD, 0.2, 0.05])
def test_questions_about_other_numbers_left_out_would_score_nothing(threshold: float) -> None:
    """Every question the search leaves out for naming other numbers scores
    below the threshold, and uncapped the answers are those of scoring every
    question: leaving them out changes no suggestion."""
    index, texts = _churned(6, 1500)
    index.threshold = threshold
    rng = random.Random(6)
    left = 0
    for _ in range(60):
        text = _text(rng)
        query = _Query(index, _entry(text))
        every = set(query.candidates(JACCARD_FLOOR, len(texts)))
        kept = set(query.candidates(JACCARD_FLOOR, len(texts), threshold))
        assert kept <= every
        assert query.scores(sorted(every - kept), threshold) == []
        left += len(every - kept)
        index.cap = len(texts)
        scored = [(qid, index.score(text, qid)) for qid in texts]
        expected = sorted(
            [(qid, s) for qid, s in scored if s >= threshold], key=lambda x: (-x[1], x[0])
        )
        assert index.similar(text, limit=len(texts)) == expected
    assert left > 0  # the case arose (thousands of times at 0.5)


def test_the_bit_counter_counts_each_slot() -> None:
    """Each slot's count is the sum of what was added to it."""
    rng = random.Random(7)
    counter = _BitCounter()
    counts = [0] * 300
    for _ in range(25):
        chosen = {rng.randrange(300) for _ in range(rng.randrange(1, 200))}
        times = rng.choice((1, 2))
        counter.add(sum(1 << s for s in chosen), times)
        for s in chosen:
            counts[s] += times
    assert max(counts) <= counter.most()
    for count in range(1, counter.most() + 1):
        expected = {s for s, c in enumerate(counts) if c == count}
        bits = counter.exactly(count)
        assert {s for s in range(300) if bits >> s & 1} == expected
    assert counter.any == sum(1 << s for s, c in enumerate(counts) if c)
