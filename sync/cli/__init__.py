"""The `handoff` command line: the admin's way into the engine, the store and the CRM.

Each command lives in its own module of this package and is imported only when it runs:
`handoff sync` has no use for the scheduler or the terminal tables, and every start-up second
counts for a command that cron or systemd runs again and again.
Shell completion comes from click: `eval "$(_HANDOFF_COMPLETE=bash_source handoff)"`
(zsh_source and fish_source for the other shells).
"""

from __future__ import annotations

import importlib

import click

from handoff import DISTRIBUTION

COMMANDS = {
    "run": ("handoff.sync.cli.run", "run_command"),
    "sync": ("handoff.sync.cli.run", "sync_command"),
    "backfill": ("handoff.sync.cli.backfill", "backfill_command"),
    "explain": ("handoff.sync.cli.inspect", "explain_command"),
    "status": ("handoff.sync.cli.inspect", "status_command"),
    "migrate": ("handoff.sync.cli.run", "migrate_command"),
    "policy": ("handoff.sync.cli.policy", "policy"),
    "evaluate": ("handoff.sync.cli.evaluate", "evaluate_command"),
    "backtest": ("handoff.sync.cli.backtest", "backtest_command"),
    "review": ("handoff.sync.cli.review", "review_command"),
    "setup": ("handoff.sync.cli.crm", "setup_command"),
    "sandbox": ("handoff.sync.cli.crm", "sandbox_command"),
    "demo": ("handoff.sync.cli.demo", "demo_command"),
    "report": ("handoff.sync.cli.report", "report_command"),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), name)
        return command


@click.group(name="handoff", cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name=DISTRIBUTION)
def main() -> None:
    """handoff: the MQL-to-SQL handoff as software, beside HubSpot or Salesforce.

    Settings come from HANDOFF_* environment variables or handoff.toml (docs/operations.md).
    """
