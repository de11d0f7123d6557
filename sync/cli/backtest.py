"""`handoff backtest --policy NEW [--against CURRENT] [--days 90]`: a policy change tried on the
team's own history before it goes live; `--csv FILE --mapping MAP.toml` tries it on a CRM export
before anything is connected."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.core import ParameterSource
from rich.console import Console

from handoff.config.csv_mapping import load_mapping
from handoff.config.loader import PolicyError
from handoff.config.policy import Policy
from handoff.sync.backtest import BacktestRun, run_backtest
from handoff.sync.backtest_view import as_csv, as_json, print_backtest
from handoff.sync.cli.context import runtime_or_exit, settings_or_exit
from handoff.sync.cli.options import load_policy_or_exit
from handoff.sync.csv_backtest import ExportError, ExportReading, run_csv_backtest
from handoff.sync.report.backtest_html import render_backtest_html
from handoff.sync.runtime import system_clock

FORMATS = ("table", "json", "csv", "html")


@click.command("backtest")
@click.option(
    "--policy",
    "policy_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The new policy to try.",
)
@click.option(
    "--against",
    "against_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The policy to compare with (default: the live one, HANDOFF_POLICY).",
)
@click.option(
    "--days",
    default=90,
    show_default=True,
    type=click.IntRange(1, 3650),
    help="Replay the leads that came in over this many days.",
)
@click.option("--format", "output", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write to this file."
)
@click.option(
    "--sample", default=10, show_default=True, type=click.IntRange(0, 1000), help="Reclassified leads shown."
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Backtest on this CRM export instead of the store (needs --mapping).",
)
@click.option(
    "--mapping",
    "mapping_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="How the export's columns map to leads, activities and the outcome (docs/backtest.md).",
)
@click.pass_context
def backtest_command(  # noqa: PLR0917 - click passes each option as an argument
    ctx: click.Context,
    policy_path: Path,
    against_path: Path | None,
    days: int,
    output: str,
    out: Path | None,
    sample: int,
    csv_path: Path | None,
    mapping_path: Path | None,
) -> None:
    """Replay a new policy and the current one over the stored history and show what would change.

    Each lead is decided at every moment something about it arrived, from what had arrived by
    then and nothing later, through the live run's decide path; nothing is written. The MQL
    decision of each policy is scored against what became of the leads (opportunities, won).
    """
    if (csv_path is None) != (mapping_path is None):
        raise click.UsageError("--csv and --mapping go together: the mapping says how to read the export")
    if csv_path is not None and ctx.get_parameter_source("days") is ParameterSource.COMMANDLINE:
        raise click.UsageError("--days has no meaning for an export: its rows carry no dates")
    new = load_policy_or_exit(policy_path)
    notes: list[str] = []
    if csv_path is not None and mapping_path is not None:
        current = load_policy_or_exit(against_path or settings_or_exit().policy)
        run, reading = _from_export(csv_path, mapping_path, new, current)
        notes = reading.lines()
    else:
        rt = runtime_or_exit(read_only=True)
        current = load_policy_or_exit(against_path) if against_path is not None else rt.policy
        run = run_backtest(rt, new, current, days=days)
        notes = run.notes
    if output == "table":
        console = Console(file=out.open("w", encoding="utf-8") if out else None, width=120 if out else None)
        print_backtest(console, run, sample, notes)
        return
    if output == "html":
        text = render_backtest_html(run, notes)
    else:
        text = json.dumps(as_json(run, notes), indent=2) + "\n" if output == "json" else as_csv(run, notes)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _from_export(
    csv_path: Path, mapping_path: Path, new: Policy, current: Policy
) -> tuple[BacktestRun, ExportReading]:
    """The export backtested; a mapping or an export that cannot be used stops with why (exit 1)."""
    try:
        loaded = load_mapping(mapping_path)
        return run_csv_backtest(csv_path, loaded, new, current, system_clock())
    except (PolicyError, ExportError) as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
