"""The rules between a dialogue's fields: the end after the start, and no
topic, locality or official listed twice (not even in another case, with
other marks or spaces); each fault named at its own field, all at once."""

from __future__ import annotations

from typing import Any

import pytest

from server.domain.model import Dialogue, Official, Topic
from server.domain.phases import edit, new_dialogue
from server.domain.wording import Refused
from tests.support.wording import vi

DIALOGUE = Dialogue(
    id="TEST",
    slug="hue",
    title="Đối thoại",
    starts_at="2026-12-10T10:00:00+07:00",
    ends_at="2026-12-10T11:30:00+07:00",
    topics=(Topic("kinh-te-so", "Kinh tế số"), Topic("xa-hoi-so", "Xã hội số")),
    localities=("Phường Thuận Hóa", "Phường Phú Xuân"),
    officials=(Official("o1", "Giám đốc Sở", "Sở KH&CN"), Official("o2", "Phó Chủ tịch", "UBND")),
)


def _refused(changes: dict[str, Any]) -> Refused:
    with pytest.raises(Refused) as refused:
        edit(DIALOGUE, changes)
    assert refused.value.code == "invalid"
    return refused.value


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        # The user trial's case: 10 Dec 10:00 to 10 Dec 09:00.
        (
            {"starts_at": "2026-12-10T10:00:00+07:00", "ends_at": "2026-12-10T09:00:00+07:00"},
            "ends_at",
        ),
        ({"ends_at": "2026-12-10T09:00:00+07:00"}, "ends_at"),  # before the kept start
        ({"ends_at": "2026-12-10T10:00:00+07:00"}, "ends_at"),  # no time at all
        ({"starts_at": "2026-12-10T12:00:00+07:00"}, "starts_at"),  # after the kept end
        # 09:30 in Huế is 02:30 UTC: the offsets count.
        ({"ends_at": "2026-12-10T02:30:00Z"}, "ends_at"),
    ],
)
def test_the_end_comes_after_the_start(changes: dict[str, Any], field: str) -> None:
    refused = _refused(changes)
    assert refused.field == field
    assert vi(refused) == "Thời gian kết thúc phải sau thời gian bắt đầu."


def test_times_in_order_or_left_open_are_taken() -> None:
    later = edit(DIALOGUE, {"ends_at": "2026-12-10T05:00:00Z"})  # 12:00 in Huế
    assert later.ends_at == "2026-12-10T05:00:00Z"
    assert (
        edit(DIALOGUE, {"ends_at": None, "starts_at": "2026-12-11T08:00:00+07:00"}).ends_at is None
    )
    # A title edit does not trip over the times it does not touch.
    odd = DIALOGUE.evolve(ends_at="2026-12-10T09:00:00+07:00")
    assert edit(odd, {"title": "Đối thoại số"}).title == "Đối thoại số"


@pytest.mark.parametrize(
    "again", ["Kinh tế số", "kinh tế số", "  KINH TẾ SỐ ", "Kinh te so", "Kinh  tế số"]
)
def test_a_topic_renamed_to_another_topics_name_is_refused(again: str) -> None:
    topics = [{"id": "kinh-te-so", "name": "Kinh tế số"}, {"id": "xa-hoi-so", "name": again}]
    refused = _refused({"topics": topics})
    assert refused.field == "topics.1.name"
    assert [f.field for f in refused.fields] == ["topics.1.name"]


def test_every_repeated_name_is_named_at_once() -> None:
    refused = _refused(
        {
            "starts_at": "2026-12-10T10:00:00+07:00",
            "ends_at": "2026-12-10T09:00:00+07:00",
            "topics": [
                {"id": "a", "name": "Đường sá"},
                {"id": "b", "name": "Y tế"},
                {"id": "c", "name": "duong sa"},
            ],
            "localities": ["Phường Thuận Hóa", "phường thuận hoá", "Xã Phú Vang"],
            "officials": [
                {"id": "o1", "name": "Giám đốc Sở", "title": "Sở KH&CN"},
                {"id": "o2", "name": "giám đốc sở", "title": "Sở KH&CN "},
                {"id": "o3", "name": "Giám đốc Sở", "title": "Sở Y tế"},
            ],
        }
    )
    assert [f.field for f in refused.fields] == [
        "ends_at",
        "topics.2.name",
        "localities.1",
        "officials.1.name",
    ]
    assert "duong sa" in vi(refused.fields[1].message) and "bị trùng" in vi(
        refused.fields[1].message
    )


def test_distinct_names_are_taken_and_a_new_dialogue_is_checked_too() -> None:
    topics = [{"id": "a", "name": "Kinh tế số"}, {"id": "b", "name": "Kinh tế số cấp xã"}]
    assert [t.name for t in edit(DIALOGUE, {"topics": topics}).topics] == [
        "Kinh tế số",
        "Kinh tế số cấp xã",
    ]
    with pytest.raises(Refused) as refused:
        new_dialogue("", {"slug": "moi", "title": "Mới", "localities": ["Huế", "HUẾ"]})
    assert refused.value.field == "localities.1"
