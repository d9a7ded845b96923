"""The dashboard's counters, pure: waits into fixed buckets and their
percentiles by nearest rank, a question's standing, what a write adds once,
and the minute chart's steps."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from server.domain import dashboard, tally
from server.domain.model import Question, Status

AT = "2026-11-02T10:00:00.000+07:00"


def question(**fields: object) -> Question:
    base: dict[str, object] = {
        "id": "1", "dialogue_id": "D", "tracking_code": "D-X", "text": "Câu hỏi?",
        "name": None, "submitted_at": AT,
    }  # fmt: skip
    return Question(**{**base, **fields})  # type: ignore[arg-type]


def test_a_wait_falls_in_the_first_bucket_it_fits() -> None:
    assert [tally.bucket(s) for s in (0, 5, 5.1, 60, 61)] == [0, 0, 1, 5, 6]
    assert tally.bucket(10**9) == len(tally.BOUNDS)  # above the last bound


def test_percentiles_are_the_bucket_of_the_nearest_rank() -> None:
    assert tally.percentile({}, 0.5) is None
    counts = {0: 2, 9: 1}  # two within 5 s, one within 5 min
    assert tally.percentile(counts, 0.5) == 0  # the 2nd of 3
    assert tally.percentile(counts, 0.9) == 9  # the 3rd of 3
    assert dashboard.Wait.bound(9) == 300 and dashboard.Wait.bound(len(tally.BOUNDS)) is None


def test_a_merged_question_counts_where_it_came_from_but_not_its_askers() -> None:
    merged = tally.standing(question(status=Status.MERGED, channel="hotline", asked_by=2))
    assert merged == {
        "status:merged": 1, "channel:hotline": 1, "topic:": 1, "locality:": 1,
    }  # fmt: skip
    target = tally.standing(question(status=Status.APPROVED, asked_by=3, merged_from=("2",)))
    assert (target["people"], target["clusters"]) == (3, 1)


def test_a_first_decision_and_its_minute() -> None:
    decided = question(status=Status.APPROVED, updated_at="2026-11-02T10:01:30.000+07:00")
    bumps, once = tally.moved(Status.PENDING, decided)
    assert bumps == {"m:2026-11-02T03:01:approved": 1}
    assert once == {"decided": {f"wait:decided:{tally.bucket(90)}": 1}}
    # A topic set on a published question: no moment, nothing once.
    assert tally.moved(Status.APPROVED, decided) == ({}, {})


def test_the_minute_chart_fills_gaps_and_keeps_to_its_points() -> None:
    minutes = [dashboard.Minute("2026-11-02T03:00", 2, 1, 0),
               dashboard.Minute("2026-11-02T03:03", 1, 0, 1)]  # fmt: skip
    steps = dashboard.steps(minutes)
    assert [(p.received, p.approved, p.rejected) for p in steps] == [
        (2, 1, 0), (0, 0, 0), (0, 0, 0), (1, 0, 1),
    ]  # fmt: skip
    long = [dashboard.Minute("2026-11-02T03:00", 1, 0, 0),
            dashboard.Minute("2026-11-12T03:00", 1, 0, 0)]  # fmt: skip
    drawn = dashboard.steps(long)
    assert len(drawn) <= dashboard.POINTS and sum(p.received for p in drawn) == 2


def test_a_moments_minute_is_its_utc_minute_whatever_its_offset_and_precision() -> None:
    """The minute of a UTC moment as the app writes it is read off its text;
    any other offset or form is converted: both say the same minute."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rng = random.Random(15)
    for _ in range(2000):
        moment = start + timedelta(seconds=rng.random() * 3e7)
        expected = moment.strftime("%Y-%m-%dT%H:%M")
        for offset in (0, 420, -300, 330):
            local = moment.astimezone(timezone(timedelta(minutes=offset)))
            for spec in ("minutes", "seconds", "milliseconds", "auto"):
                assert tally.minute(local.isoformat(timespec=spec)) == expected
    assert tally.minute(AT) == "2026-11-02T03:00"
