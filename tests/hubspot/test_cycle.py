"""Full cycles against the HubSpot sandbox: what lands in HubSpot, and what it costs in requests."""

from __future__ import annotations

import math
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from handoff.config.loader import load_policy
from handoff.config.settings import Settings
from handoff.connectors.errors import BudgetExhausted
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.setup import setup
from handoff.connectors.protocol import Window
from handoff.sandbox.hubspot import FaultConfig, HubSpotSandbox, RateLimitConfig, SimulatedClock
from handoff.sandbox.hubspot.records import ChangeSource
from handoff.sync.backfill import backfill, dry_run
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import Runtime, build_runtime
from tests.hubspot.conftest import MONDAY, connect


def crm_state(sandbox: HubSpotSandbox) -> dict[str, dict[str, str]]:
    """What reps see: every contact's handoff-written properties, as HubSpot holds them."""
    wanted = (
        "lifecyclestage",
        "hubspot_owner_id",
        "handoff_stage",
        "handoff_score",
        "handoff_reason",
        "handoff_sla_due_at",
        "handoff_sla_status",
    )
    state = {}
    for contact_id in sandbox.state.ids("contacts"):
        record = sandbox.state.get("contacts", contact_id)
        assert record is not None
        state[str(contact_id)] = {name: str(record.properties.get(name) or "") for name in wanted}
    return state


