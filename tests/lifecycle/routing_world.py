"""A small sales floor for routing and SLA tests: three teams, a queue, a manager, fixed instants.

Inbound (New York, Mon–Fri 09:00–17:00, US holidays, weights 2:1:1) falls back to EMEA (London,
one rep working Berlin time); Enterprise (1,000+ employees) falls back to Inbound and ends with
a manager. Every builder returns plain records, so each test reads as the situation it checks.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handoff.config.loader import parse_policy
from handoff.config.policy import Policy
from handoff.config.vocabulary import ActivityKind, Stage
from handoff.lifecycle.decision import Decision
from handoff.lifecycle.engine import evaluate
from handoff.lifecycle.records import Absence, Activity, Company, Contact, Owner
from handoff.lifecycle.roster import RoutingContext

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")

POLICY_TEXT = """\
[policy]
name = "Routing test"
version = "1"

[[behavior.rule]]
label = "Demo request"
activity = "demo_request"
points = 25
high_intent = true

[[behavior.rule]]
label = "Free trial"
activity = "trial_signup"
points = 60

[stages.mql]
fit_minimum = 0
score_minimum = 50

[stages.sql]
requires = ["need", "budget"]

[disqualification.reasons]
no_need = "disqualify"

[routing]
default_team = "inbound"
queue = "Inbound queue"

[[routing.rule]]
label = "Enterprise"
when = { company.employees = { at_least = 1000 } }
team = "enterprise"

[[routing.rule]]
label = "EMEA"
when = { company.country = ["GB", "DE"] }
team = "emea"

[routing.teams.inbound]
name = "Inbound"
timezone = "America/New_York"
INBOUND_HOURS
fallback = "emea"
members = [
INBOUND_MEMBERS
]

[routing.teams.emea]
name = "EMEA"
timezone = "Europe/London"
hours = "Mon-Fri 09:00-17:00"
holidays = "GB"
members = [{ email = "dora@acme.example" }, { email = "eli@acme.example", timezone = "Europe/Berlin" }]

[routing.teams.enterprise]
name = "Enterprise"
timezone = "America/New_York"
fallback = ["inbound"]
manager = "max@acme.example"
members = [{ email = "fay@acme.example", daily_capacity = 2 }]

[sla]
first_touch = "24h"
first_touch_inquiry = "4h"
accept_within = "4h"
discovery_within = "48h"
due_soon = "1h"
escalate_after = "15m"
max_escalations = 2
"""

REPS = ("ana", "ben", "cy", "dora", "eli", "fay")
QUEUE_ID = "q-inbound"

# A Tuesday, 10:00 in New York and 15:00 in London: everyone at work.
TUESDAY_10AM = datetime(2026, 12, 1, 10, 0, tzinfo=NEW_YORK)


def routing_policy(
    *edits: tuple[str, str],
    weights: tuple[int, ...] = (2, 1, 1),
    capacities: tuple[int | None, ...] = (50, 50, 50),
    always_open: bool = False,
) -> Policy:
    """The test policy: Inbound's members `ana`, `ben`, `cy` (and `dan`, given a fourth weight)
    with these weights and daily capacities, then `(old, new)` text edits (each must apply)."""
    members = [
        f'  {{ email = "{name}@acme.example", weight = {weight}'
        + (f", daily_capacity = {capacity}" if capacity else "")
        + " },"
        for name, weight, capacity in zip(("ana", "ben", "cy", "dan"), weights, capacities, strict=False)
    ]
    hours = (
        'hours = "Mon-Sun 00:00-24:00"' if always_open else 'hours = "Mon-Fri 09:00-17:00"\nholidays = "US"'
    )
    text = POLICY_TEXT.replace("INBOUND_MEMBERS", "\n".join(members)).replace("INBOUND_HOURS", hours)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return parse_policy(text, file="routing-test.toml")


POLICY = routing_policy()
ALWAYS_OPEN = routing_policy(capacities=(None, None, None), always_open=True)


def owner(name: str, **fields: Any) -> Owner:
    return Owner(id=name, email=f"{name}@acme.example", name=name.title(), **fields)


def roster(*changed: Owner, extra: tuple[Owner, ...] = ()) -> list[Owner]:
    """Every rep, the manager and the queue; `changed` replace reps of the same id."""
    by_id = {rep.id: rep for rep in changed}
    owners = [by_id.get(name, owner(name)) for name in REPS]
    owners += [owner("max"), Owner(id=QUEUE_ID, name="Inbound queue", queue=True), *extra]
    return owners


def context(*changed: Owner, accounts: dict[str, str] | None = None) -> RoutingContext:
    return RoutingContext.of(roster(*changed), account_owners=accounts)


def away(start: datetime, days: float) -> tuple[Absence, ...]:
    return (Absence(start.astimezone(UTC), (start + timedelta(days=days)).astimezone(UTC)),)


def lead(number: int = 1, *, country: str = "US", employees: int = 200, **fields: Any) -> Contact:
    base: dict[str, Any] = {
        "id": f"lead-{number}",
        "email": f"buyer{number}@customer{number}.example",
        "company": Company(
            name="Customer", domain=f"customer{number}.example", employees=employees, country=country
        ),
    }
    return Contact(**{**base, **fields})


def demo(at: datetime) -> Activity:
    return Activity(f"demo-{at.timestamp():.0f}", ActivityKind.DEMO_REQUEST, at - timedelta(minutes=1))


def trial(at: datetime) -> Activity:
    return Activity(f"trial-{at.timestamp():.0f}", ActivityKind.TRIAL_SIGNUP, at - timedelta(minutes=1))


def touch(kind: ActivityKind, by: str, at: datetime) -> Activity:
    return Activity(f"{kind.value}-{by}-{at.timestamp():.0f}", kind, at, owner_id=by)


def new_mql(
    routing: RoutingContext, at: datetime, number: int = 1, policy: Policy = POLICY, **fields: Any
) -> Decision:
    """A fresh lead requesting a demo at `at`: it becomes an MQL and is routed."""
    return evaluate(lead(number, **fields), [demo(at)], policy, at, routing=routing)


def carried(contact: Contact, decision: Decision) -> Contact:
    """The contact as the runtime would read it next: the decision's stage and owner written back."""
    return replace(
        contact,
        stage=decision.stage,
        stage_entered_at=decision.evaluated_at
        if decision.stage is not contact.stage
        else contact.stage_entered_at,
        mql_at=decision.entered_at(Stage.MQL) or contact.mql_at,
        sal_at=decision.entered_at(Stage.SAL) or contact.sal_at,
        owner_id=decision.owner_id,
        owner_assigned_at=decision.owner_assigned_at,
        escalated_from=decision.escalated_from,
    )
