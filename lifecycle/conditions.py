"""Reading a contact field and testing its value: shared by fit rules and routing rules.

Both speak the same field names and operators, so a rule means the same thing wherever it is
written: text compares without case, numbers compare as numbers whatever their type, and an
empty field matches only `missing`. Country fields compare as ISO codes (`United States`, `USA`
and `US` are one country), on the contact's side and the rule's alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from handoff.config.countries import as_country
from handoff.config.policy import Condition
from handoff.lifecycle.records import Contact

Getter = Callable[[Contact], Any]
Test = Callable[[Any], bool]

_GETTERS: dict[str, Getter] = {
    "contact.email": lambda c: c.email,
    "contact.email_domain": lambda c: c.email_domain,
    "contact.first_name": lambda c: c.first_name,
    "contact.last_name": lambda c: c.last_name,
    "contact.title": lambda c: c.title,
    "contact.country": lambda c: as_country(c.country),
    "contact.source": lambda c: c.source,
    "contact.campaign": lambda c: c.campaign,
    "company.name": lambda c: c.company.name,
    "company.domain": lambda c: c.company.domain,
    "company.employees": lambda c: c.company.employees,
    "company.industry": lambda c: c.company.industry,
    "company.country": lambda c: as_country(c.company.country),
    "company.region": lambda c: c.company.region,
    "company.revenue": lambda c: c.company.revenue,
}


def getter(field: str) -> Getter:
    if field in _GETTERS:
        return _GETTERS[field]
    name = field.removeprefix("custom.")
    return lambda contact: contact.custom.get(name)


COUNTRY_FIELDS = frozenset({"contact.country", "company.country"})


def condition_test(
    condition: Condition, lists: Mapping[str, tuple[str, ...]], field: str = ""
) -> tuple[Test, str]:
    """The test a condition makes on `field`, and how to say what it expects ("between 50 and 500")."""
    operator, operand = condition.operator, condition.operand
    if field in COUNTRY_FIELDS and operator in ("equals", "in", "in_list"):
        members = lists[operand] if operator == "in_list" else operand if operator == "in" else (operand,)
        countries = tuple(as_country(m) if isinstance(m, str) else m for m in members)
        shown = f"equals {operand!r}" if operator == "equals" else "is one of the listed countries"
        return member_of(countries), shown
    if operator == "exists":
        return present, "is set"
    if operator == "missing":
        return absent, "is empty"
    if operator == "between":
        low, high = operand
        return between(low, high), f"between {low:g} and {high:g}"
    if operator == "at_least":
        return between(operand, math.inf), f"at least {operand:g}"
    if operator == "at_most":
        return between(-math.inf, operand), f"at most {operand:g}"
    if operator == "matches":
        pattern = re.compile(operand, re.IGNORECASE)
        shown = f"matches /{operand}/" if len(operand) <= 32 else "matches the rule's pattern"
        return matches(pattern), shown
    if operator == "in_list":
        return member_of(lists[operand]), f"is in the list {operand}"
    if operator == "equals":
        return member_of((operand,)), f"equals {operand!r}"
    return member_of(operand), "is one of the listed values"


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
