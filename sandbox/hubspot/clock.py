"""Time in HubSpot's words: its two timestamp dialects and their parsing. (The CRM clock itself
is the kit's, ``handoff.sandbox.kit.clock``.)

HubSpot writes ISO-8601 with millisecond precision and a trailing ``Z`` in JSON bodies, and epoch
milliseconds in filters, webhooks and form submissions. Every moment the sandbox stores is already
truncated to milliseconds (``handoff.sandbox.kit.clock.to_ms``), so both forms round-trip exactly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from handoff.sandbox.kit.clock import to_ms


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
