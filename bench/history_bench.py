"""Benchmark: what history costs, in bytes per contact per change.

A company of N contacts (20 activities each) is synced once; then, round after round, a share of
the contacts change the way leads do (a rep accepts, a new page view, evidence documented, a
rejection), and each round is synced. The store's history tables are measured after the first
cycle and after the rounds: their growth divided by the changes made is the cost of remembering a
change. Sizes are the database's own (SQLite's dbstat pages, PostgreSQL's relation sizes, indexes
included). Every cycle keeps history (it cannot be switched off), so the pipeline benchmark's
figures are with history on.

Run: `python -m bench.history_bench [--contacts N] [--rounds R] [--share S]` (SQLite, then
PostgreSQL if HANDOFF_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.leads import synthetic_leads
from handoff.config.settings import Settings
from handoff.config.vocabulary import ActivityKind
from handoff.connectors.memory.crm import MemoryCrm
from handoff.lifecycle.records import Activity
from handoff.store.unit_of_work import Store
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import build_runtime
from tests.support import FakeClock, scratch_schema
from tests.sync import company

HISTORY = ("contact_version", "activity", "decision", "stage_history", "clock_event", "write_ledger")
BANT = {"need": "slow routing", "authority": "VP signs", "timeline": "Q1", "budget": "approved"}


def sizes(store: Store) -> dict[str, int]:
    with store.engine.connect() as connection:
        if store.backend == "sqlite":
            rows = connection.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all()
            found: dict[str, int] = dict(rows)
            # An index's pages belong to its table's history too.
            indexes = connection.execute(
                text("SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index'")
            ).all()
            totals = {table: int(found.get(table, 0)) for table in HISTORY}
            for index, table in indexes:
                if table in totals:
                    totals[table] += int(found.get(index, 0))
            return totals
        return {
            table: int(connection.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one())
            for table in HISTORY
        }


def measure(database_url: str, contacts: int, rounds: int, share: float) -> None:
    clock = FakeClock(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    crm = MemoryCrm(clock=clock)
    company.reps(crm)
    leads = list(synthetic_leads(contacts, 20, clock.now))
    crm.put_contacts([(contact, None) for contact, _ in leads])
    crm.put_activities([(contact.id, a) for contact, history in leads for a in history], touch=False)
    rt = build_runtime(Settings(crm="memory", database_url=database_url), clock=clock, connector=crm)
    started = time.perf_counter()
    run_cycle(rt)
    first = time.perf_counter() - started
    base = sizes(rt.store)
    rng = random.Random(3)
    ids = [contact.id for contact, _ in leads]
    changes = 0
    for round_number in range(rounds):
        clock.advance(hours=2)
        for contact_id in rng.sample(ids, int(len(ids) * share)):
            change = rng.random()
            if change < 0.4:
                crm.put_activities(
                    [
                        (
                            contact_id,
                            Activity(
                                f"{contact_id}-r{round_number}",
                                ActivityKind.PAGE_VIEW,
                                clock.now - timedelta(minutes=5),
                                attributes={"url": "https://acme.example/pricing"},
                            ),
                        )
                    ]
                )
            elif change < 0.7:
                crm.rep_edit(contact_id, accepted=True, lead_status="IN_PROGRESS")
            elif change < 0.9:
                crm.rep_edit(contact_id, evidence=BANT)
            else:
                crm.rep_edit(contact_id, rejected=True, disqualification_reason="no_budget")
            changes += 1
        run_cycle(rt)
    grown = sizes(rt.store)
    backend = rt.store.backend
    total_first = sum(base.values())
    print(
        f"{backend}: first cycle over {contacts:,} contacts in {first:.1f} s; history after it "
        f"{total_first / 1024 / 1024:.1f} MB = {total_first / contacts:,.0f} bytes per contact"
    )
    growth = {table: grown[table] - base[table] for table in HISTORY}
    per_change = sum(growth.values()) / max(1, changes)
    detail = ", ".join(f"{table} {size / max(1, changes):,.0f}" for table, size in growth.items())
    print(f"{backend}: {changes:,} changes in {rounds} rounds: {per_change:,.0f} bytes per change")
    print(f"{backend}:   by table: {detail}")
    rt.close()
    crm.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--share", type=float, default=0.2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{folder}/handoff.db", args.contacts, args.rounds, args.share)
    server = os.environ.get("HANDOFF_TEST_DATABASE_URL")
    if server:
        with scratch_schema(server) as database:
            measure(database, args.contacts, args.rounds, args.share)


if __name__ == "__main__":
    main()
