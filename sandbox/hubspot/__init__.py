"""A local emulator of the HubSpot API subset handoff uses, with HubSpot's limits and traps, and
the renderer that writes the sandbox's company ("Acme Analytics", ``handoff.sandbox.company``)
into it: its seeded history and a simulation of its reps, for tests and the demo. The generic
parts (clock, faults, request log) come from ``handoff.sandbox.kit`` and are re-exported here.

    sandbox = HubSpotSandbox(seed=0, tier="enterprise", clock=SimulatedClock(start))
    base_url = sandbox.start()          # the real hubspot-api-client: HubSpot(host=base_url, ...)
    seeded = sandbox.seed_company()     # owners, accounts, contacts and their history
    simulation = Simulation(sandbox.state, seed=0, profile="demo_day")
    simulation.advance(clock())         # after moving the clock
"""

from handoff.sandbox.company.personas import NEVER, RESPONSIVE, SLOW
from handoff.sandbox.company.profiles import PROFILES, SimulationProfile
from handoff.sandbox.company.qualification import REJECTION_REASONS
from handoff.sandbox.hubspot.analytics import EMAIL_CLICK, EMAIL_OPEN, PAGE_VIEW, WebEvent
from handoff.sandbox.hubspot.forms import FormDef, Submission
from handoff.sandbox.hubspot.limits import RateLimitConfig
from handoff.sandbox.hubspot.narration import SimEvent
from handoff.sandbox.hubspot.owners import Owner, Team
from handoff.sandbox.hubspot.records import ChangeSource, PropertyVersion, RecordSnapshot
from handoff.sandbox.hubspot.roster import RepProfile, roster
from handoff.sandbox.hubspot.schema import OptionDef, PropertyDef, PropertyGroup
from handoff.sandbox.hubspot.seeding import SeededCompany, seed_company
from handoff.sandbox.hubspot.server import HubSpotSandbox
from handoff.sandbox.hubspot.simulation import Simulation
from handoff.sandbox.hubspot.state import ChangeEvent, SandboxState
from handoff.sandbox.hubspot.webhooks import DeliveryAttempt, WebhookConfig, WebhookSubscription, sign_v3
from handoff.sandbox.kit.clock import SimulatedClock, utc_now
from handoff.sandbox.kit.faults import FAULT_KINDS, FaultConfig
from handoff.sandbox.kit.requestlog import LoggedRequest, RequestLog

__all__ = [
    "EMAIL_CLICK",
    "EMAIL_OPEN",
    "FAULT_KINDS",
    "NEVER",
    "PAGE_VIEW",
    "PROFILES",
    "REJECTION_REASONS",
    "RESPONSIVE",
    "SLOW",
    "ChangeEvent",
    "ChangeSource",
    "DeliveryAttempt",
    "FaultConfig",
    "FormDef",
    "HubSpotSandbox",
    "LoggedRequest",
    "OptionDef",
    "Owner",
    "PropertyDef",
    "PropertyGroup",
    "PropertyVersion",
    "RateLimitConfig",
    "RecordSnapshot",
    "RepProfile",
    "RequestLog",
    "SandboxState",
    "SeededCompany",
    "SimEvent",
    "SimulatedClock",
    "Simulation",
    "SimulationProfile",
    "Submission",
    "Team",
    "WebEvent",
    "WebhookConfig",
    "WebhookSubscription",
    "roster",
    "seed_company",
    "sign_v3",
    "utc_now",
]
