"""The [routing] and [sla] sections: refused with file, line and field when wrong, read right when not."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.config.business_time import (
    check_holiday_region,
    format_duration,
    format_hours,
    parse_duration,
    parse_hours,
)
from handoff.config.loader import DEFAULT_POLICY_PATH, PolicyError, load_policy, parse_policy
from handoff.config.summary import describe_policy
from handoff.config.vocabulary import ActivityKind

VALID = """\
[policy]
name = "Routing contract"
version = "1"

[stages.mql]
fit_minimum = 0
score_minimum = 50

[stages.sql]
requires = ["need"]

[disqualification.reasons]
no_need = "disqualify"

[lists]
dach = ["DE", "AT", "CH"]

[routing]
default_team = "na"
queue = "Unassigned leads queue"

[[routing.rule]]
label = "DACH"
when = { company.country = { in_list = "dach" } }
team = "emea"

[[routing.rule]]
label = "Big UK accounts"
when = { "company.country" = "GB", "company.employees" = { at_least = 1000 } }
team = "emea"

[routing.teams.na]
name = "North America"
timezone = "America/New_York"
hours = "Mon-Fri 09:00-17:00"
holidays = "US"
fallback = "emea"
members = [
  { email = "Ana.Silva@acme.example", weight = 2, daily_capacity = 25 },
  { email = "marcus.johnson@acme.example", timezone = "America/Los_Angeles" },
]

[routing.teams.emea]
timezone = "Europe/London"
hours = ["Mon-Thu 09:00-17:30", "Fri 09:00-16:00"]
holidays = ["GB-ENG"]
manager = "olivia.brooks@acme.example"
members = [{ email = "sophie.martin@acme.example", holidays = "GB" }]

