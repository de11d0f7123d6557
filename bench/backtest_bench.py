"""Benchmark: `handoff backtest` of two policies over a store one real cycle filled.

Target (issue "The closed loop"): 1,000,000 leads x 20 activities, two policies, 90 days, in
<= 60 s and <= 2 GB peak RSS. The store is filled by the pipeline benchmark's company (N
contacts, 20 activities each) through one cycle; the new policy lowers the MQL bar by 10.
Run: `python -m bench.backtest_bench [--contacts N]` (SQLite in a temp dir).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime

from bench.memory import peak_rss_mb
from bench.pipeline_bench import seed
from handoff.config.loader import DEFAULT_POLICY_PATH, SHIPPED_DIR, parse_policy
from handoff.config.settings import Settings
from handoff.connectors.memory.crm import MemoryCrm
from handoff.sync.backtest import run_backtest
from handoff.sync.cycle import run_cycle
from handoff.sync.runtime import build_runtime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20_000)
    args = parser.parse_args()
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace("score_minimum = 50", "score_minimum = 40")
    lower = parse_policy(text, file="lower.toml", base_dir=SHIPPED_DIR)
    with tempfile.TemporaryDirectory() as folder:
        seed(f"{folder}/crm.db", args.contacts, datetime.now(UTC))
        crm = MemoryCrm(f"{folder}/crm.db")
        rt = build_runtime(
            Settings(crm="memory", database_url=f"sqlite:///{folder}/handoff.db"), connector=crm
        )
        filled = time.perf_counter()
        run_cycle(rt)
        took = time.perf_counter() - filled
        print(f"store filled by one cycle over {args.contacts:,} contacts in {took:.0f} s")
        started = time.perf_counter()
        run = run_backtest(rt, lower, rt.policy, days=90)
        elapsed = time.perf_counter() - started
        result = run.result
        rate = run.considered / elapsed
        print(
            f"backtest: {run.considered:,} leads x 2 policies in {elapsed:.1f} s ({rate:,.0f} leads/s; "
            f"1,000,000 would take {1_000_000 / rate:,.0f} s, target <= 60); "
            f"peak RSS {peak_rss_mb():.0f} MB (target <= 2,048)"
        )
        print(
            f"backtest: current {result.current.mql:,} MQLs, new {result.new.mql:,}; "
            f"{len(result.became_mql):,} would become MQL, {len(result.no_longer_mql):,} no longer"
        )


if __name__ == "__main__":
    main()
