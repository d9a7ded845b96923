"""The user trial's admin forms: every field at fault is named in one 400
(``Refused.fields``, the first fault's message), not the first alone; and a
screening policy that cannot work is refused at its fields."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from server.domain.model import Dialogue
from server.domain.phases import MAX_MIN_SYLLABLES, edit, new_dialogue
from server.domain.wording import Refused

DIALOGUE = Dialogue(id="ABCD", slug="a", title="Đối thoại về chuyển đổi số")


def faults(change: Mapping[str, object], dialogue: Dialogue = DIALOGUE) -> list[str]:
    with pytest.raises(Refused) as refused:
        edit(dialogue, change)
    assert refused.value.code == "invalid"
    assert refused.value.field == refused.value.fields[0].field
    assert refused.value.message == refused.value.fields[0].message
    return [f.field for f in refused.value.fields]


def test_an_edit_names_every_field_at_fault() -> None:
    change = {
        "title": "",
        "stream_url": "ftp://video",
        "starts_at": "2026-12-10T10:00:00+07:00",
        "ends_at": "2026-12-10T09:00:00+07:00",
        "localities": ["Phường An Cựu", "phường an cựu"],
        "answer_days": 0,
    }
    assert faults(change) == ["title", "stream_url", "answer_days", "ends_at", "localities.1"]


def test_every_bad_item_of_a_list_is_named() -> None:
    officials = [{"id": "o1", "name": "A"}, {"id": "o2", "name": "Giám đốc", "aides": "x"}]
    topics = [{"id": "t1", "name": ""}]
    assert faults({"officials": officials, "topics": topics}) == [
        "topics.0.name",
        "officials.0.name",
        "officials.1.aides",
    ]


def test_a_new_dialogue_names_the_slug_and_the_title() -> None:
    with pytest.raises(Refused) as refused:
        new_dialogue("ABCD", {"slug": "BAD SLUG!", "title": "x"})
    assert [f.field for f in refused.value.fields] == ["slug", "title"]


def test_a_policy_that_cannot_work_is_refused_at_its_fields() -> None:
    policy = {
        "min_syllables": 500,
        "hold": ["link", "phone"],
        "reject": {"link": "spam"},
        "extra_blocked": ["xổ số", "Xo so", "cá độ"],
    }
    assert faults({"policy": policy}) == [
        "policy.extra_blocked",
        "policy.min_syllables",
        "policy.reject",
    ]
    assert faults({"policy": {"min_syllables": "3"}}) == ["policy.min_syllables"]
    assert faults({"policy": {"shouting_min_letters": 0}}) == ["policy.shouting_min_letters"]
    fine = edit(DIALOGUE, {"policy": {"min_syllables": MAX_MIN_SYLLABLES}})
    assert fine.policy["min_syllables"] == MAX_MIN_SYLLABLES


def test_a_flag_moved_to_one_action_leaves_the_other() -> None:
    """Rejecting a held flag (hold not given) moves it; holding a rejected one too."""
    rejected = edit(DIALOGUE, {"policy": {"reject": {"link": "spam"}}})
    assert "link" not in rejected.policy["hold"] and rejected.policy["reject"] == {"link": "spam"}
    held = edit(rejected, {"policy": {"hold": [*rejected.policy["hold"], "link"]}})
    assert "link" in held.policy["hold"] and "link" not in held.policy["reject"]


def test_defaults_wait_for_the_topics_they_name() -> None:
    """A topic at fault is named once, not again through the defaults naming it."""
    change = {
        "topics": [{"id": "t1", "name": ""}],
        "officials": [{"id": "o1", "name": "Giám đốc Sở"}],
        "topic_officials": {"t1": "o1"},
    }
    assert faults(change) == ["topics.0.name"]
