"""``HubSpotSandbox``: the emulator as one object that tests and the demo start, inspect and stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

from handoff.sandbox.hubspot.app import SandboxApp
from handoff.sandbox.hubspot.limits import RateLimitConfig, RateLimiter
from handoff.sandbox.hubspot.routing import Backend
from handoff.sandbox.hubspot.search import SearchEngine
from handoff.sandbox.hubspot.seeding import SeededCompany, seed_company
from handoff.sandbox.hubspot.state import SandboxState
from handoff.sandbox.hubspot.webhooks import WebhookConfig, WebhookDispatcher
from handoff.sandbox.kit.clock import Clock, utc_now
from handoff.sandbox.kit.faults import FaultConfig
from handoff.sandbox.kit.requestlog import RequestLog
from handoff.sandbox.kit.server import LocalServer


class HubSpotSandbox:
    """A local HubSpot: the real ``hubspot-api-client`` talks to it over HTTP.

    ``seed`` seeds the sandbox's own choices (webhook event ids) and is the default seed for
    ``seed_company``; ``clock`` is the CRM's time (aware UTC), real time by default;
    ``monotonic`` drives the rate-limit windows and can be stepped by tests.
    """

    def __init__(
        self,
        seed: int = 0,
        tier: str = "enterprise",
        token: str = "sandbox-token",
        clock: Clock | None = None,
        faults: FaultConfig | None = None,
        *,
        rate_limits: RateLimitConfig | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        webhooks: WebhookConfig | None = None,
        search_delay: timedelta = timedelta(0),
        search_short_pages: bool = True,
        portal_id: int = 24_681_357,
        app_id: int = 3_141_592,
    ) -> None:
        self.seed = seed
        self.tier = tier
        self.token = token
        self.state = SandboxState(
            clock or utc_now, portal_id=portal_id, app_id=app_id, search_delay=search_delay
        )
        self.request_log = RequestLog()
        self.limiter = RateLimiter(
            tier, rate_limits or RateLimitConfig(), clock=self.state.clock, monotonic=monotonic
        )
        self.search = SearchEngine(self.state, short_pages=search_short_pages)
        stopping = threading.Event()
        self.app = SandboxApp(
            Backend(self.state, self.search, self.limiter, tier),
            token=token,
            log=self.request_log,
            faults=faults,
            stopping=stopping,
        )
        self._http = LocalServer(self.app, name="hubspot-sandbox", stopping=stopping)
        self.webhooks: WebhookDispatcher | None = None
        self._unsubscribe: Callable[[], None] | None = None
        if webhooks is not None:
            self.configure_webhooks(webhooks)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of sandbox bugs answered as 500s; tests assert it stays empty."""
        return list(self.app.internal_errors)

    def start(self, port: int = 0) -> str:
        """Listen on 127.0.0.1 (`port` 0: any free port) and return the base URL."""
        if self._http.running:
            return self.base_url
        base_url = self._http.start(port)
        if self.webhooks is not None:
            self.webhooks.start()
        return base_url

    def stop(self) -> None:
        self._http.stopping.set()  # slow answers end at once, while the webhooks drain
        if self.webhooks is not None:
            self.webhooks.stop()
        self._http.stop()

    def __enter__(self) -> HubSpotSandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def seed_company(self, *, contacts: int = 400, now: datetime | None = None) -> SeededCompany:
        """Seed this (empty) portal with Acme Analytics, from the sandbox's seed."""
        return seed_company(self.state, self.seed, contacts=contacts, now=now)

    def set_faults(self, faults: FaultConfig | None) -> None:
        """Replace the fault plan (``None`` turns faults off); the seeded sequence restarts."""
        self.app.set_faults(faults)

    def configure_webhooks(self, config: WebhookConfig) -> WebhookDispatcher:
        """Deliver webhooks for changes from now on (replacing any earlier configuration)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.webhooks is not None:
            self.webhooks.stop()
        dispatcher = WebhookDispatcher(
            config,
            portal_id=self.state.portal_id,
            app_id=self.state.app_id,
            first_event_id=1 + self.seed * 1_000_000,
        )
        self.webhooks = dispatcher
        self._unsubscribe = self.state.subscribe(dispatcher.on_change)
        if self._http.running:
            dispatcher.start()
        return dispatcher
