"""Business time: working hours, weekends, public holidays and daylight saving, in both directions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handoff.config.business_time import parse_hours
from handoff.lifecycle.business_time import BusinessCalendar

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
OFFICE = "Mon-Fri 09:00-17:00"
ALWAYS = "Mon-Sun 00:00-24:00"


class Due(NamedTuple):
    name: str
    hours: str
    holidays: tuple[str, ...]
    start: datetime
    minutes: int
    due: datetime


def wall(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    """A wall-clock time in `zone`; `fold=1` is the second reading of a repeated hour."""
    year, month, day, hour, minute = parts
    return datetime(year, month, day, hour, minute, tzinfo=zone, fold=fold)


BERLIN = ZoneInfo("Europe/Berlin")
CASES = [
    Due(
        "Friday 16:00 + 4h is Monday 12:00",
        OFFICE,
        (),
        wall(NY, 2026, 11, 20, 16, 0),
        240,
        wall(NY, 2026, 11, 23, 12, 0),
    ),
    Due(
        "a start on Saturday counts from Monday 09:00",
        OFFICE,
        (),
        wall(NY, 2026, 11, 21, 10, 0),
        60,
        wall(NY, 2026, 11, 23, 10, 0),
    ),
    Due(
        "a start before opening counts from opening",
        OFFICE,
        (),
        wall(NY, 2026, 11, 24, 7, 0),
        60,
        wall(NY, 2026, 11, 24, 10, 0),
    ),
    Due(
        "a start after closing counts from the next morning",
        OFFICE,
        (),
        wall(NY, 2026, 11, 24, 18, 0),
        60,
        wall(NY, 2026, 11, 25, 10, 0),
    ),
    Due(
        "a clock ending at closing time is due at closing",
        OFFICE,
        (),
        wall(NY, 2026, 11, 24, 13, 0),
        240,
        wall(NY, 2026, 11, 24, 17, 0),
    ),
    Due(
        "24 business hours are three working days",
        OFFICE,
        (),
        wall(NY, 2026, 11, 23, 9, 0),
        24 * 60,
        wall(NY, 2026, 11, 25, 17, 0),
    ),
    Due(
        "US: Thanksgiving is skipped",
        OFFICE,
        ("US",),
        wall(NY, 2026, 11, 25, 16, 0),
        240,
        wall(NY, 2026, 11, 27, 12, 0),
    ),
    Due(
        "US: Independence Day observed on Friday 3 July",
        OFFICE,
        ("US",),
        wall(NY, 2026, 7, 2, 16, 0),
        240,
        wall(NY, 2026, 7, 6, 12, 0),
    ),
    Due(
        "GB: Christmas, and Boxing Day observed on Monday",
        OFFICE,
        ("GB",),
        wall(LONDON, 2026, 12, 24, 16, 0),
        240,
        wall(LONDON, 2026, 12, 29, 12, 0),
    ),
    Due(
        "DE-BE: Women's Day is a Berlin holiday",
        OFFICE,
        ("DE-BE",),
        wall(BERLIN, 2027, 3, 5, 16, 0),
        240,
        wall(BERLIN, 2027, 3, 9, 12, 0),
    ),
    Due(
        "a lunch break does not count",
        "Mon-Fri 09:00-12:00 13:00-17:00",
        (),
        wall(NY, 2026, 11, 24, 11, 0),
        120,
        wall(NY, 2026, 11, 24, 14, 0),
    ),
    Due(
        "a week with a short Friday",
        "Mon-Thu 09:00-17:00; Fri 09:00-13:00",
        (),
        wall(NY, 2026, 11, 20, 12, 0),
        120,
        wall(NY, 2026, 11, 23, 10, 0),
    ),
    Due(
        "spring forward, 24/7: four real hours read five on the wall",
        ALWAYS,
        (),
        wall(NY, 2026, 3, 8, 0, 30),
        240,
        wall(NY, 2026, 3, 8, 5, 30),
    ),
    Due(
        "fall back, 24/7: four real hours read three on the wall",
        ALWAYS,
        (),
        wall(NY, 2026, 11, 1, 0, 30),
        240,
        wall(NY, 2026, 11, 1, 3, 30),
    ),
    Due(
        "spring forward over the weekend, office hours",
        OFFICE,
        (),
        wall(NY, 2026, 3, 6, 16, 0),
        240,
        wall(NY, 2026, 3, 9, 12, 0),
    ),
    Due(
        "fall back over the weekend, office hours",
        OFFICE,
        (),
        wall(NY, 2026, 10, 30, 16, 0),
        240,
        wall(NY, 2026, 11, 2, 12, 0),
    ),
    Due(
        "London springs forward at 01:00, 24/7",
        ALWAYS,
        (),
        wall(LONDON, 2026, 3, 29, 0, 30),
        60,
        wall(LONDON, 2026, 3, 29, 2, 30),
    ),
    Due(
        "Sydney falls back in April: the repeated hour counts",
        ALWAYS,
        (),
        wall(SYDNEY, 2026, 4, 5, 1, 30),
        120,
        wall(SYDNEY, 2026, 4, 5, 2, 30, fold=1),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_due_times(case: Due) -> None:
    zone = case.start.tzinfo
    assert isinstance(zone, ZoneInfo)
    calendar = BusinessCalendar(zone.key, case.hours, case.holidays)

    got = calendar.add_minutes(case.start, case.minutes)

    # Compared as instants (timestamps): Python never calls a time inside a repeated hour equal
    # to one in another zone, and `fold=1` names the second reading of such a wall time.
    assert got.timestamp() == case.due.timestamp(), f"{case.name}: {got.astimezone(zone)}"
    assert calendar.minutes_between(case.start, got) == case.minutes


def test_open_and_closed() -> None:
    calendar = BusinessCalendar("America/New_York", OFFICE, ("US",))

    def is_open(*parts: int) -> bool:
        return calendar.is_open(wall(NY, *parts).timestamp())

    assert is_open(2026, 11, 24, 9, 0)
    assert not is_open(2026, 11, 24, 17, 0)  # the end is exclusive
    assert not is_open(2026, 11, 28, 12, 0)  # Saturday
    assert not is_open(2026, 11, 26, 12, 0)  # Thanksgiving
    assert is_open(2026, 11, 27, 9, 0)  # the Friday after is a working day


def test_a_calendar_with_no_working_time_says_so() -> None:
    calendar = BusinessCalendar("UTC", "Sat 00:00-00:01")

    with pytest.raises(ValueError, match="no working time"):
        calendar.add(0.0, 10 * 365 * 24 * 3600.0)


# Random starts through both DST changes of 2026 in New York, London and Sydney (opposite seasons).
ZONES = [NY, LONDON, SYDNEY]
WEEKS = [
    "Mon-Fri 09:00-17:00",
    "Mon-Sun 00:00-24:00",
    "Mon-Sun 00:00-03:00 08:00-18:00",  # ranges across the change itself
    "Mon-Fri 01:30-02:30 09:00-17:00; Sun 00:00-04:00",
]
starts = st.integers(min_value=0, max_value=365 * 24 * 60).map(
    lambda minute: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)
)
dst_starts = st.sampled_from(
    [
        datetime(2026, 3, 8, 5, tzinfo=UTC),
        datetime(2026, 11, 1, 4, tzinfo=UTC),
        datetime(2026, 3, 29, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, tzinfo=UTC),
        datetime(2026, 4, 4, 14, tzinfo=UTC),
        datetime(2026, 10, 3, 14, tzinfo=UTC),
    ]
).flatmap(lambda change: st.integers(-3 * 24 * 60, 12 * 60).map(lambda m: change + timedelta(minutes=m)))


@settings(max_examples=300, deadline=None)
@given(
    start=st.one_of(starts, dst_starts),
    minutes=st.integers(min_value=1, max_value=72 * 60),
    zone=st.sampled_from(ZONES),
    hours=st.sampled_from(WEEKS),
    holidays=st.sampled_from([(), ("US",), ("GB",), ("AU-NSW",)]),
)
def test_due_minus_start_in_business_minutes_is_the_duration(
    start: datetime, minutes: int, zone: ZoneInfo, hours: str, holidays: tuple[str, ...]
) -> None:
    calendar = BusinessCalendar(str(zone), hours, holidays)

    due = calendar.add_minutes(start, minutes)

    assert calendar.minutes_between(start, due) == minutes
    assert due >= start
    assert calendar.is_open((due - timedelta(minutes=1)).timestamp())  # due no later than needed


@settings(max_examples=120, deadline=None)
@given(
    start=dst_starts,
    minutes=st.integers(min_value=1, max_value=16 * 60),
    zone=st.sampled_from(ZONES),
    hours=st.sampled_from(WEEKS),
)
def test_business_time_agrees_with_a_minute_by_minute_count_on_the_wall_clock(
    start: datetime, minutes: int, zone: ZoneInfo, hours: str
) -> None:
    """An independent oracle: walk real minutes, read the wall clock, count the working ones."""
    calendar = BusinessCalendar(str(zone), hours)
    week = parse_hours(hours)

    due = calendar.add_minutes(start, minutes)

    counted, moment = 0, start
    while moment < due:
        wall = moment.astimezone(zone)
        minute_of_day = wall.hour * 60 + wall.minute
        counted += any(low <= minute_of_day < high for low, high in week[wall.weekday()])
        moment += timedelta(minutes=1)
    assert counted == minutes
