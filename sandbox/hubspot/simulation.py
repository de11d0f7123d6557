"""The company's simulation, run against a HubSpot portal: ``Simulation`` and its story.

New leads arrive and browse, existing ones keep engaging, and reps act on the leads handoff has
routed to them, only through the CRM fields handoff reads: they accept (``hs_lead_status`` =
``IN_PROGRESS``), log a first touch, document BANT evidence in ``handoff_*`` properties, or reject
with ``handoff_disqualification_reason`` (or, as reps do, without a reason). What they do is the
company's (``handoff.sandbox.company.simulation``); how it lands in HubSpot is the renderer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from handoff.sandbox.company.profiles import SimulationProfile
from handoff.sandbox.company.simulation import CompanySimulation
from handoff.sandbox.hubspot.narration import SimEvent
from handoff.sandbox.hubspot.renderer import HubSpotRenderer
from handoff.sandbox.hubspot.state import SandboxState

# ``advance`` returns SimEvents: callers of the simulation import both from here.
__all__ = ["SimEvent", "Simulation"]


class Simulation:
    """Moves a seeded portal forward; call ``advance(until)`` as the sandbox clock moves.

    ``personas`` overrides reps' personas by email or owner id; ``events`` is the whole story so
    far, oldest first.
    """

    def __init__(
        self,
        state: SandboxState,
        seed: int,
        *,
        profile: str | SimulationProfile = "steady",
        start: datetime | None = None,
        personas: Mapping[str, str] | None = None,
    ) -> None:
        self.events: list[SimEvent] = []
        self._company = CompanySimulation(
            HubSpotRenderer(state, narration=self.events),
            seed,
            start=start or state.clock(),
            profile=profile,
            personas=personas,
        )

    @property
    def personas(self) -> dict[str, str]:
        """Persona by owner id."""
        return self._company.personas

    def advance(self, until: datetime) -> list[SimEvent]:
        """Simulate up to ``until``; returns what happened in this step."""
        first = len(self.events)
        self._company.advance(until)
        return self.events[first:]

    def persona(self, owner_id: str) -> str:
        return self._company.persona(owner_id)
