"""Backfill against the in-memory CRM: each page is decided and written before the next is read."""

from __future__ import annotations

from datetime import timedelta

from handoff.connectors.memory.crm import Faults, MemoryCrm
from handoff.lifecycle.outputs import OutputField
from handoff.sync.backfill import backfill, dry_run
from handoff.sync.runtime import Runtime
from tests.support import START, FakeClock
from tests.sync import company

LEADS = 120
PAGE = 50


def seed(crm: MemoryCrm) -> None:
    company.reps(crm)
    crm.set_faults(Faults(page_size=PAGE))
    crm.put_contacts([(company.blog_reader(f"lead{n:03d}"), None) for n in range(LEADS)])


def test_a_backfill_writes_each_page_before_reading_the_next_and_a_second_writes_nothing(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    seed(crm)
    steps: list[tuple[str, int]] = []

    first = backfill(runtime, START - timedelta(days=1), clock.now, progress=lambda *step: steps.append(step))
    clock.advance(minutes=1)
    second = backfill(runtime, START - timedelta(days=1), clock.now, progress=lambda *_: None)

    assert (first.pulled, first.evaluated, first.changed, first.sent) == (LEADS, LEADS, LEADS, LEADS)
    assert steps[:6] == [("pulled", PAGE), ("evaluated", PAGE), ("written", PAGE)] * 2
    assert [count for step, count in steps if step == "pulled"] == [PAGE, PAGE, LEADS - 2 * PAGE]
    assert {crm.contact(f"lead{n:03d}").written[OutputField.STAGE] for n in range(LEADS)} == {"lead"}
    # Our own writes moved every contact into the second window: all re-read, nothing to write.
    assert (second.pulled, second.changed, second.sent) == (LEADS, 0, 0)
    with runtime.store.begin() as tx:
        runs = reversed(tx.runs.recent(10))
    assert [(run.kind, run.status, run.counts.pulled, run.counts.written) for run in runs] == [
        ("backfill", "ok", LEADS, LEADS),
        ("backfill", "ok", LEADS, 0),
    ]


def test_a_dry_run_counts_what_would_change_and_writes_nothing(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    seed(crm)

    report = dry_run(runtime, START - timedelta(days=1), clock.now, progress=lambda *_: None)

    assert (report.pulled, report.evaluated, report.changed) == (LEADS, LEADS, LEADS)
    assert report.moves == {"new → lead": LEADS}
    assert len(report.sample) == 10
    assert crm.request_counts().get("batch_update", 0) == 0
    assert all(crm.contact(f"lead{n:03d}").written.get(OutputField.STAGE) is None for n in range(LEADS))