[sla]
first_touch = "24h"
first_touch_inquiry = "4h"
accept_within = "4h"
discovery_within = "48h"
due_soon = "1h30m"
escalate_after = "15m"
"""


def broken(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


# name, (old, new), field, message (a fragment), the text on the expected line
CASES = [
    (
        "unknown team in a rule",
        ('team = "emea"', 'team = "emae"'),
        "routing.rule[0].team",
        "no team named 'emae'; did you mean 'emea'?",
        'team = "emae"',
    ),
    (
        "unknown default team",
        ('default_team = "na"', 'default_team = "apac"'),
        "routing.default_team",
        "no team named 'apac' (known teams: emea, na)",
        "default_team",
    ),
    (
        "unknown fallback team",
        ('fallback = "emea"', 'fallback = ["emea", "apac"]'),
        "routing.teams.na.fallback[1]",
        "no team named 'apac'",
        "fallback =",
    ),
    (
        "a team falling back to itself",
        ('fallback = "emea"', 'fallback = "na"'),
        "routing.teams.na.fallback[0]",
        "a team cannot fall back to itself",
        "fallback =",
    ),
    (
        "a member without email",
        ('{ email = "marcus.johnson@acme.example", timezone', "{ timezone"),
        "routing.teams.na.members[1].email",
        "required key is missing",
        '{ timezone = "America/Los_Angeles" }',
    ),
    (
        "a member email that is not one",
        ('"marcus.johnson@acme.example"', '"marcus.johnson"'),
        "routing.teams.na.members[1].email",
        "'marcus.johnson' is not an email address",
        '"marcus.johnson"',
    ),
    (
        "a rep in two teams",
        ('"sophie.martin@acme.example"', '"ana.silva@acme.example"'),
        "routing.teams.emea.members[0].email",
        "already a member of team 'na'",
        '"ana.silva@acme.example"',
    ),
    (
        "an hour that does not exist",
        ('hours = "Mon-Fri 09:00-17:00"', 'hours = "Mon-Fri 25:00-17:00"'),
        "routing.teams.na.hours",
        "'25:00' is not a time of day",
        "25:00",
    ),
    (
        "hours that end before they start",
        ('hours = "Mon-Fri 09:00-17:00"', 'hours = "Mon-Fri 17:00-09:00"'),
        "routing.teams.na.hours",
        "'17:00-09:00' ends before it starts",
        "17:00-09:00",
    ),
    (
        "a day that is not one",
        ('hours = "Mon-Fri 09:00-17:00"', 'hours = "Mon-Fry 09:00-17:00"'),
        "routing.teams.na.hours",
        "'Fry' is not a day; did you mean 'fri'?",
        "Mon-Fry",
    ),
    (
        "overlapping hours",
        ('"Fri 09:00-16:00"', '"Thu 09:00-16:00"'),
        "routing.teams.emea.hours",
        "hours overlap on Thu",
        "Thu 09:00-16:00",
    ),
    (
        "an unknown holiday country",
        ('holidays = "US"', 'holidays = "XX"'),
        "routing.teams.na.holidays[0]",
        "unknown holiday country 'XX'",
        'holidays = "XX"',
    ),
    (
        "an unknown holiday subdivision",
        ('holidays = ["GB-ENG"]', 'holidays = ["GB-XYZ"]'),
        "routing.teams.emea.holidays[0]",
        "unknown subdivision 'XYZ' of GB (known: ENG, NIR, SCT, WLS)",
        "GB-XYZ",
    ),
    (
        "an unknown time zone for a member",
        ('timezone = "America/Los_Angeles"', 'timezone = "America/Los_Angles"'),
        "routing.teams.na.members[1].timezone",
        "unknown time zone 'America/Los_Angles'",
        "Los_Angles",
    ),
    (
        "a negative weight",
        ("weight = 2", "weight = -2"),
        "routing.teams.na.members[0].weight",
        "greater than or equal to 0",
        "weight = -2",
    ),
    (
        "a capacity of zero",
        ("daily_capacity = 25", "daily_capacity = 0"),
        "routing.teams.na.members[0].daily_capacity",
        "greater than or equal to 1",
        "daily_capacity = 0",
    ),
    (
        "an unknown field in a rule",
        ('"company.employees" = { at_least', '"company.employes" = { at_least'),
        "routing.rule[1].when.company.employes",
        "did you mean 'company.employees'?",
        "company.employes",
    ),
    (
        "two operators on one test",
        ("{ at_least = 1000 }", "{ at_least = 1000, at_most = 10 }"),
        "routing.rule[1].when.company.employees",
        "give exactly one operator",
        "at_most = 10",
    ),
    (
        "an unknown list in a rule",
        ('{ in_list = "dach" }', '{ in_list = "dahc" }'),
        "routing.rule[0].when.company.country.in_list",
        "no list named 'dahc'; did you mean 'dach'?",
        '"dahc"',
    ),
    (
        "a rule without tests",
        ('when = { company.country = { in_list = "dach" } }', "when = {}"),
        "routing.rule[0].when",
        "at least 1 item",
        "when = {}",
    ),
    (
        "no queue or manager anywhere",
        ('queue = "Unassigned leads queue"\n', ""),
        "routing.teams.na",
        "no queue or manager receives the leads nobody can take",
        "[routing.teams.na]",
    ),
    (
        "a duration that is not one",
        ('escalate_after = "15m"', 'escalate_after = "15 minutes"'),
        "sla.escalate_after",
        "'15 minutes' is not a duration",
        "escalate_after",
    ),
    (
        "a duration as a bare number",
        ('first_touch = "24h"', "first_touch = 24"),
        "sla.first_touch",
        "expected a duration such as '4h'",
        "first_touch = 24",
    ),
    (
        "an unknown key in a team",
        ('name = "North America"', 'nmae = "North America"'),
        "routing.teams.na.nmae",
        "unknown key; did you mean 'name'?",
        "nmae",
    ),
    (
        "a team whose members are all paused",
        (
            'members = [{ email = "sophie.martin@acme.example", holidays = "GB" }]',
            'members = [{ email = "sophie.martin@acme.example", holidays = "GB", weight = 0 }]',
        ),
        "routing.teams.emea.members",
        "every member has weight 0: the team can receive no lead",
        'members = [{ email = "sophie',
    ),
    (
        "an unknown inquiry activity",
        ('escalate_after = "15m"', 'escalate_after = "15m"\ninquiry_activities = ["demo"]'),
        "sla.inquiry_activities[0]",
        "Input should be 'page_view'",
        "inquiry_activities",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_routing_and_sla_are_refused_with_file_line_and_field(
    case: tuple[str, tuple[str, str], str, str, str], tmp_path: Path
) -> None:
    name, edit, field, message, on_line = case
    source = broken(*edit)
    path = tmp_path / "policy.toml"
    path.write_text(source)
    line = next(number for number, text in enumerate(source.splitlines(), start=1) if on_line in text)

    with pytest.raises(PolicyError) as refused:
        load_policy(path)

    prefix = f"{path}:{line}: {field}: "
    matching = [str(p) for p in refused.value.problems if str(p).startswith(prefix)]
    assert matching, f"{name}: expected {prefix}… in\n{refused.value}"
    assert any(message in text for text in matching), f"{name}: {matching}"


def test_the_valid_routing_policy_reads_as_written() -> None:
    policy = parse_policy(VALID)

    routing, sla = policy.routing, policy.sla
    assert routing is not None
    assert sla is not None
    assert routing.rule[0].when["company.country"].in_list == "dach"  # dotted key, flattened
    assert routing.rule[1].when["company.country"].equals == "GB"  # a bare value is `equals`
    assert routing.rule[1].when["company.employees"].at_least == 1000
    na = routing.teams["na"]
    assert na.fallback == ("emea",)
    assert na.members[0].email == "ana.silva@acme.example"  # emails compare without case
    assert (na.members[0].weight, na.members[0].daily_capacity) == (2, 25)
    assert (na.members[1].weight, na.members[1].daily_capacity) == (1, None)
    assert routing.teams["emea"].hours == "Mon-Thu 09:00-17:30; Fri 09:00-16:00"
    assert (sla.first_touch, sla.first_touch_inquiry, sla.due_soon, sla.escalate_after) == (1440, 240, 90, 15)
    assert sla.inquiry_activities == (ActivityKind.DEMO_REQUEST, ActivityKind.CONTACT_REQUEST)
    assert sla.max_escalations == 2


def test_routing_and_sla_are_optional() -> None:
    without = VALID[: VALID.index("[routing]")]

    policy = parse_policy(without)

    assert (policy.routing, policy.sla) == (None, None)


def test_the_shipped_policy_routes_the_demo_company() -> None:
    shipped = load_policy(DEFAULT_POLICY_PATH)

    routing, sla = shipped.routing, shipped.sla
    assert routing is not None
    assert sla is not None
    assert set(routing.teams) == {"north_america", "emea", "enterprise"}
    assert [team.name for team in routing.teams.values()] == ["North America", "EMEA", "Enterprise"]
    emails = [member.email for team in routing.teams.values() for member in team.members]
    assert len(emails) == 12
    assert all(email.endswith("@acme.example") for email in emails)
    assert routing.queue == "Unassigned leads queue"
    assert {rule.team for rule in routing.rule} == {"emea", "enterprise"}
    assert (sla.first_touch, sla.first_touch_inquiry, sla.accept_within, sla.discovery_within) == (
        1440,
        240,
        240,
        2880,
    )
    assert sla.escalate_after == 15


def test_the_summary_shows_routing_and_sla() -> None:
    lines = describe_policy(parse_policy(VALID))

    text = "\n".join(lines)
    assert "Routing: 2 rules, else North America; account owners first" in text
    assert "  DACH  [company.country in_list dach] → emea" in text
    assert (
        "North America: 2 reps (weights 2,1; capacity unlimited), Mon-Fri 09:00-17:00 America/New_York, "
        in text
    )
    assert "then emea → queue 'Unassigned leads queue'" in text
    assert "manager olivia.brooks@acme.example" in text
    assert (
        "SLA (business time): first touch 24h (4h after demo_request, contact_request), accept 4h, "
        "discovery 48h from SAL; due soon 1h30m before; escalate after 15m, at most 2 times"
    ) in text


HOURS = [
    ("Mon-Fri 09:00-17:00", "Mon-Fri 09:00-17:00"),
    ("mon-fri 9:00-17:00", "Mon-Fri 09:00-17:00"),
    ("Monday-Friday 09:00-12:00 13:00-17:00", "Mon-Fri 09:00-12:00 13:00-17:00"),
    ("Sat,Sun 10:00-14:00; Mon-Fri 08:00-18:00", "Mon-Fri 08:00-18:00; Sat-Sun 10:00-14:00"),
    ("Mon-Sun 00:00-24:00", "Mon-Sun 00:00-24:00"),
    ("Mon,Wed,Fri 09:00-17:00", "Mon 09:00-17:00; Wed 09:00-17:00; Fri 09:00-17:00"),
]


@pytest.mark.parametrize(("text", "canonical"), HOURS)
def test_working_hours_read_and_print_back(text: str, canonical: str) -> None:
    assert format_hours(parse_hours(text)) == canonical


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Mon-Fri", "has days but no hours"),
        ("Mon-Fri 09:00", "not a range of hours"),
        ("Fri-Mon 09:00-17:00", "the days run backwards"),
        ("Mon 24:00-24:00", "24:00 can only end a range"),
        ("Mon 09:60-17:00", "'09:60' is not a time of day"),
        ("", "no working hours given"),
    ],
)
def test_bad_working_hours_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_hours(text)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("4h", 240), ("15m", 15), ("1h30m", 90), ("90m", 90), ("48h", 2880), ("2h 5min", 125)],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes
    assert parse_duration(format_duration(minutes)) == minutes


@pytest.mark.parametrize("text", ["", "0m", "4", "4d", "-1h", "h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("code", "region"), [("us", "US"), ("gb-eng", "GB-ENG"), ("DE-augsburg", "DE-Augsburg")]
)
def test_holiday_regions_take_the_library_spelling(code: str, region: str) -> None:
    assert check_holiday_region(code) == region
