"""`handoff demo`."""

from __future__ import annotations

import click
from rich.console import Console

from sync.demo import show_sample_decisions


@click.command("demo")
def demo_command() -> None:
    """Show the engine deciding on a shipped sample of synthetic leads."""
    show_sample_decisions(Console(width=160))
