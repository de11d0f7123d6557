"""Benchmark: `handoff report` over a store of N leads (the issue's goal: 1,000,000 in 10 s).

The history is laid down directly (bulk inserts of what the runtime leaves: stage moves, clock
transitions, a contact version and the MQL decision per lead), a year of MQLs with the shapes of
a real funnel: every lead an MQL, 70% accepted, 30% of those SQL, a third of those opportunity;
a fifth rejected with a reason; first touch met within hours or breached. Then the report is
built (read + fold) and rendered as each format, each timed.

Run: `python -m bench.report_bench [--leads N]` (SQLite; PostgreSQL too if
HANDOFF_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from handoff.config.loader import load_policy
from handoff.store.database import make_db_engine
from handoff.store.migrate import migrate
from handoff.store.schema import CLOCK_EVENT, CONTACT_VERSION, DECISION, OWNER, STAGE_HISTORY
from handoff.store.unit_of_work import Store
from handoff.sync.report import Report, build_report
from handoff.sync.report.html import render_html
from handoff.sync.report.plain import csv_text, to_json
from tests.support import scratch_schema

START = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2027, 1, 15, tzinfo=UTC)
SOURCES = ("paid_search", "organic", "webinar", "referral", "events", "partner")
TRIGGERS = ("Demo request", "Talk to sales", "Pricing page, 3+ visits in 7 days", "Webinar attended")
REASONS = ("no_budget", "no_authority", "timeline_12m_plus", "no_need", "bad_data")
REPS = 40
CHUNK = 20_000


def lay_down(connection: Connection, leads: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    rows = 0
    for batch in _batches(leads, rng):
        for table, values in zip((STAGE_HISTORY, CLOCK_EVENT, CONTACT_VERSION, DECISION), batch, strict=True):
            if values:
                connection.execute(table.insert(), values)
                rows += len(values)
    connection.execute(
        OWNER.insert(),
        [
            {
                "crm": "memory",
                "id": f"o{n}",
                "email": f"rep{n}@acme.example",
                "name": f"Rep {n}",
                "active": True,
                "is_queue": False,
                "teams": ["emea" if n % 2 else "north_america"],
                "updated_at": START,
            }
            for n in range(REPS)
        ],
    )
    return rows


def _batches(leads: int, rng: random.Random) -> Iterator[tuple[list[dict[str, Any]], ...]]:
    moves: list[dict[str, Any]] = []
    clocks: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    for n in range(leads):
        contact = f"c{n:07d}"
        owner = f"o{rng.randrange(REPS)}"
        mql = START + timedelta(minutes=rng.randrange(365 * 24 * 60))
        trigger = rng.choice(TRIGGERS)
        path: list[tuple[datetime, str | None, str, str]] = [
            (mql - timedelta(days=3), None, "lead", "stages.lead"),
            (mql, "lead", "mql", "stages.mql"),
        ]
        roll = rng.random()
        at = mql
        if roll < 0.7:
            at += timedelta(hours=rng.uniform(0.5, 30))
            path.append((at, "mql", "sal", "stages.sal"))
            if rng.random() < 0.3:
                at += timedelta(days=rng.uniform(1, 20))
                path.append((at, "sal", "sql", "stages.sql"))
                if rng.random() < 0.33:
                    at += timedelta(days=rng.uniform(1, 30))
                    path.append((at, "sql", "opportunity", "crm"))
        elif roll < 0.9:
            at += timedelta(hours=rng.uniform(1, 48))
            reason = rng.choice(REASONS)
            outcome = "disqualified" if reason in ("no_need", "bad_data") else "recycled"
            path.append((at, "mql", outcome, f"disqualification.reasons.{reason}"))
        for when, before, after, rule in path:
            moves.append(
                {
                    "crm": "memory",
                    "contact_id": contact,
                    "at": when,
                    "from_stage": before,
                    "to_stage": after,
                    "actor": "crm" if rule == "crm" else "handoff",
                    "rule": rule,
                    "signal": "high_intent" if after == "mql" else None,
                    "detail": f"fit 40 ≥ 25 and high-intent action: {trigger}" if after == "mql" else "",
                }
            )
        due = mql + timedelta(hours=24)
        touched = mql + timedelta(hours=rng.expovariate(1 / 12))
        clocks.append(_clock(contact, mql, "started", owner, started=mql, due=due))
        if touched <= due or rng.random() < 0.5:
            clocks.append(_clock(contact, touched, "met", owner, started=mql, due=due, met=touched))
        else:
            clocks.append(_clock(contact, due, "breached", owner, started=mql, due=due))
        versions.append(
            {
                "crm": "memory",
                "contact_id": contact,
                "version": 1,
                "seen_at": mql - timedelta(days=3),
                "source": "pull",
                "data": {
                    "id": contact,
                    "source": rng.choice(SOURCES),
                    "campaign": f"c{n % 12}",
                    "owner_id": owner,
                },
            }
        )
        decisions.append(_decision(contact, mql, owner, trigger))
        if len(versions) >= CHUNK:
            yield moves, clocks, versions, decisions
            moves, clocks, versions, decisions = [], [], [], []
    yield moves, clocks, versions, decisions


def _clock(
    contact: str,
    at: datetime,
    status: str,
    owner: str,
    *,
    started: datetime,
    due: datetime,
    met: datetime | None = None,
) -> dict[str, Any]:
    return {
        "crm": "memory",
        "contact_id": contact,
        "at": at,
        "clock": "first_touch",
        "status": status,
        "owner_id": owner,
        "started_at": started,
        "due_at": due,
        "met_at": met,
        "met_by": "call" if met else None,
    }


def _decision(contact: str, at: datetime, owner: str, trigger: str) -> dict[str, Any]:
    return {
        "crm": "memory",
        "contact_id": contact,
        "seq": 1,
        "at": at,
        "policy_version": "bench",
        "stage": "mql",
        "previous_stage": "lead",
        "fit": 40,
        "behavior": 25,
        "score": 65,
        "high_intent": True,
        "owner_id": owner,
        "summary": "MQL",
        "reasons": [["Company size 50–500", "120", 20, None], [trigger, "once", 25, None]],
        "problems": [],
        "routing": None,
        "clocks": [],
        "memory": {},
        "desired": {},
        "next_check_at": None,
        "digest": contact,
    }


def run(url: str, leads: int) -> None:
    engine = make_db_engine(url)
    migrate(engine)
    store = Store(engine, "memory")
    started = time.perf_counter()
    with store.begin() as tx:
        rows = lay_down(tx.connection, leads)
    print(f"  laid down {leads:,} leads ({rows:,} history rows) in {time.perf_counter() - started:.1f} s")
    policy = load_policy()
    started = time.perf_counter()
    report = build_report(store, policy, now=NOW, since=START, until=NOW, by="team")
    built = time.perf_counter() - started
    print(
        f"  report (read + fold) {built:.2f} s, {leads / built:,.0f} leads/s: "
        f"{report.funnel.leads:,} leads, MQL→SQL {report.funnel.total.mql_to_sql:.1%}"
    )
    renderers: dict[str, Callable[[Report], str]] = {
        "json": lambda built: json.dumps(to_json(built)),
        "csv": csv_text,
        "html": render_html,
    }
    for name, render in renderers.items():
        started = time.perf_counter()
        size = len(render(report))
        print(f"  {name}: {time.perf_counter() - started:.2f} s, {size / 1024:,.0f} KiB")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"SQLite, {args.leads:,} leads")
        run(f"sqlite:///{folder}/bench.db", args.leads)
    server = os.environ.get("HANDOFF_TEST_DATABASE_URL")
    if server:
        with scratch_schema(server) as url:
            print(f"PostgreSQL, {args.leads:,} leads")
            run(url, args.leads)


if __name__ == "__main__":
    main()
