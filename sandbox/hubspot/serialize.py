"""Records rendered as HubSpot's v3 JSON: requested properties (plus the ones always returned),
values as strings or ``null``, and property histories newest first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from handoff.sandbox.hubspot.associations import ASSOCIATION_TYPES
from handoff.sandbox.hubspot.catalog import OBJECT_TYPES
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.records import CrmRecord
from handoff.sandbox.hubspot.state import SandboxState

_PRIMARY_PAIRS = {"contacts": ("companies",), "companies": ("contacts",)}


def property_names(state: SandboxState, object_type: str, requested: Iterable[str] | None) -> list[str]:
    """Names to return: the defaults, or what was asked for (unknown names silently dropped)."""
    spec = OBJECT_TYPES[object_type]
    wanted = [name for name in (requested or ()) if name]
    if not wanted:
        return list(spec.default_properties)
    always = ["hs_object_id", spec.created_property, spec.modified_property]
    schema_names = {prop.name for prop in state.property_defs(object_type)}
    names: list[str] = []
    for name in [*wanted, *always]:
        if name in schema_names and name not in names:
            names.append(name)
    return names


def record_json(
    state: SandboxState,
    record: CrmRecord,
    names: list[str],
    *,
    history_names: list[str] | None = None,
    values: Mapping[str, str] | None = None,
    updated_at: datetime | None = None,
) -> dict[str, Any]:
    """``values``/``updated_at`` override the live record (search serves its indexed view)."""
    seen = record.values if values is None else values
    modified = record.updated_at if updated_at is None else updated_at
    computed = OBJECT_TYPES[record.object_type].computed
    properties: dict[str, str | None] = {}
    for name in names:
        if name in computed:
            properties[name] = state.computed_value(record, name, modified)
        else:
            properties[name] = seen.get(name)
    body: dict[str, Any] = {
        "id": str(record.id),
        "properties": properties,
        "createdAt": iso(record.created_at),
        "updatedAt": iso(modified),
        "archived": record.archived,
    }
    if history_names:
        schema_names = {prop.name for prop in state.property_defs(record.object_type)}
        body["propertiesWithHistory"] = {
            name: [version.to_json() for version in state.history(record.object_type, record.id, name)]
            for name in history_names
            if name in schema_names
        }
    if record.archived:
        body["archivedAt"] = iso(record.updated_at)
    return body


def associations_json(state: SandboxState, record: CrmRecord, to_types: Iterable[str]) -> dict[str, Any]:
    """The ``associations`` block of a v3 GET (``?associations=companies``)."""
    block: dict[str, Any] = {}
    for to_type in to_types:
        targets = state.associations.targets(record.object_type, record.id, to_type)
        if not targets:
            continue
        kind = f"{OBJECT_TYPES[record.object_type].singular}_to_{OBJECT_TYPES[to_type].singular}"
        results = []
        for to_id, type_ids in targets.items():
            for type_id in sorted(type_ids):
                spec = ASSOCIATION_TYPES.get((record.object_type, to_type, type_id))
                # Contact–company pairs are the ones with a primary flavour and an unlabeled one.
                unlabeled = (
                    spec is not None
                    and spec.label is None
                    and to_type in _PRIMARY_PAIRS.get(record.object_type, ())
                )
                results.append({"id": str(to_id), "type": f"{kind}_unlabeled" if unlabeled else kind})
        block[to_type] = {"results": results}
    return block
