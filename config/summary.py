"""A one-screen summary of a policy, for `handoff policy check`: what the contract says, in short."""

from __future__ import annotations

from collections import Counter

from handoff.config.business_time import format_duration
from handoff.config.policy import Condition, Policy, Routing, Sla, Team


def describe_policy(policy: Policy) -> list[str]:
    info = policy.policy
    mql = policy.stages.mql
    behavior = policy.behavior
    decay = f"half-life {behavior.half_life_days:g} days" if behavior.half_life_days else "no decay"
    cap = f", capped at {behavior.cap}" if behavior.cap else ""
    path = " or a high-intent action" if mql.or_high_intent else ""
    lines = [
        f"{info.name} (version {info.version}, time zone {info.timezone})",
        f"MQL: fit ≥ {mql.fit_minimum} and (score ≥ {mql.score_minimum}{path}); score = fit + behaviour",
        f"SQL: documented {', '.join(policy.stages.sql.requires)}",
        f"Fit: {len(policy.fit.rule)} rules",
    ]
    lines += [
        f"  {rule.points:+4d}  {rule.label}  [{rule.field} {rule.operator}]" for rule in policy.fit.rule
    ]
    lines.append(f"Behaviour: {len(behavior.rule)} rules over {behavior.window_days:g} days, {decay}{cap}")
    for rule in behavior.rule:
        flags = [f"cap {rule.cap}"] if rule.cap else []
        if rule.at_least:
            flags.append(f"{rule.at_least}+ in {rule.within_days:g} d")
        if rule.high_intent:
            flags.append("high intent")
        extra = f"  ({', '.join(flags)})" if flags else ""
        lines.append(f"  {rule.points:+4d}  {rule.label}{extra}")
    reasons = policy.disqualification
    recycle = [
        f"{code} ({reasons.cooldown_days(code):g} d)"
        for code, r in reasons.reasons.items()
        if r.outcome == "recycle"
    ]
    closed = [code for code, r in reasons.reasons.items() if r.outcome == "disqualify"]
    lines.append(f"Rejections: recycle {', '.join(recycle) or '—'}; disqualify {', '.join(closed) or '—'}")
    lines.append(
        "Lists: " + ", ".join(f"{name} ({len(values)})" for name, values in sorted(policy.lists.items()))
    )
    if policy.routing is not None:
        lines += _routing(policy.routing)
    if policy.sla is not None:
        lines += _sla(policy.sla)
    return lines


def _routing(routing: Routing) -> list[str]:
    teams = routing.teams
    default = teams[routing.default_team].label(routing.default_team)
    account = "account owners first" if routing.account_match else "no account matching"
    lines = [f"Routing: {len(routing.rule)} rules, else {default}; {account}"]
    for rule in routing.rule:
        tests = ", ".join(f"{field} {_condition(condition)}" for field, condition in rule.when.items())
        lines.append(f"  {rule.label}  [{tests}] → {teams[rule.team].label(rule.team)}")
    for team_id, team in teams.items():
        lines.append(f"  {_team(team_id, team, routing)}")
    return lines


def _condition(condition: Condition) -> str:
    operand = condition.operand
    if condition.operator == "in":
        shown = ", ".join(str(value) for value in operand[:4]) + (", ..." if len(operand) > 4 else "")
        return f"in {shown}"
    if condition.operator in ("exists", "missing"):
        return condition.operator
    return f"{condition.operator} {operand if not isinstance(operand, float) else f'{operand:g}'}"


def _team(team_id: str, team: Team, routing: Routing) -> str:
    weights = ",".join(str(member.weight) for member in team.members)
    capacities = [member.daily_capacity for member in team.members]
    capacity = f"{sum(c for c in capacities if c)}/day" if all(capacities) else "unlimited"
    zones = Counter(member.timezone for member in team.members if member.timezone)
    elsewhere = "".join(f", {count} in {zone}" for zone, count in zones.items())
    holidays = f", holidays {', '.join(team.holidays)}" if team.holidays else ""
    chain = [routing.teams[other].label(other) for other in team.fallback]
    queue = team.queue or routing.queue
    chain += [f"queue {queue!r}"] if queue else []
    chain += [f"manager {team.manager}"] if team.manager else []
    return (
        f"{team.label(team_id)}: {len(team.members)} reps (weights {weights}; capacity {capacity}), "
        f"{team.hours} {team.timezone}{elsewhere}{holidays}; then {' → '.join(chain)}"
    )


def _sla(sla: Sla) -> list[str]:
    inquiry = (
        f" ({format_duration(sla.first_touch_inquiry)} after {', '.join(sla.inquiry_activities)})"
        if sla.first_touch_inquiry
        else ""
    )
    parts = [f"first touch {format_duration(sla.first_touch)}{inquiry}"]
    if sla.accept_within:
        parts.append(f"accept {format_duration(sla.accept_within)}")
    if sla.discovery_within:
        parts.append(f"discovery {format_duration(sla.discovery_within)} from SAL")
    if sla.follow_up:
        parts.append(f"{sla.follow_up.touches} touches within {format_duration(sla.follow_up.within)}")
    escalation = (
        f"; escalate after {format_duration(sla.escalate_after)}, at most {sla.max_escalations} times"
        if sla.escalate_after
        else "; no escalation"
    )
    due_soon = format_duration(sla.due_soon)
    return [f"SLA (business time): {', '.join(parts)}; due soon {due_soon} before{escalation}"]
