"""Speed to lead: HubSpot's signed webhooks reach the daemon's port and the lead is decided at once;
forged, replayed or tampered requests get 401 and change nothing."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests
from pydantic import SecretStr

from handoff.connectors.hubspot.plugin import HubSpotSettings, webhooks
from handoff.connectors.hubspot.webhooks import contact_ids, sign_v3
from handoff.connectors.registry import WebhookRequest
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock, WebhookConfig, WebhookSubscription
from handoff.sync.cycle import run_cycle
from handoff.sync.http import HealthApp, HttpServer
from handoff.sync.runtime import Runtime
from handoff.sync.webhooks import REPLAY_WINDOW_MS, Replays, WebhookInbox
from tests.sync.processes import free_port, wait_until

SECRET = "app-client-secret-for-tests"


@pytest.fixture
def inbox(runtime: Runtime) -> Iterator[tuple[WebhookInbox, str]]:
    stop = threading.Event()
    receiver = WebhookInbox(runtime, threading.Lock(), stop)
    app = HealthApp(runtime, alive=lambda: True, started_at=runtime.clock())
    (route,) = webhooks(HubSpotSettings(webhook_secret=SecretStr(SECRET)))
    app.route(route.path, route.name, receiver.handler(route, None, lambda: int(time.time() * 1000)))
    server = HttpServer(app, "127.0.0.1", free_port())
    server.start()
    receiver.start()
    yield receiver, f"http://127.0.0.1:{server.port}/webhooks/hubspot"
    stop.set()
    server.stop()


def _a_fit_lead(runtime: Runtime) -> tuple[str, str]:
    with runtime.store.begin() as tx:
        decisions = tx.views.latest_decisions()
    found = sorted(
        cid for cid, decision in decisions.items() if decision.stage == "lead" and decision.fit >= 25
    )
    assert found, "the seeded company has a fit lead"
    return found[0], ""


def test_a_signed_demo_request_is_decided_within_seconds(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock, inbox: tuple[WebhookInbox, str]
) -> None:
    receiver, url = inbox
    seeded = sandbox.seed_company(contacts=60)
    run_cycle(runtime)
    contact_id, _ = _a_fit_lead(runtime)
    sandbox.configure_webhooks(
        WebhookConfig(
            target_url=url,
            client_secret=SECRET,
            subscriptions=(
                WebhookSubscription("contact.creation"),
                WebhookSubscription("contact.propertyChange", "recent_conversion_event_name"),
            ),
        )
    )
    record = sandbox.state.get("contacts", contact_id)
    assert record is not None
    started = time.monotonic()

    sandbox.state.submit_form(
        seeded.forms["Request a demo"], {"email": str(record.properties["email"])}, conversion_id="demo-1"
    )

    wait_until(lambda: _stage(sandbox, contact_id) == "mql", 10, "the demo request to make an MQL")
    assert time.monotonic() - started < 5
    owner = sandbox.state.get("contacts", contact_id)
    assert owner is not None
    assert owner.properties.get("hubspot_owner_id")
    wait_until(lambda: receiver.processed >= 1, 5, "the targeted cycle to finish")


@pytest.mark.parametrize("forgery", ["wrong signature", "stale timestamp", "tampered body", "no headers"])
def test_a_forged_or_replayed_request_gets_401_and_changes_nothing(
    sandbox: HubSpotSandbox, runtime: Runtime, inbox: tuple[WebhookInbox, str], forgery: str
) -> None:
    receiver, url = inbox
    body = json.dumps([{"subscriptionType": "contact.creation", "objectId": 1, "occurredAt": 0}]).encode()
    now = int(time.time() * 1000)
    timestamp = str(now - 6 * 60 * 1000) if forgery == "stale timestamp" else str(now)
    signature = sign_v3(SECRET, "POST", url, body, timestamp)
    headers = {"X-HubSpot-Signature-v3": signature, "X-HubSpot-Request-Timestamp": timestamp}
    if forgery == "wrong signature":
        headers["X-HubSpot-Signature-v3"] = sign_v3("another secret", "POST", url, body, timestamp)
    sent = body.replace(b'"objectId": 1', b'"objectId": 2') if forgery == "tampered body" else body
    if forgery == "no headers":
        headers = {}

    answer = requests.post(url, data=sent, headers={**headers, "Content-Type": "application/json"}, timeout=5)

    assert answer.status_code == 401
    assert receiver.queue.empty()
    assert receiver.processed == 0


def test_the_uri_is_decoded_as_hubspot_documents() -> None:
    from handoff.connectors.hubspot.webhooks import decode_uri

    # Only the listed characters are decoded: "?" and "," are, "=" and "&" are not.
    assert decode_uri("https://h.example/hook%3Fa%3D1%26b%3D%2C") == "https://h.example/hook?a%3D1%26b%3D,"


def _stage(sandbox: HubSpotSandbox, contact_id: str) -> str | None:
    record = sandbox.state.get("contacts", contact_id)
    value = record.properties.get("handoff_stage") if record else None
    return str(value) if value else None


def test_a_known_signature_vector() -> None:
    # Computed independently: base64(HMAC-SHA256("secret", "POST" + uri + body + "1700000000000")).
    import base64
    import hashlib
    import hmac

    uri = "https://hooks.example/webhooks/hubspot"
    body = b'[{"objectId":1}]'
    expected = base64.b64encode(
        hmac.new(b"secret", b"POST" + uri.encode() + body + b"1700000000000", hashlib.sha256).digest()
    ).decode()

    assert sign_v3("secret", "POST", uri, body, "1700000000000") == expected
    assert datetime.fromtimestamp(1_700_000_000, tz=UTC).year == 2023


def _signed(url: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time() * 1000))
    return {
        "X-HubSpot-Signature-v3": sign_v3(SECRET, "POST", url, body, timestamp),
        "X-HubSpot-Request-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def test_a_body_over_the_limit_is_refused_before_it_is_read(inbox: tuple[WebhookInbox, str]) -> None:
    _, url = inbox
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    connection.putrequest("POST", parts.path)
    connection.putheader("Content-Length", str(100 * 1024 * 1024))  # announced, never sent
    connection.endheaders()

    answer = connection.getresponse()

    assert answer.status == 413
    connection.close()


@pytest.mark.parametrize("body", [b"not json", b"[" * 100_000, b'"a string"'])
def test_a_signed_body_that_is_not_a_batch_of_events_gets_400(
    inbox: tuple[WebhookInbox, str], body: bytes
) -> None:
    receiver, url = inbox

    answer = requests.post(url, data=body, headers=_signed(url, body), timeout=5)

    assert answer.status_code == 400
    assert receiver.queue.empty()


def test_an_exact_replay_inside_the_window_is_dropped() -> None:
    replays = Replays()
    first = WebhookRequest("POST", "https://h/webhooks/hubspot", {"x-sig": "a"}, b"[]", 1_000_000)
    replayed = replace(first, now_ms=1_000_000 + 60_000)
    another = replace(first, body=b"[ ]", now_ms=1_000_000 + 61_000)
    later = replace(first, now_ms=1_000_000 + REPLAY_WINDOW_MS + 120_000)

    assert [replays.seen(r) for r in (first, replayed, another, later)] == [False, True, False, False]


@pytest.mark.parametrize(
    ("event", "ids"),
    [
        ({"subscriptionType": "contact.propertyChange", "objectId": 7}, ["7"]),
        ({"subscriptionType": "contact.deletion", "objectId": 7}, ["7"]),  # read, found gone
        (
            {"subscriptionType": "contact.merge", "primaryObjectId": 7, "mergedObjectIds": [8, 9]},
            ["7", "8", "9"],
        ),
        ({"eventType": "object.deletion", "objectTypeId": "0-1", "objectId": 7}, ["7"]),
        ({"eventType": "object.deletion", "objectTypeId": "0-2", "objectId": 7}, []),  # a company
        ({"subscriptionType": "company.propertyChange", "objectId": 7}, []),
    ],
)
def test_the_contacts_an_event_concerns(event: dict[str, object], ids: list[str]) -> None:
    assert contact_ids(json.dumps([event]).encode()) == ids
