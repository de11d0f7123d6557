"""``seed_company``: the company's history written into an empty portal, as HubSpot holds it.

The history itself is the company's (``handoff.sandbox.company.history``); this is the HubSpot
side: the renderer that writes it, and what the seeding tells tests, the demo and benchmarks in
HubSpot's ids (owner ids, form ids, record ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handoff.sandbox.company import vocabulary as data
from handoff.sandbox.company.history import write_history
from handoff.sandbox.hubspot.renderer import HubSpotRenderer
from handoff.sandbox.hubspot.roster import RepProfile, roster
from handoff.sandbox.hubspot.state import SandboxState
from handoff.sandbox.kit.clock import to_ms


@dataclass(frozen=True)
class SeededCompany:
    """What was seeded, for tests, the demo's policy and the simulation."""

    now: datetime
    reps: tuple[RepProfile, ...]
    teams: dict[str, str]
    queue_owner_id: str
    former_owner_id: str
    forms: dict[str, str]
    company_ids: tuple[str, ...]
    contact_ids: tuple[str, ...]
    competitor_domains: tuple[str, ...] = tuple(domain for _, domain in data.COMPETITORS)
    personal_domains: tuple[str, ...] = data.PERSONAL_DOMAINS

    def rep(self, email: str) -> RepProfile:
        return next(rep for rep in self.reps if rep.email == email)

    def team_reps(self, team: str) -> list[RepProfile]:
        return [rep for rep in self.reps if rep.team == team]


def seed_company(
    state: SandboxState,
    seed: int,
    *,
    contacts: int = 400,
    companies: int = 150,
    now: datetime | None = None,
    history_days: int = 180,
) -> SeededCompany:
    """Seed an empty portal with Acme Analytics: same seed and ``now``, same portal."""
    if state.count("contacts") or state.owners(archived=None):
        raise ValueError("seed_company expects an empty portal")
    history = write_history(
        HubSpotRenderer(state),
        seed,
        now=to_ms(now or state.clock()),
        leads=contacts,
        accounts=companies,
        days=history_days,
    )
    profiles = {profile.owner_id: profile for profile in roster(state)}
    return SeededCompany(
        now=history.now,
        reps=tuple(profiles[rep.id] for rep in history.reps),
        teams=history.teams,
        queue_owner_id=history.queue_id,
        former_owner_id=history.former_rep_id,
        forms=history.forms,
        company_ids=history.account_ids,
        contact_ids=history.lead_ids,
    )
