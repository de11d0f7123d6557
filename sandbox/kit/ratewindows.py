"""Counting requests for rate limits: a rolling window over a monotonic clock, and a daily count
that follows the CRM's clock. Each emulator decides the limits and how a refusal looks.

The rolling window runs on a monotonic clock because it throttles real requests (tests inject one
they can step); the daily count follows the CRM's clock, so a simulated day that rolls over
resets it.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta, tzinfo
from datetime import time as day_time

from handoff.sandbox.kit.clock import Clock


class RollingWindow:
    """The requests admitted during the last ``seconds`` (callers hold their own lock)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._times: deque[float] = deque()

    def __len__(self) -> int:
        return len(self._times)

    def expire(self, now: float) -> None:
        """Forget the requests that left the window by ``now``."""
        horizon = now - self.seconds
        while self._times and self._times[0] <= horizon:
            self._times.popleft()

    def add(self, now: float) -> None:
        self._times.append(now)


class DailyCount:
    """Requests counted per day of the CRM's clock (callers hold their own lock)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._day = clock().date()
        self.used = 0

    def roll(self) -> None:
        """Start a new count if the CRM's day changed."""
        today = self._clock().date()
        if today != self._day:
            self._day = today
            self.used = 0

    def add(self) -> None:
        self.used += 1

    def resets_at(self) -> datetime:
        """The next midnight, in the CRM clock's zone."""
        return datetime.combine(self._day + timedelta(days=1), day_time(0), self._zone())

    def _zone(self) -> tzinfo:
        zone = self._clock().tzinfo
        assert zone is not None
        return zone
