"""A lead from one row of a CRM export, through a `CsvMapping`: the timeline a replay reads.

An export has no history: the lead is one version and its activities all happened `at` the
moment the export stands for, so a backtest of an export compares what each policy decides of
the leads as they stand, not when. Every value the row could not give (a placeholder, a count
that is not a number, a category the mapping does not know) is noted, never fatal: the lead goes
on without it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.config.csv_mapping import ActivityColumn, CsvMapping
from handoff.config.vocabulary import CUSTOM_FIELD_PREFIX, ActivityKind
from handoff.lifecycle.records import Activity, Company, Contact
from handoff.lifecycle.replay import Timeline

_NUMBERS = {"company.employees": int, "company.revenue": float}


@dataclass(frozen=True, slots=True)
class Note:
    """Something a row could not give: `what` happened to `column` (and the value, for a category
    the mapping does not know; categories are the export's vocabulary, not contact data)."""

    what: str
    column: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class RowLead:
    timeline: Timeline
    won: bool


class Placeholders:
    """The values that mean "not filled in", compared without case or surrounding blanks; a
    blank value is never filled in."""

    def __init__(self, values: tuple[str, ...]) -> None:
        self._values = frozenset(value.strip().casefold() for value in values)

    def placeholder(self, value: str | None) -> bool:
        """Something was written, and it means "not filled in" ("Select")."""
        return value is not None and bool(value.strip()) and self.filled(value) is None

    def filled(self, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip()
        return None if not text or text.casefold() in self._values else text


def lead_from_row(
    row: Mapping[str, str | None], mapping: CsvMapping, at: datetime, placeholders: Placeholders
) -> tuple[RowLead | None, list[Note]]:
    """The lead this row describes (None when it has no id or no outcome), and what it lacked."""
    notes: list[Note] = []
    lead_id = placeholders.filled(row.get(mapping.id))
    outcome = placeholders.filled(row.get(mapping.outcome.column))
    if lead_id is None:
        return None, [Note("no id", mapping.id)]
    if outcome is None:
        return None, [Note("no outcome", mapping.outcome.column)]
    contact = _contact(lead_id, row, mapping, placeholders, notes)
    activities = [
        (at, activity)
        for n, spec in enumerate(mapping.activities)
        for activity in _activities(
            f"{lead_id}:{n}", spec, _filled(row, spec.column, placeholders, notes), at, notes
        )
    ]
    won = outcome.casefold() in {value.strip().casefold() for value in mapping.outcome.won}
    return RowLead(Timeline(lead_id, ((at, contact),), tuple(activities)), won), notes


def _contact(
    lead_id: str,
    row: Mapping[str, str | None],
    mapping: CsvMapping,
    placeholders: Placeholders,
    notes: list[Note],
) -> Contact:
    contact: dict[str, Any] = {}
    company: dict[str, Any] = {}
    custom: dict[str, str] = {}
    for name, column in mapping.fields.items():
        value = _filled(row, column, placeholders, notes)
        if value is None:
            continue
        if name.startswith(CUSTOM_FIELD_PREFIX):
            custom[name.removeprefix(CUSTOM_FIELD_PREFIX)] = value
            continue
        parsed: Any = value
        if name in _NUMBERS:
            parsed = _number(value, _NUMBERS[name])
            if parsed is None:
                notes.append(Note("not a number", column))
                continue
        owner, _, attribute = name.partition(".")
        (company if owner == "company" else contact)[attribute] = parsed
    return Contact(id=lead_id, company=Company(**company), custom=custom, **contact)


def _filled(
    row: Mapping[str, str | None], column: str, placeholders: Placeholders, notes: list[Note]
) -> str | None:
    raw = row.get(column)
    if placeholders.placeholder(raw):
        notes.append(Note("placeholder", column))
    return placeholders.filled(raw)


def _activities(
    key: str, spec: ActivityColumn, value: str | None, at: datetime, notes: list[Note]
) -> list[Activity]:
    """The activities a column's value makes; `key` makes their ids (the lead's and the column's)."""
    if value is None:
        return []
    if spec.count_of is not None:
        count = _count(value)
        if count is None:
            notes.append(Note("not a count", spec.column))
            return []
        if count > spec.cap:
            notes.append(Note("count capped", spec.column))
            count = spec.cap
        return [_activity(f"{key}:{i}", spec.count_of, at, spec) for i in range(count)]
    assert spec.values is not None
    kind = spec.values.get(value) or _folded(spec.values).get(value.casefold())
    if kind is None:
        notes.append(Note("unknown category", spec.column, value))
        return []
    return [_activity(key, kind, at, spec)]


def _activity(activity_id: str, kind: ActivityKind, at: datetime, spec: ActivityColumn) -> Activity:
    # The column's attributes, shared: the engine never changes an activity.
    return Activity(activity_id, kind, at, attributes=spec.attributes)


def _folded(values: Mapping[str, ActivityKind]) -> dict[str, ActivityKind]:
    return {key.casefold(): kind for key, kind in values.items()}


def _count(value: str) -> int | None:
    number = _number(value, int)
    return None if number is None else int(number)


def _number(value: str, kind: type[int] | type[float]) -> int | float | None:
    """A non-negative number as exports write them ("1,200", "5.0"); None for anything else."""
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    return int(number) if kind is int else number
