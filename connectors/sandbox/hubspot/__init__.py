"""A local emulator of the HubSpot API subset handoff uses, with HubSpot's limits and traps,
plus a seeded B2B company ("Acme Analytics") and a simulation of its reps, for tests and the demo.

    sandbox = HubSpotSandbox(seed=0, tier="enterprise", clock=SimulatedClock(start))
    base_url = sandbox.start()          # the real hubspot-api-client: HubSpot(host=base_url, ...)
    seeded = sandbox.seed_company()     # owners, accounts, contacts and their history
    simulation = Simulation(sandbox.state, seed=0, profile="demo_day")
    simulation.advance(clock())         # after moving the clock
"""

from .analytics import EMAIL_CLICK, EMAIL_OPEN, PAGE_VIEW, WebEvent
from .clock import SimulatedClock, utc_now
from .faults import FAULT_KINDS, FaultConfig
from .forms import FormDef, Submission
from .limits import RateLimitConfig
from .owners import Owner, Team
from .records import ChangeSource, PropertyVersion, RecordSnapshot
from .requestlog import LoggedRequest, RequestLog
from .schema import OptionDef, PropertyDef, PropertyGroup
from .server import HubSpotSandbox
from .simulation import (
    NEVER,
    PROFILES,
    REJECTION_REASONS,
    RESPONSIVE,
    SLOW,
    SimEvent,
    Simulation,
    SimulationProfile,
)
from .state import ChangeEvent, SandboxState
from .webhooks import DeliveryAttempt, WebhookConfig, WebhookSubscription, sign_v3
from .world import RepProfile, SeededCompany, roster, seed_company

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
