"""`handoff demo`."""

from __future__ import annotations

import click
from rich.console import Console


@click.command("demo")
def demo_command() -> None:
    """Run the whole loop on a local HubSpot sandbox for an accelerated working day, then show it."""
    import logging

    import structlog

    from handoff.sync.cli.demo_day import run_demo

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    run_demo(Console(width=150))
