"""The deals stream: pulled after the contacts with its own cursor, saved with it in one
transaction, idempotent, resumable after a kill, and never a reason to decide a lead again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff.connectors.errors import AuthError
from handoff.connectors.memory.crm import Faults, MemoryCrm
from handoff.connectors.protocol import DealPage, Window
from handoff.lifecycle.records import Deal
from handoff.store.schema import QUARANTINE
from handoff.sync.backfill import backfill
from handoff.sync.cycle import run_cycle, run_reconcile
from handoff.sync.outcomes import DEALS_STREAM, pull_deals
from handoff.sync.runtime import Runtime
from tests.support import FakeClock
from tests.sync import company


def _deal(deal_id: str, *, won: bool = False, amount: float | None = 4_000.0) -> Deal:
    stage = "closedwon" if won else "qualifiedtobuy"
    return Deal(deal_id, stage=stage, closed=won, won=won, amount=amount)


def _stored(runtime: Runtime) -> tuple[dict[str, list[Deal]], int]:
    with runtime.store.begin() as tx:
        return tx.outcomes.deals_by_contact(), tx.outcomes.count()


def test_a_cycle_pulls_deals_after_the_contacts_and_a_rerun_adds_nothing(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    crm.put_deals([(_deal("d1"), ["vp-demo"]), (_deal("d2"), ["vp-demo", "fit-blog"])])

    run_cycle(runtime)
    first = _stored(runtime)
    clock.advance(seconds=30)
    again = run_cycle(runtime)

    assert first == ({"vp-demo": [_deal("d1"), _deal("d2")], "fit-blog": [_deal("d2")]}, 3)
    assert _stored(runtime) == first, "the look-back re-reads the deals and adds nothing"
    assert again.complete
    with runtime.store.begin() as tx:
        cursor = tx.cursors.load(DEALS_STREAM)
    assert cursor.value == clock.now
    assert not cursor.in_progress


def test_a_deal_seen_open_then_won_is_dated_by_the_runtime_s_clock(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    crm.put_deals([(_deal("d1"), ["vp-demo"])])
    run_cycle(runtime)
    opened_seen = clock.now
    clock.advance(days=12)
    crm.put_deals([(_deal("d1", won=True, amount=9_900.0), ["vp-demo"])])
    clock.advance(minutes=3)
    run_cycle(runtime)

    with runtime.store.begin() as tx:
        before = tx.outcomes.deals_by_contact(["vp-demo"], at=clock.now - timedelta(minutes=1))
        after = tx.outcomes.deals_by_contact(["vp-demo"])
        (seen,) = tx.outcomes.seen_times(["vp-demo"])["vp-demo"]
    assert before == {"vp-demo": [_deal("d1")]}
    assert after == {"vp-demo": [_deal("d1", won=True, amount=9_900.0)]}
    assert (seen.first_seen_at, seen.won_seen_at) == (opened_seen, clock.now)


def test_deals_do_not_make_a_lead_decided_again(runtime: Runtime, crm: MemoryCrm, clock: FakeClock) -> None:
    company.seed(crm)
    run_cycle(runtime)
    clock.advance(minutes=5)
    settled = run_cycle(runtime)  # reads back handoff's own writes
    clock.advance(minutes=5)
    crm.put_deals([(_deal("d1", won=True), ["vp-demo"])])

    report = run_cycle(runtime)

    assert settled.evaluated > 0
    assert report.evaluated == 0
    assert _stored(runtime)[1] == 1


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("a negative amount", {"id": "bad", "amount": -5}),
        ("an amount in words", {"id": "bad", "amount": "lots"}),
        ("a naive close date", {"id": "bad", "close_date": "2026-11-30T10:00:00"}),
        ("an unknown field", {"id": "bad", "probability": 0.4}),
    ],
)
def test_a_bad_deal_is_quarantined_and_the_rest_go_on(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock, case: str, data: dict[str, object]
) -> None:
    company.seed(crm)
    crm.put_deals([(_deal("d1"), ["vp-demo"])])
    crm.put_deal_data([("bad", data, ["vp-demo"])])

    report = run_cycle(runtime)
    with runtime.store.begin() as tx:
        quarantined = [(r.stream, r.record_id) for r in tx.connection.execute(select(QUARANTINE))]
    clock.advance(minutes=1)
    crm.put_deals([(_deal("bad"), ["vp-demo"])])  # fixed in the CRM
    run_cycle(runtime)
    with runtime.store.begin() as tx:
        released = [r.record_id for r in tx.connection.execute(select(QUARANTINE))]

    assert report.complete, case
    assert quarantined == [("deals", "bad")], case
    assert report.quarantined >= 1
    assert _stored(runtime)[0] == {"vp-demo": [_deal("bad"), _deal("d1")]}, "by id, neither dated"
    assert released == [], "a deal that reads again leaves the quarantine"


def test_a_pull_killed_between_pages_resumes_its_window_and_loses_nothing(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm.set_faults(Faults(page_size=3))
    crm.put_deals([(_deal(f"d{n}"), [f"c{n % 4}"]) for n in range(10)])
    real = crm.pull_deals

    def killed_after_the_first_page(window: Window, resume: str | None = None) -> Iterator[DealPage]:
        pages = real(window, resume)
        yield next(pages)
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(crm, "pull_deals", killed_after_the_first_page)
    with pytest.raises(KeyboardInterrupt):
        pull_deals(runtime, clock.now)
    with runtime.store.begin() as tx:
        halfway = tx.cursors.load(DEALS_STREAM)
    monkeypatch.setattr(crm, "pull_deals", real)
    clock.advance(minutes=1)
    before = crm.request_counts().get("deals", 0)
    counts = pull_deals(runtime, clock.now)

    assert halfway.in_progress, "the window and its page token were saved with the first page"
    assert _stored(runtime)[1] == 10, "every deal once"
    assert counts.changed == 10 - 3, "the window went on from its token, the look-back added nothing"
    assert crm.request_counts()["deals"] - before == 3 + 4, "the rest of the window, then the present"
    with runtime.store.begin() as tx:
        assert not tx.cursors.load(DEALS_STREAM).in_progress


def test_a_stopped_cycle_leaves_the_deals_window_to_finish_next_time(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    crm.set_faults(Faults(page_size=2))
    crm.put_deals([(_deal(f"d{n}"), ["vp-demo"]) for n in range(5)])
    stop = threading.Event()
    stop.set()

    stopped = run_cycle(runtime, stop=stop)
    finished = run_cycle(runtime)

    assert not stopped.complete
    assert finished.complete
    assert len(_stored(runtime)[0]["vp-demo"]) == 5


def test_a_token_without_the_deals_scope_leaves_outcomes_unread_and_the_cycle_goes_on(
    runtime: Runtime, crm: MemoryCrm, monkeypatch: pytest.MonkeyPatch
) -> None:
    company.seed(crm)

    def forbidden(window: Window, resume: str | None = None) -> Iterator[DealPage]:
        raise AuthError(
            "403; the token lacks a scope for deals.search", crm="memory", operation="deals.search"
        )

    monkeypatch.setattr(crm, "pull_deals", forbidden)

    report = run_cycle(runtime)

    assert report.complete
    assert report.evaluated > 0


def test_backfill_pulls_the_deals_of_its_window(runtime: Runtime, crm: MemoryCrm, clock: FakeClock) -> None:
    company.seed(crm)
    crm.put_deals([(_deal("old"), ["vp-demo"])], clock.now - timedelta(days=40))
    crm.put_deals([(_deal("recent"), ["vp-demo"])], clock.now - timedelta(days=3))

    backfill(runtime, clock.now - timedelta(days=10), clock.now, progress=lambda _kind, _n: None)

    assert _stored(runtime)[0] == {"vp-demo": [_deal("recent")]}
    with runtime.store.begin() as tx:
        assert tx.cursors.load(DEALS_STREAM).value is None, "the incremental stream is untouched"


def test_the_reconcile_re_reads_every_deal_for_associations_that_kept_their_date(
    runtime: Runtime, crm: MemoryCrm, clock: FakeClock
) -> None:
    company.seed(crm)
    dated = clock.now - timedelta(days=2)
    crm.put_deals([(_deal("d1"), ["vp-demo"])], dated)
    run_cycle(runtime)
    clock.advance(hours=1)
    crm.put_deals([(_deal("d1"), ["vp-demo", "fit-blog"])], dated)  # a new contact, the same date

    run_cycle(runtime)
    missed = _stored(runtime)[0]
    run_reconcile(runtime)

    assert missed == {"vp-demo": [_deal("d1")]}
    assert _stored(runtime)[0] == {"vp-demo": [_deal("d1")], "fit-blog": [_deal("d1")]}
