"""One cycle against the in-memory CRM: decisions reach the CRM once, echoes change nothing."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta

from handoff.connectors.memory.crm import Faults, MemoryCrm
from handoff.lifecycle.outputs import OutputField
from handoff.store.outbox import OutboxStatus
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime
from tests.support import FakeClock
from tests.sync import company


def written(crm: MemoryCrm, contact_id: str) -> dict[OutputField, str | None]:
    return crm.contact(contact_id).written


def test_a_cycle_writes_each_decision_and_the_next_cycle_writes_nothing(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)

    first = run_cycle(runtime)
    clock.advance(seconds=30)
    second = run_cycle(runtime)

    assert (first.pulled, first.evaluated, first.queued) == (3, 3, 3)
    assert first.sent == 4, "three field writes and the new MQL's task for its rep"
    assert written(crm, "vp-demo")[OutputField.STAGE] == "mql"
    assert written(crm, "vp-demo")[OutputField.SCORE] == "65"
    assert written(crm, "fit-blog")[OutputField.STAGE] == "lead"
    assert written(crm, "gmail-fan")[OutputField.STAGE] == "lead"
    reason = written(crm, "vp-demo")[OutputField.REASON] or ""
    assert "waiting for the assigned rep to accept the MQL" in reason
    assert "Demo request (+25)" in reason
    # Our writes moved every contact's modification time, so the second cycle re-reads all three...
    assert second.pulled == 3
    # ...and finds nothing to do.
    assert (second.queued, second.sent) == (0, 0)
    assert len(crm.changes("handoff")) == len(set(crm.changes("handoff")))
    assert crm.request_counts()["batch_update"] == 1


def test_a_rep_acceptance_moves_the_lead_to_sal_and_is_audited(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    run_cycle(runtime)
    clock.advance(minutes=5)
    crm.rep_edit("vp-demo", accepted=True, lead_status="IN_PROGRESS")

    report = run_cycle(runtime)

    assert report.sent == 2, "the stage fields, and the MQL's task completed"
    assert written(crm, "vp-demo")[OutputField.STAGE] == "sal"
    assert [t.get("completed_at") is not None for t in crm.tasks() if t["contact_id"] == "vp-demo"] == [True]
    with runtime.store.begin() as tx:
        found = tx.views.explain("vp-demo")
    assert found is not None
    assert [(m.from_stage, m.to_stage, m.signal) for m in found.history] == [
        (None, "lead", "created"),
        ("lead", "mql", "high_intent"),
        ("mql", "sal", "acceptance"),
    ]


def test_a_stage_changed_in_the_crm_is_audited_as_the_crm_s_move(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    run_cycle(runtime)
    clock.advance(minutes=5)
    crm.rep_edit("vp-demo", stage="opportunity")

    run_cycle(runtime)

    with runtime.store.begin() as tx:
        found = tx.views.explain("vp-demo")
    assert found is not None
    assert ("crm", "opportunity") in [(m.actor, m.to_stage) for m in found.history]
    assert written(crm, "vp-demo")[OutputField.STAGE] == "opportunity"


def test_a_record_the_crm_rejects_is_quarantined_and_the_rest_go_on(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    ids = company.many(crm, 250)
    crm.set_faults(Faults(reject_contacts={ids[7]: "PROPERTY_DOESNT_EXIST: handoff_score"}))

    report = run_cycle(runtime)

    assert report.dead == 1
    assert sum(written(crm, i)[OutputField.STAGE] == "mql" for i in ids) == 249
    assert written(crm, ids[7])[OutputField.STAGE] is None
    with runtime.store.begin() as tx:
        quarantined = tx.quarantine.latest(10)
        dead = tx.outbox.depth().get(OutboxStatus.DEAD)
    assert [(q.stream, q.record_id, q.error) for q in quarantined] == [
        ("writes:fields", ids[7], "PROPERTY_DOESNT_EXIST: handoff_score")
    ]
    assert dead == 1


def test_transient_errors_and_rate_limits_are_retried_and_the_cycle_completes(
    runtime: Runtime, crm: MemoryCrm, sleeps: list[float]
) -> None:
    ids = company.many(crm, 120)
    crm.set_faults(Faults(transient_rate=0.25, rate_limit_rate=0.15, seed=3))

    report = run_cycle(runtime)

    assert report.complete
    assert sleeps, "the retry policy waited between attempts"
    assert 0.0 in sleeps, "Retry-After: 0 from the rate limit was honoured"
    crm.set_faults(Faults())
    run_cycle(runtime)
    assert {written(crm, i)[OutputField.STAGE] for i in ids} == {"mql"}


def test_the_cursor_is_capped_at_the_cycle_start_and_reads_back_with_a_look_back(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    started = clock.now

    run_cycle(runtime)

    with runtime.store.begin() as tx:
        cursor = tx.cursors.load("contacts")
    assert cursor.value == started
    assert not cursor.in_progress


def test_a_stopped_pull_resumes_its_window_where_it_stopped(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    crm.page_size = 50
    ids = company.many(crm, 180)
    stop = threading.Event()
    stop.set()

    stopped = run_cycle(runtime, stop=stop)
    with runtime.store.begin() as tx:
        cursor = tx.cursors.load("contacts")
    resumed = run_cycle(runtime)

    assert not stopped.complete
    assert stopped.pulled == 50
    assert cursor.in_progress
    assert cursor.resume
    assert resumed.pulled == 130
    assert {written(crm, i)[OutputField.STAGE] for i in ids} == {"mql"}


def test_a_resumed_window_is_followed_by_what_changed_since_in_the_same_cycle(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    crm.page_size = 50
    company.many(crm, 120)
    stop = threading.Event()
    stop.set()
    run_cycle(runtime, stop=stop)
    clock.advance(minutes=5)
    later = company.many(crm, 30, prefix="later", now=clock.now)

    resumed = run_cycle(runtime)
    echo = run_cycle(runtime)

    assert resumed.complete
    assert {written(crm, i)[OutputField.STAGE] for i in later} == {"mql"}
    assert (echo.moved, echo.sent) == (0, 0)
    with runtime.store.begin() as tx:
        cursor = tx.cursors.load("contacts")
    assert not cursor.in_progress
    assert cursor.value == clock.now


def test_timestamps_come_back_aware_in_utc(runtime: Runtime, crm: MemoryCrm, clock: FakeClock) -> None:
    company.seed(crm)
    run_cycle(runtime)

    with runtime.store.begin() as tx:
        evaluated_at = tx.views.latest_decisions(["vp-demo"])["vp-demo"].at

    assert evaluated_at.tzinfo is not None
    assert evaluated_at.utcoffset() == timedelta(0)
    assert evaluated_at == clock.now.astimezone(UTC)


def test_the_latest_decision_holds_only_the_clocks_still_running(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    run_cycle(runtime)
    running = _clock_names(runtime, "vp-demo")
    clock.advance(minutes=5)
    crm.rep_edit("vp-demo", rejected=True, disqualification_reason="competitor")

    run_cycle(runtime)

    assert running, "the new MQL's clocks run"
    assert written(crm, "vp-demo")[OutputField.STAGE] == "disqualified"
    assert _clock_names(runtime, "vp-demo") == set(), "a disqualified lead has no clock left to show"


def _clock_names(runtime: Runtime, contact_id: str) -> set[str]:
    with runtime.store.begin() as tx:
        decision = tx.views.latest_decisions([contact_id])[contact_id]
    return {clock["name"] for clock in decision.clocks}
