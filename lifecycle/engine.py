"""`evaluate(contact, activities, policy, now, ...) -> Decision`: the engine's one entry point.

Pure and deterministic: the same inputs give the same decision, whatever the order of the
activities, with no clock, I/O or database. The policy is compiled once and remembered by
identity, so callers simply pass the `Policy` they loaded. Routing and SLA clocks run only when
the caller passes a `RoutingContext` (the CRM's owners and the routing state), and the decision
hands back the routing state for the next lead. Given the lead's memory (and what the CRM holds of
handoff's outputs), the decision hands back the memory after it, the writes and the notices.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from handoff.config.policy import Policy
from handoff.lifecycle.behavior import BehaviorPlan, compile_behavior, explain_behavior, score_behavior
from handoff.lifecycle.decision import Decision, Explanation, Reason
from handoff.lifecycle.fit import CompiledFitRule, compile_fit_rules, explain_fit, score_fit
from handoff.lifecycle.handoff import hand_off
from handoff.lifecycle.memory import LeadMemory, recall, remember
from handoff.lifecycle.notices import notices
from handoff.lifecycle.outputs import OutputField, changed_fields, desired_fields
from handoff.lifecycle.records import Activity, Contact
from handoff.lifecycle.roster import RoutingContext
from handoff.lifecycle.routing_plan import RoutingPlan, compile_routing
from handoff.lifecycle.sla import SlaPlan, compile_sla
from handoff.lifecycle.stages import decide_stage

_PLAN_CACHE_SIZE = 16


@dataclass(frozen=True, slots=True)
class Plan:
    """A policy compiled for fast evaluation."""

    policy: Policy
    fit_rules: tuple[CompiledFitRule, ...]
    behavior: BehaviorPlan
    routing: RoutingPlan | None
    sla: SlaPlan | None


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
        routing=compile_routing(policy),
        sla=compile_sla(policy),
    )
    _plans[id(policy)] = plan
    return plan


def evaluate(
    contact: Contact,
    activities: Iterable[Activity],
    policy: Policy,
    now: datetime,
    *,
    routing: RoutingContext | None = None,
    memory: LeadMemory | None = None,
    crm: Mapping[OutputField, str | None] | None = None,
) -> Decision:
    """Score, stage and (given a routing context) route and clock one lead as of `now`.

    Without `routing` the owner is left as it is and no SLA clock runs. With it, the decision
    carries the owner after, why, the SLA clocks, and the routing state to pass on. With `memory`
    the lead is decided as handoff last left it, and the decision carries the memory after it,
    its desired outputs and its notices; with `crm` (the CRM's current values of the outputs) also
    the changes to write, which become the memory's pending writes.
    """
    if now.tzinfo is None:
        raise ValueError("evaluate() needs an aware `now` (UTC or with an offset)")
    if memory is not None:
        contact = recall(contact, memory, now)
    decision = _decide(contact, activities, policy, now, routing)
    if memory is None:
        return decision
    desired = desired_fields(decision)
    after = remember(decision, contact, memory)
    changes = None
    if crm is not None:
        changes = changed_fields(desired, crm)
        after = after.with_pending(changes)
    told = notices(decision, contact, memory.clocks, routing.roster.by_id, now) if routing else ()
    return decision._replace(memory=after, desired=desired, changes=changes, notices=told)


def _decide(
    contact: Contact,
    activities: Iterable[Activity],
    policy: Policy,
    now: datetime,
    routing: RoutingContext | None,
) -> Decision:
    plan = compile_policy(policy)
    listed: Sequence[Activity] = activities if isinstance(activities, tuple | list) else tuple(activities)
    fit, fit_facts = score_fit(plan.fit_rules, contact)
    behavior = score_behavior(plan.behavior, listed, now)
    outcome = decide_stage(contact, fit, behavior, policy, now)

    def reasons() -> tuple[Reason, ...]:
        return (*explain_fit(fit_facts), *explain_behavior(plan.behavior, behavior), *outcome.reasons)

    decision = Decision(
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
        owner_id=contact.owner_id,
        previous_owner_id=contact.owner_id,
        owner_assigned_at=contact.owner_assigned_at,
        escalated_from=contact.escalated_from,
    )
    if routing is None:
        return decision
    handoff = hand_off(
        plan.routing,
        plan.sla,
        routing,
        contact,
        listed,
        stage=outcome.stage,
        moves=decision.moves,
        now=now,
    )
    owner = handoff.owner
    problems = decision.problems + ((owner.problem,) if owner.problem else ())
    return decision._replace(
        problems=problems,
        owner_id=owner.owner_id,
        owner_assigned_at=owner.assigned_at,
        escalated_from=owner.escalated_from,
        routing=owner.assignment,
        clocks=handoff.clocks,
        escalation_due_at=owner.escalation_due_at,
        next_check_at=handoff.next_check_at,
        routing_state=owner.state,
    )
