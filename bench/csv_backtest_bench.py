"""Benchmark: `handoff backtest --csv` of two policies over a synthetic CRM export.

Target (issue "The closed loop"): a 1,000,000-row export in <= 60 s and <= 2 GB peak RSS. The
export is written here (generic columns, placeholders and blanks among them) and mapped by the
shipped example mapping; the new policy lowers the shipped MQL bar from 50 to 30.
Run: `python -m bench.csv_backtest_bench [--rows N]`.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.memory import peak_rss_mb
from handoff.config.csv_mapping import load_mapping
from handoff.config.loader import DEFAULT_POLICY_PATH, SHIPPED_DIR, load_policy, parse_policy
from handoff.sync.csv_backtest import run_csv_backtest

MAPPING = SHIPPED_DIR / "samples" / "export_mapping.toml"
_TITLES = ["VP Sales", "Director of Marketing", "Analyst", "Student", "CFO", "Select", ""]
_ACTIVITIES = ["Form Submitted", "Demo Requested", "Email Opened", "Email Clicked", "Webinar Attended", ""]


def write_export(path: Path, rows: int) -> None:
    rng = random.Random(11)
    columns = sorted({column for _, column in load_mapping(MAPPING).mapping.columns()})
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for n in range(rows):
            values = {
                "Record ID": str(n),
                "Email": f"lead{n}@{rng.choice(['northwind.example', 'gmail.com', 'ledgerly.example'])}",
                "Job Title": rng.choice(_TITLES),
                "Country": rng.choice(["US", "United Kingdom", "Germany", "India", ""]),
                "Lead Source": rng.choice(["Organic Search", "Paid Search", "Referral", "Select"]),
                "Company Name": rng.choice(["Northwind", "Ledgerly", ""]),
                "Company Domain": rng.choice(["northwind.example", "ledgerly.example", ""]),
                "Number of Employees": rng.choice(["12", "200", "1,500", "", "n/a"]),
                "Industry": rng.choice(["SaaS", "Retail", "Software", ""]),
                "First Conversion Form": rng.choice(["Demo", "Newsletter", ""]),
                "Number of Pageviews": str(rng.randint(0, 20)),
                "Last Activity": rng.choice(_ACTIVITIES),
                "Lifecycle Stage": rng.choice(["Lead", "Lead", "Lead", "Customer"]),
            }
            writer.writerow([values.get(column, "") for column in columns])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace("score_minimum = 50", "score_minimum = 30")
    lower = parse_policy(text, file="lower.toml", base_dir=SHIPPED_DIR)
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "leads.csv"
        write_export(export, args.rows)
        size = export.stat().st_size / 1e6
        started = time.perf_counter()
        run, reading = run_csv_backtest(
            export, load_mapping(MAPPING), lower, load_policy(), datetime.now(UTC)
        )
        elapsed = time.perf_counter() - started
    rate = run.considered / elapsed
    print(
        f"csv backtest: {reading.rows:,} rows ({size:,.0f} MB) x 2 policies in {elapsed:.1f} s "
        f"({rate:,.0f} leads/s; 1,000,000 would take {1_000_000 / rate:,.0f} s, target <= 60); "
        f"peak RSS {peak_rss_mb():.0f} MB (target <= 2,048)"
    )
    print(
        f"csv backtest: current {run.result.current.mql:,} MQLs, new {run.result.new.mql:,}; "
        f"{len(run.result.became_mql):,} would become MQL"
    )


if __name__ == "__main__":
    main()
