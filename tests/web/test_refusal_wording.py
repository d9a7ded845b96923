"""Refusals said in the reader's words, not the code's: no phase code, no
enum field's label that does not read, no raw dot path of a field, and an
action's unknown field listed with that action's fields alone."""

from __future__ import annotations

import pytest

from server.actions.closing import PHASE_NAMES
from server.domain import phases
from server.domain.model import Dialogue, DialogueStatus
from server.domain.wording import Refused
from server.web.bodies import decode
from server.web.catalogs import catalog
from server.web.schemas import ActionBody, DialogueEdit, NextRequest

CODES = ("draft", "open", "live", "closed", "archived")


def say(refused: Refused, lang: str) -> str:
    return refused.say(catalog(lang).gettext)


def refused_body(data: bytes, schema: type, fields: set[str] | None = None) -> Refused:
    with pytest.raises(Refused) as refused:
        decode(data, schema, fields)
    return refused.value


def test_a_phase_change_refused_names_no_phase_code() -> None:
    archived = Dialogue(id="T", slug="t", title="Đối thoại", status=DialogueStatus.ARCHIVED)
    with pytest.raises(Refused) as refused:
        phases.change_phase(archived, "live", "2026-12-04T00:00:00.000+00:00")
    for lang in ("en", "vi"):
        said = say(refused.value, lang)
        assert not any(f"“{code}”" in said or f" {code} " in said for code in CODES), said


def test_the_phase_names_are_the_pages() -> None:
    en = catalog("en").gettext
    assert {s: en(PHASE_NAMES[s]) for s in DialogueStatus}[DialogueStatus.CLOSED] == "Ended"
    assert catalog("vi").gettext(PHASE_NAMES[DialogueStatus.ARCHIVED]) == "Đã lưu trữ"


def test_what_follows_the_air_is_said_plainly() -> None:
    refused = refused_body(b'{"then": "owed"}', NextRequest)
    assert refused.field == "then"
    said = say(refused, "en")
    assert "The what follows" not in said and "must be one of" not in said
    assert "answered" in said and "defer" in said


def test_a_field_without_a_label_is_not_named_by_its_path() -> None:
    refused = refused_body(b'{"policy": {"min_syllables": -1}}', DialogueEdit)
    assert refused.field == "policy.min_syllables"
    for lang in ("en", "vi"):
        assert "min_syllables" not in say(refused, lang)
    assert say(refused, "en") == "The fewest syllables a question needs must be at least 0."


def test_an_unknown_field_of_an_action_lists_that_actions_fields() -> None:
    refused = refused_body(b'{"official": "o2"}', ActionBody, {"official_id", "version"})
    assert refused.field == "official"
    said = say(refused, "en")
    assert "official_id, version" in said
    assert "reason" not in said and "position" not in said


def test_a_refusal_names_a_questions_state_as_the_pages_do() -> None:
    from datetime import UTC, datetime

    from server.domain import lifecycle
    from server.domain.model import Actor, Question, Role, Status

    deferred = Question(
        id="4",
        dialogue_id="T",
        tracking_code="T-AAAAA-BBBBB",
        text="Câu hỏi số 4 về chuyển đổi số?",
        name="Trần Thị B",
        submitted_at="2026-12-04T08:00:00.000+00:00",
        status=Status.DEFERRED,
        version=2,
    )
    moderator = Actor("moderator", frozenset({Role.MODERATOR}))
    dialogue = Dialogue(id="T", slug="t", title="Đối thoại")
    with pytest.raises(Refused) as refused:
        lifecycle.decide(
            deferred, lifecycle.Command("approve"), moderator, datetime.now(UTC), dialogue
        )
    said = say(refused.value, "en")
    assert "“To be answered in writing”" in said and "deferred" not in said, said
