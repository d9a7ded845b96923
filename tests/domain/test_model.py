"""The question model's shortcut for a submission (``Question.received``):
the same question as its generated ``__init__`` makes, field for field, in
the same attribute order (so the same stored bytes), with a default factory's
value of its own."""

from __future__ import annotations

import dataclasses

import msgspec
import pytest

from server.domain.model import HistoryEntry, Question, Status

AT = "2026-12-03T17:30:00.123+00:00"


@pytest.mark.parametrize(
    "more",
    [
        {},
        {"organization": "Hội Nông dân", "locality": "Phường Thuận Hóa", "topic": "dat-dai"},
        {"channel": "hotline", "history": (HistoryEntry(AT, "moderator", "enter"),)},
    ],
)
def test_a_received_question_is_the_one_init_makes(more: dict[str, object]) -> None:
    made = Question("", "abcd", "", "Xin hỏi về sổ đỏ?", "Lê Văn An", AT, **more)  # type: ignore[arg-type]
    received = Question.received("abcd", "Xin hỏi về sổ đỏ?", "Lê Văn An", AT, **more)  # type: ignore[arg-type]
    assert received == made
    assert repr(received) == repr(made)
    assert list(vars(received)) == [f.name for f in dataclasses.fields(Question)]
    assert msgspec.json.encode(received) == msgspec.json.encode(made)
    assert received.status is Status.RECEIVED
    with pytest.raises(dataclasses.FrozenInstanceError):
        received.text = "khác"  # type: ignore[misc]


def test_each_received_question_has_its_own_flag_reasons() -> None:
    one = Question.received("abcd", "Câu hỏi một?", None, AT)
    two = Question.received("abcd", "Câu hỏi hai?", None, AT)
    assert one.flag_reasons == {} and one.flag_reasons is not two.flag_reasons
