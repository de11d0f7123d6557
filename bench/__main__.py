"""`make bench`: every benchmark, one after the other, each printing its figures."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    ("evaluate", ["bench.evaluate_bench"]),
    ("routing + SLA", ["bench.routing_bench"]),
    (
        "pipeline (20,000 contacts; --contacts 100000 for the full run)",
        ["bench.pipeline_bench", "--contacts", "20000"],
    ),
    ("history (bytes per contact per change)", ["bench.history_bench"]),
    ("backtest (20,000 leads, two policies; --contacts 1000000 for the full run)", ["bench.backtest_bench"]),
    (
        "backtest of a CRM export (100,000 rows; --rows 1000000 for the full run)",
        ["bench.csv_backtest_bench"],
    ),
    (
        "report (100,000 leads; --leads 1000000 for the full run)",
        ["bench.report_bench", "--leads", "100000"],
    ),
    ("speed to lead (HubSpot sandbox)", ["bench.speed_to_lead"]),
    ("webhook flood (the daemon's memory for an unsigned 100 MB body)", ["bench.webhook_flood"]),
    (
        "HubSpot backfill (20,000 contacts; --contacts 100000 for the full run)",
        ["bench.hubspot_backfill", "--contacts", "20000"],
    ),
)


def main() -> None:
    for title, command in BENCHMARKS:
        print(f"== {title}", flush=True)
        subprocess.run([sys.executable, "-m", *command], check=True)


if __name__ == "__main__":
    main()
