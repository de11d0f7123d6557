"""Webhook delivery as HubSpot does it: batched, signed with v3, retried on failure."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from handoff.sandbox.hubspot import (
    ChangeSource,
    HubSpotSandbox,
    RateLimitConfig,
    SimulatedClock,
    WebhookConfig,
    WebhookSubscription,
)

from .conftest import api

SECRET = "client-secret-abc"
PATH = "/hubspot/webhooks"
SUBSCRIPTIONS = (
    WebhookSubscription("contact.creation"),
    WebhookSubscription("contact.propertyChange", "lifecyclestage"),
)


def _config(httpserver: HTTPServer, **options: Any) -> WebhookConfig:
    return WebhookConfig(
        target_url=httpserver.url_for(PATH),
        client_secret=SECRET,
        subscriptions=SUBSCRIPTIONS,
        app_id=777,
        retry_backoff_seconds=0.01,
        **options,
    )


def _valid_v3(request: Request, uri: str) -> bool:
    timestamp = request.headers["X-HubSpot-Request-Timestamp"]
    source = f"POST{uri}".encode() + request.get_data() + timestamp.encode()
    expected = base64.b64encode(hmac.new(SECRET.encode(), source, hashlib.sha256).digest())
    return hmac.compare_digest(expected.decode(), request.headers["X-HubSpot-Signature-v3"])


def _events(httpserver: HTTPServer) -> list[dict[str, Any]]:
    return [event for request, _ in httpserver.log for event in json.loads(request.get_data())]


@pytest.fixture
def hooked(clock: SimulatedClock, httpserver: HTTPServer) -> Any:
    httpserver.expect_request(PATH, method="POST").respond_with_data("", status=204)
    with HubSpotSandbox(
        clock=clock, rate_limits=RateLimitConfig.unlimited(), webhooks=_config(httpserver)
    ) as sandbox:
        yield sandbox


def test_changes_are_delivered_signed(hooked: HubSpotSandbox, httpserver: HTTPServer) -> None:
    contact = hooked.state.create("contacts", {"email": "w@x.example"}, source=ChangeSource.ui(4242)).id
    api(
        hooked,
        "PATCH",
        f"/crm/v3/objects/contacts/{contact}",
        json={"properties": {"lifecyclestage": "marketingqualifiedlead", "jobtitle": "CFO"}},
    )
    assert hooked.webhooks is not None
    assert hooked.webhooks.wait_idle(timeout=5)

    events = _events(httpserver)
    by_type = {event["subscriptionType"]: event for event in events}
    assert sorted(by_type) == ["contact.creation", "contact.propertyChange"]
    assert len(events) == 2, "jobtitle is not subscribed"
    change = by_type["contact.propertyChange"]
    assert change["objectId"] == int(contact)
    assert (change["propertyName"], change["propertyValue"]) == (
        "lifecyclestage",
        "marketingqualifiedlead",
    )
    assert change["changeSource"] == "API"
    assert by_type["contact.creation"]["changeSource"] == "CRM_UI"
    assert {"eventId", "subscriptionId", "portalId", "appId", "occurredAt", "attemptNumber"} <= (
        change.keys()
    )
    assert change["appId"] == 777
    assert change["occurredAt"] == 1772460000000
    for request, _ in httpserver.log:
        assert _valid_v3(request, httpserver.url_for(PATH))


def test_batches_hold_at_most_100_events(hooked: HubSpotSandbox, httpserver: HTTPServer) -> None:
    hooked.state.bulk_create("contacts", [{"email": f"w{i}@x.example"} for i in range(150)])
    assert hooked.webhooks is not None
    assert hooked.webhooks.wait_idle(timeout=5)

    sizes = [len(json.loads(request.get_data())) for request, _ in httpserver.log]
    assert sum(sizes) == 150
    assert max(sizes) <= 100


def test_failed_deliveries_are_retried(clock: SimulatedClock, httpserver: HTTPServer) -> None:
    calls: list[int] = []

    def flaky(request: Request) -> Response:
        calls.append(json.loads(request.get_data())[0]["attemptNumber"])
        return Response("", status=500 if len(calls) == 1 else 200)

    httpserver.expect_request(PATH, method="POST").respond_with_handler(flaky)
    with HubSpotSandbox(clock=clock, webhooks=_config(httpserver)) as sandbox:
        sandbox.state.create("contacts", {"email": "r@x.example"})
        assert sandbox.webhooks is not None
        assert sandbox.webhooks.wait_idle(timeout=5)
        attempts = [(a.attempt_number, a.status) for a in sandbox.webhooks.attempts]

    assert calls == [0, 1]
    assert attempts == [(0, 500), (1, 200)]


def test_generic_object_events(clock: SimulatedClock, httpserver: HTTPServer) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_data("", status=200)
    with HubSpotSandbox(clock=clock, webhooks=_config(httpserver, generic_events=True)) as sandbox:
        contact = sandbox.state.create("contacts", {"email": "g@x.example"}).id
        sandbox.state.update("contacts", contact, {"lifecyclestage": "lead"})
        assert sandbox.webhooks is not None
        assert sandbox.webhooks.wait_idle(timeout=5)

    change = next(e for e in _events(httpserver) if e.get("propertyName") == "lifecyclestage")
    assert change["eventType"] == "object.propertyChange"
    assert change["objectTypeId"] == "0-1"
    assert "subscriptionType" not in change
