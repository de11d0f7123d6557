"""Time for the sandbox: the CRM clock, HubSpot's timestamp formats and their parsing.

HubSpot speaks two time dialects: ISO-8601 with millisecond precision and a trailing ``Z`` in JSON
bodies, and epoch milliseconds in filters, webhooks and form submissions. Every timestamp the sandbox
stores is truncated to milliseconds so that a value read back and sent as a filter matches exactly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: real time, aware UTC, millisecond precision."""
    return to_ms(datetime.now(UTC))


def to_ms(moment: datetime) -> datetime:
    """Truncate to milliseconds, HubSpot's resolution, and normalise to UTC."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=(moment.microsecond // 1000) * 1000)


def iso(moment: datetime) -> str:
    """HubSpot's JSON timestamp format, e.g. ``2024-05-01T12:00:00.000Z``."""
    moment = to_ms(moment)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def epoch_ms(moment: datetime) -> int:
    return (to_ms(moment) - _EPOCH) // _MS


def stored_epoch_ms(moment: datetime) -> int:
    """``epoch_ms`` for datetimes the sandbox stored (already UTC, already milliseconds):
    the search scan calls it for every record."""
    return (moment - _EPOCH) // _MS


def from_epoch_ms(value: int) -> datetime:
    return _EPOCH + value * _MS


def parse_instant(raw: str) -> datetime:
    """Accept what HubSpot accepts for a datetime: epoch milliseconds or ISO-8601.

    Raises ``ValueError`` for anything else; date-only ISO strings mean midnight UTC.
    """
    text = raw.strip()
    if not text:
        raise ValueError("empty timestamp")
    if text.lstrip("-").isdigit():
        return from_epoch_ms(int(text))
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return to_ms(parsed)


class SimulatedClock:
    """A settable clock for demos and tests: callable like any ``Clock``, moved explicitly.

    It never moves backwards, because HubSpot's modification times never do and a reader's cursor
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
                raise ValueError(f"clock cannot go back from {iso(self._now)} to {iso(moment)}")
            self._now = moment

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            if delta < timedelta(0):
                raise ValueError("clock cannot go back")
            self._now = to_ms(self._now + delta)
            return self._now
