"""SLA clocks as the decision reports them: what is due, by when, and what met it.

A clock is recomputed from its start at every evaluation, so the same contact evaluated a minute
later, with nothing else changed, moves from on_track to due_soon to breached by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class ClockName(StrEnum):
    FIRST_TOUCH = "first_touch"
    ACCEPT = "accept"
    DISCOVERY = "discovery"
    FOLLOW_UP = "follow_up"


class ClockStatus(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    BREACHED = "breached"
    MET = "met"


class Clock(NamedTuple):
    """One SLA clock. `minutes` is the business time allowed, on `calendar`.

    A clock met after its due time stays `met` (the rep did act) and reports `late`; compliance
    reports count it as a breach.
    """

    name: ClockName
    rule: str
    minutes: int
    started_at: datetime
    due_soon_at: datetime
    due_at: datetime
    status: ClockStatus
    calendar: str
    met_by: str | None = None
    met_ref: str | None = None
    met_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status is not ClockStatus.MET

    @property
    def late(self) -> bool:
        return self.met_at is not None and self.met_at > self.due_at


def current_clock(clocks: Iterable[Clock]) -> Clock | None:
    """The one clock the CRM's single SLA fields show: the open clock due first, else the last met."""
    open_clocks = [clock for clock in clocks if clock.open]
    if open_clocks:
        return min(open_clocks, key=lambda clock: clock.due_at)
    met = [clock for clock in clocks if not clock.open]
    if not met:
        return None
    return max(met, key=lambda clock: (clock.met_at is not None, clock.met_at or clock.due_at))
