"""A simulated month (or day) at Acme Analytics, on top of a CRM that holds its history.

New leads arrive and browse, existing ones keep engaging (``market``), and reps act on the leads
handoff has routed to them (``reps``), all written into the CRM through its port. Every draw is
seeded by what it concerns (the hour, the lead and rep), so the outcome depends only on the seed,
the CRM's contents and the ``advance`` calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from handoff.sandbox.company.agenda import Agenda
from handoff.sandbox.company.market import Market
from handoff.sandbox.company.personas import RESPONSIVE, deal_personas
from handoff.sandbox.company.port import CrmPort
from handoff.sandbox.company.profiles import PROFILES, SimulationProfile
from handoff.sandbox.company.reps import SalesTeam
from handoff.sandbox.kit.clock import to_ms


class CompanySimulation:
    """Moves the company forward from ``start``; call ``advance(until)`` as the CRM clock moves."""

    def __init__(
        self,
        crm: CrmPort,
        seed: int,
        *,
        start: datetime,
        profile: str | SimulationProfile = "steady",
        personas: Mapping[str, str] | None = None,
    ) -> None:
        chosen = PROFILES[profile] if isinstance(profile, str) else profile
        self.now = to_ms(start)
        reps = {rep.id: rep for rep in crm.reps()}
        self.personas = deal_personas(list(reps.values()), chosen, seed, personas or {})
        self._agenda = Agenda()
        self._market = Market(crm, seed, chosen, self.now, self._agenda)
        self._team = SalesTeam(
            crm, seed, profile=chosen, reps=reps, personas=self.personas, agenda=self._agenda
        )
        self._market.plan_burst()

    def advance(self, until: datetime) -> None:
        """Simulate up to ``until`` (a moment already passed does nothing)."""
        until = to_ms(until)
        if until <= self.now:
            return
        self._team.plan(self.now)
        self._market.plan_hours(until)
        self._agenda.run_until(until)
        self.now = until

    def persona(self, rep_id: str) -> str:
        return self.personas.get(rep_id, RESPONSIVE)
