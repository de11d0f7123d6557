"""Reading a contact field and testing its value: shared by fit rules and routing rules.

Both speak the same field names and operators, so a rule means the same thing wherever it is
written: text compares without case, numbers compare as numbers whatever their type, and an
empty field matches only `missing`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lifecycle.records import Contact

Getter = Callable[[Contact], Any]
Test = Callable[[Any], bool]

_GETTERS: dict[str, Getter] = {
    "contact.email": lambda c: c.email,
    "contact.email_domain": lambda c: c.email_domain,
    "contact.first_name": lambda c: c.first_name,
    "contact.last_name": lambda c: c.last_name,
    "contact.title": lambda c: c.title,
    "contact.country": lambda c: c.country,
    "contact.source": lambda c: c.source,
    "contact.campaign": lambda c: c.campaign,
    "company.name": lambda c: c.company.name,
    "company.domain": lambda c: c.company.domain,
    "company.employees": lambda c: c.company.employees,
    "company.industry": lambda c: c.company.industry,
    "company.country": lambda c: c.company.country,
    "company.region": lambda c: c.company.region,
    "company.revenue": lambda c: c.company.revenue,
}


def getter(field: str) -> Getter:
    if field in _GETTERS:
        return _GETTERS[field]
    name = field.removeprefix("custom.")
    return lambda contact: contact.custom.get(name)


def present(value: Any) -> bool:
    return value is not None and value != ""


def absent(value: Any) -> bool:
    return value is None or value == ""


def member_of(members: tuple[Any, ...]) -> Test:
    allowed = frozenset(_normalise(member) for member in members)
    return lambda value: present(value) and _normalise(value) in allowed


def between(low: float, high: float) -> Test:
    def test(value: Any) -> bool:
        number = _as_number(value)
        return number is not None and low <= number <= high

    return test


def matches(pattern: re.Pattern[str]) -> Test:
    return lambda value: present(value) and pattern.search(str(value)) is not None


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None
