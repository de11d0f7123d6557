"""Business time on a calendar: a time zone, working hours per weekday, and public holidays.

SLA clocks and escalation count only the time a team works: four hours from Friday 16:00 in a
Mon–Fri 09:00–17:00 week is Monday 12:00. Each working day is turned once into its open
intervals as real instants (UTC seconds), so daylight-saving days are exact in both directions:
a range is as long as the time that really passes in it, and adding then measuring gives back
the same duration. Holidays come from the `holidays` library, never a hand-made table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from handoff.config.business_time import MINUTES_PER_DAY, holiday_calendar, parse_hours

# How far a calendar looks for working time before declaring it has none: twenty years.
_HORIZON_DAYS = 7305
_CACHE_DAYS = 4096

Interval = tuple[float, float]


class Day(NamedTuple):
    ordinal: int
    start: float
    end: float
    intervals: tuple[Interval, ...]


class BusinessCalendar:
    """A team's (or rep's) working week, answering in UTC seconds for speed.

    Immutable in meaning; the day cache only remembers what was already computed.
    """

    __slots__ = ("_days", "_holidays", "_last", "_week", "hours", "label", "regions", "timezone", "tz")

    def __init__(self, timezone: str, hours: str, regions: tuple[str, ...] = ()) -> None:
        self.timezone = timezone
        self.hours = hours
        self.regions = regions
        self.tz = ZoneInfo(timezone)
        self.label = f"{hours} {timezone}" + (f", holidays {', '.join(regions)}" if regions else "")
        self._week = parse_hours(hours)
        self._holidays = tuple(holiday_calendar(region) for region in regions)
        self._days: dict[int, Day] = {}
        self._last = self._day(date(2000, 1, 1).toordinal())

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.label!r})"

    def is_open(self, at: float) -> bool:
        return any(start <= at < end for start, end in self.day_of(at).intervals)

    def day_of(self, at: float) -> Day:
        """The local working day holding the instant `at`."""
        last = self._last
        if last.start <= at < last.end:
            return last
        day = self._day(datetime.fromtimestamp(at, self.tz).toordinal())
        self._last = day
        return day

    def add(self, at: float, seconds: float) -> float:
        """The instant by which `seconds` of working time have passed since `at`."""
        if seconds <= 0:
            return at
        remaining = seconds
        day = self.day_of(at)
        for _ in range(_HORIZON_DAYS):
            for start, end in day.intervals:
                if end <= at:
                    continue
                begin = max(start, at)
                span = end - begin
                if span >= remaining:
                    return begin + remaining
                remaining -= span
            day = self._day(day.ordinal + 1)
        raise ValueError(f"no working time within twenty years on the calendar {self.label}")

    def seconds_between(self, start: float, end: float) -> float:
        """Working time in [start, end); zero when end is not after start."""
        total = 0.0
        day = self.day_of(start)
        while day.start < end:
            for low, high in day.intervals:
                total += max(0.0, min(high, end) - max(low, start))
            day = self._day(day.ordinal + 1)
        return total

    def add_minutes(self, at: datetime, minutes: float) -> datetime:
        return datetime.fromtimestamp(self.add(at.timestamp(), minutes * 60), UTC)

    def minutes_between(self, start: datetime, end: datetime) -> float:
        return self.seconds_between(start.timestamp(), end.timestamp()) / 60

    def _day(self, ordinal: int) -> Day:
        day = self._days.get(ordinal)
        if day is None:
            if len(self._days) >= _CACHE_DAYS:
                self._days.clear()
            day = self._days[ordinal] = self._build(ordinal)
        return day

    def _build(self, ordinal: int) -> Day:
        """Local midnight to midnight, with the working ranges of that date as real instants.

        A range's start takes the first reading of an ambiguous wall time and its end the last,
        so a range across a fall-back hour holds the repeated hour; a start inside a skipped hour
        lands where the clock resumes. Ranges are clipped to the day so days tile time exactly.
        """
        today = date.fromordinal(ordinal)
        start = self._instant(today, 0, fold=0)
        end = self._instant(today + timedelta(days=1), 0, fold=0)
        if any(today in holidays for holidays in self._holidays):
            return Day(ordinal, start, end, ())
        intervals: list[Interval] = []
        for low, high in self._week[today.weekday()]:
            begin = max(self._instant(today, low, fold=0), start)
            if intervals:
                begin = max(begin, intervals[-1][1])
            finish = min(self._instant(today, high, fold=1), end)
            if finish > begin:
                intervals.append((begin, finish))
        return Day(ordinal, start, end, tuple(intervals))

    def _instant(self, day: date, minutes: int, fold: int) -> float:
        if minutes >= MINUTES_PER_DAY:
            day, minutes = day + timedelta(days=1), minutes - MINUTES_PER_DAY
        wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return wall.replace(fold=fold).timestamp()
