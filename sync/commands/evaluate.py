"""`handoff evaluate`: the pure engine offline, JSON lines in and out."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click

from config.policy import Policy
from lifecycle.codec import InvalidRecord, decision_to_dict, parse_lead
from lifecycle.engine import evaluate
from sync.commands.options import IsoTime, load_policy_or_exit, policy_option


@click.command("evaluate", params=[policy_option()])
@click.option("--now", type=IsoTime(), help="Evaluate as of this instant (default: the current time).")
def evaluate_command(policy_path: Path, now: datetime | None) -> None:
    """Evaluate leads offline: JSON lines in on stdin, one decision per line out.

    Each input line is {"contact": {...}, "activities": [...]} (docs/formats.md). A bad line is
    reported on stderr with its line number; the others are still evaluated, and the exit code
    is 1 when any line failed.
    """
    loaded = load_policy_or_exit(policy_path)
    failed = run_evaluate(sys.stdin, sys.stdout, sys.stderr, loaded, now or datetime.now(UTC))
    if failed:
        raise SystemExit(1)


def run_evaluate(source: TextIO, out: TextIO, err: TextIO, loaded: Policy, now: datetime) -> int:
    """Evaluate every line of `source`; return how many lines failed."""
    failed = total = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        total += 1
        try:
            lead = parse_lead(line)
        except InvalidRecord as error:
            failed += 1
            err.write(f"line {number}: {error}\n")
            continue
        decision = evaluate(lead.contact, lead.activities, loaded, now)
        out.write(json.dumps(decision_to_dict(decision), ensure_ascii=False) + "\n")
    if failed:
        err.write(f"{failed} of {total} lines failed\n")
    return failed
