"""Benchmark: backfill N contacts from the HubSpot sandbox at Enterprise limits, over HTTP.

Target (issue 5): at 100,000 contacts, report records/s, API calls used against the theoretical
minimum (target <= 1.05x) and peak RSS. Run: `python -m bench.hubspot_backfill [--contacts 100000]
[--visited 0.0] [--profile]`.

The sandbox (tier "enterprise", default `RateLimitConfig`: 190 requests per rolling 10 s, search
5/s, both enforced with real 429s) runs in this process with a real-time clock; it is seeded with
the Acme reps and forms and then N leads through `state.bulk_create` in chunks (email, names, job
title, company name, country, source, lifecycle stage "lead"; no associated company, no engagements;
`--visited` gives that share of them three page views in the last 30 days, which the connector
reads from the web events API one contact at a time). `handoff setup` creates the properties, the
request log is cleared, then handoff runs `sync.backfill.backfill` in a child process — the real
connector with its default pacing (its client-side budget waits for real) on SQLite in a temp dir —
so that the peak RSS printed is handoff's alone and handoff does not share a GIL with the emulator.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.hubspot_common import calls_by_endpoint, print_calls, quiet_logs, wait
from bench.memory import peak_rss_mb
from handoff.config.loader import load_policy
from handoff.config.settings import Settings
from handoff.connectors.hubspot.client import SEARCH_PER_SECOND, TEN_SECOND_LIMITS
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.setup import setup
from handoff.connectors.retry import RetryPolicy
from handoff.sandbox.hubspot import PAGE_VIEW, HubSpotSandbox, WebEvent
from handoff.sync.backfill import backfill
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import build_runtime, system_clock

TIER = "enterprise"
SEED_CHUNK = 5_000
SEARCH_PAGE = 200
WRITE_BATCH = 100
TARGET_RATIO = 1.05
TITLES = (
    "VP Sales",
    "Director of Marketing",
    "Marketing Manager",
    "Sales Operations Analyst",
    "Head of Growth",
    "Software Engineer",
    "Account Executive",
    "CFO",
    "Office Manager",
    "Student",
)
FIRST = ("Alex", "Sam", "Maria", "Wei", "Fatima", "Jonas", "Priya", "Lucas", "Emma", "Kofi", "Yuki")
LAST = ("Smith", "Chen", "Müller", "Okoye", "Rossi", "Dubois", "Kaur", "Silva", "Novak", "Berg")
COMPANIES = ("Northwind", "Ledgerly", "Quantia", "Brightpath", "Fernhill", "Kestrel", "Lumen", "Redwood")
COUNTRIES = ("US", "US", "US", "CA", "GB", "DE", "FR", "NL", "AU", "IN", "BR")
SOURCES = ("ORGANIC_SEARCH", "PAID_SEARCH", "DIRECT_TRAFFIC", "REFERRALS", "SOCIAL_MEDIA", "OFFLINE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--visited", type=float, default=0.0, help="share of contacts with recent page views")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile the handoff process")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    quiet_logs()
    if args.child:
        child(json.loads(args.child), profile=args.profile)
        return
    parent(args)


# -- the emulated HubSpot (this process) ---------------------------------------------------------


def parent(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="handoff-backfill-") as folder:
        sandbox = HubSpotSandbox(seed=args.seed, tier=TIER)
        base_url = sandbox.start()
        try:
            started = time.perf_counter()
            since, until, visited = seed(sandbox, args.contacts, args.visited, args.seed)
            print(
                f"seeded {args.contacts:,} contacts ({visited:,} with recent page views) "
                f"in {time.perf_counter() - started:.0f} s"
            )
            policy = load_policy()
            connector = HubSpotConnector.connect(
                sandbox.token, base_url, tier=TIER, policy=policy, clock=sandbox.state.clock
            )
            setup(connector.client, policy)
            wait(10.0)  # let setup's requests leave the sandbox's 10-second window
            sandbox.request_log.clear()
            job = {
                "base_url": base_url,
                "token": sandbox.token,
                "database_url": f"sqlite:///{folder}/handoff.db",
                "since": since.isoformat(),
                "until": until.isoformat(),
            }
            command = [sys.executable, "-m", "bench.hubspot_backfill", "--child", json.dumps(job)]
            if args.profile:
                command.append("--profile")
            done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
            result = json.loads(done.stdout.strip().splitlines()[-1])
            # The backfill's requests, then the echo cycle's (reported apart).
            echo_at = datetime.fromisoformat(result["echo"]["at"])
            log = [r for r in sandbox.request_log.snapshot() if r.timestamp < echo_at]
            assert not sandbox.internal_errors, sandbox.internal_errors
        finally:
            sandbox.stop()
        sandbox_rss = peak_rss_mb()
        report(args.contacts, visited, result, calls_by_endpoint(log), Counter(r.status for r in log))
        print(
            f"(the sandbox process peaked at {sandbox_rss:,.0f} MB, holding the {args.contacts:,} contacts)"
        )


def seed(
    sandbox: HubSpotSandbox, contacts: int, visited_share: float, seed: int
) -> tuple[datetime, datetime, int]:
    """Reps and forms, then the leads in chunks, created over the last few hours; some browse."""
    state = sandbox.state
    rng = random.Random(f"backfill:{seed}")
    now = datetime.now(UTC)
    sandbox.seed_company(contacts=0)
    chunks = max(1, math.ceil(contacts / SEED_CHUNK))
    first = now - timedelta(minutes=chunks + 5)
    visited = 0
    made = 0
    for chunk in range(chunks):
        size = min(SEED_CHUNK, contacts - made)
        rows = [_lead(rng, made + i) for i in range(size)]
        ids = state.bulk_create("contacts", rows, at=first + timedelta(minutes=chunk))
        made += size
        events: list[WebEvent] = []
        for contact_id in ids:
            if rng.random() >= visited_share:
                continue
            visited += 1
            for view in range(3):
                events.append(
                    WebEvent(
                        id=f"pv-{contact_id}-{view}",
                        contact_id=int(contact_id),
                        event_type=PAGE_VIEW,
                        occurred_at=now - timedelta(days=rng.uniform(1, 30), minutes=view),
                        url=rng.choice(
                            ("https://www.acme.example/pricing", "https://www.acme.example/blog/x")
                        ),
                    )
                )
        if events:
            state.add_web_events(events)
    return first - timedelta(days=1), datetime.now(UTC) + timedelta(seconds=1), visited


def _lead(rng: random.Random, index: int) -> dict[str, object]:
    first, last, company = rng.choice(FIRST), rng.choice(LAST), rng.choice(COMPANIES)
    return {
        "email": f"{first}.{last}.{index}@{company.lower()}.example".lower(),
        "firstname": first,
        "lastname": last,
        "jobtitle": rng.choice(TITLES),
        "company": company,
        "country": rng.choice(COUNTRIES),
        "hs_analytics_source": rng.choice(SOURCES),
        "lifecyclestage": "lead",
    }


# -- handoff (the child process) -----------------------------------------------------------------


def child(job: dict[str, Any], *, profile: bool) -> None:
    waited = {"budget": 0.0, "retry": 0.0}

    def pace(seconds: float) -> None:
        waited["budget"] += seconds
        wait(seconds)

    def retry_sleep(seconds: float) -> None:
        waited["retry"] += seconds
        wait(seconds)

    policy = load_policy()
    connector = HubSpotConnector.connect(
        job["token"],
        job["base_url"],
        tier=TIER,
        policy=policy,
        retry=RetryPolicy(sleep=retry_sleep),
        pace=pace,
        clock=system_clock,
    )
    rt = build_runtime(Settings(crm="hubspot", database_url=job["database_url"]), connector=connector)
    marks: dict[str, float] = {}
    pulled = [0]

    def progress(step: str, count: int) -> None:
        if count:
            marks.setdefault(step, time.perf_counter())
        if step == "pulled":
            pulled[0] += count
            if pulled[0] % 10_000 < count:
                print(f"  pulled {pulled[0]:,}", file=sys.stderr, flush=True)

    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    result = backfill(
        rt, datetime.fromisoformat(job["since"]), datetime.fromisoformat(job["until"]), progress=progress
    )
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - started
    first_written = marks.get("written", time.perf_counter()) - started
    if profiler is not None:
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(r"/(sync|connectors|lifecycle)/[a-z_/]+\.py", 30)
        print(text.getvalue(), file=sys.stderr)
    # The next cycle reads back what the backfill wrote: every contact is an echo of handoff's
    # own write, which should cost its search and nothing else.
    before = connector.client.requests
    echo_at = system_clock()
    echo_started = time.perf_counter()
    echo = run_cycle(rt)
    echo_seconds = time.perf_counter() - echo_started
    rt.close()
    print(
        json.dumps(
            {
                "echo": {
                    "requests": connector.client.requests - before,
                    "pulled": echo.pulled,
                    "evaluated": echo.evaluated,
                    "sent": echo.sent,
                    "seconds": echo_seconds,
                    "at": echo_at.isoformat(),
                },
                "seconds": elapsed,
                "first_written": first_written,
                "pulled": result.pulled,
                "evaluated": result.evaluated,
                "changed": result.changed,
                "sent": result.sent,
                "failed": result.failed,
                "quarantined": result.quarantined,
                "requests": before,
                "budget_wait": waited["budget"],
                "retry_wait": waited["retry"],
                "rss_mb": peak_rss_mb(),
                "pid": os.getpid(),
            }
        )
    )


# -- the figures ---------------------------------------------------------------------------------


def report(
    contacts: int, visited: int, result: dict[str, Any], calls: Counter[str], statuses: Counter[int]
) -> None:
    seconds = float(result["seconds"])
    used = sum(calls.values())
    searches = math.ceil(contacts / SEARCH_PAGE)
    writes = math.ceil(contacts / WRITE_BATCH)
    minimum = searches + writes + visited
    general = used - sum(count for name, count in calls.items() if name.endswith("/search"))
    budget = TEN_SECOND_LIMITS[TIER] * 0.9 / 10
    print(
        f"backfill of {result['pulled']:,} contacts: {seconds:,.1f} s wall, "
        f"{result['pulled'] / seconds:,.0f} records/s end to end; evaluated {result['evaluated']:,}, "
        f"{result['sent']:,} writes sent, {result['failed']} failed, {result['quarantined']} quarantined"
    )
    print(
        f"peak RSS of the handoff process: {result['rss_mb']:,.0f} MB; "
        f"waited {result['budget_wait']:,.1f} s for the client-side request budget, "
        f"{result['retry_wait']:,.1f} s in retries"
    )
    print(f"first leads written back {result['first_written']:,.1f} s after the start (pages interleave)")
    echo = result["echo"]
    print(
        f"the next cycle, reading back what the backfill wrote: {echo['requests']:,} requests for "
        f"{echo['pulled']:,} contacts (ceil(N/200) + 5 = {math.ceil(contacts / SEARCH_PAGE) + 5:,}), "
        f"{echo['evaluated']:,} evaluated, {echo['sent']:,} written, {echo['seconds']:,.1f} s"
    )
    print(f"API calls used: {used:,} (handoff counted {result['requests']:,}); answers {dict(statuses)}")
    print_calls(calls)
    print("theoretical minimum for this data (one web-events call per visited contact):")
    print(
        f"  ceil(N/200) searches {searches:,} + ceil(N/100) batch updates {writes:,} "
        f"+ {visited:,} web-events calls = {minimum:,} (no contact has a last activity date, so no"
        " association read is needed)"
    )
    ratio = used / minimum
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"  used {used:,} = {ratio:.3f}x the minimum (target <= {TARGET_RATIO}x: {verdict})")
    print(
        f"rate-limit floor at the client budget ({budget:.1f} non-search requests/s, search "
        f"{SEARCH_PER_SECOND}/s): {general / budget:,.0f} s for the {general:,} non-search calls"
    )


if __name__ == "__main__":
    main()
