"""Working time: reps act Monday to Friday, 09:00-17:30 in their own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from handoff.sandbox.company.workhours import add_working_time


@pytest.mark.parametrize(
    ("start", "delta", "zone", "expected"),
    [
        # Monday 09:00 in New York, ten minutes later.
        (datetime(2026, 3, 2, 14, 0, tzinfo=UTC), timedelta(minutes=10), "America/New_York",
         datetime(2026, 3, 2, 14, 10, tzinfo=UTC)),
        # Before opening: the clock starts at 09:00.
        (datetime(2026, 3, 2, 12, 0, tzinfo=UTC), timedelta(minutes=10), "America/New_York",
         datetime(2026, 3, 2, 14, 10, tzinfo=UTC)),
        # Past closing on a Friday: Monday morning.
        (datetime(2026, 3, 6, 23, 0, tzinfo=UTC), timedelta(hours=1), "America/New_York",
         datetime(2026, 3, 9, 14, 0, tzinfo=UTC)),
        # An hour left on Monday in London, the rest on Tuesday.
        (datetime(2026, 3, 2, 16, 30, tzinfo=UTC), timedelta(hours=3), "Europe/London",
         datetime(2026, 3, 3, 11, 0, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_add_working_time(start: datetime, delta: timedelta, zone: str, expected: datetime) -> None:
    assert add_working_time(start, delta, zone) == expected
