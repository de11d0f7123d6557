"""Retention drops old history and never what the present needs."""

from __future__ import annotations

from datetime import timedelta

from handoff.config.vocabulary import ActivityKind
from handoff.connectors.memory.crm import MemoryCrm
from handoff.lifecycle.records import Activity
from handoff.sync.cycle import run_cycle, run_reconcile
from handoff.sync.runtime import Runtime
from tests.support import FakeClock
from tests.sync import company


def test_old_history_goes_and_the_latest_stays(runtime: Runtime, crm: MemoryCrm, clock: FakeClock) -> None:
    company.seed(crm)
    run_cycle(runtime)
    crm.rep_edit("vp-demo", accepted=True, lead_status="IN_PROGRESS")
    clock.advance(days=30)
    run_cycle(runtime)
    clock.advance(days=500)
    crm.put_activities(
        [("fit-blog", Activity("fresh", ActivityKind.PAGE_VIEW, clock.now, attributes={"url": "/x"}))]
    )
    with runtime.store.begin() as tx:
        before = tx.views.explain("vp-demo")

    run_reconcile(runtime)

    with runtime.store.begin() as tx:
        after = tx.views.explain("vp-demo")
        old = tx.views.explain("vp-demo", clock.now - timedelta(days=400))
        blog = tx.views.explain("fit-blog")
    assert before is not None
    assert after is not None
    assert old is not None
    assert blog is not None
    assert len(before.history) > 0
    assert after.history == [m for m in before.history if m.at >= clock.now - timedelta(days=400)]
    assert after.decision is not None, "the latest decision stays, whatever its age"
    assert after.contact is not None, "and so does the latest version"
    assert old.decision is None, "the decisions of 500 days ago are gone"
    assert blog.activities == 1, "only the fresh activity is left"
