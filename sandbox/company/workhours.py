"""Business-hours arithmetic for simulated reps: they act on leads in their own working day."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

OPEN = time(9, 0)
CLOSE = time(17, 30)


def _opening(moment: datetime, zone: ZoneInfo) -> datetime:
    """The start of the working window containing ``moment``, or of the next one."""
    local = moment.astimezone(zone)
    day = local.date()
    while True:
        if day.weekday() < 5:
            start = datetime.combine(day, OPEN, zone)
            end = datetime.combine(day, CLOSE, zone)
            if local < end:
                return max(local, start)
        day += timedelta(days=1)


def add_working_time(start: datetime, delta: timedelta, timezone: str) -> datetime:
    """``start`` plus ``delta`` of working time (Mon–Fri 09:00–17:30 in ``timezone``)."""
    zone = ZoneInfo(timezone)
    current = _opening(start, zone)
    remaining = delta
    while True:
        close = datetime.combine(current.date(), CLOSE, zone)
        available = close - current
        if remaining <= available:
            return (current + remaining).astimezone(start.tzinfo)
        remaining -= available
        current = _opening(close + timedelta(seconds=1), zone)
