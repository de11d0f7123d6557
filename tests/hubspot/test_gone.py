"""A contact deleted in HubSpot: named as gone, its waiting writes dropped, never silently lost."""

from __future__ import annotations

from sqlalchemy import select

from handoff.lifecycle.outputs import OutputField
from handoff.sandbox.hubspot import HubSpotSandbox
from handoff.store.outbox import FieldWrite, OutboxStatus
from handoff.store.schema import OUTBOX
from handoff.sync.cycle import run_cycle, run_targeted
from handoff.sync.runtime import Runtime


def test_a_deleted_contact_is_named_gone_and_its_waiting_writes_are_dropped(
    sandbox: HubSpotSandbox, runtime: Runtime
) -> None:
    sandbox.seed_company(contacts=20)
    run_cycle(runtime)
    gone, kept = sandbox.state.ids("contacts")[:2]
    with runtime.store.begin() as tx:  # a write still waiting for the CRM, as after a failed flush
        tx.outbox.replace_field_writes(
            {gone: FieldWrite({OutputField.SCORE: "99"}, {OutputField.SCORE: "1"})}, runtime.clock()
        )
    sandbox.state.archive("contacts", gone)
    sandbox.request_log.clear()

    report = run_targeted(runtime, [gone, kept])

    with runtime.store.begin() as tx:
        rows = tx.connection.execute(
            select(OUTBOX.c.status, OUTBOX.c.last_error).where(OUTBOX.c.contact_id == gone)
        ).all()
        explained = tx.views.explain(gone)
    assert report.quarantined == 1
    assert (OutboxStatus.PENDING.value, None) not in {(r.status, r.last_error) for r in rows}
    assert any(
        r.status == OutboxStatus.DEAD.value and "gone from the CRM" in (r.last_error or "") for r in rows
    )
    assert explained is not None
    assert next(q.error for q in explained.quarantined).startswith("gone from the CRM")
    assert not [r for r in sandbox.request_log if r.path.endswith("/batch/update")], "nothing written to it"
