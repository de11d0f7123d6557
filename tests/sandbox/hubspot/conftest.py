"""Fixtures: a running sandbox on a frozen CRM clock and the real SDK pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from hubspot import HubSpot

from handoff.sandbox.hubspot import HubSpotSandbox, RateLimitConfig, SimulatedClock

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
TOKEN = "sandbox-token"


class SteppedMonotonic:
    """A monotonic clock tests move by hand, so rate-limit windows pass without waiting."""

    def __init__(self) -> None:
        self.value = 1_000.0

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


@pytest.fixture
def sandbox(clock: SimulatedClock) -> Iterator[HubSpotSandbox]:
    """An enterprise portal without throttling (limits have their own tests)."""
    with HubSpotSandbox(
        seed=0, clock=clock, rate_limits=RateLimitConfig.unlimited(), search_short_pages=False
    ) as sb:
        yield sb
        assert sb.internal_errors == []


@pytest.fixture
def client(sandbox: HubSpotSandbox) -> Any:
    return sdk(sandbox)


def sdk(sandbox: HubSpotSandbox) -> Any:
    return HubSpot(access_token=TOKEN, host=sandbox.base_url, base_url=sandbox.base_url)


def api(
    sandbox: HubSpotSandbox,
    method: str,
    path: str,
    *,
    json: Any = None,
    params: Any = None,
    token: str | None = TOKEN,
) -> requests.Response:
    """A raw call, for status codes and headers the SDK hides."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return _SESSION.request(
        method, sandbox.base_url + path, json=json, params=params, headers=headers, timeout=10
    )


_SESSION = requests.Session()
_SESSION.trust_env = False


def value(sandbox: HubSpotSandbox, object_type: str, record_id: str, name: str) -> str | None:
    """A property's current value, read straight from the sandbox's state."""
    record = sandbox.state.get(object_type, record_id)
    assert record is not None, f"{object_type} {record_id} does not exist"
    return record.get(name)
