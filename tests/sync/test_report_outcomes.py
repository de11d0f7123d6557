"""The report's outcomes come from the deals the store has seen, as known at the report's `now`."""

from __future__ import annotations

from datetime import datetime, timedelta

from handoff.connectors.memory.crm import MemoryCrm
from handoff.lifecycle.records import Deal
from handoff.sync.cycle import run_cycle
from handoff.sync.report import build_report
from handoff.sync.runtime import Runtime
from tests.support import FakeClock
from tests.sync import company


def test_a_won_deal_brings_its_revenue_to_the_report_and_never_to_one_of_before(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    start = clock.now
    company.live_a_week(crm, clock.now, lambda: run_cycle(runtime), lambda: clock.advance(days=1))
    before_the_deal = clock.now
    clock.advance(days=1)
    won = Deal(
        "deal-1",
        created_at=clock.now,
        stage="closedwon",
        closed=True,
        won=True,
        amount=12_000.0,
        close_date=clock.now,
    )
    crm.put_deals([(won, ["ada"])])
    run_cycle(runtime)

    def revenue(now: datetime) -> float:
        report = build_report(
            runtime.store, runtime.policy, now=now, since=start - timedelta(days=1), until=clock.now
        )
        return report.funnel.revenue

    assert revenue(clock.now) == 12_000.0
    assert revenue(before_the_deal) == 0.0
