"""Fit: who the lead is, scored by the policy's fit rules.

Rules are compiled once per policy into small closures, so scoring a lead is a loop of
attribute reads and comparisons, not a re-reading of the policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from config.policy import FitRule
from lifecycle.decision import Reason
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


@dataclass(frozen=True, slots=True)
class CompiledFitRule:
    label: str
    field: str
    points: int
    get: Getter
    test: Test
    describe: Callable[[Any], str]


def compile_fit_rules(
    rules: tuple[FitRule, ...], lists: Mapping[str, tuple[str, ...]]
) -> tuple[CompiledFitRule, ...]:
    return tuple(_compile(rule, lists) for rule in rules)


FitFact = tuple[CompiledFitRule, Any]


def score_fit(rules: tuple[CompiledFitRule, ...], contact: Contact) -> tuple[int, list[FitFact]]:
    """The fit score and the rules that fired with the value each saw (words come later)."""
    total = 0
    facts: list[FitFact] = []
    for rule in rules:
        value = rule.get(contact)
        if rule.test(value):
            total += rule.points
            facts.append((rule, value))
    return total, facts


def explain_fit(facts: list[FitFact]) -> list[Reason]:
    return [Reason(rule.label, rule.describe(value), rule.points) for rule, value in facts]


def _compile(rule: FitRule, lists: Mapping[str, tuple[str, ...]]) -> CompiledFitRule:
    get = _getter(rule.field)
    operator = rule.operator
    test: Test
    if operator == "exists":
        test = _present
        expectation = "is set"
    elif operator == "missing":
        test = _absent
        expectation = "is empty"
    elif operator == "between":
        low, high = rule.between or (0.0, 0.0)
        test = _between(low, high)
        expectation = f"between {low:g} and {high:g}"
    elif operator == "matches":
        pattern = re.compile(rule.matches or "", re.IGNORECASE)
        test = _matches(pattern)
        shown = pattern.pattern
        expectation = f"matches /{shown}/" if len(shown) <= 32 else "matches the rule's pattern"
    elif operator == "in_list":
        name = rule.in_list or ""
        test = _member_of(lists[name])
        expectation = f"is in the list {name}"
    else:
        members = (rule.equals,) if operator == "equals" else (rule.in_ or ())
        test = _member_of(members)
        expectation = f"equals {members[0]!r}" if operator == "equals" else "is one of the listed values"

    def describe(value: Any) -> str:
        shown = "empty" if _absent(value) else repr(value)
        return f"{rule.field} {shown} {expectation}"

    return CompiledFitRule(rule.label, rule.field, rule.points, get, test, describe)


def _getter(field: str) -> Getter:
    if field in _GETTERS:
        return _GETTERS[field]
    name = field.removeprefix("custom.")
    return lambda contact: contact.custom.get(name)


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _absent(value: Any) -> bool:
    return value is None or value == ""


def _normalise(value: Any) -> Any:
    """Text compares without case; numbers compare as numbers whatever their type."""
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def _member_of(members: tuple[Any, ...]) -> Test:
    allowed = frozenset(_normalise(member) for member in members)
    return lambda value: _present(value) and _normalise(value) in allowed


def _between(low: float, high: float) -> Test:
    def test(value: Any) -> bool:
        number = _as_number(value)
        return number is not None and low <= number <= high

    return test


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def _matches(pattern: re.Pattern[str]) -> Test:
    return lambda value: _present(value) and pattern.search(str(value)) is not None
