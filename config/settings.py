"""Deployment settings: `HANDOFF_*` environment variables, or a `handoff.toml` beside the process.

The core settings are here; each CRM's own (`HANDOFF_HUBSPOT_*`, ...) are a `CrmSettings` that its
connector registers, read from the environment and from the `[<crm>]` table of `handoff.toml`.
Secrets (tokens, webhook URLs) come only from the environment or from a file named by
`HANDOFF_<NAME>_FILE`, never from the command line or `handoff.toml`, and they stay `SecretStr`
so they cannot leak into logs, errors or the database by accident.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from handoff.config.loader import DEFAULT_POLICY_PATH
from handoff.config.suggest import did_you_mean

SECRET_FIELDS = ("slack_webhook_url", "teams_webhook_url")
CONFIG_FILE_ENV = "HANDOFF_CONFIG"
DEFAULT_CONFIG_FILE = Path("handoff.toml")


class SettingsError(ValueError):
    """A setting that stops the start; the message is one line naming the setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_", extra="forbid", frozen=True)

    crm: str | None = None
    """The registered connector's name (checked against the registry when the runtime is built)."""
    database_url: str = "sqlite:///./var/handoff.db"
    policy: Path = DEFAULT_POLICY_PATH
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, ge=0, le=65535)

    public_url: str | None = None
    """The URL the CRM calls webhooks at, when a proxy sits in front (signatures cover it)."""

    slack_webhook_url: SecretStr | None = None
    teams_webhook_url: SecretStr | None = None

    cycle_seconds: float = Field(default=30, gt=0)
    sla_tick_seconds: float = Field(default=60, gt=0)
    reconcile_hour_utc: int = Field(default=2, ge=0, le=23)
    digest_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "off"] = "mon"
    """When the daemon posts the weekly funnel digest to the chat channels (`off`: never)."""
    digest_hour_utc: int = Field(default=8, ge=0, le=23)
    lookback_seconds: float = Field(default=300, ge=0)
    evaluate_batch: int = Field(default=500, gt=0)
    write_attempts: int = Field(default=8, gt=0)
    shutdown_seconds: float = Field(default=60, gt=0)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    history_days: float = Field(default=400, gt=0)
    """How long history (activities, contact versions, decisions, clock transitions, runs) is kept."""
    go_live_at: AwareDatetime | None = None
    """When handoff took over the handoff (ISO 8601 with a zone): SLA clocks and escalation timers
    of leads already waiting count from here. Default: the first run on this database."""

    @model_validator(mode="before")
    @classmethod
    def _secret_files(cls, data: Any) -> Any:
        return _read_secret_files(data, "HANDOFF_", SECRET_FIELDS)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlFile(settings_cls)


class CrmSettings(BaseSettings):
    """A CRM's own settings, `HANDOFF_<CRM>_*`, registered with its connector.

    A subclass sets `model_config`'s `env_prefix` (e.g. `HANDOFF_HUBSPOT_`), `table` (the
    `handoff.toml` table it reads, e.g. `hubspot`) and `secrets` (its fields that are secrets)."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)
    table: ClassVar[str] = ""
    secrets: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _secret_files(cls, data: Any) -> Any:
        return _read_secret_files(data, str(cls.model_config.get("env_prefix", "")), cls.secrets)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlFile(settings_cls, table=cls.table, secrets=cls.secrets)

    @classmethod
    def load(cls, **overrides: Any) -> CrmSettings:
        """Read them, or raise SettingsError with one line naming the bad setting."""
        prefix = str(cls.model_config.get("env_prefix", ""))
        try:
            return cls(**overrides)
        except ValidationError as error:
            raise _one_line(error, prefix, cls.secrets) from error


def _read_secret_files(data: Any, prefix: str, secrets: Sequence[str]) -> Any:
    """`HANDOFF_HUBSPOT_TOKEN_FILE=/run/secrets/hs` reads the token from that file."""
    if not isinstance(data, dict):
        return data
    for name in secrets:
        variable = f"{prefix}{name.upper()}_FILE"
        path = os.environ.get(variable)
        if path and not data.get(name):
            try:
                data[name] = Path(path).read_text(encoding="utf-8").strip()
            except OSError as error:
                raise ValueError(f"{variable}: cannot read {path}: {error.strerror}") from error
    return data


class _TomlFile(PydanticBaseSettingsSource):
    """Settings from `handoff.toml` (or `$HANDOFF_CONFIG`), lowest precedence, no secrets allowed.

    The core settings are its top-level keys; each CRM's are in the table named after it."""

    def __init__(
        self, settings_cls: type[BaseSettings], *, table: str = "", secrets: Sequence[str] = SECRET_FIELDS
    ) -> None:
        super().__init__(settings_cls)
        self.table = table
        self.secrets = secrets

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path, data = read_settings_file()
        if self.table:
            found = data.get(self.table, {})
            data = found if isinstance(found, dict) else {}
        else:
            data = {key: value for key, value in data.items() if not isinstance(value, dict)}
        secrets = sorted(set(data) & set(self.secrets))
        if secrets:
            prefix = f"HANDOFF_{self.table.upper()}_" if self.table else "HANDOFF_"
            names = ", ".join(f"{prefix}{name.upper()}" for name in secrets)
            raise SettingsError(
                f"{path}: {', '.join(secrets)}: secrets belong in the environment ({names}) or *_FILE"
            )
        return data


def read_settings_file() -> tuple[Path, dict[str, Any]]:
    """`handoff.toml` (or the file `HANDOFF_CONFIG` names) as parsed TOML; empty when absent."""
    path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
    if not path.exists():
        if CONFIG_FILE_ENV in os.environ:
            raise SettingsError(f"{CONFIG_FILE_ENV}: no such file {path}")
        return path, {}
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"{path}: {error}") from error


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise SettingsError with one line that names the bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise _one_line(error, "HANDOFF_", SECRET_FIELDS) from error


def _one_line(error: ValidationError, prefix: str, secrets: Sequence[str]) -> SettingsError:
    first = error.errors(include_url=False)[0]
    name = ".".join(str(part) for part in first["loc"])
    setting = f"{prefix}{name.upper()}" if name else "settings"
    message = first["msg"].removeprefix("Value error, ")
    value = first.get("input")
    shown = "" if name in secrets or not isinstance(value, str | int | float) else f" (got {value!r})"
    return SettingsError(f"{setting}: {message}{shown}")


def variable_names(settings: type[BaseSettings], secrets: Sequence[str] = ()) -> set[str]:
    """The environment variables a settings class reads: one per field, and `*_FILE` per secret."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names = {f"{prefix}{name.upper()}" for name in settings.model_fields}
    return names | {f"{prefix}{name.upper()}_FILE" for name in secrets}


def unknown_variables(known: set[str]) -> list[tuple[str, str]]:
    """`HANDOFF_*` variables in the environment that no setting reads, each with a near-miss hint.
    `HANDOFF_TEST_*` belongs to the test suite."""
    known = known | {CONFIG_FILE_ENV}
    return [
        (name, did_you_mean(name, sorted(known)))
        for name in sorted(os.environ)
        if name.startswith("HANDOFF_") and not name.startswith("HANDOFF_TEST_") and name not in known
    ]
