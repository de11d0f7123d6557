"""Everything a job needs, assembled once from the settings: store, connector, policy, clock.

Building it is also where bad configuration is caught: an unknown CRM, an unreadable or invalid
policy, a bad database URL each stop the start with one line naming the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from handoff.config.loader import PolicyError, load_policy
from handoff.config.policy import Policy
from handoff.config.settings import Settings, SettingsError
from handoff.connectors.protocol import Connector
from handoff.connectors.retry import DEFAULT_RETRY, RetryPolicy
from handoff.store.db import DatabaseUrlError, make_db_engine
from handoff.store.migrate import migrate
from handoff.sync.metrics import Metrics
from handoff.sync.notifications import ChatChannel, chat_channels

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    crm: str
    engine: Engine
    connector: Connector
    policy: Policy
    settings: Settings
    clock: Clock = system_clock
    retry: RetryPolicy = DEFAULT_RETRY
    channels: list[ChatChannel] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)

    @property
    def policy_version(self) -> str:
        return self.policy.policy.version


def build_runtime(
    settings: Settings, *, clock: Clock = system_clock, connector: Connector | None = None
) -> Runtime:
    """Assemble and check everything; migrate the store. Raises SettingsError on bad configuration."""
    policy = load_policy_setting(settings)
    engine = open_database(settings)
    migrate(engine)
    crm_connector = connector or build_connector(settings, policy, clock)
    return Runtime(
        crm=crm_connector.name,
        engine=engine,
        connector=crm_connector,
        policy=policy,
        settings=settings,
        clock=clock,
        channels=chat_channels(settings),
    )


def load_policy_setting(settings: Settings) -> Policy:
    try:
        return load_policy(settings.policy)
    except PolicyError as error:
        if len(error.problems) == 1 and error.problems[0].line is None:
            raise SettingsError(f"HANDOFF_POLICY: {error.problems[0]}") from error
        raise


def open_database(settings: Settings) -> Engine:
    url = settings.database_url
    try:
        engine = make_db_engine(url)
    except DatabaseUrlError as error:
        raise SettingsError(f"HANDOFF_DATABASE_URL: {error}") from error
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        from pathlib import Path

        Path(engine.url.database or "").parent.mkdir(parents=True, exist_ok=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        safe = make_url(url).render_as_string(hide_password=True)
        reason = str(error.orig if hasattr(error, "orig") else error).splitlines()[0]
        raise SettingsError(f"HANDOFF_DATABASE_URL: cannot connect to {safe}: {reason}") from error
    return engine


def build_connector(settings: Settings, policy: Policy, clock: Clock = system_clock) -> Connector:
    if settings.crm is None:
        raise SettingsError("HANDOFF_CRM: not set; choose hubspot, salesforce or memory")
    if settings.crm == "memory":
        from handoff.connectors.memory import MemoryCrm

        return MemoryCrm(settings.memory_crm_path)
    if settings.crm == "hubspot":
        from handoff.connectors.hubspot.connector import HubSpotConnector

        if settings.hubspot_token is None:
            raise SettingsError(
                "HANDOFF_HUBSPOT_TOKEN: not set (or HANDOFF_HUBSPOT_TOKEN_FILE); a private-app token"
            )
        return HubSpotConnector.connect(
            settings.hubspot_token.get_secret_value(),
            settings.hubspot_base_url,
            tier=settings.hubspot_tier,
            policy=policy,
            forms=settings.hubspot_forms,
            clock=clock,
        )
    raise SettingsError("HANDOFF_CRM: the salesforce connector is not available in this build yet")
