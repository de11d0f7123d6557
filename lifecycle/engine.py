"""`evaluate(contact, activities, policy, now) -> Decision`: the one entry point of the engine.

Pure and deterministic: the same inputs give the same decision, whatever the order of the
activities, with no clock, I/O or database. The policy is compiled once and remembered by
identity, so callers simply pass the `Policy` they loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from config.policy import Policy
from lifecycle.behavior import BehaviorPlan, compile_behavior, explain_behavior, score_behavior
from lifecycle.decision import Decision, Explanation, Reason
from lifecycle.fit import CompiledFitRule, compile_fit_rules, explain_fit, score_fit
from lifecycle.records import Activity, Contact
from lifecycle.stages import decide_stage

_PLAN_CACHE_SIZE = 16


@dataclass(frozen=True, slots=True)
class Plan:
    """A policy compiled for fast evaluation."""

    policy: Policy
    fit_rules: tuple[CompiledFitRule, ...]
    behavior: BehaviorPlan


_plans: dict[int, Plan] = {}


def compile_policy(policy: Policy) -> Plan:
    plan = _plans.get(id(policy))
    if plan is not None and plan.policy is policy:
        return plan
    if len(_plans) >= _PLAN_CACHE_SIZE:
        _plans.clear()
    plan = Plan(
        policy=policy,
        fit_rules=compile_fit_rules(policy.fit.rule, policy.lists),
        behavior=compile_behavior(policy.behavior),
    )
    _plans[id(policy)] = plan
    return plan


def evaluate(contact: Contact, activities: Iterable[Activity], policy: Policy, now: datetime) -> Decision:
    if now.tzinfo is None:
        raise ValueError("evaluate() needs an aware `now` (UTC or with an offset)")
    plan = compile_policy(policy)
    fit, fit_facts = score_fit(plan.fit_rules, contact)
    behavior = score_behavior(plan.behavior, activities, now)
    outcome = decide_stage(contact, fit, behavior, policy, now)

    def reasons() -> tuple[Reason, ...]:
        return (*explain_fit(fit_facts), *explain_behavior(plan.behavior, behavior), *outcome.reasons)

    return Decision(
        contact_id=contact.id,
        evaluated_at=now,
        fit=fit,
        behavior=behavior.total,
        stage=outcome.stage,
        previous_stage=contact.stage,
        high_intent=behavior.high_intent_at is not None,
        explanation=Explanation(reasons),
        moves=tuple(outcome.moves),
        problems=tuple(outcome.problems),
        clears_rejection=outcome.clears_rejection,
    )
