"""What round robin remembers between leads: per rep, today's count, the running load, the last lead.

An explicit immutable value, passed into `evaluate` and returned with the decision, so the runtime
can persist it between cycles and a backtest can replay it. It stays small whatever the volume:
one entry per rep and one number per team, never a history of assignments.

Fairness counts assignments, not turns. A rep's `load` is assignments divided by weight; the
eligible rep with the least load gets the next lead. Each team keeps a `level`, the load at which
its last lead was given; a rep whose load fell behind it (back from leave, off shift, new, at
capacity all day) is treated as being at that level, so they rejoin the rotation at their share
instead of receiving a catch-up burst, and adding or removing a rep never resets anyone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Annotated, Any, NamedTuple

from annotated_types import Ge
from pydantic import AwareDatetime, ConfigDict, TypeAdapter, ValidationError

FORMAT_VERSION = 1


class RepLoad(NamedTuple):
    """One rep's counters. `day` is the rep's local date `today` counts for (daily capacity)."""

    day: int
    today: int
    total: int
    load: float
    last_assigned_at: float | None


class TeamLoad(NamedTuple):
    level: float
    reps: MappingProxyType[str, RepLoad]


_NO_TEAMS: MappingProxyType[str, TeamLoad] = MappingProxyType({})
NO_REPS: MappingProxyType[str, RepLoad] = MappingProxyType({})
# Built with tuple.__new__: routing creates a state per lead and a NamedTuple's own __new__ is
# a Python call, several times slower.
_new = tuple.__new__


class RoutingState(NamedTuple):
    """Teams by id, each with its reps by email; every assignment returns a new value.

    Start from `RoutingState()` (empty) or a persisted `RoutingState.from_json(...)`. The
    mappings are read-only views, so a state handed out can never change under its holder.
    """

    teams: MappingProxyType[str, TeamLoad] = _NO_TEAMS

    def team(self, team_id: str) -> TeamLoad | None:
        return self.teams.get(team_id)

    def rep(self, team_id: str, email: str) -> RepLoad | None:
        team = self.teams.get(team_id)
        return team.reps.get(email) if team is not None else None

    def assigned(
        self, team_id: str, email: str, *, day: int, at: float, load: float, level: float | None
    ) -> RoutingState:
        """The state after giving a lead to `email`.

        The team's level moves to `level` when the lead came from the rotation; an account match
        (`level=None`) counts for the rep without moving the rotation.
        """
        team = self.teams.get(team_id)
        if team is None:
            team = _new(TeamLoad, (0.0, NO_REPS))
        before = team.reps.get(email)
        if before is None:
            rep = _new(RepLoad, (day, 1, 1, load, at))
        else:
            today = before.today + 1 if before.day == day else 1
            rep = _new(RepLoad, (day, today, before.total + 1, load, at))
        reps = team.reps.copy()
        reps[email] = rep
        teams = self.teams.copy()
        moved = team.level if level is None or level < team.level else level
        teams[team_id] = _new(TeamLoad, (moved, MappingProxyType(reps)))
        return _new(RoutingState, (MappingProxyType(teams),))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; `from_dict` reads it back to an equal state."""
        return {
            "version": FORMAT_VERSION,
            "teams": {
                team_id: {
                    "level": team.level,
                    "reps": {
                        email: {
                            "day": date.fromordinal(rep.day).isoformat(),
                            "today": rep.today,
                            "total": rep.total,
                            "load": rep.load,
                            "last_assigned_at": _iso(rep.last_assigned_at),
                        }
                        for email, rep in sorted(team.reps.items())
                    },
                }
                for team_id, team in sorted(self.teams.items())
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Any) -> RoutingState:
        """Read `to_dict` output; a malformed state raises `ValueError` naming the field."""
        try:
            wire = _WIRE.validate_python(data)
        except ValidationError as error:
            raise ValueError(_describe(error)) from error
        return cls._from_wire(wire)

    @classmethod
    def from_json(cls, text: str | bytes) -> RoutingState:
        try:
            wire = _WIRE.validate_json(text)
        except ValidationError as error:
            raise ValueError(_describe(error)) from error
        return cls._from_wire(wire)

    @classmethod
    def _from_wire(cls, wire: _StateWire) -> RoutingState:
        if wire.version != FORMAT_VERSION:
            raise ValueError(f"not a routing state: version {wire.version} (expected {FORMAT_VERSION})")
        teams = {
            team_id: TeamLoad(
                team.level,
                MappingProxyType(
                    {
                        email.lower(): RepLoad(
                            rep.day.toordinal(),
                            rep.today,
                            rep.total,
                            rep.load,
                            rep.last_assigned_at.timestamp() if rep.last_assigned_at else None,
                        )
                        for email, rep in team.reps.items()
                    }
                ),
            )
            for team_id, team in wire.teams.items()
        }
        return cls(MappingProxyType(teams))


def _iso(at: float | None) -> str | None:
    return datetime.fromtimestamp(at, UTC).isoformat() if at is not None else None


_STRICT = ConfigDict(extra="forbid")
Count = Annotated[int, Ge(0)]


@dataclass(frozen=True)
class _RepWire:
    __pydantic_config__ = _STRICT

    day: date
    today: Count
    total: Count
    load: Annotated[float, Ge(0)]
    last_assigned_at: AwareDatetime | None = None


@dataclass(frozen=True)
class _TeamWire:
    __pydantic_config__ = _STRICT

    level: Annotated[float, Ge(0)] = 0.0
    reps: dict[str, _RepWire] = field(default_factory=dict)


@dataclass(frozen=True)
class _StateWire:
    __pydantic_config__ = _STRICT

    version: int = FORMAT_VERSION
    teams: dict[str, _TeamWire] = field(default_factory=dict)


_WIRE = TypeAdapter(_StateWire)


def _describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors(include_url=False):
        path = ".".join(str(part) for part in detail["loc"])
        unknown = detail["type"] in ("extra_forbidden", "unexpected_keyword_argument")
        message = "unknown field" if unknown else detail["msg"]
        problems.append(f"{path}: {message}" if path else message)
    return "not a routing state: " + "; ".join(problems)