def test_a_cycle_writes_stages_owners_scores_reasons_and_sla_and_the_next_writes_nothing(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    sandbox.seed_company(contacts=150)

    first = run_cycle(runtime)
    clock.advance(timedelta(seconds=30))
    sandbox.request_log.clear()
    second = run_cycle(runtime)

    assert first.pulled == 150
    assert runtime.metrics.api_budget._value.get() > 0, "the daily budget left, read from HubSpot's headers"
    assert (second.queued, second.sent) == (0, 0)
    assert not [r for r in sandbox.request_log if r.path.endswith("/batch/update")], "the echo wrote again"
    state = crm_state(sandbox)
    with runtime.store.begin() as tx:
        decisions = tx.views.latest_decisions()
    clocked = {contact_id for contact_id, decision in decisions.items() if decision.clocks}
    lifecycle = {
        "lead": "lead",
        "subscriber": "subscriber",
        "mql": "marketingqualifiedlead",
        "sal": "salesqualifiedlead",
        "sql": "salesqualifiedlead",
        "recycled": "lead",
        "disqualified": "other",
    }
    for contact_id, fields in state.items():
        decision = decisions[contact_id]
        assert fields["handoff_stage"] == decision.stage
        assert fields["handoff_score"] == str(decision.score)
        assert fields["handoff_reason"] == decision.summary
        assert fields["hubspot_owner_id"] == (decision.owner_id or "")
        if decision.stage in lifecycle:
            assert fields["lifecyclestage"] == lifecycle[decision.stage], contact_id
        if decision.stage in ("mql", "sal") and contact_id in clocked:
            assert fields["handoff_sla_status"] in ("on_track", "due_soon", "breached", "met")
            assert fields["handoff_sla_due_at"].startswith("20")
    assert (
        Counter(f["handoff_stage"] for f in state.values())["mql"]
        + Counter(d.stage for d in decisions.values())["sal"]
        > 0
    ), "the seeded company has qualified leads"


def test_twelve_thousand_contacts_sharing_one_timestamp_all_arrive_once(
    sandbox: HubSpotSandbox, connector: HubSpotConnector, clock: SimulatedClock
) -> None:
    rows = [{"email": f"lead{n}@bulk.example", "firstname": f"Lead{n}"} for n in range(12_000)]
    sandbox.state.bulk_create("contacts", rows, at=MONDAY - timedelta(hours=1))

    seen: Counter[str] = Counter()
    for page in connector.pull_contacts(Window(MONDAY - timedelta(days=1), MONDAY)):
        seen.update(record.contact.id for record in page.contacts)

    assert len(seen) == 12_000
    assert set(seen.values()) == {1}
    searches = [r for r in sandbox.request_log if r.path.endswith("/contacts/search")]
    assert math.ceil(12_000 / 200) <= len(searches) <= math.ceil(12_000 / 199) + 2


def test_contacts_edited_while_a_window_is_read_make_nobody_else_skipped(
    sandbox: HubSpotSandbox, connector: HubSpotConnector, clock: SimulatedClock
) -> None:
    rows = [{"email": f"lead{n}@bulk.example", "firstname": f"Lead{n}"} for n in range(1_500)]
    sandbox.state.bulk_create("contacts", rows, at=MONDAY - timedelta(hours=1))
    clock.advance(timedelta(minutes=1))

    seen: list[str] = []
    for page in connector.pull_contacts(Window(MONDAY - timedelta(days=1), MONDAY)):
        seen += [record.contact.id for record in page.contacts]
        # Edited after the window's end, as a rep (or handoff writing a page back) would: the
        # contacts just read leave the result set while the rest of the window is still unread.
        for contact_id in seen[-50:]:
            sandbox.state.update("contacts", contact_id, {"firstname": "Edited"}, source=ChangeSource.ui(1))

    assert len(seen) == len(set(seen)) == 1_500


def test_after_a_backfill_a_dry_run_finds_nothing_to_change(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    sandbox.seed_company(contacts=60)
    since = MONDAY - timedelta(days=365)

    before = dry_run(runtime, since, clock(), progress=lambda *_: None)
    done = backfill(runtime, since, clock(), progress=lambda *_: None)
    clock.advance(timedelta(minutes=1))
    after = dry_run(runtime, since, clock(), progress=lambda *_: None)

    assert before.changed == done.changed > 0
    assert (after.pulled, after.changed) == (done.pulled, 0), after.sample


def test_a_dry_run_scores_the_forms_only_the_mirror_remembers(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    seeded = sandbox.seed_company(contacts=20)
    run_cycle(runtime)
    contact_id = _a_contact_at(runtime, "lead")
    record = sandbox.state.get("contacts", contact_id)
    assert record is not None
    email = str(record.properties["email"])
    # Three downloads, a cycle after each: HubSpot's record keeps only the first and the latest.
    for n, form in enumerate(
        (
            "RevOps Metrics Whitepaper",
            "The MQL-to-SQL Handoff Playbook",
            "The 2026 Lead Response Benchmark Report",
        )
    ):
        sandbox.state.submit_form(
            seeded.forms[f"Download: {form}"], {"email": email}, conversion_id=f"dl-{n}"
        )
        clock.advance(timedelta(minutes=10))
        run_cycle(runtime)

    report = dry_run(runtime, MONDAY - timedelta(days=365), clock(), progress=lambda *_: None)

    assert report.changed == 0, report.sample


def test_recycling_an_sql_clears_then_sets_the_lifecycle_stage_and_verifies_it(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    sandbox.seed_company(contacts=40)
    run_cycle(runtime)
    contact_id = _a_contact_at(runtime, "lead")
    qualified = {"lifecyclestage": "salesqualifiedlead", "handoff_stage": "sql"}
    sandbox.state.update("contacts", contact_id, qualified, source=ChangeSource.ui(1))
    clock.advance(timedelta(minutes=5))
    run_cycle(runtime)
    clock.advance(timedelta(minutes=5))
    sandbox.state.update(
        "contacts", contact_id, {"handoff_disqualification_reason": "no_budget"}, source=ChangeSource.ui(1)
    )
    clock.advance(timedelta(minutes=5))

    run_cycle(runtime)

    record = sandbox.state.get("contacts", contact_id)
    assert record is not None
    assert record.properties["handoff_stage"] == "recycled"
    assert record.properties["lifecyclestage"] == "lead"
    versions = [v.value for v in sandbox.state.history("contacts", contact_id, "lifecyclestage")]
    assert versions[:3] == ["lead", "", "salesqualifiedlead"], "cleared in its own request before the set"


def test_with_a_fifth_of_requests_failing_the_crm_ends_as_without_faults(
    clock: SimulatedClock, tmp_path: Path, sleeps: list[float]
) -> None:
    states = []
    for faulty in (False, True):
        sandbox = HubSpotSandbox(seed=11, tier="professional", clock=SimulatedClock(MONDAY))
        sandbox.start()
        try:
            sandbox.seed_company(contacts=80)
            hubspot = connect(sandbox, sleeps)
            setup(hubspot.client, load_policy())
            if faulty:
                sandbox.set_faults(
                    FaultConfig(seed=5, rate=0.2, kinds=frozenset({"429", "500", "502", "503"}))
                )
            folder = tmp_path / str(faulty)
            folder.mkdir()
            settings = Settings(crm="hubspot", database_url=f"sqlite:///{folder}/h.db")
            rt = build_runtime(settings, clock=sandbox.state.clock, connector=hubspot)
            report = run_cycle(rt)
            rt.close()
            sandbox.set_faults(None)
            assert report.complete
            assert (report.failed, report.dead) == (0, 0)
            states.append(crm_state(sandbox))
            faults = [r for r in sandbox.request_log if r.fault]
        finally:
            sandbox.stop()
    assert faults, "faults were injected"
    assert states[0] == states[1]


def test_api_economy_one_search_per_200_and_one_batch_update_per_100(
    sandbox: HubSpotSandbox, runtime: Runtime, clock: SimulatedClock
) -> None:
    count = 1_500
    rows = [
        {"email": f"lead{n}@northwind.example", "firstname": f"Lead{n}", "lifecyclestage": "lead"}
        for n in range(count)
    ]
    sandbox.state.bulk_create("contacts", rows, at=MONDAY - timedelta(minutes=30))
    sandbox.request_log.clear()

    report = run_cycle(runtime)

    calls = Counter((r.method, r.path.rstrip("/")) for r in sandbox.request_log)
    assert report.pulled == count
    assert calls[("POST", "/crm/v3/objects/contacts/search")] <= math.ceil(count / 199) + 1
    assert calls[("POST", "/crm/v3/objects/contacts/batch/update")] == math.ceil(count / 100)
    for kind in ("calls", "emails", "meetings", "notes"):
        # Associations are read only where an engagement can exist: none of these contacts has a
        # last activity date (tests/hubspot/test_read_economy.py reads those that do).
        assert calls[("POST", f"/crm/v4/associations/contacts/{kind}/batch/read")] == 0
    single = [key for key in calls if key[0] == "PATCH" and key[1].startswith("/crm/v3/objects/contacts/")]
    assert single == [], "no single-record writes"


def _a_contact_at(runtime: Runtime, stage: str) -> str:
    with runtime.store.begin() as tx:
        decisions = tx.views.latest_decisions()
    found = sorted(contact_id for contact_id, decision in decisions.items() if decision.stage == stage)
    assert found
    return found[0]


def _requests_before(first: str, tmp_path: Path, sleeps: list[float]) -> int:
    """How many requests a fresh run makes before its first request to `first` (a trial run)."""
    sandbox = HubSpotSandbox(seed=11, tier="professional", clock=SimulatedClock(MONDAY))
    sandbox.start()
    try:
        rt = _daily_run(sandbox, tmp_path / "trial", sleeps)
        run_cycle(rt)
        rt.close()
        return next(n for n, r in enumerate(sandbox.request_log) if r.path.rstrip("/").endswith(first))
    finally:
        sandbox.stop()


def _daily_run(sandbox: HubSpotSandbox, folder: Path, sleeps: list[float]) -> Runtime:
    folder.mkdir()
    sandbox.seed_company(contacts=120)
    hubspot = connect(sandbox, sleeps)
    setup(hubspot.client, load_policy())
    settings = Settings(crm="hubspot", database_url=f"sqlite:///{folder}/h.db")
    return build_runtime(settings, clock=sandbox.state.clock, connector=hubspot)


@pytest.mark.parametrize(
    "first_refused", ["/contacts/search", "/contacts/batch/update"], ids=["while pulling", "while writing"]
)
def test_the_daily_limit_stops_the_cycle_and_the_next_day_finishes_it_losing_nothing(
    clock: SimulatedClock, tmp_path: Path, sleeps: list[float], first_refused: str
) -> None:
    daily = _requests_before(first_refused, tmp_path, sleeps)
    sandbox = HubSpotSandbox(
        seed=11, tier="professional", clock=clock, rate_limits=RateLimitConfig(daily=daily)
    )
    sandbox.start()
    try:
        rt = _daily_run(sandbox, tmp_path / "run", sleeps)
        try:
            stopped = not run_cycle(rt).complete
        except BudgetExhausted:
            stopped = True
        assert stopped, "the daily limit stopped the run"
        assert all(s != 10.0 for s in sleeps), "the daily limit is not waited out inside the run"
        refused = [r for r in sandbox.request_log if r.status == 429]
        assert refused
        assert refused[0].path.rstrip("/").endswith(first_refused)
        clock.advance(timedelta(days=1))
        finished = run_cycle(rt)
        rt.close()
    finally:
        sandbox.stop()

    assert finished.complete
    assert all(fields["handoff_stage"] for fields in crm_state(sandbox).values()), "every lead was decided"
