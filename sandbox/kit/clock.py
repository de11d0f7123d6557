"""The CRM's clock: real time by default, or a simulated one that demos and tests move by hand.

Both CRMs the sandbox emulates keep time to the millisecond, so every moment the sandbox hands out
is truncated to milliseconds: a value read back and sent as a filter then matches exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: real time, aware UTC, millisecond precision (the sandbox's only
    wall-clock read)."""
    return to_ms(datetime.now(UTC))


def to_ms(moment: datetime) -> datetime:
    """Truncate to milliseconds, the CRMs' resolution, and normalise to UTC."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=(moment.microsecond // 1000) * 1000)


class SimulatedClock:
    """A settable clock for demos and tests: callable like any ``Clock``, moved explicitly.

    It never moves backwards, because a CRM's modification times never do and a reader's cursor
    relies on that.
    """

    def __init__(self, start: datetime) -> None:
        self._now = to_ms(start)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        moment = to_ms(moment)
        with self._lock:
            if moment < self._now:
                raise ValueError(f"clock cannot go back from {_text(self._now)} to {_text(moment)}")
            self._now = moment

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            if delta < timedelta(0):
                raise ValueError("clock cannot go back")
            self._now = to_ms(self._now + delta)
            return self._now


def _text(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
