"""Speed to lead: CRM webhooks answered at once, their contacts pulled and decided right after.

The HTTP handler only verifies and enqueues (HubSpot retries any answer slower than five seconds);
one worker thread drains the queue, coalescing bursts, and runs a targeted cycle under the
daemon's work lock: pull those contacts, decide them, flush. Duplicate and out-of-order events
are harmless: the pull reads the contact's current state, whatever the events said. Which routes
exist, and how a request is verified, is the CRM's plugin's business (`WebhookRoute`).
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import structlog
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from handoff.connectors.registry import WebhookRefused, WebhookRequest, WebhookRoute
from handoff.store.database import describe_error
from handoff.sync.cycle import run_targeted
from handoff.sync.runtime import Runtime

log = structlog.get_logger("handoff.webhooks")
COALESCE_SECONDS = 0.2
MAX_BATCH = 100


# A CRM's webhook batch is small (HubSpot sends at most 100 events, a few hundred bytes each).
MAX_BODY = 1024 * 1024
# Signatures are checked against a five-minute window: a replay inside it is dropped by content.
REPLAY_WINDOW_MS = 300_000


def _refused(route: WebhookRoute, status: int, reason: str) -> Response:
    log.warning("webhook.refused", route=route.name, status=status, reason=reason)
    return Response("refused", status=status)


class Replays:
    """Verified requests seen inside the signature window, by content: a request sent again
    byte for byte (a captured delivery replayed, or a retry of one already taken) is dropped."""

    def __init__(self) -> None:
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, request: WebhookRequest) -> bool:
        digest = hashlib.sha256(
            b"\n".join(
                [
                    request.method.encode(),
                    request.url.encode(),
                    repr(sorted(request.headers.items())).encode(),
                    request.body,
                ]
            )
        ).hexdigest()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < request.now_ms - REPLAY_WINDOW_MS:
                self._seen.popitem(last=False)
            if digest in self._seen:
                return True
            self._seen[digest] = request.now_ms
            return False


class WebhookInbox:
    def __init__(self, rt: Runtime, work: threading.Lock, stop: threading.Event) -> None:
        self.rt = rt
        self.work = work
        self.stop = stop
        self.replays = Replays()
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
            if request.content_length is not None and request.content_length > MAX_BODY:
                return _refused(route, 413, f"body of {request.content_length} bytes (limit {MAX_BODY})")
            request.max_content_length = MAX_BODY  # a body without a length is cut off there too
            try:
                body = request.get_data(cache=True)
            except RequestEntityTooLarge:
                return _refused(route, 413, f"body over {MAX_BODY} bytes")
            url = (public_url.rstrip("/") + request.full_path.rstrip("?")) if public_url else request.url
            headers = {name.lower(): value for name, value in request.headers.items()}
            call = WebhookRequest(request.method, url, headers, body, clock_ms())
            try:
                ids = route.contacts(call)
            except WebhookRefused as refused:
                return _refused(route, refused.status, str(refused))
            if self.replays.seen(call):
                log.info("webhook.replay_dropped", route=route.name)
                return Response(status=204)
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
