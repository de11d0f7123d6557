"""Everything a job needs, and the one place it is assembled: the composition root.

`build_runtime` reads the policy, opens and migrates the store, looks the CRM's plugin up in the
registry, reads its settings and connects. It is also where bad configuration is caught: an
unknown CRM, an unreadable or invalid policy, a bad database URL each stop the start with one line
naming the setting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from handoff.config.loader import PolicyError, load_policy
from handoff.config.policy import Policy
from handoff.config.settings import CrmSettings, Settings, SettingsError
from handoff.connectors import registry
from handoff.connectors.protocol import Connector
from handoff.connectors.registry import Plugin
from handoff.connectors.retry import DEFAULT_RETRY, RetryPolicy
from handoff.store.database import DatabaseUrlError, make_db_engine
from handoff.store.migrate import migrate
from handoff.store.unit_of_work import Store
from handoff.sync.chat import ChatChannel, chat_channels
from handoff.sync.metrics import Metrics

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The runtime's clock: the one place handoff reads the wall clock."""
    return datetime.now(UTC)


@dataclass
class Runtime:
    crm: str
    store: Store
    connector: Connector
    policy: Policy
    settings: Settings
    plugin: Plugin
    crm_settings: CrmSettings
    clock: Clock = system_clock
    retry: RetryPolicy = DEFAULT_RETRY
    channels: list[ChatChannel] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)

    @property
    def policy_version(self) -> str:
        return self.policy.policy.version

    @property
    def retention(self) -> timedelta:
        """How far back history, and the activities the engine may read, are kept."""
        return timedelta(days=self.settings.history_days)

    def close(self) -> None:
        self.store.dispose()


def build_runtime(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    connector: Connector | None = None,
    crm_settings: CrmSettings | None = None,
    read_only: bool = False,
) -> Runtime:
    """Assemble and check everything; migrate the store. Raises SettingsError on bad configuration.

    Every setting is checked before the database is touched, so a configuration error never
    leaves an empty database behind; `read_only` (status, explain) never creates one at all.
    `connector` and `crm_settings` replace what the settings would build (tests, the demo)."""
    policy = load_policy_setting(settings)
    plugin = registry.plugin(connector.name if connector is not None else settings.crm)
    crm_settings = crm_settings or plugin.settings.load()
    crm_connector = connector or plugin.connect(crm_settings, policy, clock)
    engine = open_database(settings, create=not read_only)
    migrate(engine)
    return Runtime(
        crm=crm_connector.name,
        store=Store(engine, crm_connector.name),
        connector=crm_connector,
        policy=policy,
        settings=settings,
        plugin=plugin,
        crm_settings=crm_settings,
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


def open_database(settings: Settings, *, create: bool = True) -> Engine:
    """The store's engine, connected once to prove the URL. A SQLite file is created (with it the
    default `./var/` folder) only when `create`; a folder that does not exist is a typo, not
    something to create."""
    url = settings.database_url
    try:
        engine = make_db_engine(url)
    except DatabaseUrlError as error:
        raise SettingsError(f"HANDOFF_DATABASE_URL: {error}") from error
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        path = Path(engine.url.database or "")
        if not create and not path.exists():
            raise SettingsError(f"HANDOFF_DATABASE_URL: no database at {path} yet; run `handoff sync` first")
        if not path.parent.exists():
            if url != Settings.model_fields["database_url"].default:
                raise SettingsError(f"HANDOFF_DATABASE_URL: the folder {path.parent} does not exist")
            path.parent.mkdir(parents=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        safe = make_url(url).render_as_string(hide_password=True)
        reason = str(error.orig if hasattr(error, "orig") else error).splitlines()[0]
        raise SettingsError(f"HANDOFF_DATABASE_URL: cannot connect to {safe}: {reason}") from error
    return engine


def connect_plugin(
    settings: Settings, policy: Policy, clock: Clock = system_clock
) -> tuple[Plugin, Connector]:
    """The CRM's plugin and a connector, without a store (`handoff setup`)."""
    plugin = registry.plugin(settings.crm)
    return plugin, plugin.connect(plugin.settings.load(), policy, clock)
