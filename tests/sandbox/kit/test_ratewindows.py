"""Counting for rate limits: the rolling window slides, the daily count follows the CRM's day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handoff.sandbox.kit.clock import SimulatedClock
from handoff.sandbox.kit.ratewindows import DailyCount, RollingWindow


def test_a_rolling_window_forgets_what_left_it() -> None:
    window = RollingWindow(10.0)
    for moment in (0.0, 4.0, 8.0):
        window.expire(moment)
        window.add(moment)

    window.expire(10.0)
    assert len(window) == 2, "the request at 0.0 is exactly 10 s old: out"
    window.expire(17.9)
    assert len(window) == 1


def test_the_daily_count_resets_at_the_crm_clocks_midnight() -> None:
    clock = SimulatedClock(datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
    today = DailyCount(clock)
    today.add()
    today.add()

    today.roll()
    assert today.used == 2
    assert today.resets_at() == datetime(2026, 3, 3, tzinfo=UTC)
    clock.advance(timedelta(hours=1))
    today.roll()
    assert today.used == 0
    assert today.resets_at() == datetime(2026, 3, 4, tzinfo=UTC)
