"""CRM object endpoints (``/crm/v3/objects/{type}``): read, list, write, batch and search."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from handoff.sandbox.hubspot.associations import ASSOCIATION_TYPES, AssociationType
from handoff.sandbox.hubspot.catalog import ObjectType, resolve_object_type
from handoff.sandbox.hubspot.clock import iso
from handoff.sandbox.hubspot.errors import (
    ApiError,
    PropertyValidationError,
    bad_request,
    batch_error,
    conflict,
    error_body,
    not_found,
    reject_unknown_fields,
)
from handoff.sandbox.hubspot.records import ChangeSource, CrmRecord
from handoff.sandbox.hubspot.routing import Call, Reply
from handoff.sandbox.hubspot.search import parse_plan
from handoff.sandbox.hubspot.serialize import associations_json, property_names, record_json
from handoff.sandbox.hubspot.state import DuplicateEmail, RecordNotFound, SandboxState

BATCH_LIMIT = 100
LIST_LIMIT = 100
HISTORY_LIST_LIMIT = 50


def _source(call: Call) -> ChangeSource:
    return ChangeSource.api(call.state.app_id)


def _lookup(call: Call, spec: ObjectType, key: str, id_property: str | None) -> CrmRecord | None:
    state = call.state
    if id_property and id_property != "hs_object_id":
        if spec.name == "contacts" and id_property == "email":
            found = state.contact_id_for_email(key)
            return None if found is None else state.raw_record("contacts", found)
        prop = state.property_def(spec.name, id_property)
        if prop is None or not prop.has_unique_value:
            raise bad_request(f"Unable to perform lookup by non-unique {spec.type_id} property {id_property}")
        return next((r for r in state.raw_records(spec.name) if r.values.get(id_property) == key), None)
    try:
        return state.raw_record(spec.name, int(key))
    except ValueError:
        return None


def get_one(call: Call) -> Reply:
    spec = call.object_type()
    archived = call.flag("archived")
    with call.state.locked():
        record = _lookup(call, spec, call.params["record_id"], call.args.get("idProperty"))
        if record is None or record.archived != archived:
            raise not_found()
        body = record_json(
            call.state,
            record,
            property_names(call.state, spec.name, call.names("properties")),
            history_names=call.names("propertiesWithHistory"),
        )
        associations = associations_json(call.state, record, _association_types(call))
        if associations:
            body["associations"] = associations
    return Reply(200, body)


def _association_types(call: Call) -> list[str]:
    types: list[str] = []
    for raw in call.names("associations"):
        spec = resolve_object_type(raw)
        if spec is not None:
            types.append(spec.name)
    return types


def list_page(call: Call) -> Reply:
    spec = call.object_type()
    history = call.names("propertiesWithHistory")
    maximum = HISTORY_LIST_LIMIT if history else LIST_LIMIT
    limit = call.integer("limit", 10, maximum=maximum)
    archived = call.flag("archived")
    start = call.args.get("after") or "0"
    if not start.isdigit():
        raise bad_request(f"after must be a record cursor, got {start!r}")
    state = call.state
    results: list[dict[str, Any]] = []
    next_after: int | None = None
    with state.locked():
        names = property_names(state, spec.name, call.names("properties"))
        to_types = _association_types(call)
        for record_id in state.raw_ids_from(spec.name, int(start)):
            record = state.raw_record(spec.name, record_id)
            if record is None or record.archived != archived:
                continue
            if len(results) == limit:
                next_after = record_id
                break
            body = record_json(state, record, names, history_names=history)
            associations = associations_json(state, record, to_types)
            if associations:
                body["associations"] = associations
            results.append(body)
    reply: dict[str, Any] = {"results": results}
    if next_after is not None:
        reply["paging"] = {
            "next": {
                "after": str(next_after),
                "link": f"{call.base_url}{call.path}?after={next_after}",
            }
        }
    return Reply(200, reply)


def _parse_associations(
    spec: ObjectType, raw: object, state: SandboxState
) -> list[tuple[AssociationType, int]]:
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise bad_request("associations must be a list")
    pairs: list[tuple[AssociationType, int]] = []
    for item in raw:
        try:
            target_id = int(str(item["to"]["id"]))
            types = item["types"]
        except (KeyError, TypeError, ValueError):
            raise bad_request("each association needs to.id and types") from None
        for association in types:
            type_id = association.get("associationTypeId")
            category = association.get("associationCategory", "HUBSPOT_DEFINED")
            found = next(
                (t for key, t in ASSOCIATION_TYPES.items() if key[0] == spec.name and key[2] == type_id),
                None,
            )
            if found is None or category != "HUBSPOT_DEFINED":
                raise bad_request(f"{category} association type {type_id} is not valid from {spec.singular}")
            target = state.raw_record(found.to_type, target_id)
            if target is None or target.archived:
                raise bad_request(
                    f"One or more associations are invalid: {found.to_type} {target_id} not found"
                )
            pairs.append((found, target_id))
    return pairs


def create_one(call: Call) -> Reply:
    spec = call.object_type()
    body = call.json_object()
    reject_unknown_fields(body, _CREATE_BODY, "SimplePublicObjectInputForCreate")
    state = call.state
    with state.locked():
        associations = _parse_associations(spec, body.get("associations"), state)
        created_id = _create(call, spec, body.get("properties") or {}, associations)
        record = state.raw_record(spec.name, int(created_id))
        assert record is not None
        names = property_names(state, spec.name, list(body.get("properties") or {}))
        return Reply(201, record_json(state, record, names))


def _create(
    call: Call,
    spec: ObjectType,
    properties: Mapping[str, object],
    associations: list[tuple[AssociationType, int]],
) -> str:
    try:
        created = call.state.create(spec.name, properties, source=_source(call), associations=associations)
    except PropertyValidationError as exc:
        raise exc.to_api_error() from None
    except DuplicateEmail as exc:
        raise conflict(str(exc)) from None
    return created.id


def update_one(call: Call) -> Reply:
    spec = call.object_type()
    body = call.json_object()
    reject_unknown_fields(body, _CREATE_BODY, "SimplePublicObjectInput")
    properties = body.get("properties")
    if not isinstance(properties, dict):
        raise bad_request("properties is required")
    state = call.state
    with state.locked():
        record = _lookup(call, spec, call.params["record_id"], call.args.get("idProperty"))
        if record is None or record.archived:
            raise not_found()
        try:
            state.update(spec.name, record.id, properties, source=_source(call))
        except PropertyValidationError as exc:
            raise exc.to_api_error() from None
        except DuplicateEmail as exc:
            raise conflict(str(exc)) from None
        names = property_names(state, spec.name, list(properties))
        return Reply(200, record_json(state, record, names))


def archive_one(call: Call) -> Reply:
    spec = call.object_type()
    with contextlib.suppress(RecordNotFound):
        call.state.archive(spec.name, call.params["record_id"])
    return Reply(204)


_BATCH_BODY = frozenset({"inputs", "properties", "propertiesWithHistory", "idProperty"})
_WRITE_INPUT = frozenset({"id", "properties", "objectWriteTraceId", "idProperty", "associations"})
_CREATE_BODY = frozenset({"properties", "associations", "objectWriteTraceId"})


def _inputs(call: Call, body: Mapping[str, Any], limit: int = BATCH_LIMIT) -> list[Any]:
    reject_unknown_fields(body, _BATCH_BODY, "BatchInput")
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise bad_request("inputs is required")
    call.batch_size = len(inputs)
    if len(inputs) > limit:
        raise bad_request(
            f"Batch input size {len(inputs)} is over the limit of {limit} inputs",
            sub_category="BATCH_INPUT_TOO_LARGE",
        )
    for item in inputs:
        if isinstance(item, dict):
            reject_unknown_fields(item, _WRITE_INPUT, "SimplePublicObjectBatchInput")
    return inputs


def _batch_reply(
    call: Call, started: datetime, results: list[dict[str, Any]], errors: list[dict[str, Any]], ok: int
) -> Reply:
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
    return Reply(ok, body)


def batch_read(call: Call) -> Reply:
    spec = call.object_type()
    started = call.state.clock()
    body = call.json_object()
    inputs = _inputs(call, body)
    id_property = body.get("idProperty")
    archived = call.flag("archived")
    state = call.state
    results: list[dict[str, Any]] = []
    missing: list[str] = []
    seen: set[int] = set()
    with state.locked():
        names = property_names(state, spec.name, body.get("properties") or [])
        history = body.get("propertiesWithHistory") or []
        for item in inputs:
            key = str(item.get("id", "")) if isinstance(item, dict) else ""
            record = _lookup(call, spec, key, id_property)
            if record is None or record.archived != archived:
                missing.append(key)
                continue
            if record.id in seen:
                continue
            seen.add(record.id)
            results.append(record_json(state, record, names, history_names=history))
    errors = []
    if missing:
        errors.append(
            batch_error(
                f"Could not get some {spec.singular.upper()} objects, they may be deleted or not"
                " exist. Check that ids are valid.",
                "OBJECT_NOT_FOUND",
                context={"ids": missing},
            )
        )
    return _batch_reply(call, started, results, errors, 200)


def _write_error(exc: Exception, context: dict[str, list[str]]) -> dict[str, Any]:
    if isinstance(exc, PropertyValidationError):
        return batch_error(exc.message, "VALIDATION_ERROR", context=context, details=exc.details())
    if isinstance(exc, DuplicateEmail):
        return batch_error(str(exc), "CONFLICT", context=context)
    if isinstance(exc, RecordNotFound):
        return batch_error(
            f"Object {exc.record_id} of type {exc.object_type} was not found",
            "OBJECT_NOT_FOUND",
            context=context,
        )
    raise exc


def batch_update(call: Call) -> Reply:
    """Per-input failures answer 207 and leave the other inputs applied.

    Two inputs for one record refuse the whole batch (400), as HubSpot reports; its staff warned
    that inputs are not applied in a guaranteed order.
    """
    spec = call.object_type()
    started = call.state.clock()
    inputs = _inputs(call, call.json_object())
    ids = [str(item.get("id", "")) if isinstance(item, dict) else "" for item in inputs]
    duplicates = sorted({key for key in ids if ids.count(key) > 1})
    if duplicates:
        raise ApiError(
            400,
            error_body(
                f"Duplicate IDs found in batch input: {duplicates}. IDs must be unique",
                "VALIDATION_ERROR",
                context={"ids": duplicates},
            ),
        )
    state = call.state
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    with state.locked():
        for key, item in zip(ids, inputs, strict=True):
            properties = item.get("properties") if isinstance(item, dict) else None
            context = {"id": [key]}
            trace = item.get("objectWriteTraceId") if isinstance(item, dict) else None
            if trace is not None:
                context["objectWriteTraceId"] = [str(trace)]
            if not isinstance(properties, dict):
                errors.append(batch_error("properties is required", "VALIDATION_ERROR", context=context))
                continue
            try:
                state.update(spec.name, key, properties, source=_source(call))
            except (PropertyValidationError, DuplicateEmail, RecordNotFound) as exc:
                errors.append(_write_error(exc, context))
                continue
            record = state.raw_record(spec.name, int(key))
            assert record is not None
            results.append(record_json(state, record, property_names(state, spec.name, list(properties))))
    return _batch_reply(call, started, results, errors, 200)


def batch_create(call: Call) -> Reply:
    """With an ``objectWriteTraceId`` on every input, failures are per input (207); otherwise the
    first invalid input refuses the whole batch, as HubSpot documents."""
    spec = call.object_type()
    started = call.state.clock()
    inputs = _inputs(call, call.json_object())
    state = call.state
    traced = bool(inputs) and all(
        isinstance(item, dict) and item.get("objectWriteTraceId") is not None for item in inputs
    )
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    with state.locked():
        parsed = []
        for item in inputs:
            if not isinstance(item, dict) or not isinstance(item.get("properties"), dict):
                raise bad_request("each input needs properties")
            parsed.append((item, _parse_associations(spec, item.get("associations"), state)))
        if not traced:
            _precheck(state, spec, [item["properties"] for item, _ in parsed])
        for item, associations in parsed:
            context = {"objectWriteTraceId": [str(item.get("objectWriteTraceId"))]}
            try:
                created = state.create(
                    spec.name, item["properties"], source=_source(call), associations=associations
                )
            except (PropertyValidationError, DuplicateEmail) as exc:
                errors.append(_write_error(exc, context))
                continue
            record = state.raw_record(spec.name, int(created.id))
            assert record is not None
            names = property_names(state, spec.name, list(item["properties"]))
            body = record_json(state, record, names)
            if traced:
                body["objectWriteTraceId"] = str(item["objectWriteTraceId"])
            results.append(body)
    return _batch_reply(call, started, results, errors, 201)


def _precheck(state: SandboxState, spec: ObjectType, rows: list[dict[str, Any]]) -> None:
    emails: set[str] = set()
    for row in rows:
        try:
            values = state.validate(spec.name, row, creating=True)
        except PropertyValidationError as exc:
            raise exc.to_api_error() from None
        except DuplicateEmail as exc:
            raise conflict(str(exc)) from None
        email = values.get("email", "").lower()
        if email and email in emails:
            raise conflict(f"Duplicate email {email} in batch input")
        emails.add(email)


def batch_archive(call: Call) -> Reply:
    spec = call.object_type()
    for item in _inputs(call, call.json_object()):
        try:
            call.state.archive(spec.name, str(item.get("id", "")))
        except RecordNotFound:
            continue
    return Reply(204)


def search(call: Call) -> Reply:
    spec = call.object_type()
    plan = parse_plan(call.json_object())
    return Reply(200, call.backend.search.search(spec.name, plan))
