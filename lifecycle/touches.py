"""Sales touches: the calls, emails and meetings a rep logs, which prove a lead was worked."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from handoff.config.vocabulary import SALES_TOUCH_KINDS
from handoff.lifecycle.records import Activity


def touches(
    activities: Iterable[Activity], owners: Collection[str], since: datetime, until: datetime
) -> list[Activity]:
    """Every touch logged by one of `owners` in [since, until], earliest first."""
    found = [
        activity
        for activity in activities
        if activity.kind in SALES_TOUCH_KINDS
        and activity.owner_id in owners
        and since <= activity.occurred_at <= until
    ]
    return sorted(found, key=lambda activity: (activity.occurred_at, activity.id))


def first_touch(
    activities: Iterable[Activity], owners: Collection[str], since: datetime, until: datetime
) -> Activity | None:
    """The earliest touch logged by one of `owners` in [since, until]; touches by others don't count."""
    earliest: Activity | None = None
    for activity in activities:
        if (
            activity.kind in SALES_TOUCH_KINDS
            and activity.owner_id in owners
            and since <= activity.occurred_at <= until
            and (earliest is None or activity.occurred_at < earliest.occurred_at)
        ):
            earliest = activity
    return earliest
