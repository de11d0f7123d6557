"""Seeded fault injection: the same seed fails the same requests, and never half-applies one."""

from __future__ import annotations

import time

import pytest
import requests

from handoff.sandbox.hubspot import (
    FaultConfig,
    HubSpotSandbox,
    RateLimitConfig,
    SimulatedClock,
)

from .conftest import TOKEN, api, value


def _run(clock: SimulatedClock, faults: FaultConfig) -> tuple[list[int], list[str | None]]:
    with HubSpotSandbox(clock=clock, faults=faults, rate_limits=RateLimitConfig.unlimited()) as sandbox:
        statuses = [api(sandbox, "GET", "/crm/v3/owners").status_code for _ in range(24)]
        return statuses, [entry.fault for entry in sandbox.request_log]


def test_same_seed_same_faults(clock: SimulatedClock) -> None:
    faults = FaultConfig(seed=7, rate=0.3, kinds={"429", "500", "503"})

    first = _run(clock, faults)
    second = _run(clock, faults)
    other = _run(clock, FaultConfig(seed=8, rate=0.3, kinds={"429", "500", "503"}))

    assert first == second
    assert first != other
    statuses, marks = first
    assert set(statuses) - {200} <= {429, 500, 503}
    assert 5 < statuses.count(200) < 22
    assert [s != 200 for s in statuses] == [m is not None for m in marks]


def test_faulted_writes_never_apply(clock: SimulatedClock) -> None:
    faults = FaultConfig(seed=3, rate=0.5, kinds={"500", "503", "429"})
    with HubSpotSandbox(clock=clock, faults=faults, rate_limits=RateLimitConfig.unlimited()) as sb:
        contact = sb.state.create("contacts", {"email": "f@x.example"}).id
        applied = []
        for index in range(20):
            answer = api(
                sb,
                "PATCH",
                f"/crm/v3/objects/contacts/{contact}",
                json={"properties": {"jobtitle": f"title {index}"}},
            )
            if answer.status_code == 200:
                applied.append(f"title {index}")
        history = [v.value for v in sb.state.history("contacts", contact, "jobtitle")]

    assert 0 < len(applied) < 20
    assert history == list(reversed(applied))


def test_throttle_fault_looks_like_the_real_429(clock: SimulatedClock) -> None:
    with HubSpotSandbox(clock=clock, faults=FaultConfig(rate=1.0, kinds={"429"})) as sandbox:
        answer = api(sandbox, "GET", "/crm/v3/owners")
    assert answer.status_code == 429
    assert answer.json()["policyName"] == "TEN_SECONDLY_ROLLING"


def test_bad_gateway_is_html(clock: SimulatedClock) -> None:
    with HubSpotSandbox(clock=clock, faults=FaultConfig(rate=1.0, kinds={"502"})) as sandbox:
        answer = api(sandbox, "GET", "/crm/v3/owners")
    assert answer.status_code == 502
    assert answer.headers["Content-Type"].startswith("text/html")


def test_dropped_connection(clock: SimulatedClock) -> None:
    with HubSpotSandbox(clock=clock, faults=FaultConfig(rate=1.0, kinds={"drop"})) as sandbox:
        with pytest.raises(requests.ConnectionError):
            requests.get(
                sandbox.base_url + "/crm/v3/owners",
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=5,
            )
        [entry] = sandbox.request_log
    assert (entry.status, entry.fault, entry.dropped) == (0, "drop", True)


def test_slow_answers_arrive_late_but_intact(clock: SimulatedClock) -> None:
    with HubSpotSandbox(
        clock=clock, faults=FaultConfig(rate=1.0, kinds={"slow"}, slow_seconds=0.2)
    ) as sandbox:
        started = time.monotonic()
        answer = api(sandbox, "GET", "/crm/v3/owners")
        elapsed = time.monotonic() - started
        with pytest.raises(requests.ReadTimeout):
            requests.get(
                sandbox.base_url + "/crm/v3/owners",
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=0.05,
            )
    assert answer.status_code == 200
    assert elapsed >= 0.2


def test_exempt_paths_and_switching_faults_off(clock: SimulatedClock) -> None:
    faults = FaultConfig(rate=1.0, kinds={"500"}, exempt_paths=("/crm/v3/properties",))
    with HubSpotSandbox(clock=clock, faults=faults) as sandbox:
        exempt = api(sandbox, "GET", "/crm/v3/properties/contacts")
        faulted = api(sandbox, "GET", "/crm/v3/owners")
        sandbox.set_faults(None)
        healthy = api(sandbox, "GET", "/crm/v3/owners")
        contact = sandbox.state.create("contacts", {"email": "x@x.example"}).id
        assert value(sandbox, "contacts", contact, "email") == "x@x.example"

    assert (exempt.status_code, faulted.status_code, healthy.status_code) == (200, 500, 200)


def test_a_network_latency_delays_every_answer_and_changes_none(clock: SimulatedClock) -> None:
    with HubSpotSandbox(clock=clock, faults=FaultConfig(latency_seconds=0.15)) as sandbox:
        started = time.monotonic()
        answers = [api(sandbox, "GET", "/crm/v3/owners") for _ in range(2)]
        elapsed = time.monotonic() - started
    assert [a.status_code for a in answers] == [200, 200]
    assert elapsed >= 2 * 0.15
    with pytest.raises(ValueError, match="latency"):
        FaultConfig(latency_seconds=-1)
