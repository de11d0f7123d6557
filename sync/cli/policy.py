"""`handoff policy check`."""

from __future__ import annotations

from pathlib import Path

import click

from handoff.config.summary import describe_policy
from handoff.sync.cli.options import load_policy_or_exit


@click.group()
def policy() -> None:
    """Work with policy files (the revenue contract)."""


@policy.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def policy_check(file: Path) -> None:
    """Validate FILE; print a summary, or every problem with its file, line and field."""
    loaded = load_policy_or_exit(file)
    click.echo(f"ok: {file}")
    for line in describe_policy(loaded):
        click.echo(line)
