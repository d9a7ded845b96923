"""Dialogue phases and the admin's edits: one step at a time, fields validated."""

from __future__ import annotations

import pytest

from server.domain.events import public_question, recording_link, recording_offset
from server.domain.model import Answer, Dialogue, DialogueStatus, Official, Question, Status, Topic
from server.domain.phases import PHASES, change_phase, check_version, edit, new_dialogue
from server.domain.wording import Refused
from tests.support.wording import vi

D = DialogueStatus
AT = "2026-12-01T07:00:00.000+00:00"
DIALOGUE = Dialogue(
    id="TEST",
    slug="hue",
    title="Đối thoại",
    topics=(Topic("kinh-te-so", "Kinh tế số"), Topic("xa-hoi-so", "Xã hội số")),
    officials=(Official("o1", "Giám đốc Sở", "Sở KH&CN"), Official("o2", "Phó Chủ tịch", "UBND")),
)


@pytest.mark.parametrize(("start", "target"), [(a, b) for a in D for b in D if a is not b])
def test_phases_step_one_at_a_time(start: DialogueStatus, target: DialogueStatus) -> None:
    """Only one step forward or back is allowed; anything else is a conflict."""
    order = list(D)
    dialogue = DIALOGUE.evolve(status=start)
    if (start, target) == (D.LIVE, D.CLOSED):
        assert change_phase(dialogue, target.value, AT, wrap_up=True).status is target
        assert target in PHASES[start]
    elif abs(order.index(start) - order.index(target)) == 1:
        assert change_phase(dialogue, target.value, AT).status is target
        assert target in PHASES[start]
    else:
        with pytest.raises(Refused) as refused:
            change_phase(dialogue, target.value, AT)
        assert refused.value.code == "conflict"


def test_live_and_closed_times_are_kept() -> None:
    """Going live the first time records live_at; reopening keeps it; closing records closed_at."""
    live = change_phase(DIALOGUE.evolve(status=D.OPEN), "live", AT)
    assert live.live_at == AT
    closed = change_phase(live, "closed", "2026-12-01T09:00:00.000+00:00", wrap_up=True)
    again = change_phase(closed, "live", "2026-12-01T09:30:00.000+00:00")
    assert again.live_at == AT and closed.closed_at == "2026-12-01T09:00:00.000+00:00"


def test_a_live_dialogue_closes_only_through_the_wrap_up() -> None:
    """The phase switch alone refuses live -> closed (409, on the status), in
    words that point to the wrap-up; the wrap-up may take that step."""
    live = DIALOGUE.evolve(status=D.LIVE)
    with pytest.raises(Refused) as refused:
        change_phase(live, "closed", AT)
    assert (refused.value.code, refused.value.field) == ("conflict", "status")
    assert vi(refused.value).startswith(
        "Cuộc đối thoại đang diễn ra chỉ kết thúc qua bước tổng kết (“Kết thúc buổi phát sóng”)"
    )
    assert change_phase(live, "closed", AT, wrap_up=True).closed_at == AT
    assert change_phase(live, "open", AT).status is D.OPEN


def test_unknown_phase_is_invalid() -> None:
    """A phase that does not exist is a 400, naming the field."""
    with pytest.raises(Refused) as refused:
        change_phase(DIALOGUE, "paused", AT)
    assert (refused.value.code, refused.value.field) == ("invalid", "status")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"stream_url": "javascript:alert(1)"}, "stream_url"),
        ({"topics": [{"id": "Bad Id", "name": "x"}]}, "topics.0.id"),
        ({"topics": [{"id": "a", "name": "x"}, {"id": "a", "name": "y"}]}, "topics"),
        ({"officials": [{"id": "o1", "name": ""}]}, "officials.0.name"),
        ({"officials": [{"id": "o1", "name": "An", "aides": "x"}]}, "officials.0.aides"),
        ({"widget_origins": ["https://cong.hue.gov.vn/path"]}, "widget_origins"),
        ({"topic_officials": {"kinh-te-so": "nobody"}}, "topic_officials.kinh-te-so"),
        ({"allow_anonymous": "yes"}, "allow_anonymous"),
        ({"id": "HACK"}, "id"),
        ({"status": "live"}, "status"),
    ],
)
def test_bad_edits_name_their_field(changes: dict[str, object], field: str) -> None:
    """Each bad setting is refused as invalid with the field (dot path) it concerns."""
    with pytest.raises(Refused) as refused:
        edit(DIALOGUE, changes)
    assert (refused.value.code, refused.value.field) == ("invalid", field)


def test_edits_keep_defaults_consistent() -> None:
    """Topic defaults are set, and dropped when their topic or official goes away."""
    routed = edit(DIALOGUE, {"topic_officials": {"kinh-te-so": "o1"}})
    assert routed.default_official("kinh-te-so") == DIALOGUE.officials[0]
    fewer = edit(routed, {"officials": [{"id": "o2", "name": "Phó Chủ tịch", "title": "UBND"}]})
    assert fewer.topic_officials == () and fewer.default_official("kinh-te-so") is None


def test_new_dialogue_is_a_draft_with_a_clean_slug() -> None:
    """A new dialogue starts as a draft; its slug must be lowercase and dashed."""
    made = new_dialogue("ABCD", {"slug": "hoi-dap-2026", "title": "  Hỏi   đáp  "})
    assert (made.status, made.slug, made.title) == (D.DRAFT, "hoi-dap-2026", "Hỏi đáp")
    with pytest.raises(Refused) as refused:
        new_dialogue("ABCD", {"slug": "Hỏi Đáp", "title": "x y z"})
    assert refused.value.field == "slug"


def test_recording_moment_of_a_live_answer() -> None:
    """A live answer links to its moment in the recording, counted from going live."""
    dialogue = DIALOGUE.evolve(
        stream_url="https://www.youtube.com/watch?v=abc123&t=5s",
        live_at="2026-12-01T14:00:00+07:00",
    )
    q = Question(
        "1", "TEST", "TEST-AAAAA-BBBBB", "Câu hỏi?", "An", "2026-12-01T06:00:00+00:00",
        Status.ANSWERED, on_air_at="2026-12-01T07:12:30.000+00:00",
        answer=Answer("Trả lời.", "live", "o1", "2026-12-01T07:15:00+00:00", "official"),
    )  # fmt: skip
    assert recording_offset(q, dialogue) == 750
    view = public_question(q, dialogue)
    assert view["recording_offset"] == 750
    assert view["recording_url"] == "https://www.youtube.com/watch?v=abc123&t=750s"
    assert (
        recording_link("https://tv.hue.gov.vn/live.mp4", 60)
        == "https://tv.hue.gov.vn/live.mp4#t=60"
    )
    written = q.evolve(answer=Answer("Văn bản.", "written", "o1", AT, "official"))
    assert public_question(written, dialogue)["recording_url"] is None


def test_reserved_slug_is_refused() -> None:
    """/admin/users is the accounts page: no dialogue may take that slug."""
    with pytest.raises(Refused) as refused:
        new_dialogue("ABCD", {"slug": "users", "title": "Người dùng"})
    assert refused.value.field == "slug"


def test_policy_edit_merges_and_validates() -> None:
    """The admin's policy change keeps the other keys, and refuses unknown flags."""
    d = new_dialogue("ABCD", {"slug": "a", "title": "Đối thoại"})
    d = edit(d, {"policy": {"extra_blocked": [" xổ số ", "cá độ"]}})
    d = edit(d, {"policy": {"reject": {"link": "spam"}}})
    assert d.policy["extra_blocked"] == ["xổ số", "cá độ"]
    assert d.policy["reject"] == {"link": "spam"}
    bad: object
    for bad in ({"reject": {"nonsense": "spam"}}, {"extra_blocked": ["x" * 61]}, []):
        with pytest.raises(Refused):
            edit(d, {"policy": bad})


def test_an_edit_made_on_another_version_is_refused() -> None:
    """An edit that names the version it was made on passes only at that
    version (409 otherwise, naming ``version``); one that names none passes."""
    at_three = DIALOGUE.evolve(version=3)
    assert edit(at_three, {"title": "Đối thoại mới", "version": 3}).title == "Đối thoại mới"
    assert edit(at_three, {"title": "Đối thoại mới"}).title == "Đối thoại mới"
    with pytest.raises(Refused) as refused:
        edit(at_three, {"title": "Đối thoại mới", "version": 2})
    assert (refused.value.code, refused.value.field) == ("conflict", "version")
    assert "người khác" in vi(refused.value)
    for bad in ("3", 3.0, True, [3]):
        with pytest.raises(Refused) as refused:
            check_version(at_three, bad)
        assert (refused.value.code, refused.value.field) == ("invalid", "version")


LOGO = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
    "DwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def test_the_overlay_look_and_the_written_answer_days_are_settings() -> None:
    """An admin sets the overlay's short name, colours and logo (a data: URL
    the overlay needs nothing else for) and the days written answers get."""
    changed = edit(
        DIALOGUE,
        {
            "answer_days": 10,
            "brand": {"name": "Đối thoại số", "color": "#0B3D91", "accent": "", "logo": LOGO},
        },
    )
    assert changed.answer_days == 10
    assert dict(changed.brand) == {"name": "Đối thoại số", "color": "#0b3d91", "logo": LOGO}
    assert edit(changed, {"brand": {}}).brand == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"answer_days": 0}, "answer_days"),
        ({"answer_days": 91}, "answer_days"),
        ({"answer_days": "15"}, "answer_days"),
        ({"answer_days": True}, "answer_days"),
        ({"brand": "blue"}, "brand"),
        ({"brand": {"colour": "#000000"}}, "brand.colour"),
        ({"brand": {"color": "blue"}}, "brand.color"),
        ({"brand": {"accent": "#12345"}}, "brand.accent"),
        ({"brand": {"name": "x" * 61}}, "brand.name"),
        ({"brand": {"logo": "https://example.vn/logo.png"}}, "brand.logo"),
        ({"brand": {"logo": "data:text/html;base64,PHNjcmlwdD4="}}, "brand.logo"),
        ({"brand": {"logo": "data:image/png;base64," + "A" * 48_000}}, "brand.logo"),
    ],
)
def test_bad_overlay_looks_and_days_name_their_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(Refused) as refused:
        edit(DIALOGUE, changes)
    assert refused.value.code == "invalid" and refused.value.field == field
    assert vi(refused.value)
