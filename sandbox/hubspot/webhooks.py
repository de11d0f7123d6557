"""HubSpot's side of webhooks: subscriptions, batching, v3 signatures and retries.

Changes reach the dispatcher from the state whoever made them (a rep in the UI, the simulation, or
the app's own API writes, which HubSpot reports too, with their ``changeSource``). Deliveries run
on a background thread, in batches of at most 100 events, signed like HubSpot signs them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import requests

from handoff.sandbox.hubspot.catalog import OBJECT_TYPES
from handoff.sandbox.hubspot.clock import epoch_ms
from handoff.sandbox.hubspot.state import ChangeEvent
from handoff.sandbox.kit.clock import utc_now

_SUBSCRIPTION_OBJECTS = {"contact": "contacts", "company": "companies"}
_KINDS = frozenset({"creation", "propertyChange", "deletion"})


@dataclass(frozen=True)
class WebhookSubscription:
    """``event_type`` like ``contact.propertyChange``; property changes name one property."""

    event_type: str
    property_name: str | None = None
    id: int = 0

    def __post_init__(self) -> None:
        object_name, _, kind = self.event_type.partition(".")
        if object_name not in _SUBSCRIPTION_OBJECTS or kind not in _KINDS:
            raise ValueError(f"unsupported subscription {self.event_type!r}")
        if kind == "propertyChange" and not self.property_name:
            raise ValueError("a propertyChange subscription names its property")

    def matches(self, event: ChangeEvent) -> bool:
        object_name, _, kind = self.event_type.partition(".")
        if _SUBSCRIPTION_OBJECTS[object_name] != event.object_type or kind != event.kind:
            return False
        return kind != "propertyChange" or event.property_name == self.property_name


@dataclass(frozen=True)
class WebhookConfig:
    """Where and how to deliver. ``generic_events`` sends the newer ``object.*`` form."""

    target_url: str
    client_secret: str
    subscriptions: tuple[WebhookSubscription, ...]
    app_id: int | None = None
    generic_events: bool = False
    max_batch: int = 100
    max_attempts: int = 4
    retry_backoff_seconds: float = 0.1
    batch_window_seconds: float = 0.02
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST to the target: for tests and the demo to see retries."""

    attempt_number: int
    event_count: int
    status: int | None
    error: str | None = None


def sign_v3(secret: str, method: str, uri: str, body: bytes, timestamp_ms: int) -> str:
    """``base64(HMAC-SHA256(secret, method + uri + body + timestamp))``."""
    source = method.encode() + uri.encode() + body + str(timestamp_ms).encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


@dataclass
class _Pending:
    payload: dict[str, Any]
    attempts: int = 0


class WebhookDispatcher:
    def __init__(
        self, config: WebhookConfig, *, portal_id: int, app_id: int, first_event_id: int = 1
    ) -> None:
        self.config = config
        self.portal_id = portal_id
        self.app_id = config.app_id if config.app_id is not None else app_id
        self.attempts: list[DeliveryAttempt] = []
        self._subscriptions = [
            sub if sub.id else WebhookSubscription(sub.event_type, sub.property_name, index)
            for index, sub in enumerate(config.subscriptions, start=1_000_001)
        ]
        self._event_ids = itertools.count(first_event_id)
        self._queue: deque[_Pending] = deque()
        self._in_flight = 0
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hubspot-sandbox-webhooks", daemon=True)
        self._session = requests.Session()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._session.close()

    def on_change(self, event: ChangeEvent) -> None:
        """State listener: runs under the state's lock, so it only enqueues."""
        payloads = [self._payload(sub, event) for sub in self._subscriptions if sub.matches(event)]
        if not payloads:
            return
        with self._cond:
            self._queue.extend(_Pending(payload) for payload in payloads)
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """True once every queued event was delivered or given up on."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue and not self._in_flight, timeout)

    def _payload(self, sub: WebhookSubscription, event: ChangeEvent) -> dict[str, Any]:
        object_name, _, kind = sub.event_type.partition(".")
        payload: dict[str, Any] = {
            "eventId": next(self._event_ids),
            "subscriptionId": sub.id,
            "portalId": self.portal_id,
            "appId": self.app_id,
            "occurredAt": epoch_ms(event.occurred_at),
            "attemptNumber": 0,
            "objectId": event.object_id,
            "changeSource": event.source.type,
        }
        if self.config.generic_events:
            payload["eventType"] = f"object.{kind}"
            payload["objectTypeId"] = OBJECT_TYPES[_SUBSCRIPTION_OBJECTS[object_name]].type_id
        else:
            payload["subscriptionType"] = sub.event_type
        if event.source.id is not None:
            payload["sourceId"] = event.source.id
        if kind == "propertyChange":
            payload["propertyName"] = event.property_name
            payload["propertyValue"] = event.property_value or ""
        return payload

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._cond:
                self._cond.wait_for(lambda: self._queue or self._stop.is_set(), timeout=1.0)
                if self._stop.is_set():
                    return
                if not self._queue:
                    continue
            # Let a burst of changes gather into one batch, as HubSpot does.
            self._stop.wait(self.config.batch_window_seconds)
            with self._cond:
                batch = [self._queue.popleft() for _ in range(min(self.config.max_batch, len(self._queue)))]
                self._in_flight += len(batch)
            try:
                self._deliver(batch)
            finally:
                with self._cond:
                    self._in_flight -= len(batch)
                    self._cond.notify_all()

    def _deliver(self, batch: list[_Pending]) -> None:
        for attempt in range(self.config.max_attempts):
            if self._stop.is_set():
                return
            for item in batch:
                item.payload["attemptNumber"] = attempt
            status, error = self._post([item.payload for item in batch])
            self.attempts.append(DeliveryAttempt(attempt, len(batch), status, error))
            if status is not None and 200 <= status < 300:
                return
            self._stop.wait(self.config.retry_backoff_seconds * (2**attempt))

    def _post(self, events: list[dict[str, Any]]) -> tuple[int | None, str | None]:
        body = json.dumps(events, separators=(",", ":")).encode()
        timestamp = epoch_ms(utc_now())  # HubSpot signs with the real time, whatever the CRM clock says
        uri = self.config.target_url
        legacy = hashlib.sha256(self.config.client_secret.encode() + body).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon",
            "X-HubSpot-Signature-v3": sign_v3(self.config.client_secret, "POST", uri, body, timestamp),
            "X-HubSpot-Request-Timestamp": str(timestamp),
            "X-HubSpot-Signature": legacy,
            "X-HubSpot-Signature-Version": "v1",
        }
        try:
            response = self._session.post(
                uri, data=body, headers=headers, timeout=self.config.timeout_seconds
            )
        except requests.RequestException as exc:
            return None, type(exc).__name__
        return response.status_code, None
