"""Associations v4: batch read (what a connector uses to find a contact's activities), the
per-record list, and creating a default association."""

from __future__ import annotations

from typing import Any

from handoff.sandbox.hubspot.associations import ASSOCIATION_TYPES
from handoff.sandbox.hubspot.catalog import ObjectType
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.errors import ApiError, bad_request, batch_error, error_body, not_found
from handoff.sandbox.hubspot.routing import Call, Reply
from handoff.sandbox.hubspot.state import RecordNotFound, SchemaInvalid

BATCH_READ_LIMIT = 1_000
PAGE_LIMIT = 500


def _types_json(from_type: str, to_type: str, type_ids: set[int]) -> list[dict[str, Any]]:
    found = []
    for type_id in sorted(type_ids):
        spec = ASSOCIATION_TYPES.get((from_type, to_type, type_id))
        found.append(
            {
                "category": "HUBSPOT_DEFINED",
                "typeId": type_id,
                "label": spec.label if spec is not None else None,
            }
        )
    return found


def _targets(call: Call, source: ObjectType, target: ObjectType, record_id: int) -> list[Any]:
    links = call.state.associations.targets(source.name, record_id, target.name)
    return [
        {"toObjectId": to_id, "associationTypes": _types_json(source.name, target.name, types)}
        for to_id, types in links.items()
    ]


def batch_read(call: Call) -> Reply:
    """Inputs without associations are reported as 207 errors, not as empty results."""
    source = call.object_type("from_type")
    target = call.object_type("to_type")
    started = call.state.clock()
    inputs = call.json_object().get("inputs")
    if not isinstance(inputs, list):
        raise bad_request("inputs is required")
    call.batch_size = len(inputs)
    if len(inputs) > BATCH_READ_LIMIT:
        raise bad_request(f"Batch input size {len(inputs)} is over the limit of {BATCH_READ_LIMIT}")
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    with call.state.locked():
        for item in inputs:
            key = str(item.get("id", "")) if isinstance(item, dict) else ""
            to = _targets(call, source, target, int(key)) if key.isdigit() else []
            if not to:
                errors.append(
                    batch_error(
                        f"No {target.name} is associated with {source.singular} {key}.",
                        "OBJECT_NOT_FOUND",
                        context={"fromObjectId": [key]},
                        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND",
                    )
                )
                continue
            results.append({"from": {"id": key}, "to": to})
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso(started),
        "completedAt": iso(call.state.clock()),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return Reply(207, body)
    return Reply(200, body)


def list_for_record(call: Call) -> Reply:
    source = call.object_type()
    target = call.object_type("to_type")
    limit = call.integer("limit", PAGE_LIMIT, maximum=PAGE_LIMIT)
    after = call.integer("after", 0)
    record_id = call.params["record_id"]
    with call.state.locked():
        record = call.state.raw_record(source.name, int(record_id)) if record_id.isdigit() else None
        if record is None or record.archived:
            raise not_found()
        everything = _targets(call, source, target, record.id)
    body: dict[str, Any] = {"results": everything[after : after + limit]}
    if after + limit < len(everything):
        body["paging"] = {"next": {"after": str(after + limit)}}
    return Reply(200, body)


def create_default(call: Call) -> Reply:
    source = call.object_type()
    target = call.object_type("to_type")
    try:
        spec = call.state.associate(source.name, call.params["record_id"], target.name, call.params["to_id"])
    except RecordNotFound as exc:
        raise not_found(str(exc)) from None
    except SchemaInvalid as exc:
        raise ApiError(400, error_body(str(exc), "VALIDATION_ERROR")) from None
    return Reply(
        200,
        {
            "status": "COMPLETE",
            "results": [
                {
                    "from": {"id": call.params["record_id"]},
                    "to": {"id": call.params["to_id"]},
                    "associationSpec": {
                        "associationCategory": "HUBSPOT_DEFINED",
                        "associationTypeId": spec.type_id,
                    },
                }
            ],
            "startedAt": iso(call.state.clock()),
            "completedAt": iso(call.state.clock()),
        },
    )
