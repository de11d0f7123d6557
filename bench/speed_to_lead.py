"""Benchmark: speed to lead, from a demo request in HubSpot to stage, owner, SLA and rep task written back.

Targets (issue 5): over 100 demo requests, p95 <= 5 s through webhooks, and p95 <= poll interval + 5 s
through polling. Run: `python -m bench.speed_to_lead [--events 100] [--poll 5] [--path both]`.

Each path gets its own HubSpot sandbox (Enterprise, real-time clock), seeded with the Acme company
(reps, teams, forms, a few dozen background contacts), fit companies (50–500 employees, Computer
Software, US) and known fit leads (buyer-persona titles, stage "lead"), its own SQLite store, and a
first full cycle. Then demo requests arrive one every ~`--gap` seconds (uniform 0.5–1.5 × gap, seeded),
half from known leads and half from new people (the form creates the contact; its company is
associated as HubSpot does by email domain), while handoff runs either

- webhooks: the sandbox delivers signed `contact.creation` / `recent_conversion_event_name`
  webhooks to a `WebhookInbox` served by `HttpServer`, which runs a targeted cycle per batch; or
- polling: `run_cycle` on a timer every `--poll` seconds, in a thread.

Latency is measured on the sandbox's own clock: from the submission to the later of the moment
`handoff_stage` = mql, `hubspot_owner_id` and `handoff_sla_due_at` were written and the moment the
rep's task (associated with the contact) was created. Completion is detected by polling the
sandbox state every 20 ms. The policy is the shipped one with every team open around the clock
(business hours would send leads to the queue, without a task, at night or on a weekend).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr

from bench.hubspot_common import (
    calls_by_endpoint,
    percentile,
    print_calls,
    quiet_logs,
    wait,
)
from handoff.config.loader import load_policy
from handoff.config.settings import Settings
from handoff.connectors.hubspot.connector import HubSpotConnector
from handoff.connectors.hubspot.plugin import HubSpotSettings, webhooks
from handoff.connectors.hubspot.setup import setup
from handoff.sandbox.hubspot import FaultConfig, HubSpotSandbox, WebhookConfig, WebhookSubscription
from handoff.sandbox.hubspot.state import SandboxState
from handoff.sync.cycle import run_cycle
from handoff.sync.http import HealthApp, HttpServer
from handoff.sync.runtime import Runtime, build_runtime
from handoff.sync.webhooks import WebhookInbox
from tests.support import always_open_policy

TIER = "enterprise"
SECRET = "speed-to-lead-bench-secret"
DEMO_FORM = "Request a demo"
WEBHOOK_TARGET_P95 = 5.0
SLACK_OVER_POLL = 5.0
EVENT_TIMEOUT = 60.0
TITLES = (
    "VP Sales",
    "Vice President of Marketing",
    "Head of Revenue Operations",
    "Director of Sales",
    "Chief Revenue Officer",
    "Director of Demand Generation",
    "Head of Growth",
    "VP Marketing",
)
FIRST = ("Avery", "Jordan", "Morgan", "Riley", "Casey", "Taylor", "Quinn", "Skyler", "Reese", "Drew")
LAST = ("Nguyen", "Patel", "Garcia", "Kowalski", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Reyes")
COMPANIES = (
    "Brightpath Software",
    "Cloudlane",
    "Datasmith Labs",
    "Fernhill Systems",
    "Gridline Software",
    "Hollow Oak Labs",
    "Kestrel Cloud",
    "Lumen Analytics",
    "Northstar Apps",
    "Quartzline Software",
    "Redwood Stack",
    "Tidewater Systems",
)


@dataclass(frozen=True)
class Lead:
    email: str
    values: dict[str, str]
    company_id: str
    known: bool


@dataclass
class Event:
    lead: Lead
    contact_id: str
    submitted_at: datetime
    sent: float  # monotonic, for the timeout
    latency: float | None = None
    observed: float | None = None


@dataclass
class PathResult:
    name: str
    target: float
    events: list[Event]
    calls: Counter[str]
    cycles: int
    errors: list[str]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--poll", type=float, default=5.0, help="polling interval, seconds")
    parser.add_argument("--gap", type=float, default=1.0, help="mean seconds between demo requests")
    parser.add_argument("--background", type=int, default=40, help="seeded background contacts")
    parser.add_argument("--path", choices=("webhooks", "polling", "both"), default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every CRM answer (a network)"
    )
    args = parser.parse_args()
    quiet_logs()
    paths = ("webhooks", "polling") if args.path == "both" else (args.path,)
    results = []
    for name in paths:
        with tempfile.TemporaryDirectory(prefix=f"handoff-stl-{name}-") as folder:
            results.append(measure(name, Path(folder), args))
    print()
    for result in results:
        report(result)


def measure(name: str, folder: Path, args: argparse.Namespace) -> PathResult:
    rng = random.Random(f"speed-to-lead:{args.seed}:{name}")
    sandbox = HubSpotSandbox(seed=args.seed, tier=TIER)
    base_url = sandbox.start()
    rt: Runtime | None = None
    try:
        seeded = sandbox.seed_company(contacts=args.background)
        policy_path = always_open_policy(folder)
        policy = load_policy(policy_path)
        connector = HubSpotConnector.connect(
            sandbox.token, base_url, tier=TIER, policy=policy, clock=sandbox.state.clock
        )
        setup(connector.client, policy)
        # A real CRM is some 100 ms away: every answer is late by the latency (set after setup
        # and the first cycle, which are not measured).
        leads = fit_leads(sandbox.state, args.events, rng)
        settings = Settings(crm="hubspot", database_url=f"sqlite:///{folder}/handoff.db", policy=policy_path)
        rt = build_runtime(settings, connector=connector)
        first = run_cycle(rt)
        print(
            f"{name}: seeded {len(seeded.reps)} reps, {args.background} background contacts, "
            f"{sum(lead.known for lead in leads)} known fit leads; first cycle pulled {first.pulled}, "
            f"wrote {first.sent}"
        )
        sandbox.set_faults(FaultConfig(latency_seconds=args.latency))
        runner = run_webhooks if name == "webhooks" else run_polling
        with runner(rt, sandbox, args.poll) as (cycles, errors):
            sandbox.request_log.clear()
            events = fire(sandbox, seeded.forms[DEMO_FORM], leads, args.gap, rng)
            calls = calls_by_endpoint(sandbox.request_log)
            cycle_count = cycles()
        target = WEBHOOK_TARGET_P95 if name == "webhooks" else args.poll + SLACK_OVER_POLL
        label = name if name == "webhooks" else f"polling every {args.poll:g} s"
        assert not sandbox.internal_errors, sandbox.internal_errors
        return PathResult(label, target, events, calls, cycle_count, errors)
    finally:
        sandbox.stop()
        if rt is not None:
            rt.close()


def fit_leads(state: SandboxState, count: int, rng: random.Random) -> list[Lead]:
    """Fit companies and people; half the people are already in HubSpot (stage lead), half are new."""
    companies: list[tuple[str, str, str]] = []
    for name in COMPANIES:
        domain = name.lower().replace(" ", "") + ".example"
        record = state.create(
            "companies",
            {
                "name": name,
                "domain": domain,
                "industry": "COMPUTER_SOFTWARE",
                "numberofemployees": str(rng.randint(50, 500)),
                "country": "US",
                "city": "Austin",
                "lifecyclestage": "lead",
            },
        )
        companies.append((record.id, name, domain))
    leads: list[Lead] = []
    for index in range(count):
        company_id, company, domain = companies[index % len(companies)]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first}.{last}.{index}@{domain}".lower()
        values = {
            "email": email,
            "firstname": first,
            "lastname": last,
            "jobtitle": rng.choice(TITLES),
            "company": company,
            "country": "US",
        }
        leads.append(Lead(email, values, company_id, known=index % 2 == 0))
    state.bulk_create(
        "contacts",
        [
            {
                **lead.values,
                "lifecyclestage": "lead",
                "associatedcompanyid": lead.company_id,
                "hs_analytics_source": "ORGANIC_SEARCH",
            }
            for lead in leads
            if lead.known
        ],
    )
    rng.shuffle(leads)
    return leads


@contextmanager
def run_webhooks(
    rt: Runtime, sandbox: HubSpotSandbox, _poll: float
) -> Iterator[tuple[Callable[[], int], list[str]]]:
    stop = threading.Event()
    inbox = WebhookInbox(rt, threading.Lock(), stop)
    app = HealthApp(rt, alive=lambda: True, started_at=rt.clock())
    (route,) = webhooks(HubSpotSettings(webhook_secret=SecretStr(SECRET)))
    app.route(route.path, route.name, inbox.handler(route, None, _now_ms))
    server = HttpServer(app, "127.0.0.1", 0)
    server.start()
    inbox.start()
    sandbox.configure_webhooks(
        WebhookConfig(
            target_url=f"http://127.0.0.1:{server.port}/webhooks/hubspot",
            client_secret=SECRET,
            subscriptions=(
                WebhookSubscription("contact.creation"),
                WebhookSubscription("contact.propertyChange", "recent_conversion_event_name"),
            ),
        )
    )
    try:
        yield (lambda: _webhook_runs(sandbox)), []
    finally:
        stop.set()
        server.stop()
        inbox.thread.join(timeout=30)


def _webhook_runs(sandbox: HubSpotSandbox) -> int:
    return sum(1 for attempt in (sandbox.webhooks.attempts if sandbox.webhooks else []) if attempt.status)


@contextmanager
def run_polling(
    rt: Runtime, _sandbox: HubSpotSandbox, poll: float
) -> Iterator[tuple[Callable[[], int], list[str]]]:
    stop = threading.Event()
    cycles = [0]
    errors: list[str] = []

    def loop() -> None:
        due = time.monotonic() + poll
        while not stop.wait(max(0.0, due - time.monotonic())):
            try:
                run_cycle(rt)
            except Exception as error:  # a benchmark reports failures instead of dying mid-run
                errors.append(f"{type(error).__name__}: {error}")
            cycles[0] += 1
            due += poll

    thread = threading.Thread(target=loop, name="bench-poller", daemon=True)
    thread.start()
    try:
        yield (lambda: cycles[0]), errors
    finally:
        stop.set()
        thread.join(timeout=120)


def _now_ms() -> int:
    return int(time.time() * 1000)


def fire(
    sandbox: HubSpotSandbox, form_id: str, leads: list[Lead], gap: float, rng: random.Random
) -> list[Event]:
    """Submit the demo requests on schedule while watching for each to be written back."""
    state = sandbox.state
    events: list[Event] = []
    pending: list[Event] = []
    next_at = time.monotonic() + gap * rng.uniform(0.5, 1.5)
    queue = list(leads)
    while queue or pending:
        now = time.monotonic()
        if queue and now >= next_at:
            lead = queue.pop(0)
            conversion = f"demo-{len(events)}"
            contact_id = state.submit_form(
                form_id,
                lead.values,
                conversion_id=conversion,
                page_url="https://www.acme.example/demo",
                extra_properties=None if lead.known else {"associatedcompanyid": lead.company_id},
            )
            submitted = next(s for s in state.submissions(form_id) if s.conversion_id == conversion)
            event = Event(lead, str(contact_id), submitted.submitted_at, time.monotonic())
            events.append(event)
            pending.append(event)
            next_at += gap * rng.uniform(0.5, 1.5)
        for event in list(pending):
            if written_back(state, event):
                event.observed = time.monotonic() - event.sent
                pending.remove(event)
            elif time.monotonic() - event.sent > EVENT_TIMEOUT:
                pending.remove(event)
        wait(0.02)
    return events


def written_back(state: SandboxState, event: Event) -> bool:
    """Stage mql, owner and SLA fields on the contact and a task on it; set the exact latency."""
    record = state.get("contacts", event.contact_id)
    if record is None:
        return False
    props = record.properties
    if props.get("handoff_stage") != "mql" or not props.get("hubspot_owner_id"):
        return False
    if not props.get("handoff_sla_due_at") or not props.get("handoff_sla_status"):
        return False
    tasks = state.associated_ids("contacts", event.contact_id, "tasks")
    if not tasks:
        return False
    moments = [
        _first_written(state, event, name)
        for name in ("handoff_stage", "hubspot_owner_id", "handoff_sla_due_at")
    ]
    created = [task.created_at for tid in tasks if (task := state.get("tasks", tid)) is not None]
    moments.append(min(created))
    event.latency = (max(moments) - event.submitted_at).total_seconds()
    return True


def _first_written(state: SandboxState, event: Event, name: str) -> datetime:
    """When the property first got a value after the submission (history is newest first)."""
    versions = [
        v
        for v in state.history("contacts", event.contact_id, name)
        if v.timestamp >= event.submitted_at and v.value
    ]
    return min(v.timestamp for v in versions)


def report(result: PathResult) -> None:
    done = [e for e in result.events if e.latency is not None]
    latencies = [e.latency for e in done if e.latency is not None]
    missed = len(result.events) - len(done)
    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    worst = max(latencies, default=float("nan"))
    met = missed == 0 and p95 <= result.target
    print(f"speed to lead, {result.name}: {len(done)}/{len(result.events)} demo requests written back")
    print(
        f"  p50 {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s "
        f"(target p95 <= {result.target:g} s: {'met' if met else 'NOT met'})"
    )
    for known, label in ((True, "known lead"), (False, "new contact")):
        subset = [e.latency for e in done if e.lead.known is known and e.latency is not None]
        if subset:
            print(
                f"  {label + 's':<13} n={len(subset):>3}  p50 {percentile(subset, 0.5):.2f} s, "
                f"p95 {percentile(subset, 0.95):.2f} s"
            )
    observed = [e.observed for e in done if e.observed is not None]
    print(
        f"  as seen by a 20 ms poll of the sandbox: p50 {percentile(observed, 0.5):.2f} s, "
        f"p95 {percentile(observed, 0.95):.2f} s"
    )
    if missed:
        print(f"  {missed} not written back within {EVENT_TIMEOUT:g} s")
    total = sum(result.calls.values())
    unit = "webhook deliveries" if result.name == "webhooks" else "cycles"
    per_event = total / max(1, len(result.events))
    print(
        f"  API calls while measuring: {total:,} ({per_event:.1f} per demo request), {result.cycles} {unit}"
    )
    print_calls(result.calls, indent="    ")
    for error in result.errors[:5]:
        print(f"  cycle error: {error}")


if __name__ == "__main__":
    main()
