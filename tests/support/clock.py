"""Clocks the tests give the actions (``build(store, clock=...)``) so that
the times they write are known, ordered and moved by the test, not waited for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SteppingClock:
    """Each reading is ``step`` after the previous one (the first one after
    ``start``), so on-air, answer and deferral times are known and ordered."""

    def __init__(self, start: datetime, step: timedelta = timedelta(minutes=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


class ManualClock:
    """Stands still at ``now`` until the test moves it (``advance``)."""

    def __init__(self, start: datetime = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
