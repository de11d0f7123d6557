"""handoff against the HubSpot sandbox, over HTTP, with the real `hubspot-api-client`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from handoff.config.loader import load_policy
from handoff.config.settings import Settings
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.setup import setup
from handoff.connectors.retry import RetryPolicy
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
from handoff.sync.runtime import Runtime, build_runtime

MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 10:00 in New York, 15:00 in London


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(MONDAY)


@pytest.fixture
def sandbox(clock: SimulatedClock) -> Iterator[HubSpotSandbox]:
    server = HubSpotSandbox(seed=11, tier="professional", clock=clock)
    server.start()
    yield server
    server.stop()
    assert server.internal_errors == []


@pytest.fixture
def sleeps() -> list[float]:
    return []


def connect(sandbox: HubSpotSandbox, sleeps: list[float], **options: Any) -> HubSpotConnector:
    """Retry waits are recorded, not slept; the request budget waits for real (its windows are).
    `options` are the connector's account settings (leads, lifecycle_stages, forms)."""
    return HubSpotConnector.connect(
        sandbox.token,
        sandbox.base_url,
        tier=sandbox.tier,
        policy=load_policy(),
        retry=RetryPolicy(sleep=sleeps.append),
        clock=sandbox.state.clock,
        pace=_wait,
        **options,
    )


def _wait(seconds: float) -> None:
    threading.Event().wait(seconds)


@pytest.fixture
def connector(sandbox: HubSpotSandbox, sleeps: list[float]) -> HubSpotConnector:
    hubspot = connect(sandbox, sleeps)
    setup(hubspot.client, load_policy())
    return hubspot


@pytest.fixture
def runtime(tmp_path: Path, connector: HubSpotConnector, clock: SimulatedClock) -> Iterator[Runtime]:
    settings = Settings(crm="hubspot", database_url=f"sqlite:///{tmp_path}/handoff.db")
    rt = build_runtime(settings, clock=clock, connector=connector)
    yield rt
    rt.close()
