"""`handoff backtest --policy NEW [--against CURRENT] [--days 90]`: a policy change tried on the
team's own history before it goes live."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from handoff.sync.backtest import run_backtest
from handoff.sync.backtest_view import as_csv, as_json, print_backtest
from handoff.sync.cli.context import runtime_or_exit
from handoff.sync.cli.options import load_policy_or_exit

FORMATS = ("table", "json", "csv")


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
def backtest_command(  # noqa: PLR0917 - click passes each option as an argument
    policy_path: Path, against_path: Path | None, days: int, output: str, out: Path | None, sample: int
) -> None:
    """Replay a new policy and the current one over the stored history and show what would change.

    Each lead is decided at every moment something about it arrived, from what had arrived by
    then and nothing later, through the live run's decide path; nothing is written. The MQL
    decision of each policy is scored against what became of the leads (opportunities, won).
    """
    new = load_policy_or_exit(policy_path)
    rt = runtime_or_exit(read_only=True)
    current = load_policy_or_exit(against_path) if against_path is not None else rt.policy
    run = run_backtest(rt, new, current, days=days)
    if output == "table":
        console = Console(file=out.open("w", encoding="utf-8") if out else None, width=120 if out else None)
        print_backtest(console, run, sample)
        return
    text = json.dumps(as_json(run), indent=2) + "\n" if output == "json" else as_csv(run)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
