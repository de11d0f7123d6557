"""Behaviour: what the lead did, scored with decay, caps and frequency rules.

The hot path of the engine. Rules are indexed by activity kind so each activity meets only the
rules that could match it, and ages are plain seconds so decay is one `exp` per match.
Per-rule occurrences are sorted before summing, which makes the score independent of the order
the CRM returned the activities in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from handoff.config.policy import Behavior, BehaviorRule
from handoff.config.vocabulary import ActivityKind
from handoff.lifecycle.decision import Reason
from handoff.lifecycle.records import Activity

DAY = 86_400.0

# (attribute, needles, substring?) — substring for *_contains filters, equality otherwise.
Filter = tuple[str, tuple[str, ...], bool]


@dataclass(frozen=True, slots=True)
class CompiledBehaviorRule:
    index: int
    label: str
    points: int
    cap: int | None
    at_least: int | None
    within_seconds: float | None
    high_intent: bool
    filters: tuple[Filter, ...]

    def accepts(self, attributes: Mapping[str, str]) -> bool:
        for attribute, needles, substring in self.filters:
            value = attributes.get(attribute)
            if not value:
                return False
            folded = value.casefold()
            if substring:
                if not any(needle in folded for needle in needles):
                    return False
            elif folded not in needles:
                return False
        return True


@dataclass(frozen=True, slots=True)
class KindRules:
    """The rules one activity kind can meet, with a memo of which match a given attribute value.

    Leads share URLs, forms and assets, so matching each distinct value once per policy instead of
    once per activity is what keeps scoring at a few hundred nanoseconds per activity.
    """

    rules: tuple[CompiledBehaviorRule, ...]
    keys: tuple[str, ...]
    memo: dict[object, tuple[CompiledBehaviorRule, ...]]
    key: str | None
    """The attribute that decides, when only one does (the memo is keyed by its value)."""

    def matching(self, attributes: Mapping[str, str]) -> tuple[CompiledBehaviorRule, ...]:
        keys = self.keys
        key: object = attributes.get(keys[0]) if len(keys) == 1 else tuple(attributes.get(k) for k in keys)
        found = self.memo.get(key)
        if found is None:
            if len(self.memo) >= _MEMO_LIMIT:
                self.memo.clear()
            found = tuple(rule for rule in self.rules if rule.accepts(attributes))
            self.memo[key] = found
        return found


_MEMO_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class BehaviorPlan:
    window_seconds: float
    decay_per_second: float
    cap: int | None
    half_life_days: float | None
    rules: tuple[CompiledBehaviorRule, ...]
    by_kind: Mapping[ActivityKind, KindRules]


# Built with tuple.__new__: a few facts per lead, and a NamedTuple's own __new__ is a Python-level
# call that costs more than the arithmetic behind them.
_new = tuple.__new__


class RuleFact(NamedTuple):
    """What one rule contributed, kept as numbers; `explain_behavior` turns it into words."""

    rule: CompiledBehaviorRule
    points: int
    occurrences: int
    latest_age: float
    undecayed: int
    decayed: int


class BehaviorScore(NamedTuple):
    total: int
    facts: tuple[RuleFact, ...]
    cap_cut: int
    high_intent_at: datetime | None
    high_intent_rule: str | None


def compile_behavior(behavior: Behavior) -> BehaviorPlan:
    rules = tuple(_compile(index, rule) for index, rule in enumerate(behavior.rule))
    grouped: dict[ActivityKind, list[CompiledBehaviorRule]] = {}
    for source, compiled in zip(behavior.rule, rules, strict=True):
        for kind in source.activity:
            grouped.setdefault(kind, []).append(compiled)
    half_life = behavior.half_life_days
    return BehaviorPlan(
        window_seconds=behavior.window_days * DAY,
        decay_per_second=math.log(2) / (half_life * DAY) if half_life else 0.0,
        cap=behavior.cap,
        half_life_days=half_life,
        rules=rules,
        by_kind={kind: _kind_rules(found) for kind, found in grouped.items()},
    )


def _kind_rules(rules: list[CompiledBehaviorRule]) -> KindRules:
    keys = sorted({attribute for rule in rules for attribute, _, _ in rule.filters})
    return KindRules(tuple(rules), tuple(keys), {}, keys[0] if len(keys) == 1 else None)


def score_behavior(plan: BehaviorPlan, activities: Iterable[Activity], now: datetime) -> BehaviorScore:
    ages_by_rule: dict[int, list[float]] = {}
    window = plan.window_seconds
    by_kind = plan.by_kind
    for activity in activities:
        kind_rules = by_kind.get(activity.kind)
        if kind_rules is None:
            continue
        age = (now - activity.occurred_at).total_seconds()
        if age < 0 or age > window:
            continue
        if not kind_rules.keys:
            matched = kind_rules.rules
        elif kind_rules.key is not None:
            # The common case inlined: one attribute decides, and the memo already knows its value.
            found = kind_rules.memo.get(activity.attributes.get(kind_rules.key))
            matched = found if found is not None else kind_rules.matching(activity.attributes)
        else:
            matched = kind_rules.matching(activity.attributes)
        for rule in matched:
            ages = ages_by_rule.get(rule.index)
            if ages is None:
                ages_by_rule[rule.index] = [age]
            else:
                ages.append(age)

    total = 0
    facts: list[RuleFact] = []
    high_intent_age: float | None = None
    high_intent_rule: str | None = None
    rate = plan.decay_per_second
    rules = plan.rules
    for index in sorted(ages_by_rule):
        rule = rules[index]
        fact = _fire(rate, rule, ages_by_rule[index])
        if fact is None:
            continue
        total += fact.points
        facts.append(fact)
        if rule.high_intent and (high_intent_age is None or fact.latest_age < high_intent_age):
            high_intent_age, high_intent_rule = fact.latest_age, rule.label
    cap_cut = 0
    if plan.cap is not None and total > plan.cap:
        cap_cut, total = plan.cap - total, plan.cap
    high_intent_at = now - timedelta(seconds=high_intent_age) if high_intent_age is not None else None
    return _new(BehaviorScore, (total, tuple(facts), cap_cut, high_intent_at, high_intent_rule))


def explain_behavior(plan: BehaviorPlan, score: BehaviorScore) -> list[Reason]:
    reasons = []
    for fact in score.facts:
        rule = fact.rule
        if rule.at_least is not None and rule.within_seconds is not None:
            detail = (
                f"{rule.at_least}+ within {rule.within_seconds / DAY:g} days, latest {_ago(fact.latest_age)}"
            )
        else:
            count = f"{fact.occurrences} times" if fact.occurrences > 1 else "once"
            detail = f"{count}, latest {_ago(fact.latest_age)}"
        if fact.undecayed != fact.decayed:
            detail += f"; {fact.undecayed} before decay"
        if fact.points != fact.decayed:
            detail += f"; capped at {rule.cap}"
        if fact.points:
            reasons.append(Reason(rule.label, detail, fact.points))
    if score.cap_cut:
        reasons.append(Reason("Behaviour cap", f"behaviour counts at most {plan.cap} points", score.cap_cut))
    return reasons


def _fire(rate: float, rule: CompiledBehaviorRule, ages: list[float]) -> RuleFact | None:
    """What the rule is worth for these occurrence ages, or None if it does not fire."""
    if rule.at_least is not None and rule.within_seconds is not None:
        ages.sort()
        latest = _latest_burst(ages, rule.at_least, rule.within_seconds)
        if latest is None:
            return None
        raw = rule.points
        value = raw * math.exp(-rate * latest)
    elif len(ages) == 1:
        latest = ages[0]
        raw = rule.points
        value = raw * math.exp(-rate * latest)
    else:
        # fsum is exactly rounded, so the total does not depend on the order of the activities.
        raw = rule.points * len(ages)
        value = rule.points * math.fsum([math.exp(-rate * age) for age in ages]) if rate else raw
        latest = min(ages)
    decayed = points = round(value)
    cap = rule.cap
    if cap is not None and abs(points) > cap:
        points = cap if points > 0 else -cap
    return _new(RuleFact, (rule, points, len(ages), latest, raw, decayed))


def _latest_burst(ages: list[float], count: int, within: float) -> float | None:
    """Age of the most recent occurrence that completes `count` occurrences within `within` s."""
    for start in range(len(ages) - count + 1):
        if ages[start + count - 1] - ages[start] <= within:
            return ages[start]
    return None


def _ago(age_seconds: float) -> str:
    if age_seconds < 3600:
        return f"{int(age_seconds // 60)} min ago"
    if age_seconds < 2 * DAY:
        return f"{int(age_seconds // 3600)} h ago"
    return f"{int(age_seconds // DAY)} days ago"


def _compile(index: int, rule: BehaviorRule) -> CompiledBehaviorRule:
    filters: list[Filter] = []
    for attribute, needles, substring in (
        ("url", rule.url_contains, True),
        ("form", rule.form, False),
        ("asset", rule.asset_contains, True),
        ("campaign", rule.campaign, False),
        ("outcome", rule.outcome, False),
    ):
        if needles:
            filters.append((attribute, tuple(needle.casefold() for needle in needles), substring))
    return CompiledBehaviorRule(
        index=index,
        label=rule.label,
        points=rule.points,
        cap=rule.cap,
        at_least=rule.at_least,
        within_seconds=rule.within_days * DAY if rule.within_days is not None else None,
        high_intent=rule.high_intent,
        filters=tuple(filters),
    )
