"""Tier rate limits: the rolling 10-second burst, its headers, and the daily cap."""

from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.sandbox.hubspot import HubSpotSandbox, RateLimitConfig, SimulatedClock

from .conftest import SteppedMonotonic, api


@pytest.mark.parametrize(
    ("tier", "burst", "daily"),
    [
        ("free", 100, 250_000),
        ("starter", 100, 250_000),
        ("professional", 190, 625_000),
        ("enterprise", 190, 1_000_000),
    ],
)
def test_tier_limits_are_announced_in_headers(
    clock: SimulatedClock, tier: str, burst: int, daily: int
) -> None:
    with HubSpotSandbox(tier=tier, clock=clock, monotonic=SteppedMonotonic()) as sandbox:
        headers = api(sandbox, "GET", "/crm/v3/owners").headers

    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert headers["X-HubSpot-RateLimit-Max"] == str(burst)
    assert headers["X-HubSpot-RateLimit-Remaining"] == str(burst - 1)
    assert headers["X-HubSpot-RateLimit-Daily"] == str(daily)
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == str(daily - 1)


def test_free_tier_allows_100_per_10_seconds(clock: SimulatedClock) -> None:
    monotonic = SteppedMonotonic()
    with HubSpotSandbox(tier="free", clock=clock, monotonic=monotonic) as sandbox:
        answers = [api(sandbox, "GET", "/crm/v3/owners") for _ in range(100)]
        throttled = api(sandbox, "GET", "/crm/v3/owners")
        search_meanwhile = api(sandbox, "POST", "/crm/v3/objects/contacts/search", json={})
        monotonic.advance(10.0)
        recovered = api(sandbox, "GET", "/crm/v3/owners")
        log = sandbox.request_log.snapshot()

    assert {a.status_code for a in answers} == {200}
    assert answers[-1].headers["X-HubSpot-RateLimit-Remaining"] == "0"
    assert throttled.status_code == 429
    body = throttled.json()
    assert (body["policyName"], body["errorType"]) == ("TEN_SECONDLY_ROLLING", "RATE_LIMIT")
    assert {"correlationId", "requestId", "message"} <= body.keys()
    assert "Retry-After" not in throttled.headers
    assert search_meanwhile.status_code == 200, "search is exempt from the 10-second limit"
    assert recovered.status_code == 200
    assert [entry.status for entry in log].count(429) == 1


def test_rolling_window_frees_slots_gradually(clock: SimulatedClock) -> None:
    monotonic = SteppedMonotonic()
    limits = RateLimitConfig(burst=3)
    with HubSpotSandbox(clock=clock, monotonic=monotonic, rate_limits=limits) as sandbox:
        for _ in range(3):
            api(sandbox, "GET", "/crm/v3/owners")
            monotonic.advance(4.0)
        third_window = api(sandbox, "GET", "/crm/v3/owners")

    assert third_window.status_code == 200
    assert third_window.headers["X-HubSpot-RateLimit-Remaining"] == "0"


def test_daily_limit_answers_daily_429_until_midnight(clock: SimulatedClock) -> None:
    limits = RateLimitConfig(daily=3)
    with HubSpotSandbox(clock=clock, rate_limits=limits) as sandbox:
        statuses = [api(sandbox, "GET", "/crm/v3/owners").status_code for _ in range(3)]
        over = api(sandbox, "GET", "/crm/v3/owners")
        search = api(sandbox, "POST", "/crm/v3/objects/contacts/search", json={})
        clock.advance(timedelta(days=1))
        next_day = api(sandbox, "GET", "/crm/v3/owners")

    assert statuses == [200, 200, 200]
    assert over.status_code == 429
    assert over.json()["policyName"] == "DAILY"
    assert over.json()["message"] == "You have reached your daily limit."
    assert over.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"
    assert search.status_code == 429
    assert next_day.status_code == 200


def test_unauthenticated_calls_do_not_count(clock: SimulatedClock) -> None:
    with HubSpotSandbox(clock=clock, rate_limits=RateLimitConfig(daily=1)) as sandbox:
        api(sandbox, "GET", "/crm/v3/owners", token="wrong")
        assert api(sandbox, "GET", "/crm/v3/owners").status_code == 200
