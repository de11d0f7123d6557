"""A contact deleted in HubSpot: named as gone, its waiting writes dropped, never silently lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handoff.lifecycle.outputs import OutputField
from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock
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


def test_a_merged_contact_is_followed_to_the_one_it_survives_in(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    sandbox.seed_company(contacts=20)
    run_cycle(runtime)
    survivor, merged = sandbox.state.ids("contacts")[2:4]
    with runtime.store.begin() as tx:
        tx.outbox.replace_field_writes(
            {merged: FieldWrite({OutputField.SCORE: "99"}, {OutputField.SCORE: "1"})}, runtime.clock()
        )
    clock.advance(timedelta(minutes=5))
    sandbox.state.merge(survivor, merged)

    report = run_targeted(runtime, [merged])

    with runtime.store.begin() as tx:
        errors = {
            r.last_error
            for r in tx.connection.execute(
                select(OUTBOX.c.last_error).where(
                    OUTBOX.c.contact_id == merged, OUTBOX.c.status == OutboxStatus.DEAD.value
                )
            )
        }
        explained = tx.views.explain(merged)
    assert report.quarantined == 1
    assert f"merged into contact {survivor} in the CRM" in next(iter(errors))
    assert explained is not None
    assert next(q.error for q in explained.quarantined).startswith(f"merged into contact {survivor}")
    assert (report.pulled, report.evaluated) == (1, 1), "the survivor is read and decided instead"
    with runtime.store.begin() as tx:
        assert tx.mirror.known([survivor])[survivor].remote_modified_at == clock(), "as merged"
