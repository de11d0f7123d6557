"""Owners (reps and queues) and their teams.

An owner's ``id`` is what ``hubspot_owner_id`` holds; ``userId`` is a different number that looks
just as plausible, which is the trap the sandbox keeps: writing a ``userId`` is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handoff.sandbox.hubspot.clock import iso


@dataclass(frozen=True)
class Team:
    id: str
    name: str


@dataclass(frozen=True)
class Owner:
    id: str
    user_id: int | None
    email: str | None
    first_name: str
    last_name: str
    created_at: datetime
    updated_at: datetime
    type: str = "PERSON"
    teams: tuple[Team, ...] = ()
    primary_team_id: str | None = None
    archived: bool = False
    user_id_including_inactive: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def primary_team(self) -> Team | None:
        for team in self.teams:
            if team.id == self.primary_team_id:
                return team
        return self.teams[0] if self.teams else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "type": self.type,
            "userId": None if self.archived else self.user_id,
            "userIdIncludingInactive": self.user_id_including_inactive or self.user_id,
            "teams": [
                {"id": team.id, "name": team.name, "primary": team.id == self.primary_team_id}
                for team in self.teams
            ],
            "archived": self.archived,
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }
