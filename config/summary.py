"""A one-screen summary of a policy, for `handoff policy check`: what the contract says, in short."""

from __future__ import annotations

from config.policy import Policy


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
    return lines
