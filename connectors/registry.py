"""The connector registry: each CRM registers what the runtime and the command line need of it.

The runtime and the command line name no CRM: they look its plugin up here by `HANDOFF_CRM`.
Adding a CRM is one folder under `connectors/` and one line in `PLUGINS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from handoff.config.policy import Policy
from handoff.config.settings import CrmSettings, SettingsError
from handoff.config.suggest import did_you_mean
from handoff.connectors.protocol import Connector

Clock = Callable[[], datetime]

# name → the module whose `PLUGIN` registers it; imported only when that CRM is used.
PLUGINS: Mapping[str, str] = {
    "hubspot": "handoff.connectors.hubspot.plugin",
    "memory": "handoff.connectors.memory.plugin",
}
# Names users may know from the docs whose connector is not in this build yet.
PLANNED = ("salesforce",)


@dataclass(frozen=True)
class SetupReport:
    """What `handoff setup` did to the CRM: fields created, updated, already right; and what a
    person must still do (when the CRM's API cannot create a field itself)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class WebhookRefused(Exception):
    """A webhook request that is not the CRM's, or not one handoff can read; `status` is the
    HTTP answer, the message says why (for the log only)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class WebhookRequest:
    """A webhook call as it arrived: `url` as the CRM called it (behind a proxy, the public URL),
    header names in lower case."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes
    now_ms: int


@dataclass(frozen=True)
class WebhookRoute:
    """`POST path`: `contacts` verifies a request and names the contacts it concerns, or raises
    `WebhookRefused`."""

    path: str
    name: str
    contacts: Callable[[WebhookRequest], Sequence[str]]


@dataclass(frozen=True)
class Plugin:
    """One CRM: its settings, how to connect, how to prepare the CRM, its webhook routes, and the
    module of the sandbox that emulates it (its `serve` and `Emulator`; the command line imports
    it, never the runtime)."""

    name: str
    label: str
    """The CRM's name as people write it (HubSpot)."""
    settings: type[CrmSettings]
    connect: Callable[[CrmSettings, Policy, Clock], Connector]
    setup: Callable[[Connector, Policy], SetupReport] | None = None
    webhooks: Callable[[CrmSettings], Sequence[WebhookRoute]] = lambda _settings: ()
    sandbox: str | None = None


def names() -> list[str]:
    return sorted(PLUGINS)


def with_sandbox() -> list[str]:
    """The CRMs that ship a sandbox, in the order of `PLUGINS` (the first is the demo's)."""
    return [name for name in PLUGINS if plugin(name).sandbox is not None]


def plugin(name: str | None) -> Plugin:
    """The plugin for `HANDOFF_CRM`, or a SettingsError that says what to set."""
    choices = ", ".join(names())
    if not name:
        raise SettingsError(f"HANDOFF_CRM: not set; choose {choices}")
    if name in PLANNED:
        raise SettingsError(f"HANDOFF_CRM: the {name} connector is not available in this build yet")
    if name not in PLUGINS:
        hint = did_you_mean(name, [*PLUGINS, *PLANNED])
        raise SettingsError(f"HANDOFF_CRM: unknown CRM {name!r}{hint or f'; choose {choices}'}")
    found: Plugin = importlib.import_module(PLUGINS[name]).PLUGIN
    return found
