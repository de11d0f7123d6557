"""The `handoff` command line: the admin's way into the engine, the store and the CRM."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click

from config.loader import DEFAULT_POLICY_PATH, PolicyError, load_policy
from config.policy import Policy
from config.summary import describe_policy
from lifecycle.codec import InvalidRecord, decision_to_dict, parse_lead
from lifecycle.engine import evaluate


class IsoTime(click.ParamType[datetime]):
    """An ISO-8601 instant with its offset; a bare local time would make decisions ambiguous."""

    name = "ISO-8601"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO-8601 time such as 2026-11-29T14:00:00Z", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} has no time zone; add Z or an offset such as +01:00", param, ctx)
        return parsed


def _policy_option() -> click.Option:
    return click.Option(
        ["--policy", "policy_path"],
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_POLICY_PATH,
        show_default="the shipped config/policy.toml",
        help="Policy file (the revenue contract).",
    )


def _load_policy_or_exit(path: Path) -> Policy:
    try:
        return load_policy(path)
    except PolicyError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error


@click.group(name="handoff", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="handoff")
def main() -> None:
    """handoff: the MQL-to-SQL handoff as software, beside HubSpot or Salesforce."""


@main.group()
def policy() -> None:
    """Work with policy files (the revenue contract)."""


@policy.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def policy_check(file: Path) -> None:
    """Validate FILE; print a summary, or every problem with its file, line and field."""
    loaded = _load_policy_or_exit(file)
    click.echo(f"ok: {file}")
    for line in describe_policy(loaded):
        click.echo(line)


@main.command("evaluate", params=[_policy_option()])
@click.option("--now", type=IsoTime(), help="Evaluate as of this instant (default: the current time).")
def evaluate_command(policy_path: Path, now: datetime | None) -> None:
    """Evaluate leads offline: JSON lines in on stdin, one decision per line out.

    Each input line is {"contact": {...}, "activities": [...]} (docs/formats.md). A bad line is
    reported on stderr with its line number; the others are still evaluated, and the exit code
    is 1 when any line failed.
    """
    loaded = _load_policy_or_exit(policy_path)
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


@main.command("demo")
def demo_command() -> None:
    """Show the engine deciding on a shipped sample of synthetic leads."""
    from rich.console import Console

    from sync.demo import show_sample_decisions

    show_sample_decisions(Console(width=160))
