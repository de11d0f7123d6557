"""The HubSpot sandbox as the command line uses it: `handoff sandbox` serves it, `handoff demo`
runs a day on it. The registry names this module; nothing in the runtime imports it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock, Simulation
from handoff.sandbox.hubspot.simulation import SimEvent
from handoff.sandbox.kit.clock import utc_now


class Emulator:
    """A seeded HubSpot portal on a simulated clock, and what handoff needs to connect to it."""

    def __init__(self, *, seed: int, tier: str, clock: Callable[[], datetime]) -> None:
        self.seed = seed
        self.sandbox = HubSpotSandbox(seed=seed, tier=tier, clock=clock)

    def start(self, port: int = 0) -> str:
        return self.sandbox.start(port=port)

    def stop(self) -> None:
        self.sandbox.stop()

    def seed_company(self, contacts: int) -> None:
        self.sandbox.seed_company(contacts=contacts)

    def crm_settings(self) -> dict[str, Any]:
        """The CRM settings (field → value) that point handoff at this portal."""
        return {"token": self.sandbox.token, "base_url": self.sandbox.base_url, "tier": self.sandbox.tier}

    def simulation(self, profile: str) -> Callable[[datetime], list[SimEvent]]:
        """The company's day: call it with each new instant, get what happened since."""
        return Simulation(self.sandbox.state, self.seed, profile=profile).advance


def serve(
    *, echo: Callable[[str], None], seed: int, port: int, contacts: int, tier: str, speed: float
) -> None:
    """Serve a seeded portal whose reps act as (sped-up) time goes by, until Ctrl-C."""
    started = utc_now()
    clock = SimulatedClock(started)
    sandbox = HubSpotSandbox(seed=seed, tier=tier, clock=clock)
    base_url = sandbox.start(port=port)
    sandbox.seed_company(contacts=contacts)
    simulation = Simulation(sandbox.state, seed)
    echo(f"HubSpot sandbox ({tier}) for Acme Analytics at {base_url}, {contacts} contacts, seed {seed}")
    echo("Point handoff at it:")
    echo(f"  export HANDOFF_CRM=hubspot HANDOFF_HUBSPOT_BASE_URL={base_url}")
    echo(f"  export HANDOFF_HUBSPOT_TOKEN={sandbox.token}")
    echo(f"  export HANDOFF_HUBSPOT_TIER={tier}; handoff setup && handoff run")
    stop = threading.Event()
    real_start = time.monotonic()
    try:
        while not stop.wait(1.0):
            clock.set(started + timedelta(seconds=(time.monotonic() - real_start) * speed))
            for event in simulation.advance(clock()):
                echo(f"{event.at:%H:%M} {event.kind:<18} {event.contact_id} {event.detail}")
    except KeyboardInterrupt:
        echo("stopping")
    finally:
        sandbox.stop()
