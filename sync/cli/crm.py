"""`handoff setup` and `handoff sandbox`: preparing a CRM, or serving a local one.

Both go through the connector registry: the CRM is the one `HANDOFF_CRM` (or `--crm`) names.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from handoff.config.loader import PolicyError
from handoff.config.settings import SettingsError
from handoff.connectors import registry
from handoff.connectors.errors import CrmError
from handoff.sync.cli.context import EX_CONFIG, settings_or_exit
from handoff.sync.runtime import connect_plugin, load_policy_setting


@click.command("setup")
def setup_command() -> None:
    """Create (or update) the CRM fields handoff writes; safe to run again after a policy change."""
    settings = settings_or_exit()
    try:
        policy = load_policy_setting(settings)
        plugin, connector = connect_plugin(settings, policy)
    except (SettingsError, PolicyError) as error:
        click.echo(f"handoff: {error}", err=True)
        raise SystemExit(EX_CONFIG) from error
    if plugin.setup is None:
        click.echo(f"nothing to set up for the {plugin.name} CRM")
        return
    try:
        report = plugin.setup(connector, policy)
    except CrmError as error:
        click.echo(f"handoff: setup failed: {error}", err=True)
        raise SystemExit(1) from error
    for line in report.created:
        click.echo(f"created   {line}")
    for line in report.updated:
        click.echo(f"updated   {line}")
    for line in report.missing:
        click.echo(f"missing   {line}")
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} already right"
        + (f", {len(report.missing)} for an admin to create" if report.missing else "")
    )


@click.command("sandbox")
@click.option(
    "--crm",
    type=click.Choice(registry.with_sandbox()),
    default=registry.with_sandbox()[0],
    show_default=True,
    help="Which CRM to emulate.",
)
@click.option(
    "--seed", type=int, default=7, show_default=True, help="Seed of the synthetic company and its reps."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port (0: any free one)."
)
@click.option(
    "--contacts", type=click.IntRange(0, 200_000), default=400, show_default=True, help="Contacts to seed."
)
@click.option(
    "--tier",
    type=click.Choice(["free", "starter", "professional", "enterprise"]),
    default="enterprise",
    show_default=True,
    help="Account tier (rate limits; on HubSpot, web events only on enterprise).",
)
@click.option(
    "--speed",
    type=click.FloatRange(min=1),
    default=1.0,
    show_default=True,
    help="Simulated time per real time.",
)
def sandbox_command(crm: str, **options: Any) -> None:
    """Serve a local CRM with a synthetic company whose reps act as time goes by (Ctrl-C stops)."""
    sandbox = registry.plugin(crm).sandbox
    assert sandbox is not None, "--crm offers only CRMs with a sandbox"
    importlib.import_module(sandbox).serve(echo=click.echo, **options)
