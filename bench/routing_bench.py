"""Benchmark: routing + SLA clocks for 100,000 new MQLs across 50 reps in 5 teams, on one core.

Times the handoff step of `evaluate` (owner, then SLA clocks) with the routing state threaded from
one lead to the next, as the runtime does within a cycle, for two arrival patterns: office hours
(four in five leads arrive on a weekday between 08:00 and 18:00 in their region) and around the
clock (uniform, so most leads meet closed teams and go down the fallback chain to the queue).
Then the SLA tick (the same leads re-evaluated three hours later, nothing else changed) and
`evaluate` end to end with scoring. Target (issue 3): at least 20,000 routing + SLA decisions/s.
Figures only; no test times anything.
"""

from __future__ import annotations

import gc
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.roster import TEAMS, bench_owners, bench_policy, rep_email
from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.decision import Reason, StageMove
from handoff.lifecycle.engine import Plan, compile_policy, evaluate
from handoff.lifecycle.handoff import hand_off
from handoff.lifecycle.records import Activity, Company, Contact
from handoff.lifecycle.roster import RoutingContext

MQLS = 100_000
START = datetime(2026, 11, 2, tzinfo=UTC)
DAYS = 120
OFFICE_SHARE = 0.8
_REGIONS = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "MX": "America/Los_Angeles",
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "DE": "Europe/Berlin",
    "AT": "Europe/Vienna",
    "CH": "Europe/Zurich",
    "AU": "Australia/Sydney",
    "NZ": "Pacific/Auckland",
    "SG": "Asia/Singapore",
    "BR": "America/Sao_Paulo",
}
_COUNTRIES = ["US", "US", "US", "CA", "MX", "GB", "GB", "IE", "DE", "AT", "CH", "AU", "NZ", "SG", "BR"]
_MOVE = (StageMove(Stage.LEAD, Stage.MQL, Reason("stages.mql", "bench", signal="high_intent")),)

Lead = tuple[Contact, tuple[Activity, ...], datetime]


def synthetic_mqls(count: int, *, office_hours: bool, seed: int = 3) -> list[Lead]:
    """Good-fit leads taking a high-intent action, in time order; a third are demo requests."""
    rng = random.Random(seed)
    drafts = []
    for _ in range(count):
        country = rng.choice(_COUNTRIES)
        drafts.append((_arrival(rng, country, office_hours), country))
    drafts.sort()
    leads: list[Lead] = []
    for n, (now, country) in enumerate(drafts):
        domain = f"account{rng.randrange(2000)}.example"
        contact = Contact(
            id=str(n),
            email=f"lead{n}@{domain}",
            title="VP Sales",
            company=Company(name="Co", domain=domain, employees=200, industry="SaaS", country=country),
            stage=Stage.LEAD,
        )
        kind = ActivityKind.DEMO_REQUEST if rng.random() < 1 / 3 else ActivityKind.TRIAL_SIGNUP
        leads.append((contact, (Activity(f"a{n}", kind, now - timedelta(minutes=2)),), now))
    return leads


def _arrival(rng: random.Random, country: str, office_hours: bool) -> datetime:
    moment = START + timedelta(days=DAYS) * rng.random()
    if not office_hours or rng.random() >= OFFICE_SHARE:
        return moment
    local = moment.astimezone(ZoneInfo(_REGIONS[country]))
    while local.weekday() >= 5:
        local += timedelta(days=1)
    hour = 8 + 10 * rng.random()
    return local.replace(hour=int(hour), minute=int(hour % 1 * 60)).astimezone(UTC)


def account_map() -> dict[str, str]:
    """One account in ten already has an owner in the CRM."""
    teams = [team for team, *_ in TEAMS]
    return {f"account{n}.example": rep_email(teams[n % len(teams)], n % 10) for n in range(0, 2000, 10)}


def route_all(
    plan: Plan, leads: list[Lead]
) -> tuple[float, Counter[str], list[tuple[str | None, datetime | None]]]:
    context = RoutingContext.of(bench_owners(), account_owners=account_map())
    methods: Counter[str] = Counter()
    owners: list[tuple[str | None, datetime | None]] = []
    started = time.perf_counter()
    for contact, activities, now in leads:
        handoff = hand_off(
            plan.routing, plan.sla, context, contact, activities, stage=Stage.MQL, moves=_MOVE, now=now
        )
        context = context.with_state(handoff.owner.state)
        assignment = handoff.owner.assignment
        methods[assignment.method.value if assignment else "none"] += 1
        owners.append((handoff.owner.owner_id, handoff.owner.assigned_at))
    elapsed = time.perf_counter() - started
    print(f"  routing state after {len(leads):,} assignments: {len(context.state.to_json()):,} bytes of JSON")
    return elapsed, methods, owners


def tick_all(plan: Plan, leads: list[Lead], owners: list[tuple[str | None, datetime | None]]) -> float:
    context = RoutingContext.of(bench_owners(), account_owners=account_map())
    later = [
        (
            Contact(
                id=contact.id,
                email=contact.email,
                title=contact.title,
                company=contact.company,
                stage=Stage.MQL,
                stage_entered_at=now,
                mql_at=now,
                owner_id=owner_id,
                owner_assigned_at=assigned_at,
            ),
            activities,
            now + timedelta(hours=3),
        )
        for (contact, activities, now), (owner_id, assigned_at) in zip(leads, owners, strict=True)
    ]
    started = time.perf_counter()
    for contact, activities, now in later:
        handoff = hand_off(
            plan.routing, plan.sla, context, contact, activities, stage=Stage.MQL, moves=(), now=now
        )
        context = context.with_state(handoff.owner.state)
    return time.perf_counter() - started


def main() -> None:
    policy = bench_policy()
    plan = compile_policy(policy)
    print(f"routing + SLA: {MQLS:,} new MQLs across 50 reps in 5 teams, one core (target >= 20,000/s)")
    for office_hours in (True, False):
        leads = synthetic_mqls(MQLS, office_hours=office_hours)
        gc.collect()
        gc.freeze()
        label = "office hours" if office_hours else "around the clock"
        elapsed, methods, owners = route_all(plan, leads)
        print(f"  {label}: {MQLS / elapsed:,.0f} decisions/s ({elapsed:.2f} s)")
        print("  by method: " + ", ".join(f"{name} {count:,}" for name, count in methods.most_common()))
        elapsed = tick_all(plan, leads, owners)
        print(f"  {label}, SLA tick 3 h later: {MQLS / elapsed:,.0f} re-evaluations/s")
        gc.unfreeze()
    leads = synthetic_mqls(20_000, office_hours=True)
    context = RoutingContext.of(bench_owners(), account_owners=account_map())
    started = time.perf_counter()
    for contact, activities, now in leads:
        decision = evaluate(contact, activities, policy, now, routing=context)
        context = context.after(decision)
    elapsed = time.perf_counter() - started
    print(f"evaluate with routing, scoring included: {len(leads) / elapsed:,.0f} leads/s end to end")


if __name__ == "__main__":
    main()
