"""The simulated clock: millisecond precision, and never backwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from handoff.sandbox.kit.clock import SimulatedClock, to_ms, utc_now

START = datetime(2026, 3, 2, 14, 0, 0, 123_456, tzinfo=UTC)


def test_moments_are_utc_milliseconds() -> None:
    berlin = timezone(timedelta(hours=1))
    assert to_ms(datetime(2026, 3, 2, 15, 0, 0, 999_999, tzinfo=berlin)) == datetime(
        2026, 3, 2, 14, 0, 0, 999_000, tzinfo=UTC
    )
    assert utc_now().microsecond % 1000 == 0
    with pytest.raises(ValueError, match="naive"):
        to_ms(datetime(2026, 3, 2, tzinfo=UTC).replace(tzinfo=None))


def test_the_simulated_clock_moves_only_forward() -> None:
    clock = SimulatedClock(START)

    assert clock() == datetime(2026, 3, 2, 14, 0, 0, 123_000, tzinfo=UTC)
    assert clock.advance(timedelta(minutes=15)) == clock()
    clock.set(clock() + timedelta(microseconds=1500))
    assert clock() == datetime(2026, 3, 2, 14, 15, 0, 124_000, tzinfo=UTC)
    with pytest.raises(ValueError, match=r"cannot go back from 2026-03-02T14:15:00\.124Z"):
        clock.set(START)
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(timedelta(seconds=-1))
