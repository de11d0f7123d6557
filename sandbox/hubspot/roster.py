"""The sales team as a seeded portal holds it: owners, their user ids, and their seats."""

from __future__ import annotations

from dataclasses import dataclass

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.hubspot.state import SandboxState


@dataclass(frozen=True)
class RepProfile:
    """A rep as HubSpot knows them (the owner id ``hubspot_owner_id`` holds, the user id their
    edits are signed with), with the team and time zone of their seat."""

    owner_id: str
    user_id: int
    email: str
    name: str
    team: str
    timezone: str


def roster(state: SandboxState) -> tuple[RepProfile, ...]:
    """The active reps of a seeded portal in owner id order, with their seats' teams and zones."""
    seats = {seat.email: seat for seat in data.REPS}
    reps: list[RepProfile] = []
    for owner in state.owners():
        if owner.type != "PERSON" or owner.user_id is None:
            continue
        seat = seats.get(owner.email or "")
        team = owner.primary_team.name if owner.primary_team else data.TEAM_NORTH_AMERICA
        reps.append(
            RepProfile(
                owner_id=owner.id,
                user_id=owner.user_id,
                email=owner.email or "",
                name=owner.full_name,
                team=seat.team if seat else team,
                timezone=seat.timezone if seat else "America/New_York",
            )
        )
    return tuple(reps)
