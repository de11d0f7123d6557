"""The weekly digest: the funnel of the last 90 days and its health checks, posted by the daemon
to the configured chat channels (Slack, Teams).

A digest names no contact and no rep, only counts and rates. It is not a write to the CRM and
needs no outbox: a digest that cannot be posted is logged, and next week's says it all again.
"""

from __future__ import annotations

from datetime import timedelta

import structlog

from handoff.connectors.errors import CrmError
from handoff.lifecycle.funnel import FIRST_TOUCH, STEPS
from handoff.sync.report import Report, build_report
from handoff.sync.report.plain import STEP_LABELS, money, pct, period
from handoff.sync.runtime import Runtime

DIGEST_DAYS = 90
log = structlog.get_logger("handoff.digest")


def digest_text(report: Report) -> str:
    funnel = report.funnel
    total = funnel.total
    steps = " → ".join(f"{STEP_LABELS[step]} {total.reached.of(step)}" for step in STEPS)
    first_touch = funnel.sla_for(FIRST_TOUCH)
    lines = [
        f"*{report.title}: the funnel this week*",
        f"{period(funnel)}, conversion within {funnel.window_days:g} days of MQL",
        f"{steps} · revenue {money(funnel.revenue)}",
        f"MQL→SQL {pct(total.mql_to_sql)} · SAL acceptance {pct(funnel.acceptance.rate)} · "
        f"first touch in SLA {pct(first_touch.compliance if first_touch else None)}",
        *(f"{'✓' if check.level == 'ok' else '⚠'} {check.text}" for check in report.checks),
        "Details: `handoff report` (or `--format html` for the charts).",
    ]
    return "\n".join(lines)


def post_digest(rt: Runtime) -> int:
    """Post the digest to every chat channel; return how many took it."""
    if not rt.channels:
        return 0
    now = rt.clock()
    report = build_report(rt.store, rt.policy, now=now, since=now - timedelta(days=DIGEST_DAYS), until=now)
    text = digest_text(report)
    posted = 0
    for channel in rt.channels:
        try:
            rt.retry.call(f"chat.digest.{channel.name}", lambda channel=channel: channel.post(text))  # type: ignore[misc]
        except CrmError as error:
            log.warning("digest.not_posted", channel=channel.name, error=str(error))
            continue
        posted += 1
    log.info("digest.posted", channels=posted, leads=report.funnel.leads)
    return posted
