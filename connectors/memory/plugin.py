"""The in-memory CRM's registration: `HANDOFF_CRM=memory`, state in `HANDOFF_MEMORY_CRM_PATH`."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from handoff.config.policy import Policy
from handoff.config.settings import CrmSettings
from handoff.connectors.memory.crm import MemoryCrm
from handoff.connectors.protocol import Connector
from handoff.connectors.registry import Clock, Plugin


class MemorySettings(CrmSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_MEMORY_CRM_", extra="forbid", frozen=True)
    table: ClassVar[str] = "memory"

    path: str = ":memory:"
    """The CRM's SQLite file, shared between processes (":memory:": this process only)."""


def connect(settings: CrmSettings, policy: Policy, clock: Clock) -> Connector:
    assert isinstance(settings, MemorySettings)
    return MemoryCrm(settings.path, clock=clock)


PLUGIN = Plugin(name="memory", label="the in-memory CRM", settings=MemorySettings, connect=connect)
