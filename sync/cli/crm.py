"""`handoff setup` and `handoff sandbox`: preparing a CRM, or serving a local one."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from handoff.config.loader import PolicyError
from handoff.config.settings import SettingsError
from handoff.sync.cli.context import EX_CONFIG, settings_or_exit
from handoff.sync.runtime import build_connector, load_policy_setting


@click.command("setup")
def setup_command() -> None:
    """Create (or update) the CRM fields handoff writes; safe to run again after a policy change."""
    settings = settings_or_exit()
    try:
        policy = load_policy_setting(settings)
        connector = build_connector(settings, policy)
    except (SettingsError, PolicyError) as error:
        click.echo(f"handoff: {error}", err=True)
        raise SystemExit(EX_CONFIG) from error
    if settings.crm != "hubspot":
        click.echo(f"nothing to set up for the {settings.crm} CRM")
        return
    from handoff.connectors.hubspot.connector import HubSpotConnector
    from handoff.connectors.hubspot.setup import setup

    assert isinstance(connector, HubSpotConnector)
    report = setup(connector.client, policy)
    for line in report.created:
        click.echo(f"created   {line}")
    for line in report.updated:
        click.echo(f"updated   {line}")
    click.echo(
        f"{len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} already right"
    )


@click.command("sandbox")
@click.option(
    "--crm",
    type=click.Choice(["hubspot"]),
    default="hubspot",
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
    help="Account tier (rate limits; web events only on enterprise).",
)
@click.option(
    "--speed",
    type=click.FloatRange(min=1),
    default=1.0,
    show_default=True,
    help="Simulated time per real time.",
)
def sandbox_command(**options: Any) -> None:
    """Serve a local HubSpot with a synthetic company whose reps act as time goes by (Ctrl-C stops)."""
    from handoff.sandbox.hubspot import HubSpotSandbox, SimulatedClock, Simulation

    crm, seed, port, contacts, tier, speed = (
        options[k] for k in ("crm", "seed", "port", "contacts", "tier", "speed")
    )
    started = datetime.now(UTC)
    clock = SimulatedClock(started)
    sandbox = HubSpotSandbox(seed=seed, tier=tier, clock=clock)
    base_url = sandbox.start(port=port)
    sandbox.seed_company(contacts=contacts)
    simulation = Simulation(sandbox.state, seed)
    click.echo(
        f"HubSpot sandbox ({crm}, {tier}) for Acme Analytics at {base_url}, {contacts} contacts, seed {seed}"
    )
    click.echo("Point handoff at it:")
    click.echo(f"  export HANDOFF_CRM=hubspot HANDOFF_HUBSPOT_BASE_URL={base_url}")
    click.echo(f"  export HANDOFF_HUBSPOT_TOKEN={sandbox.token}")
    click.echo(f"  export HANDOFF_HUBSPOT_TIER={tier}; handoff setup && handoff run")
    stop = threading.Event()
    real_start = time.monotonic()
    try:
        while not stop.wait(1.0):
            clock.set(started + timedelta(seconds=(time.monotonic() - real_start) * speed))
            for event in simulation.advance(clock()):
                click.echo(f"{event.at:%H:%M} {event.kind:<18} {event.contact_id} {event.detail}")
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        sandbox.stop()
