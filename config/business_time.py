"""The words a policy uses for business time: working hours, durations and holiday regions.

They are parsed here, at load, so a typo such as "Mon-Fri 25:00-17:00" or a holiday country the
library does not know is refused with the file and line, instead of surfacing as a clock that is
silently wrong weeks later. The engine reuses the same parsers to build its calendars.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise
from typing import Any

import holidays

from handoff.config.suggest import did_you_mean

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MINUTES_PER_DAY = 24 * 60

# Minutes from local midnight, [start, end); one tuple of ranges per weekday, Monday first.
DayHours = tuple[tuple[int, int], ...]
WeeklyHours = tuple[DayHours, ...]

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$")


def parse_hours(value: str | list[str] | tuple[str, ...]) -> WeeklyHours:
    """`"Mon-Fri 09:00-17:00; Sat 10:00-14:00"` (or the groups as an array) → ranges per weekday."""
    groups = [value] if isinstance(value, str) else list(value)
    parts = [part.strip() for group in groups for part in group.split(";") if part.strip()]
    if not parts:
        raise ValueError("no working hours given (expected e.g. 'Mon-Fri 09:00-17:00')")
    week: list[list[tuple[int, int]]] = [[] for _ in DAY_NAMES]
    for part in parts:
        days_text, _, ranges_text = part.partition(" ")
        ranges = [_parse_range(text) for text in ranges_text.split()]
        if not ranges:
            raise ValueError(f"{part!r} has days but no hours (expected e.g. 'Mon-Fri 09:00-17:00')")
        for day in _parse_days(days_text):
            week[day].extend(ranges)
    for day, ranges in enumerate(week):
        ranges.sort()
        for (_, end), (start, _) in pairwise(ranges):
            if start < end:
                raise ValueError(f"hours overlap on {DAY_NAMES[day].title()}")
    return tuple(tuple(ranges) for ranges in week)


def format_hours(week: WeeklyHours) -> str:
    """The canonical text of a week, grouping consecutive days with the same hours."""
    groups: list[tuple[int, int, DayHours]] = []
    for day, ranges in enumerate(week):
        if not ranges:
            continue
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == ranges:
            groups[-1] = (groups[-1][0], day, ranges)
        else:
            groups.append((day, day, ranges))
    texts = []
    for first, last, ranges in groups:
        days = DAY_NAMES[first].title() + (f"-{DAY_NAMES[last].title()}" if last != first else "")
        texts.append(f"{days} " + " ".join(f"{_clock(s)}-{_clock(e)}" for s, e in ranges))
    return "; ".join(texts) or "never"


def parse_duration(value: Any) -> int:
    """`"4h"`, `"15m"`, `"1h30m"` → minutes of business time (a positive whole number)."""
    if not isinstance(value, str):
        raise ValueError("expected a duration such as '4h', '15m' or '1h30m'")
    match = _DURATION.match(value.lower())
    if not match or not any(match.groups()):
        raise ValueError(f"{value!r} is not a duration (expected e.g. '4h', '15m' or '1h30m')")
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    if minutes <= 0:
        raise ValueError(f"{value!r} is not a positive duration")
    if minutes > MAX_DURATION_MINUTES:
        raise ValueError(f"{value!r} is longer than a year of business time ({MAX_DURATION_MINUTES // 60}h)")
    return minutes


# A year of business time (52 weeks of 40 hours): an SLA beyond it is a typo, not a promise.
MAX_DURATION_MINUTES = 52 * 40 * 60


def format_duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{rest}m" if rest or not hours else "")


def check_holiday_region(code: str) -> str:
    """`"GB"` or `"GB-ENG"` (country, optionally a subdivision) as the holidays library knows it."""
    country, _, subdivision = code.strip().partition("-")
    country = country.upper()
    supported = _supported_regions()
    if country not in supported:
        hint = did_you_mean(country, sorted(supported))
        raise ValueError(
            f"unknown holiday country {code!r}{hint} "
            "(expected an ISO 3166 code the holidays library knows, e.g. 'US', 'GB', 'DE-BE')"
        )
    if subdivision:
        known = supported[country]
        spelled = {name.upper(): name for name in known}.get(subdivision.upper())
        if spelled is None:
            listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            raise ValueError(f"unknown subdivision {subdivision!r} of {country} (known: {listed or 'none'})")
        return f"{country}-{spelled}"
    return country


def holiday_calendar(region: str) -> holidays.HolidayBase:
    country, _, subdivision = region.partition("-")
    return holidays.country_holidays(country, subdiv=subdivision or None)


@cache
def _supported_regions() -> dict[str, list[str]]:
    return {
        country: list(subdivisions) for country, subdivisions in holidays.list_supported_countries().items()
    }


def _parse_days(text: str) -> list[int]:
    days: list[int] = []
    for item in text.split(","):
        first, dash, last = item.partition("-")
        start = _day(first)
        end = _day(last) if dash else start
        if end < start:
            raise ValueError(f"{item!r}: the days run backwards (write e.g. 'Mon-Fri' or 'Sat,Sun')")
        days.extend(range(start, end + 1))
    return days


def _day(text: str) -> int:
    name = text.strip().lower()
    for names in (DAY_NAMES, _FULL_DAY_NAMES):
        if name in names:
            return names.index(name)
    hint = did_you_mean(name, list(DAY_NAMES)) or " (expected Mon, Tue, Wed, Thu, Fri, Sat or Sun)"
    raise ValueError(f"{text.strip()!r} is not a day{hint}")


def _parse_range(text: str) -> tuple[int, int]:
    start_text, dash, end_text = text.partition("-")
    if not dash:
        raise ValueError(f"{text!r} is not a range of hours (expected e.g. 09:00-17:00)")
    start, end = _minutes(start_text), _minutes(end_text)
    if start >= MINUTES_PER_DAY:
        raise ValueError("24:00 can only end a range")
    if end <= start:
        raise ValueError(
            f"{text!r} ends before it starts (a shift past midnight is two ranges: "
            "'Mon 22:00-24:00; Tue 00:00-06:00')"
        )
    return start, end


def _minutes(text: str) -> int:
    match = _TIME.match(text.strip())
    hours, minutes = (int(match.group(1)), int(match.group(2))) if match else (-1, -1)
    if not match or hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ValueError(f"{text.strip()!r} is not a time of day (expected HH:MM from 00:00 to 24:00)")
    return hours * 60 + minutes


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
