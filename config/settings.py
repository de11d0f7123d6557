"""Deployment settings: `HANDOFF_*` environment variables, or a `handoff.toml` beside the process.

Secrets (tokens, webhook URLs) come only from the environment or from a file named by
`HANDOFF_<NAME>_FILE`, never from the command line or `handoff.toml`, and they stay `SecretStr`
so they cannot leak into logs, errors or the database by accident.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from handoff.config.loader import DEFAULT_POLICY_PATH

SECRET_FIELDS = (
    "hubspot_token",
    "hubspot_webhook_secret",
    "salesforce_access_token",
    "slack_webhook_url",
    "teams_webhook_url",
)
CONFIG_FILE_ENV = "HANDOFF_CONFIG"
DEFAULT_CONFIG_FILE = Path("handoff.toml")


class SettingsError(ValueError):
    """A setting that stops the start; the message is one line naming the setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_", extra="forbid", frozen=True)

    crm: Literal["hubspot", "salesforce", "memory"] | None = None
    database_url: str = "sqlite:///./var/handoff.db"
    policy: Path = DEFAULT_POLICY_PATH
    http_host: str = "127.0.0.1"
    http_port: int | None = Field(default=None, ge=0, le=65535)

    hubspot_token: SecretStr | None = None
    hubspot_base_url: str = "https://api.hubapi.com"
    hubspot_webhook_secret: SecretStr | None = None
    hubspot_tier: Literal["free", "starter", "professional", "enterprise"] = "professional"
    hubspot_forms: dict[str, str] = {}
    """Form name (or glob, "Download: *") → activity kind, on top of the defaults (docs/crm-fields.md)."""
    public_url: str | None = None
    """The URL the CRM calls webhooks at, when a proxy sits in front (signatures cover it)."""

    salesforce_instance_url: str | None = None
    salesforce_access_token: SecretStr | None = None

    memory_crm_path: str = ":memory:"

    slack_webhook_url: SecretStr | None = None
    teams_webhook_url: SecretStr | None = None

    cycle_seconds: float = Field(default=30, gt=0)
    sla_tick_seconds: float = Field(default=60, gt=0)
    reconcile_hour_utc: int = Field(default=2, ge=0, le=23)
    lookback_seconds: float = Field(default=300, ge=0)
    evaluate_batch: int = Field(default=500, gt=0)
    write_attempts: int = Field(default=8, gt=0)
    shutdown_seconds: float = Field(default=60, gt=0)
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    @model_validator(mode="before")
    @classmethod
    def _secret_files(cls, data: Any) -> Any:
        """`HANDOFF_HUBSPOT_TOKEN_FILE=/run/secrets/hs` reads the token from that file."""
        if not isinstance(data, dict):
            return data
        for name in SECRET_FIELDS:
            path = os.environ.get(f"HANDOFF_{name.upper()}_FILE")
            if path and not data.get(name):
                try:
                    data[name] = Path(path).read_text(encoding="utf-8").strip()
                except OSError as error:
                    raise ValueError(
                        f"HANDOFF_{name.upper()}_FILE: cannot read {path}: {error.strerror}"
                    ) from error
        return data

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


class _TomlFile(PydanticBaseSettingsSource):
    """Settings from `handoff.toml` (or `$HANDOFF_CONFIG`), lowest precedence, no secrets allowed."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        if not path.exists():
            if CONFIG_FILE_ENV in os.environ:
                raise SettingsError(f"{CONFIG_FILE_ENV}: no such file {path}")
            return {}
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise SettingsError(f"{path}: {error}") from error
        secrets = sorted(set(data) & set(SECRET_FIELDS))
        if secrets:
            names = ", ".join(f"HANDOFF_{name.upper()}" for name in secrets)
            raise SettingsError(
                f"{path}: {', '.join(secrets)}: secrets belong in the environment ({names}) or *_FILE"
            )
        return data


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, or raise SettingsError with one line that names the bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        name = ".".join(str(part) for part in first["loc"])
        setting = f"HANDOFF_{name.upper()}" if name else "settings"
        message = first["msg"].removeprefix("Value error, ")
        value = first.get("input")
        shown = (
            "" if name in SECRET_FIELDS or not isinstance(value, str | int | float) else f" (got {value!r})"
        )
        raise SettingsError(f"{setting}: {message}{shown}") from error
