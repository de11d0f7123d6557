"""Fit: who the lead is, scored by the policy's fit rules.

Rules are compiled once per policy into small closures, so scoring a lead is a loop of
attribute reads and comparisons, not a re-reading of the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from handoff.config.policy import FitRule
from handoff.lifecycle.conditions import Getter, Test, absent, condition_test, getter
from handoff.lifecycle.decision import Reason
from handoff.lifecycle.records import Contact


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
    get = getter(rule.field)
    test, expectation = condition_test(rule, lists, rule.field)

    def describe(value: Any) -> str:
        shown = "empty" if absent(value) else repr(value)
        return f"{rule.field} {shown} {expectation}"

    return CompiledFitRule(rule.label, rule.field, rule.points, get, test, describe)
