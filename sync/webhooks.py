"""Speed to lead: CRM webhooks answered at once, their contacts pulled and decided right after.

The HTTP handler only verifies and enqueues (HubSpot retries any answer slower than five seconds);
one worker thread drains the queue, coalescing bursts, and runs a targeted cycle under the
daemon's work lock: pull those contacts, decide them, flush. Duplicate and out-of-order events
are harmless: the pull reads the contact's current state, whatever the events said. Which routes
exist, and how a request is verified, is the CRM's plugin's business (`WebhookRoute`).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

import structlog
from werkzeug.wrappers import Request, Response

from handoff.connectors.registry import WebhookRefused, WebhookRequest, WebhookRoute
from handoff.store.database import describe_error
from handoff.sync.cycle import run_targeted
from handoff.sync.runtime import Runtime

log = structlog.get_logger("handoff.webhooks")
COALESCE_SECONDS = 0.2
MAX_BATCH = 100


class WebhookInbox:
    def __init__(self, rt: Runtime, work: threading.Lock, stop: threading.Event) -> None:
        self.rt = rt
        self.work = work
        self.stop = stop
        self.queue: queue.Queue[str] = queue.Queue()
        self.thread = threading.Thread(target=self._drain, name="handoff-webhooks", daemon=True)
        self.processed = 0

    def start(self) -> None:
        self.thread.start()

    def handler(
        self, route: WebhookRoute, public_url: str | None, clock_ms: Callable[[], int]
    ) -> Callable[[Request], Response]:
        """The HTTP handler of a route: 204 and enqueue, or the plugin's refusal (401, 400)."""

        def handle(request: Request) -> Response:
            url = (public_url.rstrip("/") + request.full_path.rstrip("?")) if public_url else request.url
            call = WebhookRequest(
                request.method,
                url,
                {name.lower(): value for name, value in request.headers.items()},
                request.get_data(cache=True),
                clock_ms(),
            )
            try:
                ids = route.contacts(call)
            except WebhookRefused as refused:
                log.warning("webhook.refused", route=route.name, status=refused.status, reason=str(refused))
                return Response("refused", status=refused.status)
            for contact_id in ids:
                self.queue.put(contact_id)
            log.info("webhook.accepted", route=route.name, contacts=len(ids))
            return Response(status=204)

        return handle

    def _drain(self) -> None:
        while not self.stop.is_set():
            try:
                first = self.queue.get(timeout=0.5)
            except queue.Empty:
                continue
            ids = {first}
            deadline = time.monotonic() + COALESCE_SECONDS
            while len(ids) < MAX_BATCH and time.monotonic() < deadline:
                try:
                    ids.add(self.queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            with self.work:
                try:
                    run_targeted(self.rt, sorted(ids))
                    self.processed += len(ids)
                except Exception as error:
                    log.exception("webhook.cycle_failed", error=describe_error(error), contacts=len(ids))
