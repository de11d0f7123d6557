"""CRM records as the sandbox stores them, and who changed them.

Memory matters (benchmarks load 100,000 contacts), so a record keeps its creation values once and
grows a per-property history only when a property actually changes afterwards; the first version
of every property is rebuilt from the creation time and source on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from handoff.sandbox.hubspot.clock import iso

SOURCE_TYPES_FORWARD_ONLY = frozenset({"API", "INTEGRATION", "FORM", "IMPORT", "ANALYTICS"})


@dataclass(frozen=True)
class ChangeSource:
    """Who made a change, as HubSpot reports it in property history and webhooks.

    UI edits report ``sourceType`` ``CRM_UI`` and ``sourceId`` ``userId:<id>``; the connector uses
    this to tell a rep's edit from its own write-back.
    """

    type: str
    id: str | None = None
    label: str | None = None
    user_id: int | None = None

    @classmethod
    def api(cls, app_id: int | str | None = None) -> ChangeSource:
        return cls("API", str(app_id) if app_id is not None else None)

    @classmethod
    def ui(cls, user_id: int) -> ChangeSource:
        return cls("CRM_UI", f"userId:{user_id}", user_id=user_id)

    @property
    def lifecycle_forward_only(self) -> bool:
        """HubSpot only lets integrations, forms and imports move ``lifecyclestage`` forward."""
        return self.type in SOURCE_TYPES_FORWARD_ONLY


@dataclass(frozen=True, slots=True)
class PropertyVersion:
    value: str
    timestamp: datetime
    source: ChangeSource

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "value": self.value,
            "timestamp": iso(self.timestamp),
            "sourceType": self.source.type,
        }
        if self.source.id is not None:
            body["sourceId"] = self.source.id
        if self.source.label is not None:
            body["sourceLabel"] = self.source.label
        if self.source.user_id is not None:
            body["updatedByUserId"] = self.source.user_id
        return body


@dataclass(slots=True)
class SearchView:
    """What the search index saw of a record before its latest changes were indexed."""

    values: dict[str, str] | None
    updated_at: datetime
    visible_from: datetime


@dataclass(slots=True)
class CrmRecord:
    """One stored CRM object. Cleared properties are absent from ``values``."""

    object_type: str
    id: int
    created_at: datetime
    updated_at: datetime
    values: dict[str, str]
    origin: ChangeSource
    history: dict[str, list[PropertyVersion]] | None = None
    archived: bool = False
    stale: SearchView | None = None

    def versions(self, name: str) -> list[PropertyVersion]:
        """Oldest first."""
        if self.history is not None and name in self.history:
            return list(self.history[name])
        if name in self.values:
            return [PropertyVersion(self.values[name], self.created_at, self.origin)]
        return []

    def record_change(self, name: str, value: str, at: datetime, source: ChangeSource) -> None:
        if self.history is None:
            self.history = {}
        if name not in self.history:
            self.history[name] = self.versions(name)
        self.history[name].append(PropertyVersion(value, at, source))
        if value == "":
            self.values.pop(name, None)
        else:
            self.values[name] = value


@dataclass(frozen=True)
class RecordSnapshot:
    """A copy of a record handed out of the state's lock to tests, the demo and the simulation."""

    object_type: str
    id: str
    properties: dict[str, str]
    created_at: datetime
    updated_at: datetime
    archived: bool
    history: dict[str, list[PropertyVersion]] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.properties.get(name)
