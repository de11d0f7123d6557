"""The `handoff` command line: the admin's way into the engine, the store and the CRM.

Each command lives in its own module under `sync/commands/`; this one only assembles them.
"""

from __future__ import annotations

import click

from sync.commands.demo import demo_command
from sync.commands.evaluate import evaluate_command
from sync.commands.policy import policy


@click.group(name="handoff", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="handoff")
def main() -> None:
    """handoff: the MQL-to-SQL handoff as software, beside HubSpot or Salesforce."""


main.add_command(policy)
main.add_command(evaluate_command)
main.add_command(demo_command)
