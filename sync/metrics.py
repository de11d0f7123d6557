"""Prometheus metrics for the daemon, on a registry of its own so tests and runs never share one."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        registry = CollectorRegistry()
        self.registry = registry
        self.cycles = Counter(
            "handoff_cycles", "Jobs run, by kind and result.", ["kind", "result"], registry=registry
        )
        self.pulled = Counter("handoff_records_pulled", "Contacts pulled from the CRM.", registry=registry)
        self.evaluated = Counter("handoff_records_evaluated", "Contacts evaluated.", registry=registry)
        self.written = Counter(
            "handoff_records_written", "Records written to the CRM, by kind.", ["kind"], registry=registry
        )
        self.write_errors = Counter(
            "handoff_write_errors",
            "Writes the CRM refused or that failed, by kind.",
            ["kind"],
            registry=registry,
        )
        self.quarantined = Counter(
            "handoff_records_quarantined", "Records put in quarantine.", registry=registry
        )
        self.sla_breaches = Counter(
            "handoff_sla_breaches", "SLA clocks that became breached.", registry=registry
        )
        self.outbox_depth = Gauge(
            "handoff_outbox_depth", "Outbox rows by status.", ["status"], registry=registry
        )
        self.api_budget = Gauge(
            "handoff_api_budget_remaining",
            "Requests left in the CRM's current window, when it says.",
            registry=registry,
        )
        self.cycle_seconds = Histogram(
            "handoff_cycle_duration_seconds",
            "Duration of jobs, by kind.",
            ["kind"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
            registry=registry,
        )
        self.last_success = Gauge(
            "handoff_last_success_timestamp_seconds",
            "When each job last succeeded.",
            ["kind"],
            registry=registry,
        )
