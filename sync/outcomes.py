"""The deals stream: what happened after the handoff, pulled into the store's outcomes.

Deals changed since the stream's cursor (minus the look-back) are read page by page, like the
contacts: each page's deal versions, its quarantined deals and the cursor's progress are saved in
one transaction, so a killed pull loses nothing and a re-run adds nothing. Deals never feed the
decide path (the CRM's own lifecycle stage already says opportunity or customer): they are the
outcomes reports and backtests measure a policy against.
"""

from __future__ import annotations

import threading
from datetime import datetime

import structlog

from handoff.connectors.errors import AuthError
from handoff.connectors.protocol import DealPage, Window
from handoff.store.cursors import Cursor
from handoff.store.outcomes import ObservedDeal
from handoff.store.quarantine import Problem
from handoff.sync.pull import PullCounts, pull_stream
from handoff.sync.runtime import Runtime

DEALS_STREAM = "deals"

log = structlog.get_logger("handoff.outcomes")


def pull_deals(
    rt: Runtime,
    now: datetime,
    *,
    stream: str = DEALS_STREAM,
    window: Window | None = None,
    stop: threading.Event | None = None,
) -> PullCounts:
    """Pull the deals stream's next window (or `window`, for a backfill) into the outcomes.

    A token without the deals scope (HubSpot's `crm.objects.deals.read`) leaves the outcomes
    unread, said once per cycle, and the leads' handoff goes on; any other failure is the
    cycle's, as for contacts."""

    def ingest(page: DealPage, progress: Cursor) -> PullCounts:
        observed = [ObservedDeal(c.deal, c.contact_ids, c.modified_at) for c in page.deals]
        problems = [Problem(r.stream, r.record_id, r.error, r.raw) for r in page.rejected]
        with rt.store.begin() as tx:
            added = tx.outcomes.record(observed, now)
            tx.cursors.save(stream, progress, now)
            tx.quarantine.release(DEALS_STREAM, [c.deal.id for c in page.deals])
            tx.quarantine.add(problems, now)
        if problems:
            rt.metrics.quarantined.inc(len(problems))
        return PullCounts(len(page.deals), added, len(problems))

    try:
        return pull_stream(rt, now, stream, rt.connector.pull_deals, ingest, window=window, stop=stop)
    except AuthError as error:
        log.warning("deals.unreadable", crm=rt.crm, error=str(error))
        return PullCounts()
