"""Building the runtime for a command: bad configuration stops it with one line and exit 78."""

from __future__ import annotations

import click

from handoff.config.loader import PolicyError
from handoff.config.settings import Settings, SettingsError, load_settings
from handoff.sync.logs import configure_logging
from handoff.sync.runtime import Runtime, build_runtime

EX_CONFIG = 78  # sysexits: a configuration error; systemd can be told not to restart on it


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as error:
        click.echo(f"handoff: {error}", err=True)
        raise SystemExit(EX_CONFIG) from error
    configure_logging(settings.log_level, settings.log_format)
    return settings


def runtime_or_exit(settings: Settings | None = None) -> Runtime:
    settings = settings or settings_or_exit()
    try:
        return build_runtime(settings)
    except SettingsError as error:
        click.echo(f"handoff: {error}", err=True)
        raise SystemExit(EX_CONFIG) from error
    except PolicyError as error:
        click.echo(f"handoff: HANDOFF_POLICY is not a valid policy:\n{error}", err=True)
        raise SystemExit(EX_CONFIG) from error
