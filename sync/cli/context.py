"""Building the runtime for a command: bad configuration stops it with one line and exit 78."""

from __future__ import annotations

import click

from handoff.config.loader import PolicyError
from handoff.config.settings import (
    SECRET_FIELDS,
    Settings,
    SettingsError,
    load_settings,
    unknown_variables,
    variable_names,
)
from handoff.connectors import registry
from handoff.sync.logs import configure_logging
from handoff.sync.runtime import Runtime, build_runtime

EX_CONFIG = 78  # sysexits: a configuration error; systemd can be told not to restart on it


def settings_or_exit() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as error:
        click.echo(f"handoff: {error}", err=True)
        raise SystemExit(EX_CONFIG) from error
    _warn_unknown_variables()
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _warn_unknown_variables() -> None:
    """A misspelt variable is silently ignored by the settings reader: say so, once, with the
    setting that was probably meant."""
    known = variable_names(Settings, SECRET_FIELDS)
    for name in registry.names():
        crm = registry.plugin(name).settings
        known |= variable_names(crm, crm.secrets)
    for name, hint in unknown_variables(known):
        click.echo(f"handoff: warning: {name} is not a handoff setting and is ignored{hint}", err=True)


def runtime_or_exit(settings: Settings | None = None, *, read_only: bool = False) -> Runtime:
    settings = settings or settings_or_exit()
    try:
        return build_runtime(settings, read_only=read_only)
    except SettingsError as error:
        click.echo(f"handoff: {error}", err=True)
        raise SystemExit(EX_CONFIG) from error
    except PolicyError as error:
        click.echo(f"handoff: HANDOFF_POLICY is not a valid policy:\n{error}", err=True)
        raise SystemExit(EX_CONFIG) from error
