"""Speed to lead: CRM webhooks answered at once, their contacts pulled and decided right after.

The HTTP handler only verifies and enqueues (HubSpot retries any answer slower than five seconds);
one worker thread drains the queue, coalescing bursts, and runs a targeted cycle under the
daemon's work lock: pull those contacts, evaluate them, flush. Duplicate and out-of-order events
are harmless: the pull reads the contact's current state, whatever the events said.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable

import structlog
from werkzeug.wrappers import Request, Response

from handoff.connectors.hubspot.webhooks import SignatureError, contact_ids, verify_v3
from handoff.store.runs import finish_run, start_run
from handoff.sync.evaluation import evaluate_pending
from handoff.sync.flush import flush_outbox
from handoff.sync.mirror import ingest_page
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

    def hubspot(
        self, secret: str, public_url: str | None, clock_ms: Callable[[], int]
    ) -> Callable[[Request], Response]:
        """The handler for `POST /webhooks/hubspot`: 401 unless signed by HubSpot and fresh."""

        def handle(request: Request) -> Response:
            body = request.get_data(cache=True)
            uri = (public_url.rstrip("/") + request.full_path.rstrip("?")) if public_url else request.url
            try:
                verify_v3(
                    secret,
                    method=request.method,
                    uri=uri,
                    body=body,
                    timestamp=request.headers.get("X-HubSpot-Request-Timestamp"),
                    signature=request.headers.get("X-HubSpot-Signature-v3"),
                    now_ms=clock_ms(),
                )
            except SignatureError as error:
                log.warning("webhook.refused", reason=str(error), remote=request.remote_addr)
                return Response("invalid signature", status=401)
            try:
                ids = contact_ids(body)
            except ValueError as error:
                log.warning("webhook.unreadable", reason=str(error))
                return Response("not a batch of events", status=400)
            for contact_id in ids:
                self.queue.put(contact_id)
            log.info("webhook.accepted", contacts=len(ids))
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
                    log.exception("webhook.cycle_failed", error=str(error), contacts=len(ids))


def run_targeted(rt: Runtime, ids: list[str]) -> None:
    """Pull, decide and write these contacts now, outside the incremental cycle's rhythm."""
    now = rt.clock()
    run_id = start_run(rt.engine, rt.crm, "webhook", now)
    page = rt.connector.pull_contacts_by_id(ids)
    ingest_page(rt, page, now)
    evaluated = evaluate_pending(rt, now, ids=[record.contact.id for record in page.contacts])
    flushed = flush_outbox(rt, now)
    finish_run(
        rt.engine,
        run_id,
        "ok",
        rt.clock(),
        pulled=len(page.contacts),
        evaluated=evaluated.evaluated,
        written=flushed.sent,
    )
