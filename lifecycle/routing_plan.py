"""The policy's routing section compiled once: rules as tests, teams with their seats and calendars.

Calendars are shared between every seat and team that work the same hours in the same zone with
the same holidays, so a day's working intervals are computed once for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from handoff.config.policy import Condition, Policy, Team
from handoff.lifecycle.business_time import BusinessCalendar
from handoff.lifecycle.conditions import Test, condition_test, getter
from handoff.lifecycle.records import Contact, Owner


@dataclass(frozen=True, slots=True)
class Seat:
    """A rep's place in a team: weight, daily capacity and the calendar they work."""

    email: str
    team: str
    index: int
    weight: int
    step: float
    capacity: int | None
    calendar: BusinessCalendar
    hours_note: str


@dataclass(frozen=True, slots=True)
class TeamPlan:
    id: str
    name: str
    calendar: BusinessCalendar
    seats: tuple[Seat, ...]
    fallback: tuple[str, ...]
    queue: str | None
    manager: str | None
    calendars: tuple[BusinessCalendar, ...]  # the distinct calendars its reps work
    closed_note: str


@dataclass(frozen=True, slots=True)
class RulePlan:
    label: str
    team: str
    matches: Callable[[Contact], bool]


@dataclass(frozen=True, slots=True)
class RoutingPlan:
    teams: Mapping[str, TeamPlan]
    rules: tuple[RulePlan, ...]
    default_team: str
    account_match: bool
    seats: Mapping[str, Seat]
    queues: frozenset[str]  # casefolded references of every team's queue
    escalate_after: float | None
    max_escalations: int

    def lead_team(self, contact: Contact) -> tuple[str, str | None]:
        """The team the rules pick for this lead, and the rule's label (None: the default team)."""
        for rule in self.rules:
            if rule.matches(contact):
                return rule.team, rule.label
        return self.default_team, None

    def seat_of(self, email: str | None) -> Seat | None:
        return self.seats.get(email.lower()) if email else None

    def is_queue(self, owner: Owner) -> bool:
        """Whether the owner is a queue the policy routes from (named by id, email or name)."""
        names = (owner.id, owner.email, owner.name)
        return owner.queue and any(name and name.casefold() in self.queues for name in names)


def compile_routing(policy: Policy) -> RoutingPlan | None:
    routing = policy.routing
    if routing is None:
        return None
    calendars = Calendars()
    teams = {
        team_id: _team(team_id, team, routing.queue, calendars) for team_id, team in routing.teams.items()
    }
    seats = {seat.email: seat for team in teams.values() for seat in team.seats}
    queues = {team.queue.casefold() for team in teams.values() if team.queue}
    sla = policy.sla
    return RoutingPlan(
        teams=MappingProxyType(teams),
        rules=tuple(
            RulePlan(rule.label, rule.team, _predicate(rule.when, policy.lists)) for rule in routing.rule
        ),
        default_team=routing.default_team,
        account_match=routing.account_match,
        seats=MappingProxyType(seats),
        queues=frozenset(queues),
        escalate_after=sla.escalate_after * 60.0 if sla and sla.escalate_after else None,
        max_escalations=sla.max_escalations if sla else 0,
    )


class Calendars:
    """One calendar per distinct (time zone, hours, holidays), shared by the teams and reps using it."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, str, tuple[str, ...]], BusinessCalendar] = {}

    def get(self, timezone: str, hours: str, regions: tuple[str, ...]) -> BusinessCalendar:
        key = (timezone, hours, regions)
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = BusinessCalendar(timezone, hours, regions)
        return made


def _team(team_id: str, team: Team, default_queue: str | None, calendars: Calendars) -> TeamPlan:
    seats = []
    for index, member in enumerate(team.members):
        calendar = calendars.get(
            member.timezone or team.timezone,
            member.hours or team.hours,
            member.holidays if member.holidays is not None else team.holidays,
        )
        seats.append(
            Seat(
                email=member.email,
                team=team_id,
                index=index,
                weight=member.weight,
                step=1.0 / member.weight if member.weight else 0.0,
                capacity=member.daily_capacity,
                calendar=calendar,
                hours_note=f"works {calendar.label}",
            )
        )
    worked = tuple(dict.fromkeys(seat.calendar for seat in seats))
    return TeamPlan(
        id=team_id,
        name=team.label(team_id),
        calendar=calendars.get(team.timezone, team.hours, team.holidays),
        seats=tuple(seats),
        fallback=team.fallback,
        queue=team.queue or default_queue,
        manager=team.manager,
        calendars=worked,
        closed_note="nobody works now; " + " | ".join(calendar.label for calendar in worked),
    )


def _predicate(
    when: Mapping[str, Condition], lists: Mapping[str, tuple[str, ...]]
) -> Callable[[Contact], bool]:
    """All of a rule's tests as one function; most rules test one field, which gets a direct call."""
    tests = tuple((getter(field), _test(field, condition, lists)) for field, condition in when.items())
    if len(tests) == 1:
        ((get, test),) = tests
        return lambda contact: test(get(contact))
    return lambda contact: all(test(get(contact)) for get, test in tests)


def _test(field: str, condition: Condition, lists: Mapping[str, tuple[str, ...]]) -> Test:
    return condition_test(condition, lists, field)[0]
