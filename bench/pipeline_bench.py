"""Benchmark: one cycle over N changed contacts with 20 activities each, against the in-memory CRM.

Target: >= 3,000 contacts/s end to end, peak RSS under 300 MB, on SQLite and PostgreSQL. History
is always kept, so the figure is with history on.
Run: `python -m bench.pipeline_bench [--contacts N] [--database URL]` (default: SQLite in a temp dir,
then PostgreSQL if HANDOFF_TEST_DATABASE_URL is set). Each database runs in its own process so the
peak RSS printed is that run's alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from uuid import uuid4

from bench.leads import synthetic_leads
from bench.memory import peak_rss_mb
from handoff.config.settings import Settings
from handoff.connectors.memory.crm import Faults, MemoryCrm
from handoff.lifecycle.records import Activity, Contact
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import build_runtime
from tests.support import scratch_schema

SEED_BATCH = 5_000


def seed(path: str, contacts: int, now: datetime) -> None:
    crm = MemoryCrm(path)
    crm.set_faults(Faults(page_size=500, write_batch_size=100))
    batch: list[tuple[Contact, list[Activity]]] = []
    for contact, activities in synthetic_leads(contacts, 20, now):
        batch.append((contact, activities))
        if len(batch) == SEED_BATCH:
            _flush(crm, batch)
            batch = []
    _flush(crm, batch)
    crm.close()


def _flush(crm: MemoryCrm, batch: list[tuple[Contact, list[Activity]]]) -> None:
    if not batch:
        return
    crm.put_contacts([(contact, None) for contact, _ in batch])
    activities = [(contact.id, a) for contact, history in batch for a in history]
    crm.put_activities(activities, touch=False)


def measure(crm_path: str, database_url: str) -> None:
    crm = MemoryCrm(crm_path)
    rt = build_runtime(Settings(crm="memory", database_url=database_url), connector=crm)
    started = time.perf_counter()
    report = run_cycle(rt)
    elapsed = time.perf_counter() - started
    peak = peak_rss_mb()
    backend = rt.store.backend
    print(
        f"{backend}: {report.pulled:,} contacts pulled, {report.evaluated:,} evaluated, "
        f"{report.sent:,} writes in {elapsed:.1f} s"
    )
    print(
        f"{backend}: {report.pulled / elapsed:,.0f} contacts/s end to end (target >= 3,000); "
        f"peak RSS {peak:.0f} MB (target < 300)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--database")
    parser.add_argument("--crm")
    args = parser.parse_args()
    if args.database and args.crm:
        measure(args.crm, args.database)
        return
    with tempfile.TemporaryDirectory() as folder:
        crm_path = f"{folder}/crm.db"
        seeded = time.perf_counter()
        seed(crm_path, args.contacts, datetime.now(UTC))
        print(f"seeded {args.contacts:,} contacts x 20 activities in {time.perf_counter() - seeded:.0f} s")
        run(crm_path, f"sqlite:///{folder}/handoff.db")
        server = os.environ.get("HANDOFF_TEST_DATABASE_URL")
        if server:
            with scratch_schema(server) as database:
                run(crm_path, database)


def run(crm_path: str, database: str) -> None:
    """Each database in its own process, so the peak RSS printed is that run's alone, and on its own
    copy of the seeded CRM, so the second run starts from the same unwritten company as the first."""
    copy = f"{crm_path}.{uuid4().hex[:8]}"
    shutil.copyfile(crm_path, copy)
    try:
        subprocess.run(
            [sys.executable, "-m", "bench.pipeline_bench", "--crm", copy, "--database", database], check=True
        )
    finally:
        os.remove(copy)


if __name__ == "__main__":
    main()
