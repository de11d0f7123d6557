"""A synthetic sales floor for the routing benchmark: 50 reps in 5 teams around the world.

Follow-the-sun fallbacks, mixed weights and capacities, member time zones and holidays, and a
queue of last resort, so the benchmark exercises every branch a real roster does.
"""

from __future__ import annotations

from handoff.config.loader import DEFAULT_POLICY_PATH, parse_policy
from handoff.config.policy import Policy
from handoff.lifecycle.records import Absence, Owner

QUEUE = "Unassigned leads queue"
TEAMS: tuple[tuple[str, str, str, str, str], ...] = (
    # id, time zone, holidays, countries routed to it, fallback team
    ("us_east", "America/New_York", "US", '"US", "CA"', "us_west"),
    ("us_west", "America/Los_Angeles", "US", '"MX"', "us_east"),
    ("uk", "Europe/London", "GB-ENG", '"GB", "IE"', "dach"),
    ("dach", "Europe/Berlin", "DE-BE", '"DE", "AT", "CH"', "uk"),
    ("apac", "Australia/Sydney", "AU-NSW", '"AU", "NZ", "SG"', "us_west"),
)
REPS_PER_TEAM = 10


def rep_email(team: str, index: int) -> str:
    return f"{team}.rep{index}@acme.example"


def bench_policy() -> Policy:
    """The shipped scoring and SLA sections with a 50-rep routing section."""
    shipped = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    head, _, rest = shipped.partition("\n[routing]\n")
    sla = rest[rest.index("\n[sla]\n") :]
    return parse_policy(
        head + _routing() + sla, file="bench-policy.toml", base_dir=DEFAULT_POLICY_PATH.parent
    )


def bench_owners(now_day: int = 0) -> list[Owner]:
    """Every rep as a CRM owner; one in ten deactivated or on leave, so skipping is exercised."""
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(days=now_day)
    owners = [Owner(id="queue", name=QUEUE, queue=True)]
    for team, *_ in TEAMS:
        for index in range(REPS_PER_TEAM):
            email = rep_email(team, index)
            away = (Absence(start + timedelta(days=7), start + timedelta(days=14)),) if index == 3 else ()
            owners.append(Owner(id=email, email=email, active=index != 9, out_of_office=away))
    return owners


def _routing() -> str:
    lines = ["\n[routing]", 'default_team = "us_east"', f'queue = "{QUEUE}"', ""]
    for team, _, _, countries, _ in TEAMS:
        lines += [
            "[[routing.rule]]",
            f'label = "{team} territory"',
            f'when = {{ "company.country" = [{countries}] }}',
            f'team = "{team}"',
            "",
        ]
    for team, timezone, holidays, _, fallback in TEAMS:
        lines += [
            f"[routing.teams.{team}]",
            f'timezone = "{timezone}"',
            'hours = "Mon-Fri 08:00-18:00"',
            f'holidays = "{holidays}"',
            f'fallback = ["{fallback}"]',
            "members = [",
        ]
        for index in range(REPS_PER_TEAM):
            weight = 1 + index % 3
            lines.append(
                f'  {{ email = "{rep_email(team, index)}", weight = {weight}, daily_capacity = 40 }},'
            )
        lines += ["]", ""]
    return "\n".join(lines)
