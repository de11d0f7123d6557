"""Tasks follow the lead: a rep's task list holds only leads they own and must still act on."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import update

from handoff.connectors.memory.crm import MemoryCrm
from handoff.store.outbox import OutboxKind, OutboxStatus
from handoff.store.schema import OUTBOX
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime
from tests.support import FakeClock
from tests.sync import company


def _open_tasks(crm: MemoryCrm, contact_id: str) -> Counter[str]:
    return Counter(
        t["owner_id"] for t in crm.tasks() if t["contact_id"] == contact_id and "completed_at" not in t
    )


def test_an_escalated_lead_leaves_one_open_task_with_its_new_owner_and_none_with_the_old(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    run_cycle(runtime)
    with runtime.store.begin() as tx:
        first = tx.views.latest_decisions(["vp-demo"])["vp-demo"].owner_id
    assert _open_tasks(crm, "vp-demo") == Counter({first: 1})

    clock.advance(minutes=20)  # the shipped policy escalates after 15 business minutes
    run_cycle(runtime)

    with runtime.store.begin() as tx:
        now_owner = tx.views.latest_decisions(["vp-demo"])["vp-demo"].owner_id
    assert now_owner not in (None, first), "the lead was escalated"
    assert _open_tasks(crm, "vp-demo") == Counter({now_owner: 1})


def test_a_disqualified_lead_leaves_no_open_task(runtime: Runtime, crm: MemoryCrm, clock: FakeClock) -> None:
    company.seed(crm)
    run_cycle(runtime)
    clock.advance(minutes=5)
    crm.rep_edit("vp-demo", accepted=True, lead_status="IN_PROGRESS")
    run_cycle(runtime)
    clock.advance(minutes=5)
    crm.rep_edit("vp-demo", rejected=True, disqualification_reason="no_need")

    run_cycle(runtime)

    assert _open_tasks(crm, "vp-demo") == Counter()


def test_a_task_left_in_flight_by_a_crash_is_completed_when_its_lead_moves_on(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    run_cycle(runtime)
    with runtime.store.begin() as tx:  # the process died after the CRM made the task, before it was settled
        tx.connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.kind == OutboxKind.TASK.value)
            .values(status=OutboxStatus.INFLIGHT.value)
        )
        first = tx.views.latest_decisions(["vp-demo"])["vp-demo"].owner_id

    clock.advance(minutes=20)
    run_cycle(runtime)

    assert first not in _open_tasks(crm, "vp-demo"), "the old owner's task is completed"
